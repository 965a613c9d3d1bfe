package store_test

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// bizWorld is a shop with a known history around the spring DST change in
// Berlin (2026-03-29 has 23 hours there), seeded row by row so every figure
// has an answer worked out by hand:
//
//	Berlin (Europe/Berlin): camera R6, units u1 and u2 (added 2026-03-01)
//	  b1 online, returned: u1 out 03-28 22:00 → 03-29 12:00 local, line 100.00, total 120.00
//	  maintenance on u2 03-29 18:00 → 03-30 06:00 local
//	  b2 desk, out: u1 out since 03-30 08:00 local, due 04-01, 50.00
//	  b4 online, confirmed then cancelled (99.99); b5 online hold that expired
//	  b6 online, confirmed, starts 03-30 09:00 local, nothing picked up (a no-show), 30.00
//	  b8 online, confirmed 03-30, pickup 03-31, 40.00
//	Depot (UTC): 10 folding chairs (bulk, replacement 10.00 each)
//	  b3 online, returned: 4 chairs 03-29 10:00 → 16:00, 20.00
//	  b7 online, out: 2 chairs since 03-29 08:00, due 03-30 08:00 (overdue), 15.00
//
// "Now" is 2026-03-30 10:00 UTC (12:00 in Berlin): 03-30 is a partial day.
type bizWorld struct {
	st            *store.Store
	berlin, depot int64
	r6, chair     int64
	now           time.Time
	ctx           context.Context
	staff, cust   int64
	u1, u2        int64
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func (w *bizWorld) id(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := w.st.DB().QueryRowContext(w.ctx, q, args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return id
}

// booking inserts a booking with one line; confirmed and cancelled are
// instants or "" for none.
func (w *bizWorld) booking(t *testing.T, loc int64, createdBy any, status, created, confirmed string, total int64,
	item int64, qty int, starts, ends, picked, returned string) (bookingID, lineID int64) {
	t.Helper()
	null := func(s string) any {
		if s == "" {
			return nil
		}
		return ts(s)
	}
	var expires any
	if status == "expired" {
		expires = ts(created).Add(30 * time.Minute)
	}
	var cancelled any
	if status == "cancelled" {
		cancelled = ts(created).Add(24 * time.Hour)
	}
	bookingID = w.id(t, `INSERT INTO bookings (customer_id, location_id, status, expires_at, currency, total, subtotal, created_by,
		confirmed_at, cancelled_at, created_at) VALUES ($1, $2, $3, $4, 'EUR', $5, $5, $6, $7, $8, $9) RETURNING id`,
		w.cust, loc, status, expires, total, createdBy, null(confirmed), cancelled, ts(created))
	lineID = w.id(t, `INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at, picked_up_at, returned_at,
		unit_price, line_total) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
		bookingID, item, qty, ts(starts), ts(ends), null(picked), null(returned), min(total, 10000))
	return bookingID, lineID
}

func (w *bizWorld) allocate(t *testing.T, unit, line int64, starts, ends, picked, returned string) {
	t.Helper()
	null := func(s string) any {
		if s == "" {
			return nil
		}
		return ts(s)
	}
	w.id(t, `INSERT INTO unit_allocations (unit_id, booking_line_id, occupied, picked_up_at, returned_at, due_at)
		VALUES ($1, $2, tstzrange($3, $4), $5, $6, $4) RETURNING id`, unit, line, ts(starts), ts(ends), null(picked), null(returned))
}

// money records a payment or refund of a booking in the ledger.
func (w *bizWorld) money(t *testing.T, booking int64, kind, method string, amount int64, at, status string) {
	t.Helper()
	w.id(t, `INSERT INTO ledger_entries (booking_id, kind, method, amount, currency, status, created_at)
		VALUES ($1, $2, $3, $4, 'EUR', $5, $6) RETURNING id`, booking, kind, method, amount, status, ts(at))
}

func newBizWorld(t *testing.T) *bizWorld {
	t.Helper()
	st, _ := testenv.Store(t)
	w := &bizWorld{st: st, ctx: context.Background(), now: ts("2026-03-30T10:00:00Z")}
	w.cust = w.id(t, `INSERT INTO users (email, name, password_hash) VALUES ('c@example.com', 'C', 'x') RETURNING id`)
	w.staff = w.id(t, `INSERT INTO users (email, name, role, password_hash) VALUES ('s@example.com', 'S', 'staff', 'x') RETURNING id`)
	w.berlin = w.id(t, `INSERT INTO locations (name, slug, time_zone) VALUES ('Berlin', 'berlin', 'Europe/Berlin') RETURNING id`)
	w.depot = w.id(t, `INSERT INTO locations (name, slug, time_zone) VALUES ('Depot', 'depot', 'UTC') RETURNING id`)
	cat := w.id(t, `INSERT INTO categories (name, slug) VALUES ('Cameras', 'cameras') RETURNING id`)
	w.r6 = w.id(t, `INSERT INTO items (category_id, name, slug, tracking, rate_day, replacement_value)
		VALUES ($1, 'Canon R6', 'r6', 'serialized', 5000, 200000) RETURNING id`, cat)
	w.chair = w.id(t, `INSERT INTO items (name, slug, tracking, rate_day, replacement_value)
		VALUES ('Folding chair', 'chair', 'bulk', 200, 1000) RETURNING id`)
	added := ts("2026-03-01T00:00:00Z")
	w.u1 = w.id(t, `INSERT INTO units (item_id, location_id, asset_tag, created_at) VALUES ($1, $2, 'U1', $3) RETURNING id`, w.r6, w.berlin, added)
	w.u2 = w.id(t, `INSERT INTO units (item_id, location_id, asset_tag, created_at) VALUES ($1, $2, 'U2', $3) RETURNING id`, w.r6, w.berlin, added)
	w.id(t, `INSERT INTO bulk_stock (item_id, location_id, quantity) VALUES ($1, $2, 10) RETURNING item_id`, w.chair, w.depot)

	b1, l1 := w.booking(t, w.berlin, nil, "returned", "2026-03-20T10:00:00Z", "2026-03-20T10:00:00Z", 12000, w.r6, 1,
		"2026-03-28T21:00:00Z", "2026-03-29T10:00:00Z", "2026-03-28T21:00:00Z", "2026-03-29T10:00:00Z")
	w.allocate(t, w.u1, l1, "2026-03-28T21:00:00Z", "2026-03-29T10:00:00Z", "2026-03-28T21:00:00Z", "2026-03-29T10:00:00Z")
	block := w.id(t, `INSERT INTO maintenance_blocks (unit_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, 'sensor clean') RETURNING id`,
		w.u2, ts("2026-03-29T16:00:00Z"), ts("2026-03-30T04:00:00Z"))
	w.id(t, `INSERT INTO unit_allocations (unit_id, maintenance_id, occupied) VALUES ($1, $2, tstzrange($3, $4)) RETURNING id`,
		w.u2, block, ts("2026-03-29T16:00:00Z"), ts("2026-03-30T04:00:00Z"))
	b2, l2 := w.booking(t, w.berlin, w.staff, "out", "2026-03-30T05:00:00Z", "2026-03-30T05:00:00Z", 5000, w.r6, 1,
		"2026-03-30T06:00:00Z", "2026-04-01T06:00:00Z", "2026-03-30T06:00:00Z", "")
	w.allocate(t, w.u1, l2, "2026-03-30T06:00:00Z", "2026-04-01T06:00:00Z", "2026-03-30T06:00:00Z", "")
	b3, _ := w.booking(t, w.depot, nil, "returned", "2026-03-29T09:00:00Z", "2026-03-29T09:00:00Z", 2000, w.chair, 4,
		"2026-03-29T10:00:00Z", "2026-03-29T16:00:00Z", "2026-03-29T10:00:00Z", "2026-03-29T16:00:00Z")
	b4, _ := w.booking(t, w.berlin, nil, "cancelled", "2026-03-25T10:00:00Z", "2026-03-25T10:00:00Z", 9999, w.r6, 1,
		"2026-04-10T08:00:00Z", "2026-04-11T08:00:00Z", "", "")
	w.booking(t, w.berlin, nil, "expired", "2026-03-27T10:00:00Z", "", 4500, w.r6, 1,
		"2026-04-12T08:00:00Z", "2026-04-13T08:00:00Z", "", "")
	b6, l6 := w.booking(t, w.berlin, nil, "confirmed", "2026-03-26T10:00:00Z", "2026-03-26T10:00:00Z", 3000, w.r6, 1,
		"2026-03-30T07:00:00Z", "2026-03-30T09:00:00Z", "", "")
	w.allocate(t, w.u2, l6, "2026-03-30T07:00:00Z", "2026-03-30T09:00:00Z", "", "")
	b7, _ := w.booking(t, w.depot, nil, "out", "2026-03-20T11:00:00Z", "2026-03-20T11:00:00Z", 1500, w.chair, 2,
		"2026-03-29T08:00:00Z", "2026-03-30T08:00:00Z", "2026-03-29T08:00:00Z", "")
	_, l8 := w.booking(t, w.berlin, nil, "confirmed", "2026-03-30T09:00:00Z", "2026-03-30T09:00:00Z", 4000, w.r6, 1,
		"2026-03-31T08:00:00Z", "2026-03-31T12:00:00Z", "", "")
	w.allocate(t, w.u2, l8, "2026-03-31T08:00:00Z", "2026-03-31T12:00:00Z", "", "")

	// The money, as the ledger has it (b8 pays at pickup: nothing yet).
	w.money(t, b1, "payment", "stripe", 12000, "2026-03-20T10:00:00Z", "done")
	w.money(t, b1, "refund", "stripe", 500, "2026-03-30T09:30:00Z", "pending") // asked, not through yet
	w.money(t, b1, "refund", "stripe", 700, "2026-03-30T09:40:00Z", "failed")
	w.money(t, b2, "payment", "cash", 5000, "2026-03-30T05:30:00Z", "done")
	w.money(t, b3, "payment", "stripe", 2000, "2026-03-29T09:00:00Z", "done")
	w.money(t, b4, "payment", "stripe", 9999, "2026-03-25T10:00:00Z", "done")
	w.money(t, b4, "refund", "stripe", 9999, "2026-03-26T10:00:00Z", "done") // cancelled: all back
	w.money(t, b6, "payment", "stripe", 3000, "2026-03-26T10:00:00Z", "done")
	w.money(t, b6, "refund", "cash", 1000, "2026-03-30T08:00:00Z", "done") // part back, in a later period
	w.money(t, b7, "payment", "card_terminal", 1500, "2026-03-29T08:00:00Z", "done")
	return w
}

func day(s string) time.Time { return ts(s + "T00:00:00Z") }

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// Utilization per local day: a DST day of 23 hours, maintenance taken off
// what was available, a rental across midnight split between its days, a
// day under way counted up to now, and bulk stock by quantity.
func TestUtilizationRollup(t *testing.T) {
	w := newBizWorld(t)
	for range 2 { // running it again changes nothing
		if _, err := w.st.RollupUtilization(w.ctx, day("2026-03-27"), day("2026-03-31"), w.now); err != nil {
			t.Fatal(err)
		}
	}
	want := map[int64][][3]float64{ // per location: rows of {day offset from 03-28, available, out}
		w.berlin: {{0, 48, 2}, {1, 40, 11}, {2, 18, 4}},
		w.depot:  {{0, 240, 0}, {1, 240, 56}, {2, 100, 20}},
	}
	for loc, rows := range want {
		got, err := w.st.ListUtilizationByDay(w.ctx, day("2026-03-28"), day("2026-03-31"), loc)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(rows) {
			t.Fatalf("location %d: %d days, want %d: %+v", loc, len(got), len(rows), got)
		}
		for i, r := range rows {
			g := got[i]
			if !g.Day.Equal(day("2026-03-28").AddDate(0, 0, int(r[0]))) || !near(g.HoursAvailable, r[1]) || !near(g.HoursOut, r[2]) {
				t.Errorf("location %d day %d: %s available %v out %v, want %v %v", loc, i, g.Day.Format(time.DateOnly), g.HoursAvailable, g.HoursOut, r[1], r[2])
			}
		}
	}
	// A rollup later in the day extends the partial day; a day not yet
	// begun in a zone has no row.
	later := w.now.Add(6 * time.Hour)
	if _, err := w.st.RollupUtilization(w.ctx, day("2026-03-30"), day("2026-03-31"), later); err != nil {
		t.Fatal(err)
	}
	got, err := w.st.ListUtilizationByDay(w.ctx, day("2026-03-30"), day("2026-04-01"), w.berlin)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !near(got[0].HoursAvailable, 18+12) || !near(got[0].HoursOut, 4+6) {
		t.Errorf("partial day later: %+v", got)
	}
	rows, err := w.st.ListUtilizationRows(w.ctx, day("2026-03-29"), day("2026-03-30"), 0)
	if err != nil || len(rows) != 2 || rows[0].Location != "Berlin" || rows[1].Item != "Folding chair" {
		t.Errorf("export rows: %+v %v", rows, err)
	}
}

// Revenue is money taken less refunds that went through, when the money
// moved: a cancelled booking refunded in full nets to nothing over its
// days, a partial refund counts against the later day it was paid back,
// pending and failed refunds do not count; "today" follows the location's
// midnight.
func TestRevenueFigures(t *testing.T) {
	w := newBizWorld(t)
	berlinMidnight := ts("2026-03-29T22:00:00Z")
	for _, c := range []struct {
		name     string
		from, to time.Time
		loc      int64
		amount   int64
		bookings int64
	}{
		{"today in Berlin: b2's cash less b6's refund", berlinMidnight, w.now, w.berlin, 5000 - 1000, 2},
		{"all time, all", ts("2026-01-01T00:00:00Z"), w.now, 0, 12000 + 5000 + 2000 + 9999 - 9999 + 3000 - 1000 + 1500, 6},
		{"all time, Berlin", ts("2026-01-01T00:00:00Z"), w.now, w.berlin, 12000 + 5000 + 3000 - 1000, 4},
		{"all time, Depot", ts("2026-01-01T00:00:00Z"), w.now, w.depot, 3500, 2},
		{"the cancelled one's payment day", ts("2026-03-25T00:00:00Z"), ts("2026-03-26T00:00:00Z"), 0, 9999, 1},
		{"its refund day, b6 paid that day", ts("2026-03-26T00:00:00Z"), ts("2026-03-27T00:00:00Z"), 0, -9999 + 3000, 2},
		{"b8 confirmed but not paid", ts("2026-03-30T08:30:00Z"), w.now, 0, 0, 0},
	} {
		got, err := w.st.GetRevenue(w.ctx, c.from, c.to, c.loc)
		if err != nil {
			t.Fatal(err)
		}
		if got.Amount != c.amount || got.Bookings != c.bookings {
			t.Errorf("%s: %+v, want %d in %d bookings", c.name, got, c.amount, c.bookings)
		}
	}
	days, err := w.st.ListRevenueByDay(w.ctx, ts("2026-03-29T00:00:00Z"), w.now, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Depot (UTC) on 03-29: b3 and b7; Berlin's 03-30 began 22:00Z: b2's
	// cash at 05:30Z less b6's refund at 08:00Z.
	if len(days) != 2 || days[0].Day.Format(time.DateOnly) != "2026-03-29" || days[0].Amount != 3500 ||
		days[1].Day.Format(time.DateOnly) != "2026-03-30" || days[1].Amount != 4000 {
		t.Errorf("by day: %+v", days)
	}
}

// A booking's money is split over its lines by their totals, so per-item
// revenue adds up to the booking's; rounding happens once, on the sums.
func TestRevenueSplitAcrossLines(t *testing.T) {
	w := newBizWorld(t)
	b, _ := w.booking(t, w.depot, nil, "returned", "2025-06-01T09:00:00Z", "2025-06-01T09:00:00Z", 1000, w.chair, 3,
		"2025-06-02T09:00:00Z", "2025-06-02T17:00:00Z", "2025-06-02T09:00:00Z", "2025-06-02T17:00:00Z")
	// A second line, twice the first: the booking's 30.00 is 10 + 20.
	w.id(t, `INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at, unit_price, line_total)
		VALUES ($1, $2, 1, $3, $4, 2000, 2000) RETURNING id`, b, w.r6, ts("2025-06-02T09:00:00Z"), ts("2025-06-02T17:00:00Z"))
	w.money(t, b, "payment", "cash", 3000, "2025-06-02T09:00:00Z", "done")
	w.money(t, b, "refund", "cash", 1000, "2025-06-03T09:00:00Z", "done") // a third back
	from, to := ts("2025-06-01T00:00:00Z"), ts("2025-07-01T00:00:00Z")
	items, err := w.st.ListItemFigures(w.ctx, day("2025-06-01"), day("2025-07-01"), from, to, w.depot)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, it := range items {
		got[it.Name] = it.Revenue
	}
	// 20.00 kept: 1/3 chairs, 2/3 camera -> 6.67 and 13.33.
	if len(items) != 2 || got["Folding chair"] != 667 || got["Canon R6"] != 1333 {
		t.Errorf("split: %+v", items)
	}
	if r, err := w.st.GetRevenue(w.ctx, from, to, w.depot); err != nil || r.Amount != 2000 || r.Bookings != 1 {
		t.Errorf("booking total %+v %v", r, err)
	}
}

func TestFunnelAndAttention(t *testing.T) {
	w := newBizWorld(t)
	f, err := w.st.ListFunnel(w.ctx, ts("2026-03-01T00:00:00Z"), w.now, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Funnel{
		{Channel: "online", Made: 7, Confirmed: 6, Expired: 1, Cancelled: 1, Value: 12000 + 2000 + 3000 + 1500 + 4000},
		{Channel: "desk", Made: 1, Confirmed: 1, Value: 5000},
	}
	if len(f) != 2 || f[0] != want[0] || f[1] != want[1] {
		t.Errorf("funnel %+v, want %+v", f, want)
	}
	a, err := w.st.GetAttention(w.ctx, w.now, 30*time.Minute, 48*time.Hour, 0)
	if err != nil {
		t.Fatal(err)
	}
	if a.Overdue != 2 || a.OverdueValue != 2000 || a.OldestDue == nil || !a.OldestDue.Equal(ts("2026-03-30T08:00:00Z")) ||
		a.NoShows != 1 || a.PickupsComing != 1 || a.ReturnsComing != 1 {
		t.Errorf("attention %+v", a)
	}
	// A longer grace: b6 started 3 hours ago, so it is no no-show yet.
	if a, _ = w.st.GetAttention(w.ctx, w.now, 4*time.Hour, 48*time.Hour, w.berlin); a.NoShows != 0 || a.Overdue != 0 {
		t.Errorf("Berlin with 4h grace: %+v", a)
	}
}

// Per item: utilization from the rollup, revenue (money moved) in the
// period and for life.
func TestItemFigures(t *testing.T) {
	w := newBizWorld(t)
	if _, err := w.st.RollupUtilization(w.ctx, day("2026-03-27"), day("2026-03-31"), w.now); err != nil {
		t.Fatal(err)
	}
	items, err := w.st.ListItemFigures(w.ctx, day("2026-03-28"), day("2026-03-31"), ts("2026-03-28T00:00:00Z"), w.now, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 {
		t.Fatalf("items %+v", items)
	}
	r6, chair := items[0], items[1]
	if r6.Name != "Canon R6" || r6.Category != "Cameras" || !near(r6.HoursAvailable, 106) || !near(r6.HoursOut, 17) ||
		r6.Revenue != 5000-1000 || r6.LifetimeRevenue != 12000+5000+9999-9999+3000-1000 || r6.ReplacementValue != 200000 ||
		r6.RateDay == nil || *r6.RateDay != 5000 || r6.RateHour != nil {
		t.Errorf("R6 %+v", r6)
	}
	if chair.Name != "Folding chair" || !near(chair.HoursAvailable, 580) || !near(chair.HoursOut, 76) ||
		chair.Revenue != 2000+1500 || chair.LifetimeRevenue != 3500 {
		t.Errorf("chair %+v", chair)
	}
}

// The item figures' rows, scanned by hand, read what sqlx reads: items with
// and without a category, rates NULL and set, hours and money, all
// locations and one.
func TestItemFiguresReadAsSqlx(t *testing.T) {
	w := newBizWorld(t)
	if _, err := w.st.RollupUtilization(w.ctx, day("2026-03-27"), day("2026-03-31"), w.now); err != nil {
		t.Fatal(err)
	}
	for _, loc := range []int64{0, w.depot, w.berlin} {
		got, err := w.st.ListItemFigures(w.ctx, day("2026-03-28"), day("2026-03-31"), ts("2026-03-28T00:00:00Z"), w.now, loc)
		if err != nil {
			t.Fatal(err)
		}
		want, err := w.st.ListItemFiguresBySqlxForTest(w.ctx, day("2026-03-28"), day("2026-03-31"), ts("2026-03-28T00:00:00Z"), w.now, loc)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("location %d:\n got %+v\nwant %+v", loc, got, want)
		}
		if loc == 0 && (len(got) != 2 || got[0].RateDay == nil || got[0].RateHour != nil || got[0].HoursOut == 0 || got[0].Revenue == 0) {
			t.Fatalf("item figures fixture: %+v", got)
		}
	}
}

// itemRevenueByLinesSQL is per-item revenue summed over the whole ledger's
// per-line split, as the item figures read it before the rollup: the
// reference the rolled-up figures must equal.
const itemRevenueByLinesSQL = `
SELECT l.item_id,
       round(coalesce(sum(m.amount * m.share) FILTER (WHERE m.at >= $1 AND m.at < $2), 0))::bigint,
       round(sum(m.amount * m.share))::bigint
FROM (SELECT e.created_at AS at, e.booking_id, (CASE e.kind WHEN 'refund' THEN -e.amount ELSE e.amount END)::numeric AS amount, l.id AS line,
             CASE WHEN t.total > 0 THEN l.line_total::numeric / t.total ELSE 1::numeric / t.lines END AS share
      FROM ledger_entries e JOIN bookings b ON b.id = e.booking_id JOIN booking_lines l ON l.booking_id = b.id
      CROSS JOIN LATERAL (SELECT sum(line_total) AS total, count(*) AS lines FROM booking_lines WHERE booking_id = b.id) t
      WHERE e.kind IN ('payment', 'refund') AND e.status = 'done' AND ($3 = 0 OR b.location_id = $3)) m
JOIN booking_lines l ON l.id = m.line
GROUP BY l.item_id`

// Payback and per-item revenue read the revenue rollup plus the ledger from
// where it stops; together they equal the whole ledger's split, before and
// after a rollup run, with a refund, a booking split in thirds, money taken
// after the run, a refund going through late and a line re-priced after its
// money was rolled up (the next run puts it right).
func TestItemRevenueRollupMatchesLedger(t *testing.T) {
	w := newBizWorld(t)
	b, _ := w.booking(t, w.depot, nil, "returned", "2026-03-10T09:00:00Z", "2026-03-10T09:00:00Z", 3000, w.chair, 1,
		"2026-03-11T09:00:00Z", "2026-03-11T17:00:00Z", "2026-03-11T09:00:00Z", "2026-03-11T17:00:00Z")
	line := w.id(t, `INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at, unit_price, line_total)
		VALUES ($1, $2, 1, $3, $4, 1000, 1000) RETURNING id`, b, w.r6, ts("2026-03-11T09:00:00Z"), ts("2026-03-11T17:00:00Z"))
	w.money(t, b, "payment", "cash", 1001, "2026-03-11T09:00:00Z", "done")
	w.money(t, b, "refund", "cash", 334, "2026-03-29T23:30:00Z", "done") // Berlin's 03-30, Depot's 03-29
	check := func(stage string, from, to time.Time) {
		t.Helper()
		for _, loc := range []int64{0, w.berlin, w.depot} {
			want := ledgerItemRevenue(t, w.ctx, w.st, from, to, loc)
			got := figuresItemRevenue(t, w.ctx, w.st, from, to, loc)
			for item, v := range want {
				if v != ([2]int64{}) && got[item] != v {
					t.Errorf("%s, location %d, %s..%s: item %d has [period life] %v, want %v", stage, loc,
						from.Format(time.RFC3339), to.Format(time.RFC3339), item, got[item], v)
				}
			}
			for item, v := range got {
				if want[item] != v {
					t.Errorf("%s, location %d: item %d has %v, want %v", stage, loc, item, v, want[item])
				}
			}
		}
	}
	periods := [][2]time.Time{{ts("2026-03-01T00:00:00Z"), w.now}, {ts("2026-03-28T13:00:00Z"), w.now},
		{ts("2026-03-29T22:00:00Z"), w.now}, {ts("2026-03-11T00:00:00Z"), ts("2026-03-29T12:00:00Z")}}
	checkAll := func(stage string) {
		t.Helper()
		for _, p := range periods {
			check(stage, p[0], p[1])
		}
	}
	checkAll("never rolled up")
	if _, err := w.st.RollupRevenue(w.ctx, w.now); err != nil {
		t.Fatal(err)
	}
	var rolled int
	if err := w.st.DB().QueryRowContext(w.ctx, `SELECT count(*) FROM revenue_daily`).Scan(&rolled); err != nil || rolled == 0 {
		t.Fatalf("nothing rolled up: %d %v", rolled, err)
	}
	checkAll("rolled up")
	// Money after the run counts at once: a payment now, and b1's pending
	// refund (rolled up as not counting) going through.
	w.money(t, b, "payment", "cash", 250, "2026-03-30T09:59:00Z", "done")
	if _, err := w.st.DB().ExecContext(w.ctx, `UPDATE ledger_entries SET status = 'done', created_at = '2026-03-28T09:00:00Z'
		WHERE status = 'pending'`); err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.DB().ExecContext(w.ctx, `UPDATE booking_lines SET line_total = 2000 WHERE id = $1`, line); err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.RollupRevenue(w.ctx, w.now); err != nil {
		t.Fatal(err)
	}
	checkAll("changed, rolled up again")
	// A day later: yesterday joins the rollup, the payment after it stays live.
	if _, err := w.st.RollupRevenue(w.ctx, w.now.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	checkAll("a day later")
	check("a day later, up to then", ts("2026-03-20T00:00:00Z"), w.now.Add(24*time.Hour))
}

func dateOnly(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// revenueByDayByLinesSQL is revenue per local day of the location that
// earned it, summed over the whole ledger's per-line split: the reference
// the dashboard's chart must equal.
const revenueByDayByLinesSQL = `
SELECT (e.created_at AT TIME ZONE lo.time_zone)::date,
       round(sum((CASE e.kind WHEN 'refund' THEN -e.amount ELSE e.amount END)::numeric
           * CASE WHEN t.total > 0 THEN l.line_total::numeric / t.total ELSE 1::numeric / t.lines END))::bigint
FROM ledger_entries e
JOIN bookings b ON b.id = e.booking_id
JOIN locations lo ON lo.id = b.location_id
JOIN booking_lines l ON l.booking_id = b.id
CROSS JOIN LATERAL (SELECT sum(line_total) AS total, count(*) AS lines FROM booking_lines WHERE booking_id = b.id) t
WHERE e.kind IN ('payment', 'refund') AND e.status = 'done'
  AND e.created_at >= $1 AND e.created_at < $2 AND ($3 = 0 OR b.location_id = $3)
GROUP BY 1 ORDER BY 1`

// The revenue totals and revenue per day read the rollup's days plus the
// ledger outside them; together they equal the whole ledger's split at
// every stage: never rolled up, rolled up, after money taken after the run,
// a refund going through late, a line re-priced and a booking's only line
// removed (its money no longer counts), and a day later. The periods start
// at and between midnights, in Berlin's DST week, and inside today.
func TestRevenueRollupMatchesLedger(t *testing.T) {
	w := newBizWorld(t)
	b, _ := w.booking(t, w.depot, nil, "returned", "2026-03-10T09:00:00Z", "2026-03-10T09:00:00Z", 3000, w.chair, 1,
		"2026-03-11T09:00:00Z", "2026-03-11T17:00:00Z", "2026-03-11T09:00:00Z", "2026-03-11T17:00:00Z")
	line := w.id(t, `INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at, unit_price, line_total)
		VALUES ($1, $2, 1, $3, $4, 1000, 1000) RETURNING id`, b, w.r6, ts("2026-03-11T09:00:00Z"), ts("2026-03-11T17:00:00Z"))
	w.money(t, b, "payment", "cash", 1001, "2026-03-11T09:00:00Z", "done")
	w.money(t, b, "refund", "cash", 334, "2026-03-29T23:30:00Z", "done") // Berlin's 03-30, Depot's 03-29
	lone, loneLine := w.booking(t, w.berlin, nil, "returned", "2026-03-27T09:00:00Z", "2026-03-27T09:00:00Z", 800, w.r6, 1,
		"2026-03-27T10:00:00Z", "2026-03-27T12:00:00Z", "2026-03-27T10:00:00Z", "2026-03-27T12:00:00Z")
	w.money(t, lone, "payment", "card_terminal", 800, "2026-03-27T22:30:00Z", "done") // Berlin's 03-28
	check := func(stage string, from, to time.Time) {
		t.Helper()
		for _, loc := range []int64{0, w.berlin, w.depot} {
			var want store.Revenue
			if err := w.st.DB().QueryRowContext(w.ctx, revenueByLinesSQL, from, to, loc).Scan(&want.Amount, &want.Bookings); err != nil {
				t.Fatal(err)
			}
			got, err := w.st.GetRevenue(w.ctx, from, to, loc)
			if err != nil || got != want {
				t.Errorf("%s, location %d, %s..%s: revenue %+v %v, want %+v", stage, loc,
					from.Format(time.RFC3339), to.Format(time.RFC3339), got, err, want)
			}
			if n, err := w.st.GetRevenueAmount(w.ctx, from, to, loc); err != nil || n != want.Amount {
				t.Errorf("%s, location %d, %s..%s: amount %d %v, want %d", stage, loc,
					from.Format(time.RFC3339), to.Format(time.RFC3339), n, err, want.Amount)
			}
			var wantDays []store.RevenueDay
			rows, err := w.st.DB().QueryContext(w.ctx, revenueByDayByLinesSQL, from, to, loc)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var d store.RevenueDay
				if err := rows.Scan(&d.Day, &d.Amount); err != nil {
					t.Fatal(err)
				}
				wantDays = append(wantDays, d)
			}
			rows.Close()
			days, err := w.st.ListRevenueByDay(w.ctx, from, to, loc)
			if err != nil {
				t.Fatal(err)
			}
			same := len(days) == len(wantDays)
			for i := 0; same && i < len(days); i++ {
				same = days[i].Day.Equal(wantDays[i].Day) && days[i].Amount == wantDays[i].Amount
			}
			if !same {
				t.Errorf("%s, location %d, %s..%s: by day %+v, want %+v", stage, loc,
					from.Format(time.RFC3339), to.Format(time.RFC3339), days, wantDays)
			}
		}
	}
	periods := [][2]time.Time{{ts("2026-03-01T00:00:00Z"), w.now}, {ts("2026-03-28T13:00:00Z"), w.now},
		{ts("2026-03-29T22:00:00Z"), w.now}, {ts("2026-03-11T00:00:00Z"), ts("2026-03-29T12:00:00Z")},
		{ts("2026-03-26T23:00:00Z"), ts("2026-03-30T08:30:00Z")}, {ts("2026-03-30T06:00:00Z"), w.now}}
	checkAll := func(stage string) {
		t.Helper()
		for _, p := range periods {
			check(stage, p[0], p[1])
		}
	}
	checkAll("never rolled up")
	if _, err := w.st.RollupRevenue(w.ctx, w.now); err != nil {
		t.Fatal(err)
	}
	var rolled int
	if err := w.st.DB().QueryRowContext(w.ctx, `SELECT count(*) FROM revenue_daily_location`).Scan(&rolled); err != nil || rolled == 0 {
		t.Fatalf("nothing rolled up: %d %v", rolled, err)
	}
	checkAll("rolled up")
	// Money after the run counts at once: a payment now, and b1's pending
	// refund (rolled up as not counting) going through on a rolled day. A
	// re-priced line moves no total; a booking left without lines loses
	// its money from the figures.
	w.money(t, b, "payment", "cash", 250, "2026-03-30T09:59:00Z", "done")
	if _, err := w.st.DB().ExecContext(w.ctx, `UPDATE ledger_entries SET status = 'done', created_at = '2026-03-28T09:00:00Z'
		WHERE status = 'pending'`); err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.DB().ExecContext(w.ctx, `UPDATE booking_lines SET line_total = 2000 WHERE id = $1`, line); err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.DB().ExecContext(w.ctx, `DELETE FROM booking_lines WHERE id = $1`, loneLine); err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.RollupRevenue(w.ctx, w.now); err != nil {
		t.Fatal(err)
	}
	checkAll("changed, rolled up again")
	// A day later: yesterday joins the rollup, the payment after it stays live.
	if _, err := w.st.RollupRevenue(w.ctx, w.now.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	checkAll("a day later")
	check("a day later, up to then", ts("2026-03-20T00:00:00Z"), w.now.Add(24*time.Hour))
	check("a day later, its first hours", ts("2026-03-30T22:00:00Z"), w.now.Add(24*time.Hour))
}

// The item figures' hours read two rows of the running totals per location
// (migration 00118) instead of summing the period's daily rows: they equal
// the sum for periods starting and ending on any day around two month ends
// and Berlin's DST change, all locations and each, after a backfill in
// uneven pieces, a rerun of days in the middle, an item first stocked
// mid-way, an item stocked at a second location later, an item whose only
// unit moved away (rows before, none after), an item whose only unit moved
// away before its first day was rerun (no rows left there) and an item with
// no rows.
func TestItemUtilizationRunningMatchesDays(t *testing.T) {
	w := newBizWorld(t)
	tripod := w.id(t, `INSERT INTO items (name, slug, tracking, rate_hour, replacement_value)
		VALUES ('Tripod', 'tripod', 'serialized', 100, 5000) RETURNING id`)
	w.id(t, `INSERT INTO items (name, slug, tracking, rate_day, replacement_value)
		VALUES ('Flash', 'flash', 'serialized', 900, 9000) RETURNING id`) // never stocked: no rows
	t1 := w.id(t, `INSERT INTO units (item_id, location_id, asset_tag, created_at) VALUES ($1, $2, 'T1', $3) RETURNING id`,
		tripod, w.depot, ts("2026-03-10T13:30:00Z"))
	w.id(t, `INSERT INTO units (item_id, location_id, asset_tag, created_at) VALUES ($1, $2, 'U3', $3) RETURNING id`,
		w.r6, w.depot, ts("2026-03-31T20:00:00Z"))
	slider := w.id(t, `INSERT INTO items (name, slug, tracking, rate_day, replacement_value)
		VALUES ('Slider', 'slider', 'serialized', 700, 7000) RETURNING id`)
	s1 := w.id(t, `INSERT INTO units (item_id, location_id, asset_tag, created_at) VALUES ($1, $2, 'S1', $3) RETURNING id`,
		slider, w.depot, ts("2026-03-31T10:00:00Z"))
	_, lt := w.booking(t, w.depot, nil, "returned", "2026-03-20T10:00:00Z", "2026-03-20T10:00:00Z", 0, tripod, 1,
		"2026-03-27T08:00:00Z", "2026-04-01T06:00:00Z", "2026-03-27T08:00:00Z", "2026-04-01T06:00:00Z")
	w.allocate(t, t1, lt, "2026-03-27T08:00:00Z", "2026-04-01T06:00:00Z", "2026-03-27T08:00:00Z", "2026-04-01T06:00:00Z")

	later := ts("2026-04-02T15:00:00Z")
	for _, r := range [][2]string{{"2026-02-20", "2026-03-05"}, {"2026-03-06", "2026-03-30"}, {"2026-03-31", "2026-04-03"}} {
		if _, err := w.st.RollupUtilization(w.ctx, day(r[0]), day(r[1]), later); err != nil {
			t.Fatal(err)
		}
	}
	// The tripod's unit moves to Berlin; rerunning the middle days files its
	// hours there and leaves the Depot rows before them.
	if _, err := w.st.DB().ExecContext(w.ctx, `UPDATE units SET location_id = $1 WHERE id = $2`, w.berlin, t1); err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.RollupUtilization(w.ctx, day("2026-03-25"), day("2026-03-29"), later); err != nil {
		t.Fatal(err)
	}
	// The slider's only unit moves to Berlin too: rerun from its first day
	// on, the Depot has no row of it left at all (its running totals there
	// go), Berlin has them from then on. A rerun of the same days again
	// changes nothing. (A rerun as of a later instant: a run's own rows are
	// those of its instant.)
	if _, err := w.st.DB().ExecContext(w.ctx, `UPDATE units SET location_id = $1 WHERE id = $2`, w.berlin, s1); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := w.st.RollupUtilization(w.ctx, day("2026-03-31"), day("2026-04-03"), later.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	days := []string{"2026-02-19", "2026-02-28", "2026-03-01", "2026-03-02", "2026-03-10", "2026-03-11", "2026-03-25",
		"2026-03-29", "2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02", "2026-04-03", "2026-04-04", "2026-04-30"}
	periods := 0
	for i, from := range days {
		for _, to := range days[i+1:] {
			for _, loc := range []int64{0, w.berlin, w.depot} {
				want, err := w.st.ListItemFiguresByDaysForTest(w.ctx, day(from), day(to), day(from), later, loc)
				if err != nil {
					t.Fatal(err)
				}
				got, err := w.st.ListItemFigures(w.ctx, day(from), day(to), day(from), later, loc)
				if err != nil {
					t.Fatal(err)
				}
				periods++
				if len(got) != len(want) {
					t.Errorf("%s..%s location %d: %d items, want %d: %+v, want %+v", from, to, loc, len(got), len(want), got, want)
					continue
				}
				for k, g := range got {
					x := want[k]
					if g.ItemID != x.ItemID || !near(g.HoursAvailable, x.HoursAvailable) || !near(g.HoursOut, x.HoursOut) ||
						g.Revenue != x.Revenue || g.LifetimeRevenue != x.LifetimeRevenue {
						t.Errorf("%s..%s location %d: %+v, want %+v", from, to, loc, g, x)
					}
				}
			}
		}
	}
	var moved int
	if err := w.st.DB().QueryRowContext(w.ctx, `SELECT count(DISTINCT location_id) FROM utilization_daily WHERE item_id = $1`,
		tripod).Scan(&moved); err != nil || moved != 2 {
		t.Fatalf("the tripod has rows at %d locations (%v), want 2", moved, err)
	}
	if err := w.st.DB().QueryRowContext(w.ctx, `SELECT count(DISTINCT location_id) FROM utilization_running WHERE item_id = $1`,
		slider).Scan(&moved); err != nil || moved != 1 {
		t.Fatalf("the slider has running totals at %d locations (%v), want 1", moved, err)
	}
	t.Logf("%d periods compared", periods)
}

// ledgerItemRevenue is each item's [period, lifetime] revenue summed from the
// ledger by its booking's lines (itemRevenueByLinesSQL), the reference the
// rollup's readers are held to; items with neither are left out.
func ledgerItemRevenue(t *testing.T, ctx context.Context, st *store.Store, from, to time.Time, loc int64) map[int64][2]int64 {
	t.Helper()
	rows, err := st.DB().QueryContext(ctx, itemRevenueByLinesSQL, from, to, loc)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][2]int64{}
	for rows.Next() {
		var item, period, life int64
		if err := rows.Scan(&item, &period, &life); err != nil {
			t.Fatal(err)
		}
		if period != 0 || life != 0 {
			out[item] = [2]int64{period, life}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// figuresItemRevenue is the same as ListItemFigures reads it.
func figuresItemRevenue(t *testing.T, ctx context.Context, st *store.Store, from, to time.Time, loc int64) map[int64][2]int64 {
	t.Helper()
	items, err := st.ListItemFigures(ctx, dateOnly(from), dateOnly(to).AddDate(0, 0, 1), from, to, loc)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64][2]int64{}
	for _, it := range items {
		if it.Revenue != 0 || it.LifetimeRevenue != 0 {
			out[it.ItemID] = [2]int64{it.Revenue, it.LifetimeRevenue}
		}
	}
	return out
}
