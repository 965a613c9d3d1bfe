package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/bench"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// The benchmark's generated shop (three years of bookings with the money
// the app would have written: payments online and at the desk, refunds of
// cancellations, deposits taken and given back) is what its server's first
// rollup starts from: the revenue totals, revenue per day and per-item
// revenue read after that first run equal the whole ledger's split, for the
// dashboard's 30 days, a year, the whole history and a period starting
// mid-day, all locations and each.
func TestGeneratedShopRevenueRollupMatchesLedger(t *testing.T) {
	st, _ := testenv.Store(t)
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	sz := bench.Size{Name: "tiny", Locations: 3, Categories: 4, Items: 40, Units: 80, Lines: 2000, Customers: 100, AuditRows: 10}
	if err := bench.Generate(ctx, st.DB(), sz, now, "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RollupRevenue(ctx, now); err != nil {
		t.Fatal(err)
	}
	var days, items, states, payments, refunds int
	err := st.DB().QueryRowContext(ctx, `
SELECT (SELECT count(*) FROM revenue_daily_location), (SELECT count(*) FROM revenue_item_quarter),
       (SELECT count(*) FROM revenue_rollup_state WHERE rolled_to > '-infinity'),
       (SELECT count(*) FROM ledger_entries WHERE kind = 'payment'), (SELECT count(*) FROM ledger_entries WHERE kind = 'refund')`).
		Scan(&days, &items, &states, &payments, &refunds)
	if err != nil {
		t.Fatal(err)
	}
	if days < 300 || items == 0 || states != sz.Locations || payments == 0 || refunds == 0 {
		t.Fatalf("rolled up %d location days, %d item quarters, %d locations; ledger %d payments, %d refunds",
			days, items, states, payments, refunds)
	}
	var locs []int64
	rows, err := st.DB().QueryContext(ctx, `SELECT id FROM locations ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		locs = append(locs, id)
	}
	rows.Close()
	dayStart := now.Truncate(24 * time.Hour)
	periods := [][2]time.Time{{dayStart.AddDate(0, 0, -29), now}, {dayStart.AddDate(0, 0, -364), now},
		{now.AddDate(-3, 0, 0), now}, {dayStart.AddDate(0, 0, -200).Add(13 * time.Hour), dayStart.AddDate(0, 0, -20).Add(5 * time.Hour)}}
	for _, p := range periods {
		from, to := p[0], p[1]
		for _, loc := range append([]int64{0}, locs...) {
			var want store.Revenue
			if err := st.DB().QueryRowContext(ctx, revenueByLinesSQL, from, to, loc).Scan(&want.Amount, &want.Bookings); err != nil {
				t.Fatal(err)
			}
			if got, err := st.GetRevenue(ctx, from, to, loc); err != nil || got != want {
				t.Errorf("location %d, %s..%s: revenue %+v %v, want %+v", loc, from.Format(time.RFC3339), to.Format(time.RFC3339), got, err, want)
			}
			var wantDays []store.RevenueDay
			rows, err := st.DB().QueryContext(ctx, revenueByDayByLinesSQL, from, to, loc)
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
			gotDays, err := st.ListRevenueByDay(ctx, from, to, loc)
			if err != nil {
				t.Fatal(err)
			}
			same := len(gotDays) == len(wantDays)
			for i := 0; same && i < len(gotDays); i++ {
				same = gotDays[i].Day.Equal(wantDays[i].Day) && gotDays[i].Amount == wantDays[i].Amount
			}
			if !same {
				t.Errorf("location %d, %s..%s: %d days by day differ from the ledger's %d", loc,
					from.Format(time.RFC3339), to.Format(time.RFC3339), len(gotDays), len(wantDays))
			}
			want2 := ledgerItemRevenue(t, ctx, st, from, to, loc)
			got2 := figuresItemRevenue(t, ctx, st, from, to, loc)
			if len(got2) != len(want2) {
				t.Errorf("location %d, %s..%s: %d items with revenue, the ledger has %d", loc,
					from.Format(time.RFC3339), to.Format(time.RFC3339), len(got2), len(want2))
			}
			for item, v := range want2 {
				if got2[item] != v {
					t.Errorf("location %d, %s..%s: item %d has [period life] %v, want %v", loc,
						from.Format(time.RFC3339), to.Format(time.RFC3339), item, got2[item], v)
				}
			}
		}
	}
}
