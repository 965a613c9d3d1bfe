package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// The revenue totals, revenue per day and the count of bookings whose money
// moved read a location's partial days from the rollup's quarter hours
// (migrations 00147 and 00148; the count its rolled days too) and only what lies
// inside a quarter hour at an edge, or after the run, from the ledger. They
// equal summing the whole ledger for periods that start at each location's
// midnight (the dashboard's zone is one location's) and at instants inside
// quarters, up to now and up to "this time yesterday", at locations whose
// offsets are not whole hours (Kathmandu +05:45, St. John's -03:30), with
// payments and refunds right at quarter boundaries and a second either side
// of them, at local midnights, a booking of two lines and one without lines,
// before and after a run, with money taken after the run, money committed
// after the run but dated inside rolled quarters, and a day later.
func TestRevenueQuarterRollupMatchesLedger(t *testing.T) {
	q := newQuarterWorld(t)
	w, locs, periods := q.w, q.locs, q.periods
	check := func(stage string, now time.Time) {
		t.Helper()
		for _, p := range periods {
			from, to := p[0], p[1]
			if to.After(now) {
				to = now
			}
			span := from.UTC().Format(time.RFC3339) + ".." + to.UTC().Format(time.RFC3339)
			for _, loc := range locs {
				var want store.Revenue
				if err := w.st.DB().QueryRowContext(w.ctx, revenueByLinesSQL, from, to, loc).Scan(&want.Amount, &want.Bookings); err != nil {
					t.Fatal(err)
				}
				if got, err := w.st.GetRevenueAmount(w.ctx, from, to, loc); err != nil || got != want.Amount {
					t.Errorf("%s, location %d, %s: amount %d %v, want %d", stage, loc, span, got, err, want.Amount)
				}
				if got, err := w.st.GetRevenue(w.ctx, from, to, loc); err != nil || got != want {
					t.Errorf("%s, location %d, %s: revenue %+v %v, want %+v", stage, loc, span, got, err, want)
				}
				rows, err := w.st.DB().QueryContext(w.ctx, revenueByDayByLinesSQL, from, to, loc)
				if err != nil {
					t.Fatal(err)
				}
				var wantDays []string
				for rows.Next() {
					var d store.RevenueDay
					if err := rows.Scan(&d.Day, &d.Amount); err != nil {
						t.Fatal(err)
					}
					wantDays = append(wantDays, fmt.Sprintf("%s %d", d.Day.Format(time.DateOnly), d.Amount))
				}
				rows.Close()
				days, err := w.st.ListRevenueByDay(w.ctx, from, to, loc)
				if err != nil {
					t.Fatal(err)
				}
				var gotDays []string
				for _, d := range days {
					gotDays = append(gotDays, fmt.Sprintf("%s %d", d.Day.Format(time.DateOnly), d.Amount))
				}
				if fmt.Sprint(gotDays) != fmt.Sprint(wantDays) {
					t.Errorf("%s, location %d, %s: by day %v, want %v", stage, loc, span, gotDays, wantDays)
				}
			}
		}
	}
	q.stages(t, check)
}

// quarterWorld is bizWorld with two locations whose offsets are not whole
// hours, money at and either side of quarter boundaries and local
// midnights, and the periods the quarter tests ask for.
type quarterWorld struct {
	w        *bizWorld
	ktm, nfl int64
	locs     []int64
	bookings map[int64][]int64
	periods  [][2]time.Time
}

