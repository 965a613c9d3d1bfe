package desk

import (
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// Kinds of a calendar cell, from the strongest: an overdue unit blocks, a
// maintenance block, a booking (confirmed or a hold), its turnaround buffer.
const (
	CellFree        = "free"
	CellBuffer      = "buffer"
	CellHold        = "hold"
	CellBooked      = "booked"
	CellMaintenance = "maintenance"
	CellOverdue     = "overdue"
)

var cellRank = map[string]int{CellFree: 0, CellBuffer: 1, CellHold: 2, CellBooked: 3, CellMaintenance: 4, CellOverdue: 5}

// Cell is one unit on one local day.
type Cell struct {
	Kind      string
	BookingID int64
	Number    string
	Title     string // who or why, for the tooltip
}

// UnitDays lays a unit's blocks over days (local midnights, plus the end of
// the last day in ends): each day shows the strongest thing on it. A unit out
// past its end is overdue from its due time on, every day until it is back.
func UnitDays(blocks []store.CalendarBlock, days []time.Time, end, now time.Time) []Cell {
	cells := make([]Cell, len(days))
	for i := range cells {
		cells[i].Kind = CellFree
	}
	for _, b := range blocks {
		for i, d0 := range days {
			d1 := end
			if i+1 < len(days) {
				d1 = days[i+1]
			}
			if c, ok := blockOn(b, d0, d1, now); ok && cellRank[c.Kind] > cellRank[cells[i].Kind] {
				cells[i] = c
			}
		}
	}
	return cells
}

// blockOn says what a block makes of the day [d0, d1).
func blockOn(b store.CalendarBlock, d0, d1, now time.Time) (Cell, bool) {
	overlaps := func(from time.Time, to *time.Time) bool {
		return from.Before(d1) && (to == nil || to.After(d0))
	}
	if b.Maintenance {
		return Cell{Kind: CellMaintenance, Title: b.Reason}, overlaps(b.From, b.To)
	}
	c := Cell{BookingID: b.BookingID, Number: b.Number, Title: b.Customer}
	if b.EndsAt != nil && b.PickedUpAt != nil && b.ReturnedAt == nil && !b.EndsAt.After(now) && overlaps(*b.EndsAt, nil) {
		c.Kind = CellOverdue
		return c, true
	}
	if from, to, ok := heldPeriod(b); ok && overlaps(from, to) {
		c.Kind = CellBooked
		if b.HoldExpiresAt != nil {
			c.Kind = CellHold
		}
		return c, true
	}
	c.Kind = CellBuffer
	return c, overlaps(b.From, b.To)
}

// heldPeriod is when a booking really has the unit: from its start (or an
// earlier pickup) to its end (or an earlier return).
func heldPeriod(b store.CalendarBlock) (time.Time, *time.Time, bool) {
	if b.StartsAt == nil {
		return time.Time{}, nil, false
	}
	from, to := *b.StartsAt, b.EndsAt
	if b.PickedUpAt != nil && b.PickedUpAt.Before(from) {
		from = *b.PickedUpAt
	}
	if b.ReturnedAt != nil && (to == nil || b.ReturnedAt.Before(*to)) {
		to = b.ReturnedAt
	}
	return from, to, true
}
