package store_test

import (
	"testing"
	"time"
)

// The item figures read each item's money over the rolled days of a period
// from two rows of the revenue running totals per location (migration
// 00163), and its lifetime money from the row of the location's last day.
// They equal the whole ledger's split, and the figures summed from the
// daily rows, for periods starting and ending at midnights and inside days
// over a month, all locations and each: before any run, after the first,
// after a run that follows money taken after the last one, a pending refund
// going through on a rolled day and an item's only booking line removed (its
// money vanishes: no running totals of it are left), and a day later; with a
// refund, a booking split between two items, an item in stock that never
// earned, and a rerun that changes nothing (no row written).
func TestItemRevenueRunningMatchesLedger(t *testing.T) {
	w := newBizWorld(t)
	flash := w.id(t, `INSERT INTO items (name, slug, tracking, rate_day, replacement_value)
		VALUES ('Flash', 'flash', 'bulk', 900, 9000) RETURNING id`) // stock, never any money
	w.id(t, `INSERT INTO bulk_stock (item_id, location_id, quantity) VALUES ($1, $2, 3) RETURNING item_id`, flash, w.depot)
	b, _ := w.booking(t, w.depot, nil, "returned", "2026-03-10T09:00:00Z", "2026-03-10T09:00:00Z", 3000, w.chair, 1,
		"2026-03-11T09:00:00Z", "2026-03-11T17:00:00Z", "2026-03-11T09:00:00Z", "2026-03-11T17:00:00Z")
	w.id(t, `INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at, unit_price, line_total)
		VALUES ($1, $2, 1, $3, $4, 1000, 1000) RETURNING id`, b, w.r6, ts("2026-03-11T09:00:00Z"), ts("2026-03-11T17:00:00Z"))
	w.money(t, b, "payment", "cash", 1001, "2026-03-11T09:00:00Z", "done")
	w.money(t, b, "refund", "cash", 334, "2026-03-29T23:30:00Z", "done") // Berlin's 03-30, Depot's 03-29
	// The tripod's only money: a booking at Berlin whose line goes later.
	tripod := w.id(t, `INSERT INTO items (name, slug, tracking, rate_day, replacement_value)
		VALUES ('Tripod', 'tripod', 'bulk', 300, 3000) RETURNING id`)
	tb, tl := w.booking(t, w.berlin, nil, "returned", "2026-03-14T09:00:00Z", "2026-03-14T09:00:00Z", 600, tripod, 1,
		"2026-03-15T09:00:00Z", "2026-03-15T17:00:00Z", "2026-03-15T09:00:00Z", "2026-03-15T17:00:00Z")
	w.money(t, tb, "payment", "cash", 600, "2026-03-14T09:00:00Z", "done")
	w.money(t, tb, "payment", "cash", 50, "2026-03-21T09:00:00Z", "done")

	bounds := []time.Time{ts("2026-03-01T00:00:00Z"), ts("2026-03-10T23:00:00Z"), ts("2026-03-11T00:00:00Z"),
		ts("2026-03-14T12:00:00Z"), ts("2026-03-15T00:00:00Z"), ts("2026-03-20T10:00:00Z"), ts("2026-03-26T00:00:00Z"),
		ts("2026-03-28T13:00:00Z"), ts("2026-03-29T22:00:00Z"), ts("2026-03-30T00:00:00Z"), w.now, w.now.Add(24 * time.Hour)}
	check := func(stage string, upTo time.Time) {
		t.Helper()
		for i, from := range bounds {
			for _, to := range bounds[i+1:] {
				if to.After(upTo) {
					continue
				}
				for _, loc := range []int64{0, w.berlin, w.depot} {
					want := ledgerItemRevenue(t, w.ctx, w.st, from, to, loc)
					got := figuresItemRevenue(t, w.ctx, w.st, from, to, loc)
					for item, v := range want {
						if got[item] != v {
							t.Errorf("%s, location %d, %s..%s: item %d has [period life] %v, want %v", stage, loc,
								from.Format(time.RFC3339), to.Format(time.RFC3339), item, got[item], v)
						}
					}
					for item, v := range got {
						if want[item] != v {
							t.Errorf("%s, location %d, %s..%s: item %d has %v, want %v", stage, loc,
								from.Format(time.RFC3339), to.Format(time.RFC3339), item, v, want[item])
						}
					}
					// The same items listed as with the daily rows summed,
					// the money alike (the daily rows' reading keeps a
					// zero-money row of an item whose lines are gone, the ledger none).
					fromDay, toDay := dateOnly(from), dateOnly(to).AddDate(0, 0, 1)
					all, err := w.st.ListItemFigures(w.ctx, fromDay, toDay, from, to, loc)
					if err != nil {
						t.Fatal(err)
					}
					byDays, err := w.st.ListItemFiguresByDailyRevenueForTest(w.ctx, fromDay, toDay, from, to, loc)
					if err != nil {
						t.Fatal(err)
					}
					ref := map[int64][2]int64{}
					for _, it := range byDays {
						ref[it.ItemID] = [2]int64{it.Revenue, it.LifetimeRevenue}
					}
					for _, it := range all {
						r, ok := ref[it.ItemID]
						if !ok || r != [2]int64{it.Revenue, it.LifetimeRevenue} {
							t.Errorf("%s, location %d, %s..%s: item %d has [period life] %v, from the daily rows %v (listed %v)", stage, loc,
								from.Format(time.RFC3339), to.Format(time.RFC3339), it.ItemID, [2]int64{it.Revenue, it.LifetimeRevenue}, r, ok)
						}
						delete(ref, it.ItemID)
					}
					for item, r := range ref {
						if r != ([2]int64{}) {
							t.Errorf("%s, location %d, %s..%s: item %d missing, from the daily rows %v", stage, loc,
								from.Format(time.RFC3339), to.Format(time.RFC3339), item, r)
						}
					}
				}
			}
		}
	}
	rows := func() map[string]string {
		t.Helper()
		r, err := w.st.DB().QueryContext(w.ctx, `SELECT location_id || ' ' || day || ' ' || item_id, amount || ' ' || days || ' ' || xmin FROM revenue_running`)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		out := map[string]string{}
		for r.Next() {
			var k, v string
			if err := r.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			out[k] = v
		}
		return out
	}
	run := func(at time.Time) {
		t.Helper()
		if _, err := w.st.RollupRevenue(w.ctx, at); err != nil {
			t.Fatal(err)
		}
	}

	check("never rolled up", w.now)
	run(w.now)
	first := rows()
	if len(first) == 0 {
		t.Fatal("no running totals")
	}
	check("rolled up", w.now)
	run(w.now)
	if again := rows(); len(again) != len(first) {
		t.Errorf("a rerun left %d running totals, had %d", len(again), len(first))
	} else {
		for k, v := range first {
			if again[k] != v {
				t.Errorf("a rerun rewrote %s: %s, was %s", k, again[k], v)
			}
		}
	}
	// A payment after the run, b1's pending refund going through on a
	// rolled day, and the tripod's line gone (its money no longer counts),
	// then a run.
	w.money(t, b, "payment", "cash", 250, "2026-03-30T09:59:00Z", "done")
	if _, err := w.st.DB().ExecContext(w.ctx, `UPDATE ledger_entries SET status = 'done', created_at = '2026-03-28T09:00:00Z'
		WHERE status = 'pending'`); err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.DB().ExecContext(w.ctx, `DELETE FROM booking_lines WHERE id = $1`, tl); err != nil {
		t.Fatal(err)
	}
	run(w.now)
	check("changed, rolled up again", w.now)
	var left int
	if err := w.st.DB().QueryRowContext(w.ctx, `SELECT count(*) FROM revenue_running WHERE item_id = $1`, tripod).Scan(&left); err != nil || left != 0 {
		t.Errorf("the tripod has %d running totals left (%v), want none", left, err)
	}
	if err := w.st.DB().QueryRowContext(w.ctx, `SELECT count(*) FROM revenue_running WHERE item_id = $1`, flash).Scan(&left); err != nil || left != 0 {
		t.Errorf("the flash has %d running totals (%v), want none", left, err)
	}
	// A day later: yesterday joins the rollup, the payment after it stays live.
	run(w.now.Add(24 * time.Hour))
	check("a day later", w.now.Add(24*time.Hour))
}
