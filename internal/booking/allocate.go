package booking

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
)

// lineStock is what allocating one line needs.
type lineStock struct {
	lineID     int64
	item       store.BookableItem
	locationID int64
	quantity   int
	start, end time.Time
	hold       *time.Time // hold expiry, nil when confirmed
	prefer     []int64    // units to try first (a line's units before a change)
	zone       string
}

// allocate takes stock for a line inside tx: distinct free units of a
// serialized item, or room under the bulk capacity. It is the one place that
// decides availability for a write; every operation comes through here.
func (e *Engine) allocate(ctx context.Context, tx *store.Store, ls lineStock, now time.Time) error {
	if ls.item.Tracking == "bulk" {
		return e.allocateBulk(ctx, tx, ls, now)
	}
	return e.allocateUnits(ctx, tx, ls, now)
}

// allocateUnits picks free units inside the transaction and holds them. Each
// candidate's row is locked, then checked again (a fresh look, after whoever
// held the lock committed) in the statement that inserts its allocation under
// the exclusion constraint. Concurrent bookings of one unit therefore queue
// on its row, and bookings of an item spread over its free units, failing
// only when none is left. Candidates are found and locked in one round trip,
// and each is checked and written in one more.
func (e *Engine) allocateUnits(ctx context.Context, tx *store.Store, ls lineStock, now time.Time) error {
	occ := ls.item.Occupied(ls.start, ls.end)
	var held, tried []int64
	// write checks a locked unit again and holds it if it is still free.
	write := func(unitID int64) error {
		tried = append(tried, unitID)
		e.pause(ctx)
		_, err := tx.InsertFreeAllocation(ctx, ls.item.ID, ls.locationID,
			store.NewAllocation{UnitID: unitID, LineID: ls.lineID, Occupied: occ, HoldExpiresAt: ls.hold}, now)
		if err == nil {
			held = append(held, unitID)
			return nil
		}
		if unitTaken(err) {
			return nil
		}
		return err
	}
	for _, u := range ls.prefer {
		if len(held) == ls.quantity {
			break
		}
		if slices.Contains(tried, u) {
			continue
		}
		if err := tx.LockUnits(ctx, []int64{u}); err != nil {
			return err
		}
		if err := write(u); err != nil {
			return err
		}
	}
	for len(held) < ls.quantity {
		cands, err := tx.LockFreeUnits(ctx, store.FreeUnitsQuery{ItemID: ls.item.ID, LocationID: ls.locationID,
			Occupied: occ, Now: now, Exclude: tried, Limit: ls.quantity - len(held)})
		if err != nil {
			return err
		}
		if len(cands) == 0 {
			return &ConflictError{ItemName: ls.item.Name, Start: ls.start, End: ls.end, Zone: ls.zone,
				Detail: e.describeItemConflict(ctx, tx, ls, len(held), now)}
		}
		for _, u := range cands {
			if err := write(u); err != nil {
				return err
			}
		}
	}
	return nil
}

// allocateBulk checks the bulk capacity under the stock row's lock: the peak
// use over the line's window plus its quantity must fit the stock. The lock is
// held until commit, so no other booking of the item at the location can check
// and write in between.
func (e *Engine) allocateBulk(ctx context.Context, tx *store.Store, ls lineStock, now time.Time) error {
	capacity, err := tx.LockBulkStock(ctx, ls.item.ID, ls.locationID)
	if err != nil {
		return err
	}
	peak, err := tx.BulkPeak(ctx, ls.item.ID, ls.locationID, ls.item.Occupied(ls.start, ls.end), now, ls.lineID)
	if err != nil {
		return err
	}
	e.pause(ctx)
	if peak+ls.quantity > capacity {
		return &ConflictError{ItemName: ls.item.Name, Start: ls.start, End: ls.end, Zone: ls.zone,
			Detail: shortOf(max(capacity-peak, 0), ls.quantity)}
	}
	return nil
}

