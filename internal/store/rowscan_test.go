package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// The rows scanned by hand (availability, the item calendar, a customer's
// bookings and their lines, the staff list) read the same values as sqlx
// reads from the same queries: NULL and set rates and times, text, char(3)
// and jsonb columns, serialized and bulk items, hidden ones.
func TestHandScansReadAsSqlx(t *testing.T) {
	s := newShop(t)
	st, ctx := s.st, s.ctx
	db := st.DB()
	now := time.Now()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE items SET rate_hour = 150, rate_month = 60000, buffer_before_minutes = 30, buffer_after_minutes = 90,
	      deposit = 2500, min_duration_minutes = 120 WHERE id = $1`, s.tripod.ID)
	exec(`INSERT INTO bulk_stock (item_id, location_id, quantity) VALUES ($1, $2, 5)`, s.tripod.ID, s.berlin.ID)
	exec(`INSERT INTO items (name, slug, tracking, rate_week, tax_category, online_bookable) VALUES ('Hidden lens', 'hidden-lens', 'bulk', 900, 'reduced', false)`)
	exec(`INSERT INTO users (email, name, password_hash, phone) VALUES ('a@example.test', 'Ann', 'x', '+49 30 1'), ('b@example.test', 'Bo', 'x', '')`)
	var ann, bo int64
	if err := db.QueryRowContext(ctx, `SELECT (SELECT id FROM users WHERE email = 'a@example.test'), (SELECT id FROM users WHERE email = 'b@example.test')`).Scan(&ann, &bo); err != nil {
		t.Fatal(err)
	}
	exec(`
INSERT INTO bookings (customer_id, location_id, status, expires_at, currency, subtotal, tax, total, deposit, paid, confirmed_at, cancelled_at)
VALUES ($1, $3, 'hold', now() + interval '1 hour', 'EUR', 1000, 190, 1190, 2500, 0, NULL, NULL),
       ($1, $3, 'confirmed', NULL, 'EUR', 2000, 380, 2380, 0, 2380, now(), NULL),
       ($2, $4, 'cancelled', NULL, 'USD', 300, 0, 300, 0, 0, now() - interval '1 day', now()),
       ($2, $3, 'out', NULL, 'EUR', 4500, 855, 5355, 2500, 7855, now() - interval '2 days', NULL)`, ann, bo, s.berlin.ID, s.sf.ID)
	exec(`
INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at, picked_up_at, returned_at, unit_price, line_total, price_breakdown)
SELECT b.id, $1, 2, now() + interval '1 day', now() + interval '3 days',
       CASE WHEN b.status = 'out' THEN now() END, NULL, 500, 1000, '{"days": 2, "rate": "day"}'
FROM bookings b`, s.tripod.ID)
	exec(`
INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at, picked_up_at, returned_at, unit_price, line_total)
SELECT b.id, $1, 1, now() - interval '3 days', now() - interval '1 day', now() - interval '3 days', now() - interval '1 day', 4500, 4500
FROM bookings b WHERE b.status IN ('confirmed', 'out')`, s.r6.ID)

	from, to := now.Add(24*time.Hour), now.Add(48*time.Hour)
	for _, q := range []store.AvailabilityQuery{
		{LocationID: s.berlin.ID, From: from, To: to, Now: now},
		{LocationID: s.berlin.ID, From: from, To: to, Now: now, Hidden: true},
		{LocationID: s.berlin.ID, From: from, To: to, Now: now, Limit: 1, AfterID: s.r6.ID},
		{LocationID: s.sf.ID, From: from, To: to, Now: now, Hidden: true},
		{LocationID: s.berlin.ID, From: from, To: to, Now: now, ItemIDs: []int64{s.tripod.ID}},
		{LocationID: s.berlin.ID, From: from, To: to, Now: now, ItemIDs: []int64{s.tripod.ID, s.r6.ID}},
		{LocationID: s.berlin.ID, From: from, To: to, Now: now, ItemIDs: []int64{-1}},
	} {
		got, err := st.ListAvailability(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want, err := st.ListAvailabilityBySqlxForTest(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("availability %+v:\n got %+v\nwant %+v", q, got, want)
		}
	}
	// The fixture must reach the cases it is for: a bulk item with some of
	// its stock booked, rates both NULL and set.
	all, _ := st.ListAvailability(ctx, store.AvailabilityQuery{LocationID: s.berlin.ID, From: from, To: to, Now: now, Hidden: true})
	if len(all) != 3 || all[2].Name != "Tripod" || all[2].Capacity != 5 || all[2].Free >= 5 || all[2].RateHour == nil || all[2].RateWeek != nil {
		t.Fatalf("availability fixture: %+v", all)
	}

	var days []store.Span
	for d := range 5 {
		start := now.Truncate(time.Hour).Add(time.Duration(d) * 24 * time.Hour)
		days = append(days, store.Span{From: start, To: start.Add(24 * time.Hour)})
	}
	for _, it := range []int64{s.tripod.ID, s.r6.ID} {
		free, capacity, err := st.ItemCalendar(ctx, it, s.berlin.ID, days, now)
		if err != nil {
			t.Fatal(err)
		}
		wantFree, wantCapacity, err := st.ItemCalendarBySqlxForTest(ctx, it, s.berlin.ID, days, now)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(free, wantFree) || capacity != wantCapacity || len(free) != len(days) {
			t.Fatalf("calendar of %d: %v, %d; want %v, %d", it, free, capacity, wantFree, wantCapacity)
		}
	}

	for _, cu := range []int64{ann, bo} {
		got, err := st.ListCustomerBookings(ctx, cu, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		want, lines, err := st.ListCustomerBookingsBySqlxForTest(ctx, cu, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			for i := range want {
				if want[i].ID == l.BookingID {
					want[i].Lines = append(want[i].Lines, l)
				}
			}
		}
		if !reflect.DeepEqual(got, want) || len(got) != 2 {
			t.Fatalf("bookings of %d:\n got %+v\nwant %+v", cu, got, want)
		}
	}

	got, err := st.ListBookings(ctx, store.BookingFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	want, err := st.ListBookingsBySqlxForTest(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) || len(got) != 4 {
		t.Fatalf("staff list:\n got %+v\nwant %+v", got, want)
	}
}
