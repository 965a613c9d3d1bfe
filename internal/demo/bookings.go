package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
)

// demoBooking is one booking of the demo customer at the first location, made
// through the booking engine with its clock set to when it happened, so past
// bookings pass the same rules as new ones. Key (an idempotency key) makes it
// load once.
type demoBooking struct {
	key        string
	slug       string
	bookedAt   time.Time
	start, end time.Time
	// pickedUp and returned are when the desk scanned it (zero = not yet).
	pickedUp, returned time.Time
	// walkIn books for the desk's walk-in customer, not the demo login.
	walkIn bool
}

// demoBookings are relative to now in the location's zone: one returned last
// week, one overdue, one out now and due back in a few days, and one to pick
// up soon. Every pickup and return falls in the location's opening hours
// (booking.NextOpen), whatever day the demo is loaded, since bookings outside
// them are refused. The desk and "My bookings" have something to show.
func demoBookings(now time.Time, loc store.BookingLocation, zone *time.Location) []demoBooking {
	n := now.In(zone)
	// open is the first opening at or after hour on the day days from today.
	open := func(days, hour int) time.Time {
		return booking.NextOpen(loc, period.Date(n.Year(), n.Month(), n.Day()+days, hour, 0, 0, 0, zone))
	}
	returnedStart := open(-12, 10)
	overdueStart := open(-7, 10)
	outStart := open(-6, 10) // six days back: even after a holiday weekend it lies in the past
	riskStart := open(1, 10)
	return []demoBooking{
		{key: "demo-returned", slug: "sony-a7-iv", bookedAt: returnedStart.Add(-24 * time.Hour), start: returnedStart, end: open(-9, 10),
			pickedUp: returnedStart.Add(10 * time.Minute), returned: open(-9, 10).Add(-30 * time.Minute)},
		// Due back at the latest two days ago (an opening at most two days after -4), never returned.
		{key: "demo-overdue", slug: "cargo-bike", bookedAt: overdueStart.Add(-24 * time.Hour), start: overdueStart, end: open(-4, 17),
			pickedUp: overdueStart.Add(5 * time.Minute)},
		// Booked while the cargo bike was still on time, for its very unit:
		// the desk shows it endangered, with the other cargo bike to swap in.
		{key: "demo-endangered", slug: "cargo-bike", bookedAt: open(-4, 17).Add(-time.Hour), start: riskStart,
			end: booking.NextOpen(loc, riskStart.Add(24*time.Hour)), walkIn: true},
		{key: "demo-out", slug: "city-e-bike", bookedAt: outStart.Add(-time.Hour), start: outStart, end: open(3, 17),
			pickedUp: outStart.Add(5 * time.Minute)},
		{key: "demo-upcoming", slug: "canon-eos-r6", bookedAt: now, start: open(1, 10), end: open(4, 10)},
	}
}

// loadBookings books the demo bookings that are not there yet.
func loadBookings(ctx context.Context, st *store.Store, walkInID int64) error {
	customer, err := st.GetUserByEmail(ctx, Logins[2].Email)
	if err != nil {
		return err
	}
	staff, err := st.GetUserByEmail(ctx, Logins[1].Email)
	if err != nil {
		return err
	}
	loc, err := st.GetLocationBySlug(ctx, demoLocations[0].Slug)
	if err != nil {
		return err
	}
	zone, err := loc.Zone()
	if err != nil {
		return err
	}
	hours, err := st.GetBookingLocation(ctx, loc.ID)
	if err != nil {
		return err
	}
	for _, d := range demoBookings(time.Now(), hours, zone) {
		who := customer.ID
		if d.walkIn {
			who = walkInID
		}
		if err := loadBooking(ctx, st, d, who, staff.ID, loc.ID); err != nil {
			return fmt.Errorf("demo: booking %s: %w", d.key, err)
		}
	}
	return nil
}

func loadBooking(ctx context.Context, st *store.Store, d demoBooking, customerID, staffID, locationID int64) error {
	it, err := st.GetPublicItem(ctx, d.slug)
	if errors.Is(err, store.ErrNotFound) {
		return nil // the shop archived or hid it
	}
	if err != nil {
		return err
	}
	clock := d.bookedAt
	eng := booking.New(st, func() time.Time { return clock }, booking.Pricing{})
	desk := booking.Actor{UserID: staffID}
	res, err := eng.Book(ctx, booking.Request{CustomerID: customerID, LocationID: locationID, Actor: desk,
		IdempotencyKey: d.key, Lines: []booking.LineRequest{{ItemID: it.ID, Quantity: 1, Start: d.start, End: d.end}}})
	var dup *booking.DuplicateError
	var conflict *booking.ConflictError
	if errors.As(err, &dup) || errors.As(err, &conflict) {
		return nil // loaded before, or the shop has booked the unit since
	}
	if err != nil || d.pickedUp.IsZero() {
		return err
	}
	b, err := st.GetBooking(ctx, res.BookingID)
	if err != nil {
		return err
	}
	tag := b.Lines[0].Units[0].AssetTag
	clock = d.pickedUp
	if err := eng.CheckOut(ctx, b.ID, tag, desk); err != nil || d.returned.IsZero() {
		return err
	}
	clock = d.returned
	return eng.CheckIn(ctx, b.ID, tag, desk)
}
