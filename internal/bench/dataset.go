// Package bench is the load benchmark behind `make bench`: a deterministic
// data set, a load generator that drives a real rentdesk process over
// loopback, the EXPLAIN check of the hot queries, and the report.
package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Size is how big a generated shop is.
type Size struct {
	Name       string
	Locations  int
	Categories int
	Items      int // one in ten is a bulk item
	Units      int // serialized units, spread over the serialized items and the locations
	Lines      int // booking lines (two to a booking), nine in ten on units
	Customers  int
	// BookingCustomers: bookings go to the first this many customers (0:
	// all of them), so a shop with a short history and all of large's
	// accounts still has customers with as many bookings as large's.
	BookingCustomers int
	AuditRows        int
}

// Sizes are the data sets the benchmark knows: small is quick, large is
// the shop the growth target speaks of, and large-short is large's shop
// (locations, catalog, units, accounts) with a short history: 10,000 lines
// instead of a million, on a tenth of the customers' accounts (as many
// bookings each as in large) and a hundredth of the audit log. Growth is
// large against large-short: history grows, nothing else does.
var Sizes = map[string]Size{
	"small": {Name: "small", Locations: 3, Categories: 12, Items: 300, Units: 1200, Lines: 10_000, Customers: 1_000, AuditRows: 2_000},
	"large": {Name: "large", Locations: 3, Categories: 12, Items: 5_000, Units: 20_000, Lines: 1_000_000, Customers: 50_000, AuditRows: 200_000},
	"large-short": {Name: "large-short", Locations: 3, Categories: 12, Items: 5_000, Units: 20_000, Lines: 10_000, Customers: 50_000,
		BookingCustomers: 500, AuditRows: 2_000},
}

// ShortOf names the data set with the same shop as a size and a short
// history, the other half of its growth ratio ("" for none).
var ShortOf = map[string]string{"large": "large-short"}

// sparseSlots: when a size has fewer than two serialized lines per unit,
// each booked unit's three years are cut into this many slots (as many as
// a unit of large has lines), so its lines last as long as large's.
const sparseSlots = 44

// Seed is fixed: two runs of the generator make the same shop.
const Seed = 20261204

// Logins of the generated shop; every account has Password.
const (
	Password      = "bench-password-1"
	AdminEmail    = "admin@bench.example"
	StaffEmail    = "staff@bench.example"
	CustomerEmail = "customer1@bench.example" // has bookings
)

