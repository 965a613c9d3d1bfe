package store_test

import (
	"testing"
	"time"
)

// The item figures read the edges of a period (the parts outside a
// location's rolled days) from the rollup's per-item quarter hours
// (migration 00170), and only what lies inside a quarter hour at either end
// of an edge, or after the run, from the ledger. Each item's money in the
// period and over its life equals summing the whole ledger's split, for the
// quarter tests' periods (from each location's midnights, Berlin's DST day
// among them, and from instants inside quarters, up to now and to this time
// yesterday, at zones whose offsets are not whole hours), with payments and
// refunds at and a second either side of quarter boundaries, a booking
// split between two items and one without lines, an item in stock that
// never earned (no money), before and after a run, with money
// taken after the run and money committed after it but dated inside rolled
// quarters, and a day later; a rerun writes no quarter row.
func TestItemQuarterRollupMatchesLedger(t *testing.T) {
	q := newQuarterWorld(t)
	w := q.w
	flash := w.id(t, `INSERT INTO items (name, slug, tracking, rate_day, replacement_value)
		VALUES ('Flash', 'flash', 'bulk', 900, 9000) RETURNING id`)
	w.id(t, `INSERT INTO bulk_stock (item_id, location_id, quantity) VALUES ($1, $2, 3) RETURNING item_id`, flash, q.ktm)
	compared := 0
	check := func(stage string, now time.Time) {
		t.Helper()
		for _, p := range q.periods {
			from, to := p[0], p[1]
			if to.After(now) {
				to = now
			}
			span := from.UTC().Format(time.RFC3339) + ".." + to.UTC().Format(time.RFC3339)
			for _, loc := range q.locs {
				want := ledgerItemRevenue(t, w.ctx, w.st, from, to, loc)
				got := figuresItemRevenue(t, w.ctx, w.st, from, to, loc)
				for item, v := range want {
					if got[item] != v {
						t.Errorf("%s, location %d, %s: item %d has [period life] %v, want %v", stage, loc, span, item, got[item], v)
					}
				}
				for item, v := range got {
					if want[item] != v {
						t.Errorf("%s, location %d, %s: item %d has [period life] %v, want %v", stage, loc, span, item, v, want[item])
					}
				}
				compared++
			}
		}
	}
	q.stages(t, check)

	var rows int
	if err := w.st.DB().QueryRowContext(w.ctx, `SELECT count(*) FROM revenue_item_quarter WHERE location_id IN ($1, $2)`,
		q.ktm, q.nfl).Scan(&rows); err != nil || rows < 10 {
		t.Fatalf("%d item quarters at the non-hour zones: %v", rows, err)
	}
	// A rerun at the same instant changes no quarter: no row written.
	quarters := func() map[string]string {
		t.Helper()
		r, err := w.st.DB().QueryContext(w.ctx, `SELECT location_id || ' ' || at || ' ' || item_id, amount || ' ' || xmin FROM revenue_item_quarter`)
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
	later := w.now.Add(24 * time.Hour)
	before := quarters()
	if _, err := w.st.RollupRevenue(w.ctx, later); err != nil {
		t.Fatal(err)
	}
	after := quarters()
	if len(after) != len(before) {
		t.Errorf("a rerun left %d item quarters, had %d", len(after), len(before))
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("a rerun rewrote item quarter %s: %s, was %s", k, after[k], v)
		}
	}
	t.Logf("%d periods and locations compared, %d item quarters", compared, len(after))
}
