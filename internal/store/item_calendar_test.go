package store_test

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// The item calendar reads a serialized item's allocations once for all its
// days; it must answer exactly as the per-day form it replaced, on units
// with every kind of allocation: active and cancelled, holds expired and
// not, returned, checked out on time and overdue (an open check-out whose
// range ended before the calendar starts still keeps its unit), maintenance,
// the item's turnaround buffers reaching over a day's edge, a unit out of
// service, another location, a bulk item and an archived one.
func TestItemCalendarAgreesWithPerDay(t *testing.T) {
	s := newShop(t)
	st, ctx := s.st, s.ctx
	db := st.DB()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 3, 10, 9, 17, 0, 0, time.UTC)
	seedAllocationHistory(t, s, now)

	compare := func(item, loc int64, days []store.Span, at time.Time) []int {
		t.Helper()
		free, capacity, err := st.ItemCalendar(ctx, item, loc, days, at)
		wantFree, wantCapacity, wantErr := st.ItemCalendarPerDayForTest(ctx, item, loc, days, at)
		if (err == nil) != (wantErr == nil) || !reflect.DeepEqual(free, wantFree) || capacity != wantCapacity {
			t.Fatalf("calendar of item %d at %d, %d days from %v, at %v:\n got %v, %d, %v\nwant %v, %d, %v",
				item, loc, len(days), days[0].From, at, free, capacity, err, wantFree, wantCapacity, wantErr)
		}
		return free
	}
	seen := map[int]bool{}
	for _, start := range []time.Time{now.Add(-3 * 24 * time.Hour), now.Truncate(time.Hour), now.Add(5*24*time.Hour + 13*time.Hour), now.Add(30 * 24 * time.Hour)} {
		for _, length := range []time.Duration{24 * time.Hour, 7 * time.Hour, 90 * time.Minute} {
			for _, n := range []int{28, 7, 1} {
				var days []store.Span
				for d := range n {
					from := start.Add(time.Duration(d) * 24 * time.Hour)
					days = append(days, store.Span{From: from, To: from.Add(length)})
				}
				for _, at := range []time.Time{now, now.Add(2 * time.Hour)} {
					for _, f := range compare(s.r6.ID, s.berlin.ID, days, at) {
						seen[f] = true
					}
					compare(s.r6.ID, s.sf.ID, days, at)
					compare(s.tripod.ID, s.berlin.ID, days, at)
				}
			}
		}
	}
	// The data must reach both ends: days with all the units in service
	// but one busy, days with all free but the one an open check-out keeps,
	// and some in between.
	if !seen[1] || !seen[5] || len(seen) < 4 {
		t.Fatalf("free counts seen: %v", seen)
	}
	exec(`UPDATE items SET archived_at = now() WHERE id = $1`, s.r6.ID)
	compare(s.r6.ID, s.berlin.ID, []store.Span{{From: now, To: now.Add(time.Hour)}}, now)
}

