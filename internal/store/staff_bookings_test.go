package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// The unfiltered staff list reads its page's dates in one range of lines;
// paged to the end in several sizes (prepared, past the switch to a generic
// plan), each page equals the former form, a lookup per booking: bookings
// without lines, bookings whose first start and last end come from
// different lines, gaps in the ids, several customers and locations.
func TestStaffBookingListAsTheFormerForm(t *testing.T) {
	st, _ := testenv.Store(t)
	ctx := context.Background()
	db := st.DB()
	if _, err := db.ExecContext(ctx, `
INSERT INTO locations (name, slug, time_zone) VALUES ('Here', 'here', 'UTC'), ('There', 'there', 'Europe/Berlin');
INSERT INTO items (name, slug, tracking) VALUES ('Tent', 'tent', 'bulk'), ('Stove', 'stove', 'bulk');
INSERT INTO users (email, name, password_hash) SELECT 'c' || g || '@example.test', 'Customer ' || g, 'x' FROM generate_series(1, 4) g;`); err != nil {
		t.Fatal(err)
	}
	// 40 bookings; every fifth has no line, the others one to three lines
	// whose starts and ends are out of step (the earliest start is not on
	// the line that ends last, nor on the first line).
	if _, err := db.ExecContext(ctx, `
INSERT INTO bookings (customer_id, location_id, status, expires_at, currency)
SELECT (SELECT id FROM users ORDER BY id OFFSET g % 4 LIMIT 1), (SELECT id FROM locations ORDER BY id OFFSET g % 2 LIMIT 1),
       (ARRAY['hold','confirmed','out','returned','closed','cancelled','expired'])[1 + g % 7], now() + interval '1 hour', 'EUR'
FROM generate_series(1, 40) g ORDER BY g`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `
INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at)
SELECT b.id, (SELECT id FROM items ORDER BY id OFFSET k % 2 LIMIT 1), k,
       timestamptz '2030-01-01' + ((b.id * 7 + (3 - k) * 5) % 23 || ' hours')::interval,
       timestamptz '2030-01-02' + ((b.id * 11 + k * 13) % 29 || ' hours')::interval
FROM bookings b CROSS JOIN generate_series(1, 3) k
WHERE b.id % 5 <> 0 AND k <= 1 + b.id % 3`); err != nil {
		t.Fatal(err)
	}
	// Gaps: bookings gone with their lines, one with lines among them.
	if _, err := db.ExecContext(ctx, `DELETE FROM bookings WHERE id IN (SELECT id FROM bookings ORDER BY id OFFSET 11 LIMIT 3)`); err != nil {
		t.Fatal(err)
	}
	ids := queryIDs(t, db, `SELECT id FROM bookings ORDER BY id DESC`)
	if len(ids) != 37 {
		t.Fatalf("%d bookings, want 37", len(ids))
	}
	for _, limit := range []int{1, 2, 3, 7, 50, 3, 1} {
		n := 0
		before := int64(0)
		for range 40 {
			got, err := st.ListBookings(ctx, store.BookingFilter{BeforeID: before, Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			want, err := st.ListBookingsFormerForTest(ctx, before, limit)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("page of %d before %d:\n got %+v\nwant %+v", limit, before, got, want)
			}
			n += len(got)
			if len(got) < limit {
				break
			}
			before = got[len(got)-1].ID
		}
		if n != len(ids) {
			t.Fatalf("pages of %d: %d bookings, want %d", limit, n, len(ids))
		}
	}
	// Some pages have bookings without dates, and some dates come from
	// different lines: the data tests what it should.
	var noLines, split int
	if err := db.QueryRowContext(ctx, `
SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM booking_lines l WHERE l.booking_id = b.id)),
       count(*) FILTER (WHERE (SELECT min(starts_at) FROM booking_lines l WHERE l.booking_id = b.id)
                              <> (SELECT starts_at FROM booking_lines l WHERE l.booking_id = b.id ORDER BY ends_at DESC LIMIT 1))
FROM bookings b`).Scan(&noLines, &split); err != nil {
		t.Fatal(err)
	}
	if noLines == 0 || split == 0 {
		t.Fatalf("%d bookings without lines, %d with dates from different lines; want some of each", noLines, split)
	}
	if page, err := st.ListBookings(ctx, store.BookingFilter{BeforeID: -1, Limit: 3}); err != nil || len(page) != 0 {
		t.Fatalf("before a negative id: %d bookings, %v; want none", len(page), err)
	}
}
