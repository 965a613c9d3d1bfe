package booking

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/rentdesk/rentdesk/internal/store"
)

// seedHistory books, from a fixed seed, lines of random length over the
// first weeks for each item (quantity 1 or 2); the engine refuses what does
// not fit, so the history is dense in places and empty in others.
func seedHistory(w *world, rng *rand.Rand, items []int64, attempts int) {
	w.t.Helper()
	c := w.customer()
	for range attempts {
		item := items[rng.IntN(len(items))]
		start := day(rng.IntN(40), 8+rng.IntN(8))
		end := start.Add(time.Duration(4+rng.IntN(24*6)) * time.Hour)
		_, _ = w.book(c, item, 1+rng.IntN(2), start, end)
	}
}

// The item page's search for when a fully booked item is next free asks its
// candidate periods a window at a time and stops at the first free one
// (Alternatives' NextFree); over seeded histories it must name the same period as asking
// every candidate at once (FreeFor) and taking the first with any free: for
// serialized items with and without buffers and a bulk item, periods of
// several lengths, answers inside the first window, after it and none.
func TestFirstFreeAgreesWithFreeFor(t *testing.T) {
	w := newWorld(t)
	cam := w.item("Cam", 2, 60, 120)
	lens := w.item("Lens", 1, 0, 0)
	drone := w.item("Drone", 1, 30, 30)
	chairs := w.bulkItem("Chairs", 3)
	items := []int64{cam, lens, drone, chairs}
	rng := rand.New(rand.NewPCG(11, 2031))
	seedHistory(w, rng, items, 160)
	// A long booking makes the lens fully booked for more than a window.
	c := w.customer()
	_, _ = w.book(c, lens, 1, day(41, 9), day(56, 9))

	seen := map[string]int{}
	for round := range 24 {
		for _, item := range items {
			from := day(round*2%44, 9+round%3)
			length := time.Duration(1+round%4*2) * 24 * time.Hour
			if round%5 == 0 {
				length = 5 * time.Hour
			}
			var spans []store.Span
			for d := 1; d <= 28; d++ {
				s := from.AddDate(0, 0, d)
				spans = append(spans, store.Span{From: s, To: s.Add(length)})
			}
			free, err := w.eng.FreeFor(w.ctx, item, w.loc, spans)
			if err != nil {
				t.Fatal(err)
			}
			want := -1
			for i, f := range free {
				if f > 0 {
					want = i
					break
				}
			}
			alt, err := w.eng.Alternatives(w.ctx, store.AlternativesQuery{ItemID: item, LocationID: w.loc, Spans: spans})
			if err != nil {
				t.Fatal(err)
			}
			got := alt.NextFree
			if got != want {
				t.Errorf("round %d, item %d from %s: first free is period %d, all at once says %d (%v)",
					round, item, from.Format(time.RFC3339), got, want, free)
			}
			switch {
			case want < 0:
				seen["none"]++
			case want < nextFreeWindow:
				seen["in the first window"]++
			default:
				seen["after it"]++
			}
		}
	}
	for _, k := range []string{"none", "in the first window", "after it"} {
		if seen[k] == 0 {
			t.Errorf("the histories should give answers %s: %v", k, seen)
		}
	}
	if got, err := w.eng.Alternatives(w.ctx, store.AlternativesQuery{ItemID: cam, LocationID: w.loc}); err != nil || got.NextFree != -1 {
		t.Errorf("no periods: %+v, %v", got, err)
	}
	w.exec(`UPDATE items SET archived_at = now() WHERE id = $1`, cam)
	if _, err := w.eng.Alternatives(w.ctx, store.AlternativesQuery{ItemID: cam, LocationID: w.loc,
		Spans: []store.Span{{From: day(1, 10), To: day(2, 10)}}}); !errors.Is(err, ErrNotFound) {
		t.Errorf("archived item: %v, want not found", err)
	}
}

// The similar items of a fully booked page are the first three with any free
// of the category's list, asked in one query that stops at the third
// (Alternatives' Similar); over seeded histories they must be the same items, in the same
// order and with the same counts, as asking the whole list at once
// (AvailabilityOf) and keeping the first three free, also when the first few
// are booked (the walk goes on past them), and an item customers cannot book
// online is never one of them.
func TestFreeAmongAgreesWithAvailabilityOf(t *testing.T) {
	w := newWorld(t)
	rng := rand.New(rand.NewPCG(7, 2031))
	var items []int64
	// Names in an order other than the ids', so the list's order matters.
	for _, i := range rng.Perm(14) {
		items = append(items, w.item(fmt.Sprintf("Tool %02d", i), 1+i%2, 0, 60*(i%2)))
	}
	items = append(items, w.bulkItem("tool 05b", 2))
	w.exec(`UPDATE items SET online_bookable = false WHERE id = $1`, items[3])
	seedHistory(w, rng, items, 260)
	ordered := w.byName(items)

	seen := map[string]int{}
	for round := range 30 {
		start := day(round*4%40, 10)
		end := start.Add(time.Duration(1+round%3) * 24 * time.Hour)
		ids := ordered[round%3:]
		all, err := w.eng.AvailabilityOf(w.ctx, w.loc, start, end, ids)
		if err != nil {
			t.Fatal(err)
		}
		var want []store.ItemAvailability
		bookedFirst := 0
		for _, a := range all {
			if a.Free > 0 && len(want) < 3 {
				want = append(want, a)
			}
			if a.Free == 0 && len(want) < 3 {
				bookedFirst++
			}
		}
		alt, err := w.eng.Alternatives(w.ctx, store.AlternativesQuery{LocationID: w.loc, From: start, To: end, Similar: ids, N: 3})
		if err != nil {
			t.Fatal(err)
		}
		got := alt.Similar
		if fmt.Sprint(brief(got)) != fmt.Sprint(brief(want)) {
			t.Errorf("round %d, %s: free among says %v, the whole list %v", round, start.Format(time.RFC3339), brief(got), brief(want))
		}
		for _, a := range got {
			if a.ID == items[3] {
				t.Errorf("round %d: the item not bookable online is suggested", round)
			}
		}
		if bookedFirst >= 3 {
			seen["past three booked"]++
		} else {
			seen["the first few enough"]++
		}
	}
	if seen["past three booked"] == 0 || seen["the first few enough"] == 0 {
		t.Errorf("the histories should need a walk past booked items and not: %v", seen)
	}
	if got, err := w.eng.Alternatives(w.ctx, store.AlternativesQuery{LocationID: w.loc, From: day(1, 10), To: day(2, 10), N: 3}); err != nil || len(got.Similar) != 0 {
		t.Errorf("no items: %v, %v", got, err)
	}
}