// Generate fills a freshly migrated, empty database with the shop of size
// sz, with `now` as the present: three years of bookings (2.5 years past,
// half a year ahead). Everything is set-based SQL; random numbers come from
// hashes of row numbers and Seed, so the data is the same on every run.
// passwordHash is the stored hash of Password.
func Generate(ctx context.Context, db *sql.DB, sz Size, now time.Time, passwordHash string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	nSerialItems := sz.Items - sz.Items/10
	serialLines := sz.Lines - sz.Lines/10
	perUnit := serialLines / sz.Units / 2 * 2 // even: a booking's two lines share a unit
	// Every unit has perUnit lines, one in each of perUnit slots of its
	// three years; with fewer lines than two a unit, one booking (two lines
	// in two consecutive slots, a random pair of sparseSlots) on each of
	// serialLines/2 units spread evenly over all of them.
	bookedUnits, slots := sz.Units, perUnit
	if perUnit < 2 {
		perUnit, bookedUnits, slots = 2, serialLines/2, sparseSlots
	}
	bookers := sz.Customers
	if sz.BookingCustomers > 0 {
		bookers = min(sz.BookingCustomers, sz.Customers)
	}
	steps := []struct {
		name string
		sql  string
		args []any
	}{
		{"rnd", rndSQL, nil},
		{"locations", `
INSERT INTO locations (name, slug, address, time_zone)
SELECT 'Shop ' || g, 'shop-' || g, g || ' Bench Street',
       (ARRAY['Europe/Berlin', 'America/New_York', 'Europe/London'])[1 + (g - 1) % 3]
FROM generate_series(1, $1::int) g`, []any{sz.Locations}},
		{"categories", `
INSERT INTO categories (name, slug, position)
SELECT 'Category ' || g, 'category-' || g, g FROM generate_series(1, $1::int) g`, []any{sz.Categories}},
		// Items 1..nSerialItems are serialized, the rest bulk.
		{"items", `
INSERT INTO items (id, category_id, name, slug, description, tracking, rate_hour, rate_day, rate_week,
                   deposit, replacement_value, buffer_after_minutes, min_duration_minutes)
SELECT g, (SELECT min(id) FROM categories) + g % $2, 'Item ' || lpad(g::text, 5, '0') || ' ' ||
       (ARRAY['camera', 'lens', 'drill', 'bike', 'tent', 'speaker', 'light', 'kayak'])[1 + rnd(g, 1) % 8],
       'item-' || g, 'A generated item for the benchmark.',
       CASE WHEN g <= $3 THEN 'serialized' ELSE 'bulk' END,
       500 + rnd(g, 2) % 1000, 2000 + rnd(g, 3) % 8000, 9000 + rnd(g, 4) % 30000,
       10000, 100000, (rnd(g, 5) % 3) * 30, 60
FROM generate_series(1, $1::int) g`, []any{sz.Items, sz.Categories, nSerialItems}},
		{"items seq", `SELECT setval('items_id_seq', $1::int)`, []any{sz.Items}},
		// Unit u belongs to serialized item 1 + u % nSerialItems at a location
		// that turns with u, so every item has units at each location.
		{"units", `
INSERT INTO units (id, item_id, location_id, asset_tag, serial_number)
SELECT u, 1 + u % $2, (SELECT min(id) FROM locations) + (u / $2) % $3, 'BT' || lpad(u::text, 6, '0'), 'SN' || u
FROM generate_series(1, $1::int) u`, []any{sz.Units, nSerialItems, sz.Locations}},
		{"units seq", `SELECT setval('units_id_seq', $1::int)`, []any{sz.Units}},
		{"bulk stock", `
INSERT INTO bulk_stock (item_id, location_id, quantity)
SELECT i.id, l.id, 20 FROM items i CROSS JOIN locations l WHERE i.tracking = 'bulk'`, nil},
		{"staff", `
INSERT INTO users (email, name, role, password_hash) VALUES
  ($1, 'Bench Admin', 'admin', $3), ($2, 'Bench Staff', 'staff', $3)`, []any{AdminEmail, StaffEmail, passwordHash}},
		{"customers", `
INSERT INTO users (email, name, role, password_hash, created_at)
SELECT 'customer' || g || '@bench.example',
       (ARRAY['Anna', 'Ben', 'Chloe', 'David', 'Eva', 'Farid', 'Greta', 'Hugo'])[1 + rnd(g, 6) % 8] || ' ' ||
       (ARRAY['Meyer', 'Smith', 'Rossi', 'Novak', 'Garcia', 'Jensen', 'Kowalski', 'Dubois'])[1 + rnd(g, 7) % 8] || ' ' || g,
       'customer', $2, $3::timestamptz - interval '3 years'
FROM generate_series(1, $1::int) g`, []any{sz.Customers, passwordHash, now}},
		// The periods: serialized line j of booked unit u sits in the
		// (k0 + j)-th slot of the unit's three years (k0 is 0 when every unit
		// is booked, a random first slot when few are), so a unit's lines
		// never overlap (the exclusion constraint checks it on the way in);
		// bulk lines fall anywhere.
		{"periods", `
CREATE TEMP TABLE gen_lines ON COMMIT DROP AS
SELECT n, unit_id, item_id, location_id, starts_at, starts_at + dur AS ends_at, quantity
FROM (
    SELECT n, u AS unit_id, 1 + u % $3::int AS item_id, (SELECT min(id) FROM locations) + (u / $3::int) % $4::int AS location_id,
           date_trunc('hour', $6::timestamptz - interval '900 days' + (k * slot) + make_interval(hours => rnd(n, 8) % greatest(1, (extract(epoch FROM slot) / 3600 / 3)::int))) AS starts_at,
           make_interval(hours => 4 + rnd(n, 9) % greatest(1, (extract(epoch FROM slot) / 3600 / 2)::int)) AS dur, 1 AS quantity
    FROM (SELECT make_interval(secs => 1095 * 86400.0 / $9::int) AS slot) s,
         LATERAL (SELECT (b - 1) * $5::int + j + 1 AS n, u,
                         j + CASE WHEN $9::int > $5::int THEN rnd(u, 21) % ($9::int - $5::int + 1) ELSE 0 END AS k
                  FROM generate_series(1, $1::int) b,
                       LATERAL (SELECT (1 + (b - 1)::bigint * $8::int / $1::int)::int AS u) bu,
                       generate_series(0, $5::int - 1) j) g
    UNION ALL
    SELECT n, NULL, $3::int + 1 + rnd(n, 10) % ($7::int - $3::int), (SELECT min(id) FROM locations) + rnd((n + 1) / 2, 11) % $4::int,
           date_trunc('hour', $6::timestamptz - interval '900 days' + make_interval(hours => rnd(n, 12) % (1095 * 24))),
           make_interval(hours => 4 + rnd(n, 13) % 120), 1 + rnd(n, 14) % 3
    FROM generate_series($1::bigint * $5::int + 1, $2::bigint) n
) x`, []any{bookedUnits, sz.Lines, nSerialItems, sz.Locations, perUnit, now, sz.Items, sz.Units, slots}},
		// Two lines make a booking (booking numbers have six digits, so a
		// shop of a million lines has half a million bookings): the same
		// unit's consecutive slots, or two bulk lines at one location. Past
		// bookings are closed (returned on time) or cancelled; one in ten
		// with a line due in the last two days still has it out (overdue);
		// bookings under way are out; future ones are confirmed.
		{"bookings", `
CREATE TEMP TABLE gen_bookings ON COMMIT DROP AS
SELECT bid, location_id, min_start, max_end,
       CASE WHEN rnd(bid, 16) % 20 = 0 THEN 'cancelled'
            WHEN max_end <= $1::timestamptz AND NOT od THEN 'closed'
            WHEN min_start <= $1::timestamptz THEN 'out'
            ELSE 'confirmed' END AS status, od
FROM (SELECT (n + 1) / 2 AS bid, min(location_id) AS location_id, min(starts_at) AS min_start, max(ends_at) AS max_end,
             bool_or(ends_at > $1::timestamptz - interval '2 days' AND ends_at <= $1::timestamptz) AND rnd((n + 1) / 2, 17) % 10 = 0 AS od
      FROM gen_lines GROUP BY (n + 1) / 2) x`, []any{now}},
		{"bookings rows", `
INSERT INTO bookings (id, customer_id, location_id, status, currency, subtotal, total, confirmed_at, cancelled_at, created_at)
SELECT bid, (SELECT min(id) FROM users WHERE role = 'customer') + rnd(bid, 15) % $1::int, location_id, status,
       'EUR', 10000, 10000, min_start - interval '7 days',
       CASE WHEN status = 'cancelled' THEN min_start - interval '2 days' END, min_start - interval '7 days'
FROM gen_bookings`, []any{bookers}},
		{"bookings seq", `SELECT setval('bookings_id_seq', (SELECT max(id) FROM bookings))`, nil},
		{"lines", `
INSERT INTO booking_lines (id, booking_id, item_id, quantity, starts_at, ends_at, picked_up_at, returned_at, unit_price, line_total)
SELECT g.n, b.bid, g.item_id, g.quantity, g.starts_at, g.ends_at,
       CASE WHEN b.status IN ('closed', 'out') AND g.starts_at <= $1::timestamptz THEN g.starts_at END,
       CASE WHEN b.status = 'closed' THEN g.ends_at
            WHEN b.status = 'out' AND g.ends_at <= $1::timestamptz AND NOT (b.od AND g.ends_at > $1::timestamptz - interval '2 days') THEN g.ends_at END,
       5000, 5000 * g.quantity
FROM gen_lines g JOIN gen_bookings b ON b.bid = (g.n + 1) / 2`, []any{now}},
		{"lines seq", `SELECT setval('booking_lines_id_seq', $1::int)`, []any{sz.Lines}},
		{"allocations", `
INSERT INTO unit_allocations (unit_id, booking_line_id, occupied, active, picked_up_at, returned_at, due_at)
SELECT g.unit_id, g.n, tstzrange(g.starts_at, g.ends_at + make_interval(mins => i.buffer_after_minutes)),
       b.status <> 'cancelled', l.picked_up_at, l.returned_at, g.ends_at + make_interval(mins => i.buffer_after_minutes)
FROM gen_lines g JOIN bookings b ON b.id = (g.n + 1) / 2 JOIN booking_lines l ON l.id = g.n JOIN items i ON i.id = g.item_id
WHERE g.unit_id IS NOT NULL
ORDER BY g.n`, nil},
		{"audit", `
INSERT INTO audit_log (at, actor_id, action, entity_type, entity_id, after)
SELECT $2::timestamptz - make_interval(mins => ($1 - g) * 5), (SELECT id FROM users WHERE email = $3),
       (ARRAY['create', 'update', 'checkout', 'checkin'])[1 + rnd(g, 18) % 4],
       (ARRAY['booking', 'item', 'unit', 'location', 'category', 'user', 'maintenance', 'stock'])[1 + rnd(g, 19) % 8],
       (1 + rnd(g, 20) % 100000)::text, '{"generated": true}'
FROM generate_series(1, $1::int) g`, []any{sz.AuditRows, now, StaffEmail}},
		{"marker", `CREATE TABLE bench_dataset (size text NOT NULL, seed bigint NOT NULL, generated_at timestamptz NOT NULL)`, nil},
		{"marker row", `INSERT INTO bench_dataset VALUES ($1, $2, $3)`, []any{sz.Name, Seed, now}},
	}
	for i, st := range steps {
		q := st.sql
		if i > 0 {
			q = strings.ReplaceAll(q, "rnd(", "pg_temp.rnd(")
		}
		if _, err := tx.ExecContext(ctx, q, st.args...); err != nil {
			return fmt.Errorf("bench: generate %s: %w", st.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `VACUUM ANALYZE`)
	return err
}

// rndSQL is the generator's random number: a hash of a row number, a
// stream number and Seed, so each column draws its own numbers.
var rndSQL = fmt.Sprintf(`
CREATE OR REPLACE FUNCTION pg_temp.rnd(n bigint, stream int) RETURNS int LANGUAGE sql IMMUTABLE AS
$$ SELECT hashint8(n * 1000003 + stream * 7919 + %d) & 2147483647 $$`, Seed)

// Generated reports which size the database holds ("" for none).
func Generated(ctx context.Context, db *sql.DB) (string, time.Time, error) {
	var size string
	var at time.Time
	err := db.QueryRowContext(ctx, `SELECT size, generated_at FROM bench_dataset`).Scan(&size, &at)
	if err != nil {
		var exists bool
		if qerr := db.QueryRowContext(ctx, `SELECT to_regclass('bench_dataset') IS NOT NULL`).Scan(&exists); qerr == nil && !exists {
			return "", time.Time{}, nil
		}
		return "", time.Time{}, err
	}
	return size, at, nil
}