// seedAllocationHistory gives the shop's Canon R6 units in Berlin and San
// Francisco allocations of every kind (see TestItemCalendarAgreesWithPerDay)
// around now, turnaround buffers of 45 and 150 minutes, a unit out of
// service, and four tripods in stock in Berlin.
func seedAllocationHistory(t *testing.T, s *shop, now time.Time) {
	t.Helper()
	st, ctx := s.st, s.ctx
	db := st.DB()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE items SET buffer_before_minutes = 45, buffer_after_minutes = 150 WHERE id = $1`, s.r6.ID)
	exec(`INSERT INTO bulk_stock (item_id, location_id, quantity) VALUES ($1, $2, 4)`, s.tripod.ID, s.berlin.ID)
	more, err := st.CreateUnits(ctx, s.r6.ID, s.berlin.ID, []string{"R6-003", "R6-004", "R6-005", "R6-006"}, "")
	if err != nil {
		t.Fatal(err)
	}
	away, err := st.CreateUnits(ctx, s.r6.ID, s.sf.ID, []string{"R6-SF1", "R6-SF2"}, "")
	if err != nil {
		t.Fatal(err)
	}
	exec(`UPDATE units SET status = 'maintenance' WHERE id = $1`, more[3].ID)
	units := append(append(append(s.r6Units[:0:0], s.r6Units...), more...), away...)

	// Each unit's allocations follow one another from 12 days before now to
	// about 40 days after (the active ones may not overlap), each of a kind
	// drawn from a fixed seed.
	rng := rand.New(rand.NewPCG(11, 29))
	kinds := map[string]int{}
	for i, u := range units {
		// Open check-outs keep their unit from then on: only the first
		// unit at each location has them, or nothing would ever be free.
		draw := 5
		if i == 0 || i == len(units)-1 {
			draw = 8
		}
		at := now.Add(-12*24*time.Hour + time.Duration(rng.IntN(48))*time.Hour)
		for at.Before(now.Add(40 * 24 * time.Hour)) {
			from := at.Add(time.Duration(rng.IntN(60)) * time.Hour)
			to := from.Add(time.Duration(1+rng.IntN(96)) * time.Hour)
			at = to.Add(time.Duration(rng.IntN(30)) * time.Minute)
			var picked, returned, hold any
			active, due := true, to
			kind := []string{"booked", "cancelled", "hold", "expired hold", "returned", "out", "overdue", "booked"}[rng.IntN(draw)]
			switch kind {
			case "cancelled":
				active = false
			case "hold":
				hold = now.Add(30 * time.Minute)
			case "expired hold":
				hold = now.Add(-30 * time.Minute)
			case "returned":
				picked, returned = from, to.Add(-time.Duration(rng.IntN(120))*time.Minute)
			case "out", "overdue":
				if !from.Before(now) {
					kind = "booked" // a check-out lies in the past
					break
				}
				picked = from
				if kind == "overdue" {
					due = now.Add(-time.Duration(1+rng.IntN(48)) * time.Hour)
				}
			}
			kinds[kind]++
			var block int64
			if err := db.QueryRowContext(ctx, `INSERT INTO maintenance_blocks (unit_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, 'test') RETURNING id`,
				u.ID, from, to).Scan(&block); err != nil {
				t.Fatal(err)
			}
			exec(`INSERT INTO unit_allocations (unit_id, maintenance_id, occupied, active, picked_up_at, returned_at, due_at, hold_expires_at)
			      VALUES ($1, $2, tstzrange($3, $4), $5, $6, $7, $8, $9)`, u.ID, block, from, to, active, picked, returned, due, hold)
		}
	}
	// An open check-out whose range ended long before any calendar below
	// starts: only its being open keeps the unit.
	var block int64
	if err := db.QueryRowContext(ctx, `INSERT INTO maintenance_blocks (unit_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, 'test') RETURNING id`,
		more[0].ID, now.Add(-60*24*time.Hour), now.Add(-50*24*time.Hour)).Scan(&block); err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO unit_allocations (unit_id, maintenance_id, occupied, picked_up_at, due_at)
	      VALUES ($1, $2, tstzrange($3, $4), $3, $4)`, more[0].ID, block, now.Add(-60*24*time.Hour), now.Add(-50*24*time.Hour))
	// A unit booked only just outside a calendar's span, within the item's
	// buffers: before its first day (45 minutes before) and after its last
	// (150 minutes after); only the buffers make those days busy.
	edge, err := st.CreateUnits(ctx, s.r6.ID, s.berlin.ID, []string{"R6-007"}, "")
	if err != nil {
		t.Fatal(err)
	}
	late := now.Add(30 * 24 * time.Hour)
	for _, r := range [][2]time.Time{{late.Add(-5 * time.Hour), late.Add(-20 * time.Minute)},
		{late.Add(28*24*time.Hour + 100*time.Minute), late.Add(29 * 24 * time.Hour)}} {
		if err := db.QueryRowContext(ctx, `INSERT INTO maintenance_blocks (unit_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, 'test') RETURNING id`,
			edge[0].ID, r[0], r[1]).Scan(&block); err != nil {
			t.Fatal(err)
		}
		exec(`INSERT INTO unit_allocations (unit_id, maintenance_id, occupied) VALUES ($1, $2, tstzrange($3, $4))`, edge[0].ID, block, r[0], r[1])
	}
	for _, k := range []string{"booked", "cancelled", "hold", "expired hold", "returned", "out", "overdue"} {
		if kinds[k] == 0 {
			t.Fatalf("the fixture has no %q allocation: %v", k, kinds)
		}
	}
}
