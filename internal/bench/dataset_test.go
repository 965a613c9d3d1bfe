package bench

import (
	"context"
	"database/sql"
	"fmt"
	"os"
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
		sums = append(sums, checkMoney(t, db))
	}
	if sums[0] != sums[2] || sums[1] != sums[3] {
		t.Fatalf("two runs made different shops: %s and %s", sums[:2], sums[2:])
	}
}

// checkMoney checks the generated money against the bookings as the app
// writes it, and returns a digest of it: every booking has one invoice
// whose lines are its lines, issued when it was confirmed, and a cancelled
// one a credit note of all of it; each series counts 1, 2, 3… per year
// without gaps up to its counter; a booking's paid is its ledger's
// payments less refunds; every Stripe payment has its completed Checkout
// session and webhook event, every Stripe refund names its payment; the
// shop has payments online and at the desk, refunds and deposits.
func checkMoney(t *testing.T, db *sql.DB) string {
	t.Helper()
	var bookings, invoices, credits, badDocs, badLines, gaps, badCounters, badPaid, stripePays, sessions, events, orphanRefunds int
	var cash, terminal, refunds, deposits int
	var sum string
	err := db.QueryRow(`
SELECT (SELECT count(*) FROM bookings),
       (SELECT count(*) FROM invoices WHERE kind = 'invoice'),
       (SELECT count(*) FROM invoices WHERE kind = 'credit_note'),
       (SELECT count(*) FROM bookings b WHERE (SELECT count(*) FROM invoices i WHERE i.booking_id = b.id AND i.kind = 'invoice'
                                                  AND i.issued_at = b.confirmed_at AND i.total = b.total) <> 1
                                           OR (SELECT count(*) FROM invoices c WHERE c.booking_id = b.id AND c.kind = 'credit_note'
                                                  AND c.issued_at = b.cancelled_at AND c.total = -b.total
                                                  AND c.credits_id = (SELECT id FROM invoices i WHERE i.booking_id = b.id AND i.kind = 'invoice'))
                                              <> (b.status = 'cancelled')::int),
       (SELECT count(*) FROM invoices i WHERE i.total <> (SELECT sum(total) FROM invoice_lines l WHERE l.invoice_id = i.id)
                                           OR (SELECT count(*) FROM invoice_lines l WHERE l.invoice_id = i.id)
                                              <> (SELECT count(*) FROM booking_lines l WHERE l.booking_id = i.booking_id)),
       (SELECT count(*) FROM (SELECT series, year, count(*) AS n, max(seq) AS hi, min(seq) AS lo FROM invoices GROUP BY series, year) s
        WHERE n <> hi OR lo <> 1),
       (SELECT count(*) FROM (SELECT series, year, max(seq) AS hi FROM invoices GROUP BY series, year) s
        FULL JOIN invoice_counters c USING (series, year) WHERE c.last_number IS DISTINCT FROM s.hi),
       (SELECT count(*) FROM bookings b WHERE b.paid <> coalesce((SELECT sum(CASE kind WHEN 'payment' THEN amount ELSE -amount END)
                                                                 FROM ledger_entries e WHERE e.booking_id = b.id AND e.kind <> 'charge'), 0)),
       (SELECT count(*) FROM ledger_entries WHERE kind = 'payment' AND method = 'stripe'),
       (SELECT count(*) FROM ledger_entries e JOIN checkout_sessions s ON s.id = e.stripe_id AND s.booking_id = e.booking_id
        WHERE s.status = 'complete' AND s.amount = e.amount),
       (SELECT count(*) FROM ledger_entries e JOIN stripe_events v ON v.booking_id = e.booking_id
        WHERE e.kind = 'payment' AND e.method = 'stripe' AND v.type = 'checkout.session.completed'),
       (SELECT count(*) FROM ledger_entries r LEFT JOIN ledger_entries p ON p.id = r.refund_of
        WHERE r.kind = 'refund' AND r.method = 'stripe' AND (p.booking_id IS DISTINCT FROM r.booking_id OR p.amount <> r.amount)),
       (SELECT count(*) FROM ledger_entries WHERE method = 'cash' AND kind = 'payment'),
       (SELECT count(*) FROM ledger_entries WHERE method = 'card_terminal' AND kind = 'payment'),
       (SELECT count(*) FROM ledger_entries WHERE kind = 'refund'),
       (SELECT count(*) FROM ledger_entries WHERE charge_type = 'deposit'),
       (SELECT md5(string_agg(concat_ws(',', id, booking_id, kind, charge_type, method, amount, stripe_id, refund_of, created_at), ';' ORDER BY id))
        FROM ledger_entries) || (SELECT md5(string_agg(concat_ws(',', id, number, booking_id, credits_id, issued_at, total), ';' ORDER BY id))
        FROM invoices)`).Scan(&bookings, &invoices, &credits, &badDocs, &badLines, &gaps, &badCounters, &badPaid,
		&stripePays, &sessions, &events, &orphanRefunds, &cash, &terminal, &refunds, &deposits, &sum)
	if err != nil {
		t.Fatal(err)
	}
	if invoices != bookings || credits == 0 || badDocs != 0 || badLines != 0 || gaps != 0 || badCounters != 0 || badPaid != 0 {
		t.Fatalf("%d bookings, %d invoices, %d credit notes: %d bookings without their documents, %d documents whose lines differ, "+
			"%d series with gaps, %d counters off, %d bookings whose paid is not their ledger's", bookings, invoices, credits,
			badDocs, badLines, gaps, badCounters, badPaid)
	}
	if stripePays == 0 || sessions != stripePays || events != stripePays || orphanRefunds != 0 {
		t.Fatalf("%d Stripe payments: %d with their session, %d with their event; %d Stripe refunds without their payment",
			stripePays, sessions, events, orphanRefunds)
	}
	if cash == 0 || terminal == 0 || refunds == 0 || deposits == 0 {
		t.Fatalf("payments: %d cash, %d card terminal; %d refunds, %d deposit charges", cash, terminal, refunds, deposits)
	}
	return sum
}

