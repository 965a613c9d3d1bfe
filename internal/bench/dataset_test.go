package bench

import (
	"context"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/testenv"
)

// The generator makes the same shop every time (fixed seed, no randomness
// but hashes of row numbers), and a shop the schema accepts: no unit is
// promised twice, every line's booking is at its item's location.
func TestGenerateIsDeterministic(t *testing.T) {
	tiny := Size{Name: "tiny", Locations: 3, Categories: 4, Items: 40, Units: 80, Lines: 800, Customers: 50, AuditRows: 100}
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	var sums []string
	for range 2 {
		st, _ := testenv.Store(t)
		db := st.DB()
		if err := Generate(context.Background(), db, tiny, now, "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA"); err != nil {
			t.Fatal(err)
		}
		var sum string
		err := db.QueryRow(`
SELECT md5(string_agg(concat_ws(',', l.id, l.booking_id, l.item_id, l.quantity, l.starts_at, l.ends_at, l.picked_up_at, l.returned_at, b.status, b.customer_id), ';' ORDER BY l.id))
FROM booking_lines l JOIN bookings b ON b.id = l.booking_id`).Scan(&sum)
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, sum)
		var lines, wrongPlace int
		err = db.QueryRow(`
SELECT count(*), count(*) FILTER (WHERE u.location_id IS NOT NULL AND u.location_id <> b.location_id)
FROM booking_lines l JOIN bookings b ON b.id = l.booking_id
LEFT JOIN unit_allocations a ON a.booking_line_id = l.id LEFT JOIN units u ON u.id = a.unit_id`).Scan(&lines, &wrongPlace)
		if err != nil {
			t.Fatal(err)
		}
		if lines != tiny.Lines || wrongPlace != 0 {
			t.Fatalf("%d lines (want %d), %d on a unit of another location", lines, tiny.Lines, wrongPlace)
		}
	}
	if sums[0] != sums[1] {
		t.Fatalf("two runs made different shops: %s and %s", sums[0], sums[1])
	}
}

// large-short is large's shop with a short history: the same locations,
// catalog, units and accounts, 10,000 lines, and as many bookings per
// booking customer as large has, so the growth ratio sees history grow and
// nothing else.
func TestLargeShortIsLargeWithAShortHistory(t *testing.T) {
	l, s := Sizes["large"], Sizes[ShortOf["large"]]
	if s.Locations != l.Locations || s.Categories != l.Categories || s.Items != l.Items || s.Units != l.Units || s.Customers != l.Customers {
		t.Fatalf("large-short %+v has another shop than large %+v", s, l)
	}
	if s.Lines != 10_000 || s.AuditRows >= l.AuditRows/10 {
		t.Fatalf("large-short has %d lines and %d audit rows, want 10,000 and few", s.Lines, s.AuditRows)
	}
	if per, large := s.Lines/2/s.BookingCustomers, l.Lines/2/l.Customers; per != large {
		t.Fatalf("%d bookings per booking customer in large-short, %d in large", per, large)
	}
	if DatabaseName(s) != "rentdesk_bench_large_short" {
		t.Fatalf("database name %q", DatabaseName(s))
	}
}

// With fewer lines than two a unit (large-short's shape), the generator
// puts one booking on each of a spread of units, lines as long as a dense
// shop's, bookings on the first customers, and the scenarios' fixtures are
// there: the customer with bookings, units to hold at the first location,
// bookings in the past, under way and ahead.
func TestGenerateShortHistory(t *testing.T) {
	short := Size{Name: "tiny-short", Locations: 3, Categories: 4, Items: 40, Units: 80, Lines: 60, Customers: 50, BookingCustomers: 5, AuditRows: 10}
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	var sums []string
	for range 2 {
		st, _ := testenv.Store(t)
		db := st.DB()
		ctx := context.Background()
		if err := Generate(ctx, db, short, now, "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA"); err != nil {
			t.Fatal(err)
		}
		var sum string
		var lines, units, perUnit, locations, wrongPlace, bookers, longest, customer1 int
		err := db.QueryRow(`
SELECT md5(string_agg(concat_ws(',', l.id, l.booking_id, l.item_id, l.starts_at, l.ends_at, a.unit_id, b.status, b.customer_id), ';' ORDER BY l.id)),
       count(*), count(DISTINCT a.unit_id), coalesce(max(c.n), 0), count(DISTINCT u.location_id),
       count(*) FILTER (WHERE u.location_id <> b.location_id), count(DISTINCT b.customer_id),
       coalesce(max(extract(epoch FROM l.ends_at - l.starts_at) / 86400) FILTER (WHERE a.unit_id IS NOT NULL), 0)::int,
       count(DISTINCT b.id) FILTER (WHERE b.customer_id = (SELECT id FROM users WHERE email = $1))
FROM booking_lines l JOIN bookings b ON b.id = l.booking_id
LEFT JOIN unit_allocations a ON a.booking_line_id = l.id LEFT JOIN units u ON u.id = a.unit_id
LEFT JOIN (SELECT unit_id, count(*) AS n FROM unit_allocations GROUP BY unit_id) c ON c.unit_id = a.unit_id`, CustomerEmail).
			Scan(&sum, &lines, &units, &perUnit, &locations, &wrongPlace, &bookers, &longest, &customer1)
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, sum)
		if lines != short.Lines || units != 27 || perUnit != 2 || locations != short.Locations || wrongPlace != 0 {
			t.Fatalf("%d lines (want %d) on %d units (want 27), at most %d a unit (want 2), at %d locations, %d at another location",
				lines, short.Lines, units, perUnit, locations, wrongPlace)
		}
		// A slot of sparseSlots in three years is 25 days: a line at most half of it.
		if bookers > short.BookingCustomers || customer1 == 0 || longest > 13 {
			t.Fatalf("bookings of %d customers (at most %d), %d of %s; longest serialized line %d days",
				bookers, short.BookingCustomers, customer1, CustomerEmail, longest)
		}
		var past, under, ahead int
		err = db.QueryRow(`
SELECT count(*) FILTER (WHERE status = 'closed'), count(*) FILTER (WHERE status = 'out'), count(*) FILTER (WHERE status = 'confirmed')
FROM bookings`).Scan(&past, &under, &ahead)
		if err != nil {
			t.Fatal(err)
		}
		if past == 0 || ahead == 0 {
			t.Fatalf("bookings: %d closed, %d out, %d confirmed", past, under, ahead)
		}
		fx, err := loadFixture(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(fx.slugs) != short.Items || len(fx.holdItems) == 0 {
			t.Fatalf("fixture: %d items, %d items to hold", len(fx.slugs), len(fx.holdItems))
		}
		if p, err := hotParams(ctx, db, now); err != nil || p.CustomerID == 0 || p.BulkItemID == 0 {
			t.Fatalf("query arguments %+v: %v", p, err)
		}
	}
	if sums[0] != sums[1] {
		t.Fatalf("two runs made different shops: %s and %s", sums[0], sums[1])
	}
}