// placeUnit moves one held unit of a line to a chosen unit (change of unit,
// check-out scan): the old allocation is released and the new one inserted
// with the line's current range (from now on when it goes out now). The unit
// must be free by the same rule availability uses (allocation_blocks), so a
// unit out and overdue on another booking is refused even where the overdue
// stretch stops short of this range; the exclusion constraint stays the last
// word.
func (e *Engine) placeUnit(ctx context.Context, tx *store.Store, b store.Booking, line store.BookingLine, item store.BookableItem,
	fromAllocation int64, unit store.BookingUnit, pickedUp *time.Time) error {
	now := e.now()
	if err := tx.LockUnits(ctx, []int64{unit.ID}); err != nil {
		return err
	}
	if _, err := tx.ReleaseLineUnits(ctx, line.ID, fromAllocation); err != nil {
		return err
	}
	occ := item.Occupied(line.StartsAt, line.EndsAt)
	if pickedUp != nil && pickedUp.Before(occ.From) {
		occ.From = *pickedUp
	}
	refuse := func() error {
		return &ConflictError{ItemName: item.Name, AssetTag: unit.AssetTag, Start: line.StartsAt, End: line.EndsAt,
			Zone: b.TimeZone, Detail: e.describeUnitConflict(ctx, tx, item, unit, occ.From, line.EndsAt, b.ID)}
	}
	free, err := tx.FreeUnits(ctx, store.FreeUnitsQuery{ItemID: item.ID, LocationID: unit.LocationID,
		Occupied: occ, Now: now, Only: unit.ID, Limit: 1})
	if err != nil {
		return err
	}
	if len(free) == 0 {
		return refuse()
	}
	e.pause(ctx)
	_, err = tx.InsertAllocation(ctx, store.NewAllocation{UnitID: unit.ID, LineID: line.ID,
		Occupied: occ, PickedUpAt: pickedUp, HoldExpiresAt: b.ExpiresAt})
	if unitTaken(err) {
		return refuse()
	}
	return asConflict(err, item, line.StartsAt, line.EndsAt, b.TimeZone)
}

// shortOf says how many of those wanted are free, for staff.
func shortOf(free, wanted int) string {
	if free == 0 {
		return "none is free then"
	}
	return fmt.Sprintf("only %d of the %d wanted are free then", free, wanted)
}

// describeItemConflict says, for staff, why a serialized line could not be
// given units: which units hold it and what holds them (a booking by its
// number, a maintenance block, a unit out of service), at most three.
func (e *Engine) describeItemConflict(ctx context.Context, tx *store.Store, ls lineStock, free int, now time.Time) string {
	msg := shortOf(free, ls.quantity)
	bs, err := tx.ExplainUnavailable(ctx, ls.item.ID, ls.locationID, ls.start, ls.end, now)
	if err != nil || len(bs) == 0 {
		return msg
	}
	var held []string
	seen := map[string]bool{}
	for _, b := range bs {
		text := blockerText(b, period.Zone(ls.zone))
		if text == "" || seen[b.AssetTag] {
			continue
		}
		seen[b.AssetTag] = true
		held = append(held, text)
	}
	if len(held) > 3 {
		held = append(held[:3], fmt.Sprintf("%d more", len(held)-3))
	}
	switch {
	case len(held) == 0:
		return msg
	case ls.quantity == 1:
		return strings.Join(held, "; ")
	}
	return msg + ": " + strings.Join(held, "; ")
}

// blockerText is what holds one unit, in words ("" for a row naming no unit).
func blockerText(b store.Blocker, zone *time.Location) string {
	if b.AssetTag == "" {
		return ""
	}
	switch b.Kind {
	case "maintenance":
		if b.Reason != "" {
			return b.AssetTag + " is in maintenance (" + b.Reason + ")"
		}
		return b.AssetTag + " is in maintenance"
	case "overdue":
		return b.AssetTag + " is still out on booking " + b.BookingNumber + " (overdue)"
	case "booking":
		if b.LineStart != nil {
			return b.AssetTag + " is booked on " + b.BookingNumber + " from " + b.LineStart.In(zone).Format("Mon 2 Jan 15:04")
		}
		return b.AssetTag + " is booked on " + b.BookingNumber
	case "status":
		return b.AssetTag + " is " + strings.ReplaceAll(b.UnitStatus, "_", " ")
	}
	return ""
}

// describeUnitConflict names what holds a unit in a window, for staff,
// leaving out booking skip (the one asking).
func (e *Engine) describeUnitConflict(ctx context.Context, tx *store.Store, item store.BookableItem, unit store.BookingUnit, start, end time.Time, skip int64) string {
	bs, err := tx.ExplainUnavailable(ctx, item.ID, unit.LocationID, start, end, e.now())
	if err != nil {
		return ""
	}
	for _, b := range bs {
		if b.UnitID == nil || *b.UnitID != unit.ID || (b.BookingID != nil && *b.BookingID == skip) {
			continue
		}
		switch b.Kind {
		case "maintenance":
			return "in maintenance: " + b.Reason
		case "overdue":
			return "still out on booking " + b.BookingNumber + " (overdue)"
		case "booking":
			return "promised to booking " + b.BookingNumber
		}
	}
	return "taken at the same moment by another booking"
}

// asConflict turns a lower-level conflict into one naming the item.
func asConflict(err error, item store.BookableItem, start, end time.Time, zone string) error {
	var ce *ConflictError
	if err == nil || errors.As(err, &ce) || !isConflict(err) {
		return err
	}
	return &ConflictError{ItemName: item.Name, Start: start, End: end, Zone: zone, Err: err}
}