// large-short is large's shop with a short history: the same locations,
// catalog, units and accounts, cut from the same three years, bookings on
// fewer customers, a short audit log, and a window around now that holds
// the desk's day, the open check-outs and the month ahead the dated pages
// ask about (the item calendar shows four weeks).
func TestLargeShortIsLargeWithAShortHistory(t *testing.T) {
	l, s := Sizes["large"], Sizes[ShortOf["large"]]
	if s.Locations != l.Locations || s.Categories != l.Categories || s.Items != l.Items || s.Units != l.Units || s.Customers != l.Customers {
		t.Fatalf("large-short %+v has another shop than large %+v", s, l)
	}
	if s.Lines != l.Lines || s.AuditRows >= l.AuditRows/10 || s.BookingCustomers == 0 || s.BookingCustomers >= l.Customers/10 {
		t.Fatalf("large-short: %d lines (want large's %d), %d audit rows, %d customers with bookings", s.Lines, l.Lines, s.AuditRows, s.BookingCustomers)
	}
	if s.DaysBehind < 2 || s.DaysAhead < 29 || s.DaysBehind+s.DaysAhead > 60 {
		t.Fatalf("large-short keeps %d days behind and %d ahead: want the overdue lines' two days and the calendar's four weeks, little else",
			s.DaysBehind, s.DaysAhead)
	}
	if l.Shape() != "" || s.Shape() == "" {
		t.Fatalf("shapes %q and %q", l.Shape(), s.Shape())
	}
	if DatabaseName(s) != "rentdesk_bench_large_short" {
		t.Fatalf("database name %q", DatabaseName(s))
	}
}

