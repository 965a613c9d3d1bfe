package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// Availability looks for open check-outs that keep a unit busy outside the
// range it occupies only on the units an index lists at the instant asked
// (overdue, or handed out before its range starts), and for allocations
// overlapping the window in a btree index by end and start instead of the
// GiST index; in every form (a list, a page, one item; few items or many)
// it must answer exactly as the former form, which probed every unit's open
// check-outs, on the allocation history of TestItemCalendarAgreesWithPerDay
// (held, expired holds, out, overdue, returned early, cancelled, buffers, a
// unit out of service, another location, a bulk item) and three more open
// check-outs: handed out early, without an end, without a due time; at
// instants before, at and after their due times.
func TestAvailabilityAgreesWithProbingEveryUnit(t *testing.T) {
	s := newShop(t)
	st, ctx := s.st, s.ctx
	db := st.DB()
	now := time.Date(2026, 3, 10, 9, 17, 0, 0, time.UTC)
	seedAllocationHistory(t, s, now)

	odd, err := st.CreateUnits(ctx, s.r6.ID, s.berlin.ID, []string{"R6-EARLY", "R6-OPEN-END", "R6-NO-DUE"}, "")
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range []struct {
		from, to, picked time.Time
		noEnd, noDue     bool
	}{
		// Handed out a day before its range, due in four days.
		{from: now.Add(-2 * time.Hour), to: now.Add(4 * 24 * time.Hour), picked: now.Add(-26 * time.Hour)},
		// No end to its range.
		{from: now.Add(-5 * 24 * time.Hour), picked: now.Add(-5 * 24 * time.Hour), noEnd: true},
		// No due time, its range over in two days.
		{from: now.Add(-24 * time.Hour), to: now.Add(2 * 24 * time.Hour), picked: now.Add(-24 * time.Hour), noDue: true},
	} {
		var block int64
		var to, due any = a.to, a.to
		if a.noEnd {
			to, due = nil, now.Add(24*time.Hour)
		}
		if a.noDue {
			due = nil
		}
		if err := db.QueryRowContext(ctx, `INSERT INTO maintenance_blocks (unit_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, 'test') RETURNING id`,
			odd[i].ID, a.from, to).Scan(&block); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO unit_allocations (unit_id, maintenance_id, occupied, picked_up_at, due_at)
		      VALUES ($1, $2, tstzrange($3, $4), $5, $6)`, odd[i].ID, block, a.from, to, a.picked, due); err != nil {
			t.Fatal(err)
		}
	}

	seen := map[int]bool{}
	n := 0
	for _, start := range []time.Time{now.Add(-3 * 24 * time.Hour), now.Add(-27 * time.Hour), now.Truncate(time.Hour),
		now.Add(26 * time.Hour), now.Add(3*24*time.Hour + 13*time.Hour), now.Add(5 * 24 * time.Hour), now.Add(30 * 24 * time.Hour)} {
		for _, length := range []time.Duration{24 * time.Hour, 7 * time.Hour, 90 * time.Minute, 7 * 24 * time.Hour} {
			for _, at := range []time.Time{now.Add(-30 * time.Hour), now, now.Add(2 * time.Hour), now.Add(3 * 24 * time.Hour), now.Add(6 * 24 * time.Hour)} {
				for _, loc := range []int64{s.berlin.ID, s.sf.ID} {
					for _, hidden := range []bool{false, true} {
						q := store.AvailabilityQuery{LocationID: loc, From: start, To: start.Add(length), Now: at, Hidden: hidden,
							ItemIDs: []int64{s.r6.ID, s.tripod.ID}}
						want, err := st.ListAvailabilityFormerForTest(ctx, q)
						if err != nil {
							t.Fatal(err)
						}
						// The list (few items), every item (a page without a limit,
						// unitBusyOfMany) and a page of at most fewItems (/book's).
						for _, form := range []store.AvailabilityQuery{q, {LocationID: loc, From: q.From, To: q.To, Now: at, Hidden: hidden},
							{LocationID: loc, From: q.From, To: q.To, Now: at, Hidden: hidden, Limit: 51}} {
							got, err := st.ListAvailability(ctx, form)
							if err != nil {
								t.Fatal(err)
							}
							if !reflect.DeepEqual(got, want) {
								t.Fatalf("availability at %d for [%v, %v) at %v (items %v):\n got %+v\nwant %+v",
									loc, q.From, q.To, at, form.ItemIDs, got, want)
							}
						}
						// The list as more than fewItems take it (unitBusyOfMany);
						// q itself, two items, took the few items' form.
						many, err := st.ListAvailabilityOfManyForTest(ctx, q)
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(many, want) {
							t.Fatalf("availability of many at %d for [%v, %v) at %v:\n got %+v\nwant %+v",
								loc, q.From, q.To, at, many, want)
						}
						// A later page of one item.
						if len(want) > 1 {
							got, err := st.ListAvailability(ctx, store.AvailabilityQuery{LocationID: loc, From: q.From, To: q.To, Now: at,
								Hidden: hidden, AfterID: want[0].ID, Limit: 1})
							if err != nil {
								t.Fatal(err)
							}
							if !reflect.DeepEqual(got, want[1:2]) {
								t.Fatalf("availability's second page at %d for [%v, %v) at %v:\n got %+v\nwant %+v",
									loc, q.From, q.To, at, got, want[1:2])
							}
						}
						// Each item alone: the item page's form (unitBusyOfOne).
						for _, w := range want {
							one := q
							one.ItemIDs = []int64{w.ID}
							got, err := st.ListAvailability(ctx, one)
							if err != nil {
								t.Fatal(err)
							}
							if !reflect.DeepEqual(got, []store.ItemAvailability{w}) {
								t.Fatalf("availability of item %d at %d for [%v, %v) at %v:\n got %+v\nwant %+v",
									w.ID, loc, q.From, q.To, at, got, w)
							}
						}
						for _, a := range want {
							if a.ID == s.r6.ID && loc == s.berlin.ID {
								seen[a.Free] = true
							}
						}
						n++
					}
				}
			}
		}
	}
	// Berlin has ten R6 units in service: the windows must meet most of
	// them busy and most of them free.
	if len(seen) < 4 {
		t.Fatalf("free counts seen in %d windows: %v", n, seen)
	}
	t.Logf("%d windows, free counts seen: %v", n, seen)
}
