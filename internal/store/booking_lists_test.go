package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// The staff list without a filter and a customer's list run as prepared
// statements with a cursor that is always there; paged to the end (more
// times than PostgreSQL needs to switch to a generic plan), they give the
// same bookings in the same order as the general form, and a customer's
// pages carry that customer's lines only.
func TestBookingListsPageAsTheGeneralForm(t *testing.T) {
	st, _ := testenv.Store(t)
	ctx := context.Background()
	db := st.DB()
	var loc, item int64
	if err := db.QueryRowContext(ctx, `INSERT INTO locations (name, slug, time_zone) VALUES ('Here', 'here', 'UTC') RETURNING id`).Scan(&loc); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `INSERT INTO items (name, slug, tracking) VALUES ('Tent', 'tent', 'bulk') RETURNING id`).Scan(&item); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `
INSERT INTO users (email, name, password_hash) SELECT 'c' || g || '@example.test', 'Customer ' || g, 'x' FROM generate_series(1, 3) g`); err != nil {
		t.Fatal(err)
	}
	// 23 bookings spread over the three customers out of order, in every
	// status, each with one or two lines.
	if _, err := db.ExecContext(ctx, `
INSERT INTO bookings (customer_id, location_id, status, expires_at, currency)
SELECT u.id, $1, (ARRAY['hold','confirmed','out','returned','closed','cancelled','expired'])[1 + g % 7], now() + interval '1 hour', 'EUR'
FROM generate_series(1, 23) g JOIN users u ON u.email = 'c' || (1 + g * 5 % 3) || '@example.test'
ORDER BY g`, loc); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `
INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at)
SELECT b.id, $1, k, now() + (b.id || ' hours')::interval, now() + (b.id + k || ' hours')::interval
FROM bookings b CROSS JOIN generate_series(1, 2) k WHERE k = 1 OR b.id % 2 = 0`, item); err != nil {
		t.Fatal(err)
	}

	// The staff list, three at a time, then a filtered list (the general
	// form) for comparison.
	for round := range 2 {
		var got []int64
		before := int64(0)
		for range 20 {
			page, err := st.ListBookings(ctx, store.BookingFilter{BeforeID: before, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range page {
				got = append(got, b.ID)
			}
			if len(page) < 3 {
				break
			}
			before = page[len(page)-1].ID
		}
		want := queryIDs(t, db, `SELECT id FROM bookings ORDER BY id DESC`)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("round %d: staff list pages %v, want %v", round, got, want)
		}
	}
	cancelled, err := st.ListBookings(ctx, store.BookingFilter{Status: store.BookingCancelled, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if want := queryIDs(t, db, `SELECT id FROM bookings WHERE status = 'cancelled' ORDER BY id DESC`); len(cancelled) != len(want) || len(want) == 0 {
		t.Fatalf("cancelled: %d bookings, want %d", len(cancelled), len(want))
	}
	if page, err := st.ListBookings(ctx, store.BookingFilter{BeforeID: -1, Limit: 3}); err != nil || len(page) != 0 {
		t.Fatalf("before a negative id: %d bookings, %v; want none", len(page), err)
	}

	// Each customer's bookings, two at a time, with their lines.
	for _, c := range queryIDs(t, db, `SELECT id FROM users ORDER BY id`) {
		for round := range 2 {
			var got []string
			before := int64(0)
			for range 20 {
				page, err := st.ListCustomerBookings(ctx, c, before, 2)
				if err != nil {
					t.Fatal(err)
				}
				for _, b := range page {
					if b.CustomerID != c {
						t.Fatalf("customer %d got booking %d of customer %d", c, b.ID, b.CustomerID)
					}
					q := 0
					for _, l := range b.Lines {
						if l.BookingID != b.ID {
							t.Fatalf("booking %d carries line %d of booking %d", b.ID, l.ID, l.BookingID)
						}
						q += l.Quantity
					}
					got = append(got, fmt.Sprintf("%d:%d", b.ID, q))
				}
				if len(page) < 2 {
					break
				}
				before = page[len(page)-1].ID
			}
			var want []string
			for _, id := range queryIDs(t, db, `SELECT id FROM bookings WHERE customer_id = $1 ORDER BY id DESC`, c) {
				q := queryIDs(t, db, `SELECT sum(quantity) FROM booking_lines WHERE booking_id = $1`, id)
				want = append(want, fmt.Sprintf("%d:%d", id, q[0]))
			}
			if len(want) == 0 || fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("customer %d, round %d: pages %v, want %v", c, round, got, want)
			}
		}
		// The first page of each size, lines and all, as the lines' former
		// query (the array compared directly) reads them.
		for _, limit := range []int{1, 2, 5, 100, 1, 100} {
			got, err := st.ListCustomerBookings(ctx, c, 0, limit)
			if err != nil {
				t.Fatal(err)
			}
			want, lines, err := st.ListCustomerBookingsBySqlxForTest(ctx, c, limit)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, l := range lines {
				for i := range want {
					if want[i].ID == l.BookingID {
						want[i].Lines = append(want[i].Lines, l)
						n++
					}
				}
			}
			if !reflect.DeepEqual(got, want) || n != len(lines) || len(lines) < len(want) {
				t.Fatalf("customer %d, first %d:\n got %+v\nwant %+v", c, limit, got, want)
			}
		}
	}
}