// A shop cut like large-short from a shop shaped like large (scaled down)
// is as busy around now: the same lines, line for line, in its window
// (lines starting and ending each day, open check-outs, overdue lines, the
// month ahead), and no booking but those under way in it, each whole.
func TestShortHistoryKeepsThePresent(t *testing.T) {
	l, s := Sizes["large"], Sizes[ShortOf["large"]]
	long := Size{Name: "tiny", Locations: 3, Categories: 4, Items: 40, Units: 80, Lines: 8_000, Customers: 500, AuditRows: 100}
	short := long
	short.Name, short.Lines, short.AuditRows = "tiny-short", long.Lines*s.Lines/l.Lines, 10
	short.BookingCustomers = max(1, long.Customers*s.BookingCustomers/l.Customers)
	short.DaysBehind, short.DaysAhead = s.DaysBehind, s.DaysAhead
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	type present struct {
		lines, perDay, open, overdue, ahead int
		window                              string
	}
	read := func(sz Size) (p present, outside, split, customer1 int) {
		st, _ := testenv.Store(t)
		db := st.DB()
		if err := Generate(ctx, db, sz, now, "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA"); err != nil {
			t.Fatal(err)
		}
		// The present: lines under way from three days before now to the
		// item calendar's four weeks after it; per day: lines starting or
		// ending in the three days either side of now.
		err := db.QueryRow(`
WITH w AS (SELECT $1::timestamptz - interval '3 days' AS lo, $1::timestamptz + interval '28 days' AS hi)
SELECT count(*),
       count(*) FILTER (WHERE l.starts_at >= $1::timestamptz - interval '3 days' AND l.starts_at < $1::timestamptz + interval '3 days')
           + count(*) FILTER (WHERE l.ends_at >= $1::timestamptz - interval '3 days' AND l.ends_at < $1::timestamptz + interval '3 days'),
       count(*) FILTER (WHERE l.picked_up_at IS NOT NULL AND l.returned_at IS NULL),
       count(*) FILTER (WHERE l.picked_up_at IS NOT NULL AND l.returned_at IS NULL AND l.ends_at < $1::timestamptz),
       count(*) FILTER (WHERE l.starts_at > $1::timestamptz AND l.booking_status <> 'cancelled'),
       coalesce(md5(string_agg(concat_ws(',', l.id, l.item_id, l.quantity, l.starts_at, l.ends_at, l.picked_up_at, l.returned_at,
                                l.booking_status, a.unit_id), ';' ORDER BY l.id)), '')
FROM booking_lines l LEFT JOIN unit_allocations a ON a.booking_line_id = l.id, w
WHERE l.ends_at > w.lo AND l.starts_at < w.hi`, now).
			Scan(&p.lines, &p.perDay, &p.open, &p.overdue, &p.ahead, &p.window)
		if err != nil {
			t.Fatal(err)
		}
		err = db.QueryRow(`
SELECT count(*) FILTER (WHERE max_end <= $1::timestamptz - make_interval(days => $2)
                          OR min_start >= $1::timestamptz + make_interval(days => $3)),
       count(*) FILTER (WHERE n <> 2),
       (SELECT count(*) FROM bookings WHERE customer_id = (SELECT id FROM users WHERE email = $4))
FROM (SELECT booking_id, count(*) AS n, min(starts_at) AS min_start, max(ends_at) AS max_end FROM booking_lines GROUP BY booking_id) b`, now, short.DaysBehind, short.DaysAhead, CustomerEmail).Scan(&outside, &split, &customer1)
		if err != nil {
			t.Fatal(err)
		}
		return p, outside, split, customer1
	}
	lp, lout, _, _ := read(long)
	sp, sout, split, customer1 := read(short)
	t.Logf("around now: %+v in %s, %+v in %s; %d and %d bookings outside the window", lp, long.Name, sp, short.Name, lout, sout)
	if sp.perDay == 0 || sp.perDay*10 < lp.perDay*9 || sp.open != lp.open || sp.overdue != lp.overdue || sp.ahead*10 < lp.ahead*9 {
		t.Fatalf("%s is not as busy around now as %s: %+v against %+v", short.Name, long.Name, sp, lp)
	}
	if sp.window != lp.window {
		t.Fatalf("the lines of the window differ: %+v against %+v", sp, lp)
	}
	if split != 0 || customer1 == 0 || sout != 0 || lout == 0 {
		t.Fatalf("%d bookings without their two lines, %d bookings of %s, %d bookings outside the window (%d in %s)",
			split, customer1, CustomerEmail, sout, lout, long.Name)
	}
	// A marker written before shapes were says "", not large-short's shape:
	// the bench does not reuse a large-short cut the old way.
	st, _ := testenv.Store(t)
	_, err := st.DB().Exec(`CREATE TABLE bench_dataset (size text NOT NULL, seed bigint NOT NULL, generated_at timestamptz NOT NULL);
INSERT INTO bench_dataset VALUES ('large-short', 1, now())`)
	if err != nil {
		t.Fatal(err)
	}
	if size, _, shape, err := Generated(ctx, st.DB()); err != nil || size != "large-short" || shape != "" {
		t.Fatalf("an old marker: %q %q %v", size, shape, err)
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

// A shop with a short history is made for its twin's now (the same
// present), and one made for another now is not reused.
func TestPrepareMakesAShortSetForItsTwinsNow(t *testing.T) {
	admin := testenv.Require(t, "RENTDESK_TEST_DATABASE_URL")
	ctx := context.Background()
	sz := Size{Name: fmt.Sprintf("t-twin-%d", os.Getpid()), Locations: 3, Categories: 4, Items: 40, Units: 80, Lines: 800,
		Customers: 50, BookingCustomers: 5, AuditRows: 10, DaysBehind: 7, DaysAhead: 30}
	t.Cleanup(func() {
		u, err := DatabaseURL(admin, "postgres")
		if err != nil {
			t.Error(err)
			return
		}
		db, err := sql.Open("postgres", u)
		if err != nil {
			t.Error(err)
			return
		}
		defer db.Close()
		if _, err := db.Exec(`DROP DATABASE IF EXISTS ` + DatabaseName(sz) + ` WITH (FORCE)`); err != nil {
			t.Error(err)
		}
	})
	twin := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for range 2 {
		if _, at, err := Prepare(ctx, admin, sz, twin, t.Logf); err != nil || !at.Equal(twin) {
			t.Fatalf("prepared for %s, want its twin's %s: %v", at, twin, err)
		}
	}
	if _, _, err := Prepare(ctx, admin, sz, twin.Add(time.Hour), t.Logf); err == nil {
		t.Fatal("a data set made for another now was reused")
	}
}