// byName is the items in the public list's order (by name).
func (w *world) byName(items []int64) []int64 {
	w.t.Helper()
	var ordered []int64
	rows, err := w.st.DB().QueryContext(w.ctx, `SELECT id FROM items WHERE id = ANY($1) ORDER BY lower(name), id`, pq.Array(items))
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			w.t.Fatal(err)
		}
		ordered = append(ordered, id)
	}
	return ordered
}

// brief is what a suggestion shows of an availability row: item, free, capacity.
func brief(as []store.ItemAvailability) [][3]int64 {
	var out [][3]int64
	for _, a := range as {
		out = append(out, [3]int64{a.ID, int64(a.Free), int64(a.Capacity)})
	}
	return out
}

// A fully booked item's page asks both alternatives in one query
// (Alternatives); over seeded histories each half must give what it gives
// asked alone against the plain queries: the first span with any free by
// FreeFor over every candidate, and the first three free of the list by
// AvailabilityOf, whatever the other half finds (none, in the first window,
// after it; some items booked before the third free or none).
func TestAlternativesAgreesWithFreeForAndAvailabilityOf(t *testing.T) {
	w := newWorld(t)
	rng := rand.New(rand.NewPCG(5, 2031))
	var items []int64
	for _, i := range rng.Perm(10) {
		items = append(items, w.item(fmt.Sprintf("Kit %02d", i), 1+i%2, 30*(i%3), 60*(i%2)))
	}
	items = append(items, w.bulkItem("kit 04b", 2))
	seedHistory(w, rng, items, 220)
	_, _ = w.book(w.customer(), items[0], 1, day(41, 9), day(56, 9))
	ordered := w.byName(items)

	seen := map[string]int{}
	for round := range 24 {
		item := items[round%len(items)]
		if round%4 == 0 {
			item = items[0]
		}
		start := day(round*3%44, 9+round%3)
		end := start.Add(time.Duration(1+round%4*2) * 24 * time.Hour)
		var spans []store.Span
		for d := 1; d <= 28; d++ {
			spans = append(spans, store.Span{From: start.AddDate(0, 0, d), To: end.AddDate(0, 0, d)})
		}
		var similar []int64
		for _, id := range ordered[round%3:] {
			if id != item {
				similar = append(similar, id)
			}
		}
		free, err := w.eng.FreeFor(w.ctx, item, w.loc, spans)
		if err != nil {
			t.Fatal(err)
		}
		wantNext := slices.IndexFunc(free, func(f int) bool { return f > 0 })
		all, err := w.eng.AvailabilityOf(w.ctx, w.loc, start, end, similar)
		if err != nil {
			t.Fatal(err)
		}
		var want []store.ItemAvailability
		for _, a := range all {
			if a.Free > 0 && len(want) < 3 {
				want = append(want, a)
			}
		}
		got, err := w.eng.Alternatives(w.ctx, store.AlternativesQuery{ItemID: item, LocationID: w.loc, From: start, To: end,
			Spans: spans, Similar: similar, N: 3})
		if err != nil {
			t.Fatal(err)
		}
		if got.NextFree != wantNext || fmt.Sprint(brief(got.Similar)) != fmt.Sprint(brief(want)) {
			t.Errorf("round %d, item %d from %s: alternatives say next free %d, similar %v; alone %d, %v",
				round, item, start.Format(time.RFC3339), got.NextFree, brief(got.Similar), wantNext, brief(want))
		}
		switch {
		case wantNext < 0:
			seen["no next free"]++
		case wantNext < nextFreeWindow:
			seen["next free in the first window"]++
		default:
			seen["next free after it"]++
		}
		if len(want) < 3 {
			seen["fewer than three similar"]++
		} else {
			seen["three similar"]++
		}
	}
	for _, k := range []string{"next free in the first window", "next free after it", "three similar"} {
		if seen[k] == 0 {
			t.Errorf("the histories should give answers with %s: %v", k, seen)
		}
	}
}
