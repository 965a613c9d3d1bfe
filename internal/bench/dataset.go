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
	// DaysBehind and DaysAhead (both 0: the whole three years) keep only
	// the bookings under way between DaysBehind days before now and
	// DaysAhead days after it: the same shop opened recently, whose present
	// is as busy as the three years' (the same rows), with little history.
	DaysBehind, DaysAhead int
}

// Sizes are the data sets the benchmark knows: small is quick, large is
// the shop the growth target speaks of, and large-short is large's shop
// (locations, catalog, units, accounts) with a short history: large's own
// bookings under way from a week before now to a month after it (about
// 78,000 of its million lines: every unit is in a booking around today,
// so the present alone is some 60,000 lines), on the first 3,900
// customers' accounts (as many bookings each as in large), and a
// hundredth of the audit log. Its desk board, open check-outs, overdue
// lines and the month ahead (the item calendar's four weeks, the dated
// scenarios' week) are large's, line for line. Growth is large against
// large-short: history grows, nothing else does.
var Sizes = map[string]Size{
	"small": {Name: "small", Locations: 3, Categories: 12, Items: 300, Units: 1200, Lines: 10_000, Customers: 1_000, AuditRows: 2_000},
	"large": {Name: "large", Locations: 3, Categories: 12, Items: 5_000, Units: 20_000, Lines: 1_000_000, Customers: 50_000, AuditRows: 200_000},
	"large-short": {Name: "large-short", Locations: 3, Categories: 12, Items: 5_000, Units: 20_000, Lines: 1_000_000, Customers: 50_000,
		BookingCustomers: 3_900, AuditRows: 2_000, DaysBehind: 7, DaysAhead: 30},
}

