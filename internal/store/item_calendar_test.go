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

// A bulk item's calendar reads its lines once for all its days; each day
// must answer as bulk_peak does for that day's window (the per-day form), on
// lines of every kind: confirmed, live and expired holds, cancelled, expired,
// carts and closed bookings, checked out on time, early and overdue (still
// out past their end), returned early and late (and one stamped back before
// its pickup), at another location; lines
// starting and ending exactly at a local midnight or where the item's
// buffers bring them to one; days in the location's zone across a DST
// change (a 23- and a 25-hour day), the same with candidate periods longer
// than a day, and the item's buffers set and not.
func TestItemCalendarBulkAgreesWithPerDay(t *testing.T) {
	s := newShop(t)
	st, ctx := s.st, s.ctx
	db := st.DB()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	// Berlin's clocks go forward on March 29 and San Francisco's on March 8.
	now := time.Date(2026, 3, 26, 10, 0, 0, 0, time.UTC)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	sf, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	const bb, ba = 45, 150
	exec(`UPDATE items SET buffer_before_minutes = $2, buffer_after_minutes = $3 WHERE id = $1`, s.tripod.ID, bb, ba)
	exec(`INSERT INTO bulk_stock (item_id, location_id, quantity) VALUES ($1, $2, 9), ($1, $3, 4)`, s.tripod.ID, s.berlin.ID, s.sf.ID)
	var customer int64
	if err := db.QueryRowContext(ctx, `INSERT INTO users (email, name, password_hash) VALUES ('bulk@example.test', 'Bulk', 'x') RETURNING id`).Scan(&customer); err != nil {
		t.Fatal(err)
	}

	rng := rand.New(rand.NewPCG(5, 17))
	kinds := map[string]int{}
	for range 240 {
		loc, zone := s.berlin.ID, berlin
		if rng.IntN(4) == 0 {
			loc, zone = s.sf.ID, sf
		}
		local := now.In(zone)
		midnight := func(d int) time.Time {
			return time.Date(local.Year(), local.Month(), local.Day()+d, 0, 0, 0, 0, zone)
		}
		// A start and an end each at a local midnight, where a buffer
		// brings the line to one, or at any quarter hour.
		edge := func(d int) time.Time {
			switch rng.IntN(4) {
			case 0:
				return midnight(d)
			case 1:
				return midnight(d).Add((bb + ba) * time.Minute)
			case 2:
				return midnight(d).Add(-(bb + ba) * time.Minute)
			}
			return midnight(d).Add(time.Duration(rng.IntN(96)) * 15 * time.Minute)
		}
		first := -20 + rng.IntN(56)
		from := edge(first)
		to := edge(first + rng.IntN(5))
		if !to.After(from) {
			to = from.Add(time.Duration(1+rng.IntN(30)) * time.Hour)
		}
		status, kind := "confirmed", []string{"confirmed", "hold", "expired hold", "out", "early", "returned", "stamped before", "cancelled", "expired", "cart", "closed", "confirmed"}[rng.IntN(12)]
		var expires, picked, returned any
		switch kind {
		case "hold":
			status, expires = "hold", now.Add(time.Duration(1+rng.IntN(72))*time.Hour)
		case "expired hold":
			status, expires = "hold", now.Add(-time.Duration(1+rng.IntN(72))*time.Hour)
		case "out", "early", "returned", "stamped before":
			if !from.Before(now) {
				kind = "confirmed" // a check-out lies in the past
				break
			}
			if kind == "out" && !to.After(now) {
				to = edge(1 + rng.IntN(3)) // still out, not yet due
			}
			p := from
			if kind == "early" {
				p = from.Add(-time.Duration(1+rng.IntN(20)) * time.Hour)
			}
			status, picked = "out", p
			if kind == "returned" {
				r := to.Add(time.Duration(rng.IntN(13)-6) * time.Hour)
				if r.After(now) {
					r = now
				}
				status, returned = "returned", r
			} else if kind == "stamped before" {
				// A return stamped before its pickup (the schema allows
				// it): its range, buffers and all, is empty and counts on
				// no day.
				status, returned = "returned", p.Add(-time.Duration(bb+ba+60*(1+rng.IntN(5)))*time.Minute)
			} else if to.Before(now) {
				kind = "overdue"
			}
		case "cancelled", "expired", "cart", "closed":
			status = kind
		}
		kinds[kind]++
		var booking int64
		if err := db.QueryRowContext(ctx, `INSERT INTO bookings (customer_id, location_id, status, expires_at, currency, subtotal, tax, total)
		      VALUES ($1, $2, $3, $4, 'EUR', 500, 0, 500) RETURNING id`, customer, loc, status, expires).Scan(&booking); err != nil {
			t.Fatal(err)
		}
		exec(`INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at, picked_up_at, returned_at, unit_price, line_total)
		      VALUES ($1, $2, $3, $4, $5, $6, $7, 500, 500)`, booking, s.tripod.ID, 1+rng.IntN(3), from, to, picked, returned)
	}
	for _, k := range []string{"confirmed", "hold", "expired hold", "out", "early", "overdue", "returned", "stamped before", "cancelled", "expired", "cart", "closed"} {
		if kinds[k] == 0 {
			t.Fatalf("the fixture has no %q line: %v", k, kinds)
		}
	}

	seen, allFree := map[int]bool{}, false
	cases := 0
	compare := func(loc int64, days []store.Span, at time.Time) {
		t.Helper()
		free, capacity, err := st.ItemCalendar(ctx, s.tripod.ID, loc, days, at)
		wantFree, wantCapacity, wantErr := st.ItemCalendarPerDayForTest(ctx, s.tripod.ID, loc, days, at)
		if err != nil || wantErr != nil || !reflect.DeepEqual(free, wantFree) || capacity != wantCapacity {
			t.Fatalf("calendar of the bulk item at %d, %d days from %v, at %v:\n got %v, %d, %v\nwant %v, %d, %v",
				loc, len(days), days[0].From, at, free, capacity, err, wantFree, wantCapacity, wantErr)
		}
		for _, f := range free {
			seen[f] = true
			if f == capacity {
				allFree = true
			}
		}
		cases++
	}
	for _, buffers := range [][2]int{{bb, ba}, {0, 0}, {0, 30}} {
		exec(`UPDATE items SET buffer_before_minutes = $2, buffer_after_minutes = $3 WHERE id = $1`, s.tripod.ID, buffers[0], buffers[1])
		for _, where := range []struct {
			id   int64
			zone *time.Location
		}{{s.berlin.ID, berlin}, {s.sf.ID, sf}} {
			local := now.In(where.zone)
			for _, first := range []int{-21, -4, 0, 3, 12} {
				for _, n := range []int{28, 7, 1} {
					// Local days, as the calendar asks, and periods of two
					// days from ten in the morning, as the next-free search
					// may.
					var days, periods []store.Span
					for d := range n {
						day := time.Date(local.Year(), local.Month(), local.Day()+first+d, 0, 0, 0, 0, where.zone)
						days = append(days, store.Span{From: day, To: time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, where.zone)})
						ten := day.Add(10 * time.Hour)
						periods = append(periods, store.Span{From: ten, To: ten.Add(48 * time.Hour)})
					}
					for _, at := range []time.Time{now, now.Add(5 * time.Hour), now.Add(80 * time.Hour)} {
						compare(where.id, days, at)
						compare(where.id, periods, at)
					}
				}
			}
		}
	}
	// The data must reach both ends: days with every piece free, days with
	// none, and several in between.
	if !allFree || !seen[0] || len(seen) < 6 {
		t.Fatalf("free counts seen over %d calendars: %v, a day all free: %v", cases, seen, allFree)
	}
}
