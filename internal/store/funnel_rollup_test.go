package store_test

import (
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// funnelByBookingsSQL is the funnel's definition read from every booking of
// the period, as the dashboard counted it before the rollup.
const funnelByBookingsSQL = `
SELECT CASE WHEN created_by IS NULL THEN 'online' ELSE 'desk' END AS channel,
       count(*) AS made,
       count(*) FILTER (WHERE status = 'hold') AS holding,
       count(*) FILTER (WHERE confirmed_at IS NOT NULL) AS confirmed,
       count(*) FILTER (WHERE status = 'expired') AS expired,
       count(*) FILTER (WHERE status = 'cancelled') AS cancelled,
       coalesce(sum(total) FILTER (WHERE confirmed_at IS NOT NULL AND status <> 'cancelled'), 0)::bigint AS value
FROM bookings
WHERE created_at >= $1 AND created_at < $2 AND ($3 = 0 OR location_id = $3) AND status <> 'cart'
GROUP BY 1 ORDER BY 1 DESC`

// The funnel read from the rollup plus the live bookings equals counting
// the bookings, before any run, after one, after old bookings changed (and
// before the next run: their days are marked and read live), after the
// next run, and a day later; for periods starting at a local midnight east
// and west of UTC, mid-day, and ending mid-day.
func TestFunnelRollupMatchesBookings(t *testing.T) {
	w := newBizWorld(t)
	// Around a UTC midnight, a desk booking, a hold under way, a cart.
	w.booking(t, w.depot, w.staff, "confirmed", "2026-03-28T23:30:00Z", "2026-03-28T23:40:00Z", 700, w.chair, 1,
		"2026-04-02T08:00:00Z", "2026-04-02T12:00:00Z", "", "")
	w.booking(t, w.berlin, nil, "confirmed", "2026-03-29T00:10:00Z", "2026-03-29T00:15:00Z", 900, w.r6, 1,
		"2026-04-03T08:00:00Z", "2026-04-03T12:00:00Z", "", "")
	w.booking(t, w.depot, nil, "cart", "2026-03-27T12:00:00Z", "", 300, w.chair, 1,
		"2026-04-04T08:00:00Z", "2026-04-04T12:00:00Z", "", "")
	hold := w.id(t, `INSERT INTO bookings (customer_id, location_id, status, expires_at, currency, total, subtotal, created_at)
		VALUES ($1, $2, 'hold', $3, 'EUR', 1100, 1100, $4) RETURNING id`, w.cust, w.berlin, w.now.Add(10*time.Minute), w.now.Add(-5*time.Minute))
	old := w.id(t, `INSERT INTO bookings (customer_id, location_id, status, expires_at, currency, total, subtotal, created_at)
		VALUES ($1, $2, 'hold', $3, 'EUR', 1300, 1300, $4) RETURNING id`, w.cust, w.depot, ts("2026-03-21T08:30:00Z"), ts("2026-03-21T08:00:00Z"))
	// Today's, for the quarter hours (a run at w.now holds them up to
	// 09:45): in the quarter a period from 03:07 starts in, either side of
	// the 07:15 boundary, in the last rolled quarter,
	// after it, and a hold of 08:20 that a customer confirms after the run.
	w.booking(t, w.depot, nil, "confirmed", "2026-03-30T03:05:00Z", "2026-03-30T03:06:00Z", 305, w.chair, 1,
		"2026-04-06T08:00:00Z", "2026-04-06T12:00:00Z", "", "")
	w.booking(t, w.depot, nil, "confirmed", "2026-03-30T07:14:59Z", "2026-03-30T07:20:00Z", 310, w.chair, 1,
		"2026-04-06T08:00:00Z", "2026-04-06T12:00:00Z", "", "")
	w.booking(t, w.depot, w.staff, "confirmed", "2026-03-30T07:15:00Z", "2026-03-30T07:15:00Z", 320, w.chair, 1,
		"2026-04-06T08:00:00Z", "2026-04-06T12:00:00Z", "", "")
	w.booking(t, w.berlin, nil, "expired", "2026-03-30T09:44:00Z", "", 330, w.r6, 1,
		"2026-04-07T08:00:00Z", "2026-04-07T12:00:00Z", "", "")
	w.booking(t, w.berlin, nil, "confirmed", "2026-03-30T09:46:00Z", "2026-03-30T09:47:00Z", 340, w.r6, 1,
		"2026-04-08T08:00:00Z", "2026-04-08T12:00:00Z", "", "")
	todayHold := w.id(t, `INSERT INTO bookings (customer_id, location_id, status, expires_at, currency, total, subtotal, created_at)
		VALUES ($1, $2, 'hold', $3, 'EUR', 350, 350, $4) RETURNING id`, w.cust, w.berlin, ts("2026-03-30T10:20:00Z"), ts("2026-03-30T08:20:00Z"))

	check := func(stage string, from, to time.Time) {
		t.Helper()
		for _, loc := range []int64{0, w.berlin, w.depot} {
			var want []store.Funnel
			rows, err := w.st.DB().QueryContext(w.ctx, funnelByBookingsSQL, from, to, loc)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var f store.Funnel
				if err := rows.Scan(&f.Channel, &f.Made, &f.Holding, &f.Confirmed, &f.Expired, &f.Cancelled, &f.Value); err != nil {
					t.Fatal(err)
				}
				want = append(want, f)
			}
			rows.Close()
			got, err := w.st.ListFunnel(w.ctx, from, to, loc)
			same := err == nil && len(got) == len(want)
			for i := 0; same && i < len(got); i++ {
				same = got[i] == want[i]
			}
			if !same {
				t.Errorf("%s, location %d, %s..%s: funnel %+v %v, want %+v", stage, loc,
					from.Format(time.RFC3339), to.Format(time.RFC3339), got, err, want)
			}
		}
	}
	checkAll := func(stage string, now time.Time) {
		t.Helper()
		for _, from := range []time.Time{ts("2026-03-01T00:00:00Z"), ts("2026-03-20T23:00:00Z"), ts("2026-03-28T23:00:00Z"),
			ts("2026-03-29T00:00:00Z"), ts("2026-03-29T05:00:00Z"), now.Add(-time.Hour)} {
			check(stage, from, now)
		}
		check(stage+", ending mid-day", ts("2026-03-20T04:00:00Z"), ts("2026-03-29T00:20:00Z"))
		check(stage+", one whole day", ts("2026-03-28T00:00:00Z"), ts("2026-03-29T00:00:00Z"))
		// Today from a UTC, a Berlin and a Kathmandu midnight (not on a
		// quarter hour), from and to mid-quarter, and to a quarter's end.
		for _, from := range []time.Time{ts("2026-03-30T00:00:00Z"), ts("2026-03-29T22:00:00Z"), ts("2026-03-29T18:15:00Z"),
			ts("2026-03-29T18:07:00Z"), ts("2026-03-30T03:07:00Z"), ts("2026-03-30T07:15:00Z")} {
			check(stage+", today", from, now)
			check(stage+", today to mid-quarter", from, ts("2026-03-30T09:50:00Z"))
			check(stage+", today to 07:15", from, ts("2026-03-30T07:15:00Z"))
		}
	}
	rollup := func(now time.Time) {
		t.Helper()
		if _, err := w.st.RollupFunnel(w.ctx, now); err != nil {
			t.Fatal(err)
		}
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := w.st.DB().ExecContext(w.ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}

	checkAll("never rolled up", w.now)
	rollup(w.now)
	var rolled, marks int
	if err := w.st.DB().QueryRowContext(w.ctx, `SELECT (SELECT count(*) FROM funnel_daily), (SELECT count(*) FROM funnel_rollup_stale)`).
		Scan(&rolled, &marks); err != nil || rolled == 0 || marks != 0 {
		t.Fatalf("after a run: %d rows, %d marks, %v", rolled, marks, err)
	}
	checkAll("rolled up", w.now)
	var quarters int
	var quartersTo time.Time
	if err := w.st.DB().QueryRowContext(w.ctx, `SELECT (SELECT count(*) FROM funnel_quarterly), quarters_to FROM funnel_rollup_state`).
		Scan(&quarters, &quartersTo); err != nil || quarters == 0 || !quartersTo.Equal(ts("2026-03-30T09:45:00Z")) {
		t.Fatalf("after a run: %d quarter rows up to %s, %v", quarters, quartersTo, err)
	}
	rollup(w.now) // again: nothing changes
	checkAll("rolled up twice", w.now)
	// Today's hold confirmed after the run: its quarter is marked and read
	// live; and one of the last rolled quarter gone.
	exec(`UPDATE bookings SET status = 'confirmed', expires_at = NULL, confirmed_at = $1 WHERE id = $2`, w.now, todayHold)
	exec(`DELETE FROM bookings WHERE total = 330`)
	checkAll("today's changed, not rolled up yet", w.now)
	rollup(w.now)
	checkAll("today's changed, rolled up again", w.now)

	// Old bookings change after the run: a confirmed one cancelled, the old
	// hold confirmed, a total changed, one moved to the other location, one
	// deleted, one made by staff, and one added with an old date (an import).
	exec(`UPDATE bookings SET status = 'cancelled', cancelled_at = $1 WHERE total = 3000`, w.now)
	exec(`UPDATE bookings SET status = 'confirmed', expires_at = NULL, confirmed_at = $1 WHERE id = $2`, w.now, old)
	exec(`UPDATE bookings SET total = 1600 WHERE total = 1500`)
	exec(`UPDATE bookings SET location_id = $1 WHERE total = 2000`, w.berlin)
	exec(`DELETE FROM bookings WHERE status = 'expired'`)
	exec(`UPDATE bookings SET created_by = $1 WHERE total = 900`, w.staff)
	w.booking(t, w.depot, nil, "confirmed", "2026-03-22T10:00:00Z", "2026-03-22T10:00:00Z", 450, w.chair, 1,
		"2026-04-05T08:00:00Z", "2026-04-05T12:00:00Z", "", "")
	// And today's: the hold expires.
	exec(`UPDATE bookings SET status = 'expired' WHERE id = $1`, hold)
	checkAll("changed, not rolled up yet", w.now)
	rollup(w.now)
	if err := w.st.DB().QueryRowContext(w.ctx, `SELECT (SELECT count(*) FROM funnel_rollup_stale) + (SELECT count(*) FROM funnel_quarter_stale)`).Scan(&marks); err != nil || marks != 0 {
		t.Fatalf("marks left after a run: %d %v", marks, err)
	}
	checkAll("changed, rolled up again", w.now)

	// A day later: 03-30 joins the rollup.
	later := w.now.Add(24 * time.Hour)
	rollup(later)
	checkAll("a day later", later)
	exec(`UPDATE bookings SET status = 'cancelled', cancelled_at = $1 WHERE id = $2`, later, hold)
	checkAll("a day later, today's booking changed", later)

	// A reader that read the rollup's ends before that run (03-30's
	// quarters, since dropped): its statement reads them live.
	for _, loc := range []int64{0, w.berlin, w.depot} {
		from, to := ts("2026-03-29T22:00:00Z"), ts("2026-03-30T09:50:00Z")
		got, err := w.st.ListFunnelAsOfForTest(w.ctx, from, to, loc, ts("2026-03-30T00:00:00Z"), ts("2026-03-30T09:45:00Z"))
		want, _ := w.st.ListFunnel(w.ctx, from, to, loc)
		same := err == nil && len(got) == len(want)
		for i := 0; same && i < len(got); i++ {
			same = got[i] == want[i]
		}
		if !same {
			t.Errorf("ends read before a run, location %d: funnel %+v %v, want %+v", loc, got, err, want)
		}
	}
}

// After a rollup has filled its tables, AnalyzeRollups gives the planner
// their row counts (before it, a never-analyzed table reads as empty).
func TestAnalyzeRollupsCountsTheRollupsRows(t *testing.T) {
	w := newBizWorld(t)
	w.booking(t, w.depot, nil, "confirmed", "2026-03-20T10:00:00Z", "2026-03-20T10:05:00Z", 700, w.chair, 1,
		"2026-03-25T08:00:00Z", "2026-03-25T12:00:00Z", "", "")
	if _, err := w.st.RollupFunnel(w.ctx, w.now); err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.RollupUtilization(w.ctx, ts("2026-03-01T00:00:00Z"), w.now, w.now); err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.RollupRevenue(w.ctx, w.now); err != nil {
		t.Fatal(err)
	}
	if err := w.st.AnalyzeRollups(w.ctx); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"funnel_daily", "utilization_daily", "utilization_running", "revenue_rollup_state"} {
		var rows, planned int64
		if err := w.st.DB().QueryRowContext(w.ctx, `SELECT (SELECT count(*) FROM `+table+`), reltuples::bigint FROM pg_class WHERE relname = $1`, table).
			Scan(&rows, &planned); err != nil {
			t.Fatal(err)
		}
		if rows == 0 || planned != rows {
			t.Errorf("%s: %d rows, the planner counts %d", table, rows, planned)
		}
	}
}
