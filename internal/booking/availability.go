package booking

import (
	"context"
	"time"

	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Availability is every item's free quantity at a location for [start, end),
// in one query. Staff see items that are not bookable online too.
func (e *Engine) Availability(ctx context.Context, locationID int64, start, end time.Time, staff bool) ([]store.ItemAvailability, error) {
	return e.st.ListAvailability(ctx, store.AvailabilityQuery{LocationID: locationID, From: start, To: end, Now: e.now(), Hidden: staff})
}

// AvailabilityOf is Availability for some items only (those a catalog page
// shows), still in one query; items customers cannot book are left out.
func (e *Engine) AvailabilityOf(ctx context.Context, locationID int64, start, end time.Time, itemIDs []int64) ([]store.ItemAvailability, error) {
	if itemIDs == nil {
		itemIDs = []int64{}
	}
	return e.st.ListAvailability(ctx, store.AvailabilityQuery{LocationID: locationID, From: start, To: end, Now: e.now(), ItemIDs: itemIDs})
}

// FreeOf is AvailabilityOf without the items, only their counts: for a
// page that already holds the items it shows (the catalog) and prices them
// itself.
func (e *Engine) FreeOf(ctx context.Context, locationID int64, start, end time.Time, itemIDs []int64) ([]store.ItemFree, error) {
	if itemIDs == nil {
		itemIDs = []int64{}
	}
	return e.st.ListFree(ctx, store.AvailabilityQuery{LocationID: locationID, From: start, To: end, Now: e.now(), ItemIDs: itemIDs})
}

// StaffAvailabilityOf is AvailabilityOf for staff: items customers cannot
// book online count too (archived ones never do).
func (e *Engine) StaffAvailabilityOf(ctx context.Context, locationID int64, start, end time.Time, itemIDs []int64) ([]store.ItemAvailability, error) {
	if itemIDs == nil {
		itemIDs = []int64{}
	}
	return e.st.ListAvailability(ctx, store.AvailabilityQuery{LocationID: locationID, From: start, To: end, Now: e.now(),
		Hidden: true, ItemIDs: itemIDs})
}

// ItemAvailability is one item's free quantity for [start, end).
func (e *Engine) ItemAvailability(ctx context.Context, itemID, locationID int64, start, end time.Time) (store.ItemAvailability, error) {
	rows, err := e.st.ListAvailability(ctx, store.AvailabilityQuery{LocationID: locationID, From: start, To: end,
		Now: e.now(), Hidden: true, ItemIDs: []int64{itemID}})
	if err != nil {
		return store.ItemAvailability{}, err
	}
	if len(rows) == 0 {
		return store.ItemAvailability{}, ErrNotFound
	}
	return rows[0], nil
}

// FreeFor answers, in one query, how many of an item are free at a location
// for the whole of each of several periods (the same count ItemAvailability
// gives for each); the item page's search for when a fully booked item is
// next free asks its candidate periods together instead of one query each.
// ErrNotFound for an archived or unknown item.
func (e *Engine) FreeFor(ctx context.Context, itemID, locationID int64, spans []store.Span) ([]int, error) {
	if len(spans) == 0 {
		return nil, nil
	}
	free, _, err := e.st.ItemCalendar(ctx, itemID, locationID, spans, e.now())
	return free, err
}

// nextFreeWindow is how many candidate periods Alternatives asks at first:
// a fully booked item is most often free again within a week of days (on
// the large benchmark set 98% of them), so the rest are asked only when none
// of these is free, instead of every candidate on every fully booked page.
const nextFreeWindow = 7

// Alternatives answers what a fully booked item's page offers instead, in
// one query when the first nextFreeWindow candidate spans (q.Spans, in their
// order) hold the answer: NextFree, the index of the first span for which
// at least one of the item is free at the location for the whole span (the
// first with a positive FreeFor count, -1 when none is), and Similar, the
// first q.N items of q.Similar (in that order, the public list's by name)
// with any free for [q.From, q.To) as AvailabilityOf counts them, asking no
// item after the last one needed. The rest of the spans are asked only when
// the first ones are all booked. Items customers cannot book online are
// never similar. ErrNotFound for an archived or unknown item (when there
// are spans). q.Now is the engine's.
func (e *Engine) Alternatives(ctx context.Context, q store.AlternativesQuery) (store.Alternatives, error) {
	all := q.Spans
	q.Now, q.Spans = e.now(), all[:min(len(all), nextFreeWindow)]
	alt, err := e.st.GetAlternatives(ctx, q)
	if err != nil || alt.NextFree >= 0 || len(all) == len(q.Spans) {
		return alt, err
	}
	free, err := e.FreeFor(ctx, q.ItemID, q.LocationID, all[len(q.Spans):])
	if err != nil {
		return store.Alternatives{}, err
	}
	for i, f := range free {
		if f > 0 {
			alt.NextFree = len(q.Spans) + i
			break
		}
	}
	return alt, nil
}

// Day states of the item calendar.
const (
	DayFree   = "free"   // every unit or piece free all day
	DayPartly = "partly" // some free all day, not all
	DayFull   = "full"   // none free for the whole day
	DayNone   = "none"   // the location has none of the item
)

// Day is one local day of an item's calendar.
type Day struct {
	Date     time.Time // local midnight in the location's zone
	Free     int       // units or pieces free for the whole day
	Capacity int
	State    string
}

// Calendar returns an item's availability day by day for n days from the
// local day containing from, in the location's zone (so a 23- or 25-hour day
// around a DST change is one day, as the shop sees it).
func (e *Engine) Calendar(ctx context.Context, itemID, locationID int64, zone *time.Location, from time.Time, n int) ([]Day, error) {
	first := from.In(zone)
	spans := make([]store.Span, n)
	days := make([]Day, n)
	for i := range n {
		start := period.Date(first.Year(), first.Month(), first.Day()+i, 0, 0, 0, 0, zone)
		end := period.Date(first.Year(), first.Month(), first.Day()+i+1, 0, 0, 0, 0, zone)
		spans[i] = store.Span{From: start, To: end}
		days[i].Date = start.In(zone)
	}
	// One query answers the days and the capacity they are measured against.
	free, capacity, err := e.st.ItemCalendar(ctx, itemID, locationID, spans, e.now())
	if err != nil {
		return nil, err
	}
	for i := range days {
		days[i].Free, days[i].Capacity = free[i], capacity
		days[i].State = dayState(free[i], capacity)
	}
	return days, nil
}

func dayState(free, capacity int) string {
	switch {
	case capacity == 0:
		return DayNone
	case free >= capacity:
		return DayFree
	case free > 0:
		return DayPartly
	default:
		return DayFull
	}
}

// Explain lists what is in the way of an item at a location for [start, end):
// bookings (with their turnaround buffers), maintenance, overdue check-outs
// and units out of service.
func (e *Engine) Explain(ctx context.Context, itemID, locationID int64, start, end time.Time) ([]store.Blocker, error) {
	return e.st.ExplainUnavailable(ctx, itemID, locationID, start, end, e.now())
}
