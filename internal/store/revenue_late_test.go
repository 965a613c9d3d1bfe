package store_test

import (
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// checkRevenueMatchesLedger compares every reader of the revenue rollup
// (totals, per day, per item and lifetime) with summing the whole ledger.
func checkRevenueMatchesLedger(t *testing.T, w *bizWorld, stage string, from, to time.Time) {
	t.Helper()
	span := from.Format(time.RFC3339) + ".." + to.Format(time.RFC3339)
	for _, loc := range []int64{0, w.berlin, w.depot} {
		var want store.Revenue
		if err := w.st.DB().QueryRowContext(w.ctx, revenueByLinesSQL, from, to, loc).Scan(&want.Amount, &want.Bookings); err != nil {
			t.Fatal(err)
		}
		if got, err := w.st.GetRevenue(w.ctx, from, to, loc); err != nil || got != want {
			t.Errorf("%s, location %d, %s: revenue %+v %v, want %+v", stage, loc, span, got, err, want)
		}
		wantDays := map[time.Time]int64{}
		rows, err := w.st.DB().QueryContext(w.ctx, revenueByDayByLinesSQL, from, to, loc)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var d store.RevenueDay
			if err := rows.Scan(&d.Day, &d.Amount); err != nil {
				t.Fatal(err)
			}
			wantDays[d.Day.UTC()] = d.Amount
		}
		rows.Close()
		days, err := w.st.ListRevenueByDay(w.ctx, from, to, loc)
		if err != nil {
			t.Fatal(err)
		}
		gotDays := map[time.Time]int64{}
		for _, d := range days {
			gotDays[d.Day.UTC()] = d.Amount
		}
		if len(gotDays) != len(wantDays) {
			t.Errorf("%s, location %d, %s: by day %v, want %v", stage, loc, span, gotDays, wantDays)
		}
		for d, v := range wantDays {
			if gotDays[d] != v {
				t.Errorf("%s, location %d, %s: by day %v, want %v", stage, loc, span, gotDays, wantDays)
				break
			}
		}
		want2 := ledgerItemRevenue(t, w.ctx, w.st, from, to, loc)
		got2 := figuresItemRevenue(t, w.ctx, w.st, from, to, loc)
		if len(got2) != len(want2) {
			t.Errorf("%s, location %d, %s: items [period life] %v, want %v", stage, loc, span, got2, want2)
		}
		for item, v := range want2 {
			if got2[item] != v {
				t.Errorf("%s, location %d, %s: items [period life] %v, want %v", stage, loc, span, got2, want2)
				break
			}
		}
	}
}

// The rollup holds the ledger up to the instant of its run, today's day
// partly, as its snapshot saw it. A payment whose transaction began before
// the run (its created_at before the run's mark) and committed after it is
// not in the rollup: the readers count it at once all the same, and the next
// run rolls it up, also on a day older than the days a run recomputes
// anyway. Each stage compares every reader with summing the whole ledger.
func TestRevenueRollupCountsEntriesCommittedAfterTheRun(t *testing.T) {
	w := newBizWorld(t)
	b, _ := w.booking(t, w.depot, nil, "returned", "2026-03-10T09:00:00Z", "2026-03-10T09:00:00Z", 3000, w.chair, 1,
		"2026-03-11T09:00:00Z", "2026-03-11T17:00:00Z", "2026-03-11T09:00:00Z", "2026-03-11T17:00:00Z")
	w.id(t, `INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at, unit_price, line_total)
		VALUES ($1, $2, 1, $3, $4, 1000, 1000) RETURNING id`, b, w.r6, ts("2026-03-11T09:00:00Z"), ts("2026-03-11T17:00:00Z"))
	w.money(t, b, "payment", "cash", 1001, "2026-03-11T09:00:00Z", "done")
	w.money(t, b, "payment", "cash", 500, "2026-03-30T08:00:00Z", "done") // today, before the mark
	lone, _ := w.booking(t, w.berlin, nil, "returned", "2026-03-27T09:00:00Z", "2026-03-27T09:00:00Z", 800, w.r6, 1,
		"2026-03-27T10:00:00Z", "2026-03-27T12:00:00Z", "2026-03-27T10:00:00Z", "2026-03-27T12:00:00Z")
	w.money(t, lone, "payment", "card_terminal", 800, "2026-03-29T23:30:00Z", "done") // Berlin's 03-30

	periods := [][2]time.Time{{ts("2026-03-01T00:00:00Z"), w.now}, {ts("2026-03-30T00:00:00Z"), w.now},
		{ts("2026-03-29T22:00:00Z"), w.now}, {ts("2026-03-30T09:00:00Z"), w.now},
		{ts("2026-03-30T00:00:00Z"), ts("2026-03-30T09:00:00Z")}, {ts("2026-03-11T00:00:00Z"), ts("2026-03-29T12:00:00Z")},
		{ts("2026-03-01T00:00:00Z"), w.now.Add(3 * time.Hour)}}
	checkAll := func(stage string) {
		t.Helper()
		for _, p := range periods {
			checkRevenueMatchesLedger(t, w, stage, p[0], p[1])
		}
	}
	// lateEntry begins a transaction that records a payment at "at" and
	// commits it when the returned func is called.
	lateEntry := func(booking int64, amount int64, at string) func() {
		t.Helper()
		tx, err := w.st.DB().BeginTx(w.ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(w.ctx, `INSERT INTO ledger_entries (booking_id, kind, method, amount, currency, status, created_at)
			VALUES ($1, 'payment', 'cash', $2, 'EUR', 'done', $3)`, booking, amount, ts(at)); err != nil {
			t.Fatal(err)
		}
		return func() {
			t.Helper()
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
	rollup := func(now time.Time) {
		t.Helper()
		if _, err := w.st.RollupRevenue(w.ctx, now); err != nil {
			t.Fatal(err)
		}
	}

	// Today's payment at 09:30 commits after the run at 10:00.
	commit := lateEntry(b, 70, "2026-03-30T09:30:00Z")
	rollup(w.now)
	var rolledTo time.Time
	if err := w.st.DB().QueryRowContext(w.ctx, `SELECT min(rolled_to) FROM revenue_rollup_state`).Scan(&rolledTo); err != nil || !rolledTo.Equal(w.now) {
		t.Fatalf("rolled up to %v %v, want %v", rolledTo, err, w.now)
	}
	checkAll("rolled up, a payment still uncommitted")
	commit()
	checkAll("rolled up, the payment committed after the run")
	rollup(w.now.Add(time.Hour))
	checkAll("rolled up again")

	// A payment on a day long rolled up (03-12, before the days a run
	// recomputes anyway) commits after a run, while another, at Berlin,
	// is still open across the next run.
	commit = lateEntry(b, 33, "2026-03-12T12:00:00Z")
	commitBerlin := lateEntry(lone, 44, "2026-03-30T10:30:00Z")
	rollup(w.now.Add(2 * time.Hour))
	commit()
	checkAll("a payment on an old day committed after the run")
	rollup(w.now.Add(3 * time.Hour))
	checkAll("rolled up with the old day's payment")
	commitBerlin()
	checkAll("a payment open across two runs committed")
	rollup(w.now.Add(3 * time.Hour))
	checkAll("rolled up with it")
}