// Shape is what, besides its name, the data set of a size is made of that
// an earlier generator made otherwise: the window of a shop with a short
// history ("" for the whole three years). The marker row keeps it, so the
// bench does not reuse a data set cut differently.
func (sz Size) Shape() string {
	if sz.DaysBehind == 0 && sz.DaysAhead == 0 {
		return ""
	}
	return fmt.Sprintf("bookings under way from %d days behind to %d ahead of %d lines, on %d customers",
		sz.DaysBehind, sz.DaysAhead, sz.Lines, sz.BookingCustomers)
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
		// A shop with a short history keeps the bookings under way in its
		// window (a line ending after its start, a line starting before its
		// end): large's present and month ahead, line for line.
		{"window", windowSQL, []any{now, sz.DaysBehind, sz.DaysAhead}},
		// Two lines make a booking (booking numbers have six digits, so a
		// shop of a million lines has half a million bookings): the same
		// unit's consecutive slots, or two bulk lines at one location. Past
		// bookings are closed (returned on time) or cancelled; one in ten
		// with a line due in the last two days still has it out (overdue);
		// bookings under way are out; future ones are confirmed.
		{"bookings", `
CREATE TEMP TABLE gen_bookings ON COMMIT DROP AS
SELECT bid, location_id, min_start, max_end, total, status, od, created,
       CASE WHEN status = 'cancelled' THEN
           CASE WHEN min_start - interval '2 days' <= $1::timestamptz THEN min_start - interval '2 days'
                ELSE created + ($1::timestamptz - created) / 2 END END AS cancelled,
       rnd(bid, 22) % 5 < 3 AS online, rnd(bid, 23) % 10 = 0 AS deposit
FROM (SELECT bid, location_id, min_start, max_end, total, od,
             CASE WHEN rnd(bid, 16) % 20 = 0 THEN 'cancelled'
                  WHEN max_end <= $1::timestamptz AND NOT od THEN 'closed'
                  WHEN min_start <= $1::timestamptz THEN 'out'
                  ELSE 'confirmed' END AS status,
             CASE WHEN min_start - interval '7 days' <= $1::timestamptz THEN min_start - interval '7 days'
                  ELSE $1::timestamptz - make_interval(mins => 1 + rnd(bid, 24) % (30 * 1440)) END AS created
      FROM (SELECT (n + 1) / 2 AS bid, min(location_id) AS location_id, min(starts_at) AS min_start, max(ends_at) AS max_end,
                   sum(5000 * quantity) AS total,
                   bool_or(ends_at > $1::timestamptz - interval '2 days' AND ends_at <= $1::timestamptz) AND rnd((n + 1) / 2, 17) % 10 = 0 AS od
            FROM gen_lines GROUP BY (n + 1) / 2) x) y`, []any{now}},
		// A booking's total is its lines'; paid is what its ledger (below)
		// holds: payments less refunds.
		{"bookings rows", `
INSERT INTO bookings (id, customer_id, location_id, status, currency, subtotal, total, paid, confirmed_at, cancelled_at, created_at)
SELECT bid, (SELECT min(id) FROM users WHERE role = 'customer') + rnd(bid, 15) % $1::int, location_id, status,
       'EUR', total, total,
       CASE WHEN status = 'cancelled' THEN 0 WHEN online OR status IN ('closed', 'out') THEN total ELSE 0 END
           + CASE WHEN deposit AND status = 'out' THEN $2::int ELSE 0 END,
       created, cancelled, created
FROM gen_bookings`, []any{bookers, depositAmount}},
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
		// The money, as the app writes it (see moneySQL).
		{"money", moneySQL, []any{StaffEmail, depositAmount}},
		{"ledger", `
INSERT INTO ledger_entries (id, booking_id, kind, charge_type, method, amount, currency, reference, note, stripe_id,
                            refund_of, status, recorded_by, created_at)
SELECT m.id, m.booking_id, m.kind, m.charge_type, m.method, m.amount, 'EUR', m.reference, m.note, m.stripe_id,
       p.id, 'done', m.recorded_by, m.at
FROM gen_money m LEFT JOIN gen_money p ON m.kind = 'refund' AND m.method = 'stripe' AND p.stripe_id = 'cs_gen_' || m.booking_id
ORDER BY m.id`, nil},
		{"ledger seq", `SELECT setval('ledger_entries_id_seq', greatest(1, (SELECT count(*) FROM gen_money)))`, nil},
		{"checkout sessions", `
INSERT INTO checkout_sessions (id, booking_id, amount, currency, url, status, expires_at, created_at)
SELECT 'cs_gen_' || bid, bid, total, 'EUR', 'https://checkout.stripe.com/c/pay/cs_gen_' || bid, 'complete',
       created + interval '29 minutes', created - interval '2 minutes'
FROM gen_bookings WHERE online ORDER BY created, bid`, nil},
		{"stripe events", `
INSERT INTO stripe_events (id, type, booking_id, received_at)
SELECT 'evt_gen_' || bid, 'checkout.session.completed', bid, created FROM gen_bookings WHERE online ORDER BY created, bid`, nil},
		{"documents", docsSQL, nil},
		{"invoices", `
INSERT INTO invoices (id, kind, series, year, seq, number, booking_id, booking_number, credits_id, customer_id,
                      buyer_name, buyer_email, issued_at, issue_date, time_zone, currency, tax_mode,
                      seller_name, seller_address, seller_vat_id, seller_registration, seller_email,
                      seller_phone, seller_bank, note, reason, net, tax, total)
SELECT d.id, d.kind, d.series, d.year, d.seq,
       d.series || '-' || d.year || '-' || CASE WHEN d.seq < 100000 THEN lpad(d.seq::text, 5, '0') ELSE d.seq::text END,
       b.id, b.number, i.id, b.customer_id, u.name, u.email, d.at, (d.at AT TIME ZONE d.zone)::date, d.zone, b.currency,
       CASE WHEN s.tax_mode = 'exclusive' THEN 'exclusive' ELSE 'inclusive' END,
       coalesce(nullif(s.legal_name, ''), s.shop_name), s.legal_address, s.vat_id, s.registration_number, s.contact_email,
       s.contact_phone, s.bank_details, s.invoice_note,
       CASE WHEN d.kind = 'credit_note' THEN 'Booking ' || b.number || ' cancelled' ELSE '' END,
       d.sign * b.total, 0, d.sign * b.total
FROM gen_docs d JOIN bookings b ON b.id = d.bid JOIN users u ON u.id = b.customer_id CROSS JOIN shop_settings s
LEFT JOIN gen_docs i ON d.kind = 'credit_note' AND i.bid = d.bid AND i.kind = 'invoice'
ORDER BY d.id`, nil},
		{"invoices seq", `SELECT setval('invoices_id_seq', greatest(1, (SELECT count(*) FROM gen_docs)))`, nil},
		{"invoice lines", `
INSERT INTO invoice_lines (invoice_id, position, description, quantity, unit_price, tax_rate_bp, net, tax, total)
SELECT d.id, 2 - g.n % 2,
       i.name || ' · ' || to_char(g.starts_at AT TIME ZONE lo.time_zone, 'Dy FMDD Mon YYYY, HH24:MI') || ' – ' ||
           CASE WHEN (g.starts_at AT TIME ZONE lo.time_zone)::date = (g.ends_at AT TIME ZONE lo.time_zone)::date
                THEN to_char(g.ends_at AT TIME ZONE lo.time_zone, 'HH24:MI')
                ELSE to_char(g.ends_at AT TIME ZONE lo.time_zone, 'Dy FMDD Mon YYYY, HH24:MI') END,
       g.quantity, d.sign * 5000, 0, d.sign * 5000 * g.quantity, 0, d.sign * 5000 * g.quantity
FROM gen_docs d JOIN gen_lines g ON (g.n + 1) / 2 = d.bid JOIN items i ON i.id = g.item_id
JOIN gen_bookings b ON b.bid = d.bid JOIN locations lo ON lo.id = b.location_id
ORDER BY d.id, g.n`, nil},
		{"invoice counters", `
INSERT INTO invoice_counters (series, year, last_number) SELECT series, year, max(seq) FROM gen_docs GROUP BY series, year`, nil},
		{"audit", `
INSERT INTO audit_log (at, actor_id, action, entity_type, entity_id, after)
SELECT $2::timestamptz - make_interval(mins => ($1 - g) * 5), (SELECT id FROM users WHERE email = $3),
       (ARRAY['create', 'update', 'checkout', 'checkin'])[1 + rnd(g, 18) % 4],
       (ARRAY['booking', 'item', 'unit', 'location', 'category', 'user', 'maintenance', 'stock'])[1 + rnd(g, 19) % 8],
       (1 + rnd(g, 20) % 100000)::text, '{"generated": true}'
FROM generate_series(1, $1::int) g`, []any{sz.AuditRows, now, StaffEmail}},
		{"marker", `CREATE TABLE bench_dataset (size text NOT NULL, seed bigint NOT NULL, generated_at timestamptz NOT NULL,
                            shape text NOT NULL)`, nil},
		{"marker row", `INSERT INTO bench_dataset VALUES ($1, $2, $3, $4)`, []any{sz.Name, Seed, now, sz.Shape()}},
	}
	for i, st := range steps {
		if st.name == "window" && sz.Shape() == "" {
			continue
		}
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

// depositAmount is the security deposit taken at the desk (every item's).
const depositAmount = 10000

// moneySQL (the ledger) and docsSQL (invoices and credit notes) make the
// money of the generated bookings as the app would have written it.
//
// Every booking was confirmed once, so it has an invoice issued when it was
// confirmed (its lines mirror the booking's, untaxed as the default settings
// price them), numbered without gaps per series and year as the counter row
// says; a cancelled booking has a credit note of the whole invoice issued
// when it was cancelled. Three in five bookings were paid online at
// confirmation: a completed Checkout session, its webhook event and a Stripe
// payment; the others pay at the desk (card terminal, one in four in cash)
// when they are picked up, so a confirmed booking ahead of its start that
// was not paid online owes its total, and a cancelled one never paid. A
// cancelled booking paid online was refunded through Stripe in full when it
// was cancelled. One in ten bookings picked up left a security deposit
// (a deposit charge and its payment at pickup), released and given back in
// cash at the return once the booking closed.
const moneySQL = `
CREATE TEMP TABLE gen_money ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY at, booking_id, ord) AS id, m.*
FROM (
    SELECT bid AS booking_id, 1 AS ord, 'payment' AS kind, NULL::text AS charge_type, 'stripe' AS method, total AS amount,
           'pi_gen_' || bid AS reference, 'paid online' AS note, 'cs_gen_' || bid AS stripe_id, NULL::bigint AS recorded_by, created AS at
    FROM gen_bookings WHERE online
    UNION ALL
    SELECT bid, 1, 'payment', NULL, CASE WHEN rnd(bid, 25) % 4 = 0 THEN 'cash' ELSE 'card_terminal' END, total,
           'T' || lpad(bid::text, 7, '0'), '', NULL, s.id, min_start
    FROM gen_bookings, (SELECT id FROM users WHERE email = $1) s WHERE NOT online AND status IN ('closed', 'out')
    UNION ALL
    SELECT bid, 2, 'refund', NULL, 'stripe', total, '', 'Booking cancelled', 're_gen_' || bid, s.id, cancelled
    FROM gen_bookings, (SELECT id FROM users WHERE email = $1) s WHERE online AND status = 'cancelled'
    UNION ALL
    SELECT bid, o, CASE o WHEN 2 THEN 'charge' ELSE 'payment' END, CASE o WHEN 2 THEN 'deposit' END,
           CASE o WHEN 3 THEN 'card_terminal' END, $2::int, '', 'security deposit', NULL, s.id, min_start
    FROM gen_bookings, (SELECT id FROM users WHERE email = $1) s, generate_series(2, 3) o
    WHERE deposit AND status IN ('closed', 'out')
    UNION ALL
    SELECT bid, o, CASE o WHEN 4 THEN 'charge' ELSE 'refund' END, CASE o WHEN 4 THEN 'deposit' END,
           CASE o WHEN 5 THEN 'cash' END, CASE o WHEN 4 THEN -$2::int ELSE $2::int END, '',
           CASE o WHEN 4 THEN 'security deposit released' ELSE 'security deposit returned' END, NULL, s.id, max_end
    FROM gen_bookings, (SELECT id FROM users WHERE email = $1) s, generate_series(4, 5) o
    WHERE deposit AND status = 'closed'
) m`

// docsSQL numbers the invoices (at confirmation) and credit notes (at
// cancellation) in the order they were issued: ids in time order, and each
// series counted per year of the shop's invoice time zone from 1 up.
const docsSQL = `
CREATE TEMP TABLE gen_docs ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY d.at, d.bid, d.kind DESC) AS id, d.bid, d.kind, d.at, d.sign, y.zone, y.series, y.year,
       row_number() OVER (PARTITION BY y.series, y.year ORDER BY d.at, d.bid) AS seq
FROM (SELECT bid, 'invoice' AS kind, created AS at, 1 AS sign FROM gen_bookings
      UNION ALL
      SELECT bid, 'credit_note', cancelled, -1 FROM gen_bookings WHERE status = 'cancelled') d
CROSS JOIN shop_settings s
CROSS JOIN LATERAL (SELECT CASE d.kind WHEN 'invoice' THEN s.invoice_prefix ELSE s.credit_note_prefix END AS series,
                           s.time_zone AS zone,
                           extract(year FROM d.at AT TIME ZONE s.time_zone)::int AS year) y`

// windowSQL drops the bookings (two lines each, (n + 1) / 2) of the
// three years that are over $2 days before now ($1) or start $3 days or
// more after it.
const windowSQL = `
DELETE FROM gen_lines g
USING (SELECT (n + 1) / 2 AS bid FROM gen_lines GROUP BY (n + 1) / 2
       HAVING max(ends_at) <= $1::timestamptz - make_interval(days => $2::int)
           OR min(starts_at) >= $1::timestamptz + make_interval(days => $3::int)) x
WHERE (g.n + 1) / 2 = x.bid`

// rndSQL is the generator's random number: a hash of a row number, a
// stream number and Seed, so each column draws its own numbers.
var rndSQL = fmt.Sprintf(`
CREATE OR REPLACE FUNCTION pg_temp.rnd(n bigint, stream int) RETURNS int LANGUAGE sql IMMUTABLE AS
$$ SELECT hashint8(n * 1000003 + stream * 7919 + %d) & 2147483647 $$`, Seed)

// Generated reports which size the database holds ("" for none) and its
// shape (Size.Shape; "" for a marker written before shapes were, whose
// data sets all spanned the whole three years).
func Generated(ctx context.Context, db *sql.DB) (size string, at time.Time, shape string, err error) {
	err = db.QueryRowContext(ctx, `SELECT size, generated_at, coalesce(to_jsonb(d) ->> 'shape', '') FROM bench_dataset d`).
		Scan(&size, &at, &shape)
	if err != nil {
		var exists bool
		if qerr := db.QueryRowContext(ctx, `SELECT to_regclass('bench_dataset') IS NOT NULL`).Scan(&exists); qerr == nil && !exists {
			return "", time.Time{}, "", nil
		}
		return "", time.Time{}, "", err
	}
	return size, at, shape, nil
}
