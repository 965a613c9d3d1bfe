package booking

import (
	"testing"
)

// TestFreeOfAgreesWithAvailabilityOf: the counts without the items
// (FreeOf, what the catalog asks) are AvailabilityOf's, item for item and
// in its order, for a serialized item with turnaround buffers, a bulk item,
// an item customers cannot book online and an archived one (neither
// answered), over rounds enough for the generic plans, for a short list and
// for a list longer than the short form takes.
func TestFreeOfAgreesWithAvailabilityOf(t *testing.T) {
	w := newWorld(t)
	cam := w.item("Cam", 2, 60, 120)
	lens := w.item("Lens", 1, 0, 0)
	hidden := w.item("Hidden drone", 1, 0, 0)
	gone := w.item("Old tripod", 1, 0, 0)
	chairs := w.bulkItem("Chairs", 5)
	c := w.customer()
	w.mustBook(c, cam, 1, day(1, 9), day(3, 9))
	w.mustBook(c, cam, 1, day(2, 12), day(4, 10))
	w.mustBook(c, lens, 1, day(3, 9), day(4, 9))
	w.mustBook(c, chairs, 4, day(1, 10), day(3, 10))
	w.exec(`UPDATE items SET online_bookable = false WHERE id = $1`, hidden)
	w.exec(`UPDATE items SET archived_at = now() WHERE id = $1`, gone)

	short := []int64{chairs, gone, hidden, lens, cam}
	// Ids of no item pad the long list well past the store's short form
	// (64 items).
	long := append([]int64{}, short...)
	for i := int64(1); len(long) < 200; i++ {
		long = append(long, cam+1_000_000+i)
	}
	seen := map[bool]bool{}
	for round := 0; round < 8; round++ {
		start, end := day(round%5, 10), day(round%5+1, 8)
		for _, ids := range [][]int64{short, long} {
			want, err := w.eng.AvailabilityOf(w.ctx, w.loc, start, end, ids)
			if err != nil {
				t.Fatal(err)
			}
			got, err := w.eng.FreeOf(w.ctx, w.loc, start, end, ids)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) || len(got) != 3 {
				t.Fatalf("round %d, %d ids: %d counts, %d items in the availability (want 3)", round, len(ids), len(got), len(want))
			}
			for i, a := range want {
				if f := got[i]; f.ID != a.ID || f.Free != a.Free || f.Capacity != a.Capacity {
					t.Errorf("round %d, %d ids, row %d: counts %+v, availability %d %d of %d", round, len(ids), i, f, a.ID, a.Free, a.Capacity)
				}
				seen[a.Free == 0] = true
			}
		}
	}
	if !seen[true] || !seen[false] {
		t.Errorf("the rounds never saw both a free and a fully booked item: %v", seen)
	}
}