func newQuarterWorld(t *testing.T) *quarterWorld {
	t.Helper()
	w := newBizWorld(t)
	ktm := w.id(t, `INSERT INTO locations (name, slug, time_zone) VALUES ('Kathmandu', 'ktm', 'Asia/Kathmandu') RETURNING id`)
	nfl := w.id(t, `INSERT INTO locations (name, slug, time_zone) VALUES ('St. John''s', 'nfl', 'America/St_Johns') RETURNING id`)
	locs := []int64{0, w.berlin, w.depot, ktm, nfl}
	zones := map[int64]string{w.berlin: "Europe/Berlin", w.depot: "UTC", ktm: "Asia/Kathmandu", nfl: "America/St_Johns"}

	// Per location a booking of one line, one of two lines (money split)
	// and, at Kathmandu, one whose lines are gone (its money never counts).
	bookings := map[int64][]int64{}
	for _, loc := range locs[1:] {
		b1, _ := w.booking(t, loc, nil, "returned", "2026-03-20T09:00:00Z", "2026-03-20T09:00:00Z", 5000, w.r6, 1,
			"2026-03-21T09:00:00Z", "2026-03-21T17:00:00Z", "", "")
		b2, _ := w.booking(t, loc, nil, "returned", "2026-03-20T09:00:00Z", "2026-03-20T09:00:00Z", 3000, w.chair, 2,
			"2026-03-21T09:00:00Z", "2026-03-21T17:00:00Z", "", "")
		w.id(t, `INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at, unit_price, line_total)
			VALUES ($1, $2, 1, $3, $4, 700, 700) RETURNING id`, b2, w.r6, ts("2026-03-21T09:00:00Z"), ts("2026-03-21T17:00:00Z"))
		bookings[loc] = []int64{b1, b2}
	}
	gone, goneLine := w.booking(t, ktm, nil, "returned", "2026-03-20T09:00:00Z", "2026-03-20T09:00:00Z", 900, w.r6, 1,
		"2026-03-21T09:00:00Z", "2026-03-21T17:00:00Z", "", "")
	if _, err := w.st.DB().ExecContext(w.ctx, `DELETE FROM booking_lines WHERE id = $1`, goneLine); err != nil {
		t.Fatal(err)
	}

	// The instants: each location's midnights of the last three days, the
	// quarter boundaries of a few hours, each with a second either side.
	var instants []time.Time
	for _, z := range zones {
		zone, err := time.LoadLocation(z)
		if err != nil {
			t.Fatal(err)
		}
		y, m, d := w.now.In(zone).Date()
		for back := 0; back < 3; back++ {
			instants = append(instants, time.Date(y, m, d-back, 0, 0, 0, 0, zone))
		}
	}
	for q := w.now.Add(-30 * time.Hour).Truncate(15 * time.Minute); q.Before(w.now); q = q.Add(75 * time.Minute) {
		instants = append(instants, q)
	}
	n := 0
	for _, at := range instants {
		for _, d := range []time.Duration{-time.Second, 0, time.Second, 7 * time.Minute} {
			at := at.Add(d)
			if !at.Before(w.now) {
				continue
			}
			n++
			loc := locs[1+n%4]
			b := bookings[loc][n%2]
			kind, amount := "payment", int64(100+n*37%900)
			if n%5 == 0 {
				kind, amount = "refund", int64(50+n%70)
			}
			w.money(t, b, kind, "cash", amount, at.UTC().Format(time.RFC3339), "done")
			if n%7 == 0 {
				w.money(t, gone, "payment", "cash", 300, at.UTC().Format(time.RFC3339), "done")
			}
		}
	}

	// The periods: from each location's midnights and from inside quarters,
	// up to now and to this time yesterday (as the dashboard asks), and
	// between two instants inside quarters of different days.
	var periods [][2]time.Time
	for _, z := range zones {
		zone, _ := time.LoadLocation(z)
		y, m, d := w.now.In(zone).Date()
		today := time.Date(y, m, d, 0, 0, 0, 0, zone)
		periods = append(periods, [2]time.Time{today, w.now}, [2]time.Time{today.AddDate(0, 0, -1), w.now.AddDate(0, 0, -1)},
			[2]time.Time{today.AddDate(0, 0, -6), w.now}, [2]time.Time{today.AddDate(0, 0, -2), today.AddDate(0, 0, -1)})
	}
	periods = append(periods, [2]time.Time{w.now.Add(-26*time.Hour - 7*time.Minute - 30*time.Second), w.now.Add(-3*time.Hour - 22*time.Minute)},
		[2]time.Time{w.now.Add(-5*time.Hour - 8*time.Minute), w.now.Add(-5*time.Hour - 2*time.Minute)},
		[2]time.Time{w.now.Add(-40 * time.Hour), w.now.Add(-15*time.Hour + time.Second)})

	return &quarterWorld{w: w, ktm: ktm, nfl: nfl, locs: locs, bookings: bookings, periods: periods}
}

// stages calls check before any run, after a run ten minutes ago, after
// money taken and committed since (some dated inside rolled quarters and
// days), after another run, and after a run a day later.
func (q *quarterWorld) stages(t *testing.T, check func(stage string, now time.Time)) {
	t.Helper()
	w, ktm, nfl, bookings := q.w, q.ktm, q.nfl, q.bookings
	check("never rolled up", w.now)
	if _, err := w.st.RollupRevenue(w.ctx, w.now.Add(-10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	var quarters, booked int
	if err := w.st.DB().QueryRowContext(w.ctx, `SELECT (SELECT count(*) FROM revenue_quarter_location WHERE location_id IN ($1, $2)),
		(SELECT count(*) FROM revenue_booking_quarter WHERE location_id IN ($1, $2))`, ktm, nfl).Scan(&quarters, &booked); err != nil || quarters < 10 || booked < quarters {
		t.Fatalf("%d quarters, %d booking quarters rolled up at the non-hour zones: %v", quarters, booked, err)
	}
	check("rolled up ten minutes ago", w.now)
	// After the run: money now, and money committed now but dated inside
	// rolled quarters and days (a payment whose transaction began earlier).
	w.money(t, bookings[ktm][0], "payment", "cash", 4321, w.now.Add(-time.Minute).Format(time.RFC3339), "done")
	w.money(t, bookings[nfl][1], "refund", "cash", 123, w.now.Add(-20*time.Hour-14*time.Minute).Format(time.RFC3339), "done")
	w.money(t, bookings[w.berlin][1], "payment", "cash", 77, w.now.Add(-3*time.Hour-15*time.Minute).Format(time.RFC3339), "done")
	check("money after the run", w.now)
	if _, err := w.st.RollupRevenue(w.ctx, w.now); err != nil {
		t.Fatal(err)
	}
	check("rolled up again", w.now)
	later := w.now.Add(24 * time.Hour)
	if _, err := w.st.RollupRevenue(w.ctx, later); err != nil {
		t.Fatal(err)
	}
	check("a day later", later)
}
