package store_test

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

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
	ids := seedVariedBookings(t, db)
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
	if page, err := st.ListBookings(ctx, store.BookingFilter{BeforeID: -1, Limit: 3}); err != nil || len(page) != 0 {
		t.Fatalf("before a negative id: %d bookings, %v; want none", len(page), err)
	}
}

// A customer's list reads its page and the page's lines in one statement;
// paged to the end in several sizes, each page, lines and all, equals the
// former two statements' (the page, then its lines by an array of ids).
func TestCustomerBookingListAsTheFormerForm(t *testing.T) {
	st, _ := testenv.Store(t)
	ctx := context.Background()
	db := st.DB()
	ids := seedVariedBookings(t, db)
	n, withLines, without := 0, 0, 0
	for _, c := range queryIDs(t, db, `SELECT id FROM users ORDER BY id`) {
		for _, limit := range []int{1, 2, 3, 7, 50, 3, 1} {
			before := int64(0)
			for range 40 {
				got, err := st.ListCustomerBookings(ctx, c, before, limit)
				if err != nil {
					t.Fatal(err)
				}
				want, err := st.ListCustomerBookingsFormerForTest(ctx, c, before, limit)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("customer %d, page of %d before %d:\n got %+v\nwant %+v", c, limit, before, got, want)
				}
				if limit == 50 {
					n += len(got)
					for _, b := range got {
						if len(b.Lines) > 0 {
							withLines++
						} else {
							without++
						}
					}
				}
				if len(got) < limit {
					break
				}
				before = got[len(got)-1].ID
			}
		}
	}
	if n != len(ids) || withLines == 0 || without == 0 {
		t.Fatalf("pages of 50: %d bookings (%d with lines, %d without), want %d of both kinds", n, withLines, without, len(ids))
	}
	if page, err := st.ListCustomerBookings(ctx, 1<<40, 0, 3); err != nil || page != nil {
		t.Fatalf("an unknown customer: %v, %v; want nothing", page, err)
	}
}

// seedVariedBookings makes 40 bookings of four customers at two locations,
// and deletes three of them (gaps in the ids); every fifth has no line, the
// others one to three lines whose starts and ends are out of step (the
// earliest start is not on the line that ends last, nor on the first
// line). It returns the bookings' ids, newest first, and checks that the
// data holds what the tests need.
func seedVariedBookings(t *testing.T, db *sql.DB) []int64 {
	t.Helper()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `
INSERT INTO locations (name, slug, time_zone) VALUES ('Here', 'here', 'UTC'), ('There', 'there', 'Europe/Berlin');
INSERT INTO items (name, slug, tracking) VALUES ('Tent', 'tent', 'bulk'), ('Stove', 'stove', 'bulk');
INSERT INTO users (email, name, password_hash) SELECT 'c' || g || '@example.test', 'Customer ' || g, 'x' FROM generate_series(1, 4) g;`); err != nil {
		t.Fatal(err)
	}
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
	return ids
}

// GetBooking reads a booking, its lines and their units in one statement;
// every booking equals the former three statements' reading: bookings
// without lines, bulk lines without units, serialized lines of several
// units whose asset tags sort apart from their ids, released allocations
// left out, units out and back, lines of one item twice. An unknown id is
// ErrNotFound in both.
func TestGetBookingAsTheFormerForm(t *testing.T) {
	s, ids := seedWholeBookings(t)
	st, ctx := s.st, s.ctx
	withUnits, without, bulk := 0, 0, 0
	for _, id := range ids {
		got, err := st.GetBooking(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want, err := st.GetBookingFormerForTest(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("booking %d:\n got %+v\nwant %+v", id, got, want)
		}
		if len(got.Lines) == 0 {
			without++
		}
		for _, l := range got.Lines {
			switch {
			case len(l.Units) > 1 && !slices.IsSortedFunc(l.Units, func(a, b store.LineUnit) int { return cmp.Compare(a.UnitID, b.UnitID) }):
				withUnits++
			case l.Tracking == "bulk":
				bulk++
			}
		}
	}
	if without == 0 || withUnits == 0 || bulk == 0 {
		t.Fatalf("fixture: %d bookings without lines, %d lines of units out of id order, %d bulk lines; want some of each", without, withUnits, bulk)
	}
	if _, err := st.GetBooking(ctx, 1<<40); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an unknown booking: %v, want ErrNotFound", err)
	}
	if _, err := st.GetBookingFormerForTest(ctx, 1<<40); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an unknown booking, former form: %v, want ErrNotFound", err)
	}
}

// The emails of a booking confirmed in a transaction are written from the
// booking as GetBooking (made there) or LockBooking (a hold confirmed there)
// read it (Booking.Mail) instead of a read of their own: on every booking of
// the varied shop (lines out and back, paid amounts, two locations with
// their addresses, several lines of one item, customers with and without a
// phone) each equals ListBookingMail's reading, and a booking without lines
// has no mail in either.
func TestBookingMailOfGetBookingAsListBookingMail(t *testing.T) {
	s, ids := seedWholeBookings(t)
	st, ctx := s.st, s.ctx
	withLines, noLines, addressed := 0, 0, 0
	for _, id := range ids {
		b, err := st.GetBooking(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var locked store.Booking
		if err := st.WithTx(ctx, func(tx *store.Store) error {
			locked, err = tx.LockBooking(ctx, id)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		got, ok := b.Mail()
		lockedMail, lockedOK := locked.Mail()
		want, err := st.ListBookingMail(ctx, []int64{id})
		if err != nil {
			t.Fatal(err)
		}
		if lockedOK != ok || !reflect.DeepEqual(lockedMail, got) {
			t.Fatalf("booking %d: LockBooking's mail (%v)\n %+v\nGetBooking's (%v)\n %+v", id, lockedOK, lockedMail, ok, got)
		}
		if !ok {
			if len(want) != 0 {
				t.Fatalf("booking %d: no mail from GetBooking, ListBookingMail reads %+v", id, want)
			}
			noLines++
			continue
		}
		if len(want) != 1 {
			t.Fatalf("booking %d: ListBookingMail reads %d bookings, GetBooking's mail %+v", id, len(want), got)
		}
		if !reflect.DeepEqual(got, want[0]) {
			t.Fatalf("booking %d:\n got %+v\nwant %+v", id, got, want[0])
		}
		withLines++
		if got.LocationAddress != "" {
			addressed++
		}
	}
	if withLines == 0 || noLines == 0 || addressed == 0 {
		t.Fatalf("fixture: %d bookings with lines (%d with an address), %d without; want some of each", withLines, addressed, noLines)
	}
}

// seedWholeBookings fills a shop with bookings of every status over two
// locations with addresses, for comparing readings of whole bookings: some
// without lines, bulk lines without units, serialized lines of several
// units whose asset tags sort apart from their ids, released allocations,
// units out and back, lines of one item twice.
func seedWholeBookings(t *testing.T) (*shop, []int64) {
	t.Helper()
	s := newShop(t)
	st, ctx := s.st, s.ctx
	db := st.DB()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CreateUnits(ctx, s.r6.ID, s.berlin.ID, []string{"R6-009", "R6-000", "R6-005", "R6-003"}, ""); err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO users (email, name, password_hash, phone) VALUES ('a@example.test', 'Ann', 'x', '+49 30 1'), ('b@example.test', 'Bo', 'x', '')`)
	exec(`
INSERT INTO bookings (customer_id, location_id, status, expires_at, currency, subtotal, tax, total, deposit, paid, confirmed_at, cancelled_at)
SELECT (SELECT id FROM users WHERE email = CASE WHEN g % 2 = 0 THEN 'a@example.test' ELSE 'b@example.test' END),
       CASE WHEN g % 3 = 0 THEN $2::bigint ELSE $1::bigint END,
       (ARRAY['hold','confirmed','out','returned','closed','cancelled','expired'])[1 + g % 7],
       CASE WHEN g % 7 = 0 THEN now() + interval '1 hour' END, 'EUR', 100 * g, 19 * g, 119 * g, 10 * g, 50 * g,
       CASE WHEN g % 7 IN (1, 2, 3, 4) THEN now() END, CASE WHEN g % 7 = 5 THEN now() END
FROM generate_series(1, 24) g ORDER BY g`, s.berlin.ID, s.sf.ID)
	// Lines: every sixth booking has none; the others one to three, of
	// either item, the camera twice in some; quantities 1 to 3.
	exec(`
INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at, picked_up_at, returned_at, unit_price, line_total, price_breakdown)
SELECT b.id, CASE WHEN (b.id + k) % 3 = 0 THEN $2::bigint ELSE $1::bigint END, 1 + (b.id + k) % 3,
       timestamptz '2031-01-01' + (b.id * 10 + k * 3 || ' days')::interval,
       timestamptz '2031-01-03' + (b.id * 10 + k * 3 || ' days')::interval,
       CASE WHEN b.status IN ('out', 'returned') THEN now() END, CASE WHEN b.status = 'returned' THEN now() END,
       100 * k, 100 * k * (1 + (b.id + k) % 3), CASE WHEN k = 2 THEN '{"days": 2, "rate": "day"}'::jsonb ELSE '{}'::jsonb END
FROM bookings b CROSS JOIN generate_series(1, 3) k
WHERE b.id % 6 <> 0 AND k <= 1 + b.id % 3`, s.r6.ID, s.tripod.ID)
	// Units: each camera line holds as many units as its quantity, taken
	// in an order of ids that is not their tags' order, out and back with
	// their line; before them, on the same units, an allocation released
	// (active = false), which no reading shows.
	exec(`
INSERT INTO unit_allocations (unit_id, booking_line_id, occupied, active, picked_up_at, returned_at)
SELECT u.id, l.id, tstzrange(l.starts_at, l.ends_at), a.active,
       CASE WHEN a.active THEN l.picked_up_at END, CASE WHEN a.active THEN l.returned_at END
FROM booking_lines l
CROSS JOIN (VALUES (true), (false)) a (active)
CROSS JOIN LATERAL (SELECT id FROM units WHERE item_id = l.item_id ORDER BY (id * 7 + l.id) % 11 LIMIT l.quantity) u
WHERE l.item_id = $1
ORDER BY a.active, l.id`, s.r6.ID)
	exec(`UPDATE locations SET address = CASE WHEN id = $1 THEN 'Torstraße 1, 10119 Berlin' ELSE '' END`, s.berlin.ID)
	return s, queryIDs(t, db, `SELECT id FROM bookings ORDER BY id`)
}

// A booking and its first line are written in one statement
// (CreateBookingWithLine); on varied bookings (held with an expiry or
// confirmed, with and without a form token, made by the customer or by
// staff, at either location, a serialized or a bulk item, with and without
// a price breakdown) the rows equal those CreateBooking then InsertLine
// write, the line's copies of its booking's status and location included.
func TestCreateBookingWithLineAsTwoStatements(t *testing.T) {
	s := newShop(t)
	st, ctx := s.st, s.ctx
	db := st.DB()
	var customer, staff int64
	if err := db.QueryRowContext(ctx, `INSERT INTO users (email, name, password_hash) VALUES ('c@example.test', 'Cy', 'x') RETURNING id`).Scan(&customer); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `INSERT INTO users (email, name, password_hash, role) VALUES ('s@example.test', 'Sam', 'x', 'staff') RETURNING id`).Scan(&staff); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	expires := now.Add(15 * time.Minute)
	// row is a booking and its line as written, without what tells two
	// bookings apart (ids, number, the token's own text, the line's
	// creation time).
	row := func(bookingID, lineID int64) string {
		t.Helper()
		var out string
		if err := db.QueryRowContext(ctx, `
SELECT jsonb_build_object('booking', to_jsonb(b) - 'id' - 'number' - 'idempotency_key', 'token', b.idempotency_key IS NOT NULL,
                          'line', to_jsonb(l) - 'id' - 'booking_id' - 'created_at', 'line_of_booking', l.booking_id = b.id)::text
FROM bookings b JOIN booking_lines l ON l.booking_id = b.id WHERE b.id = $1 AND l.id = $2`, bookingID, lineID).Scan(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	n := 0
	for _, status := range []string{store.BookingHold, store.BookingConfirmed} {
		for _, loc := range []int64{s.berlin.ID, s.sf.ID} {
			for k, item := range []int64{s.r6.ID, s.tripod.ID} {
				n++
				nb := store.NewBooking{CustomerID: customer, LocationID: loc, Status: status, Currency: "EUR", Now: now.Add(time.Duration(n) * time.Minute),
					Totals: store.Totals{Subtotal: int64(100 * n), Tax: int64(19 * n), Total: int64(119 * n), Deposit: int64(10 * k)}}
				if status == store.BookingHold {
					nb.ExpiresAt = &expires
				}
				if n%2 == 0 {
					nb.CreatedBy = staff
				}
				nl := store.NewLine{ItemID: item, Quantity: 1 + n%3, StartsAt: now.Add(time.Duration(n) * 24 * time.Hour),
					EndsAt: now.Add(time.Duration(n+2) * 24 * time.Hour), UnitPrice: int64(50 * n), LineTotal: int64(100 * n)}
				if n%3 != 0 {
					nl.PriceBreakdown = []byte(`{"days": 2, "rate": "day"}`)
				}
				key := func(form string) string {
					if n%4 == 1 {
						return ""
					}
					return fmt.Sprintf("token-%d-%s", n, form)
				}
				nb.IdempotencyKey = key("two")
				oldID, err := st.CreateBooking(ctx, nb)
				if err != nil {
					t.Fatal(err)
				}
				nl.BookingID = oldID
				oldLine, err := st.InsertLine(ctx, nl)
				if err != nil {
					t.Fatal(err)
				}
				nb.IdempotencyKey = key("one")
				nl.BookingID = 0
				newID, newLine, err := st.CreateBookingWithLine(ctx, nb, nl)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := row(newID, newLine), row(oldID, oldLine); got != want {
					t.Fatalf("booking %d (%s, location %d, item %d):\n got %s\nwant %s", n, status, loc, item, got, want)
				}
			}
		}
	}
	// A reused form token is refused as CreateBooking refuses it.
	nb := store.NewBooking{CustomerID: customer, LocationID: s.berlin.ID, Status: store.BookingConfirmed, Currency: "EUR", Now: now, IdempotencyKey: "token-2-one"}
	_, _, err := st.CreateBookingWithLine(ctx, nb, store.NewLine{ItemID: s.r6.ID, Quantity: 1, StartsAt: now, EndsAt: now.Add(time.Hour)})
	if store.ConstraintOf(err) != store.IdempotencyConstraint {
		t.Fatalf("a reused token: %v, want the %s constraint", err, store.IdempotencyConstraint)
	}
}

// A confirmation's emails are written after the confirming transaction
// commits, from the snapshot taken in it; the money paid in that same
// transaction after the snapshot (an online payment is recorded just after
// the booking is confirmed) is what they tell, so a booking paid in full is
// not "due at pickup" in its confirmation.
func TestBookingMailSnapshotTellsWhatIsPaid(t *testing.T) {
	s, ids := seedWholeBookings(t)
	st, ctx := s.st, s.ctx
	for _, id := range ids {
		b, err := st.GetBooking(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		sb, ok := b.Mail()
		if !ok {
			continue
		}
		var got store.BookingMail
		if err := st.WithTx(ctx, func(tx *store.Store) error {
			snap, err := tx.CreateBookingMailSnapshot(ctx, sb)
			if err != nil {
				return err
			}
			if err := tx.SetBookingPaid(ctx, id, sb.Total, time.Now()); err != nil {
				return err
			}
			got, err = tx.TakeBookingMailSnapshot(ctx, snap)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got.Paid != sb.Total {
			t.Fatalf("booking %d paid %d after its snapshot: the emails tell paid %d", id, sb.Total, got.Paid)
		}
		want := sb
		want.Paid = sb.Total
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("booking %d:\n got %+v\nwant %+v", id, got, want)
		}
		return
	}
	t.Fatal("fixture: no booking with lines")
}
