package booking

import (
	"errors"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
)

// The calendar answers its days and their capacity in one query; each day
// must say what the availability query says for that day, for a serialized
// item with a turnaround buffer and for a bulk item, and an archived item has
// no calendar.
func TestCalendarAgreesWithAvailability(t *testing.T) {
	w := newWorld(t)
	zone := period.Zone(w.zone)
	cam := w.item("Cam", 3, 60, 120)
	chairs := w.bulkItem("Chairs", 5)
	c := w.customer()
	w.mustBook(c, cam, 1, day(1, 9), day(2, 9))
	w.mustBook(c, cam, 2, day(2, 12), day(4, 10))
	w.mustBook(c, chairs, 2, day(1, 10), day(3, 10))
	w.mustBook(c, chairs, 3, day(2, 10), day(2, 16))

	const n = 6
	for _, item := range []int64{cam, chairs} {
		days, err := w.eng.Calendar(w.ctx, item, w.loc, zone, day(0, 12), n)
		if err != nil {
			t.Fatalf("calendar of %d: %v", item, err)
		}
		if len(days) != n {
			t.Fatalf("calendar of %d: %d days, want %d", item, len(days), n)
		}
		first := day(0, 12).In(zone)
		for i, d := range days {
			start := period.Date(first.Year(), first.Month(), first.Day()+i, 0, 0, 0, 0, zone)
			end := period.Date(first.Year(), first.Month(), first.Day()+i+1, 0, 0, 0, 0, zone)
			ia, err := w.eng.ItemAvailability(w.ctx, item, w.loc, start, end)
			if err != nil {
				t.Fatal(err)
			}
			if d.Free != ia.Free || d.Capacity != ia.Capacity || !d.Date.Equal(start) {
				t.Errorf("item %d, %s: calendar says %d of %d free, availability %d of %d", item,
					start.Format(time.DateOnly), d.Free, d.Capacity, ia.Free, ia.Capacity)
			}
			if d.State != dayState(ia.Free, ia.Capacity) {
				t.Errorf("item %d, %s: state %q", item, start.Format(time.DateOnly), d.State)
			}
		}
	}
	// The bookings leave some days partly or fully taken.
	days, err := w.eng.Calendar(w.ctx, cam, w.loc, zone, day(0, 12), n)
	if err != nil {
		t.Fatal(err)
	}
	if days[0].State != DayFree || days[2].State == DayFree {
		t.Errorf("camera days: %+v", days)
	}

	w.exec(`UPDATE items SET archived_at = now() WHERE id = $1`, cam)
	if _, err := w.eng.Calendar(w.ctx, cam, w.loc, zone, day(0, 12), n); !errors.Is(err, ErrNotFound) {
		t.Errorf("archived item's calendar: %v, want not found", err)
	}
}

// The availability queries run prepared, so after a few executions
// PostgreSQL may switch them to one generic plan for every argument; the
// answers must not change when it does. Asked more than five times, the
// items-only shape answers as the page of all items does.
func TestPreparedAvailabilityStaysRight(t *testing.T) {
	w := newWorld(t)
	cam := w.item("Cam", 2, 0, 0)
	lens := w.item("Lens", 1, 0, 0)
	chairs := w.bulkItem("Chairs", 4)
	c := w.customer()
	w.mustBook(c, cam, 1, day(1, 9), day(2, 9))
	w.mustBook(c, lens, 1, day(3, 9), day(4, 9))
	w.mustBook(c, chairs, 3, day(1, 9), day(5, 9))
	for round := 0; round < 8; round++ {
		start, end := day(round%5, 9), day(round%5+1, 9)
		all, err := w.eng.AvailabilityPage(w.ctx, w.loc, start, end, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64][2]int{}
		for _, a := range all {
			want[a.ID] = [2]int{a.Free, a.Capacity}
		}
		for _, ids := range [][]int64{{cam}, {lens, chairs}, {cam, lens, chairs}} {
			some, err := w.eng.AvailabilityOf(w.ctx, w.loc, start, end, ids)
			if err != nil {
				t.Fatal(err)
			}
			if len(some) != len(ids) {
				t.Fatalf("round %d: %d rows for %v", round, len(some), ids)
			}
			for _, a := range some {
				if got := [2]int{a.Free, a.Capacity}; got != want[a.ID] {
					t.Errorf("round %d, item %d: %v free/capacity, the page says %v", round, a.ID, got, want[a.ID])
				}
			}
		}
	}
	if w.free(chairs, day(2, 9), day(3, 9)) != 1 || w.free(cam, day(1, 9), day(2, 9)) != 1 {
		t.Error("the bookings do not show in the availability")
	}
}

// The item page asks when a fully booked item is next free with one query
// for all its candidate periods (FreeFor, several days long and overlapping
// each other); each answer must be what the availability query says for that
// period alone, for a serialized item with turnaround buffers and for a bulk
// item, and stay so once the prepared query may run a generic plan.
func TestFreeForAgreesWithAvailability(t *testing.T) {
	w := newWorld(t)
	cam := w.item("Cam", 2, 60, 120)
	chairs := w.bulkItem("Chairs", 5)
	c := w.customer()
	w.mustBook(c, cam, 1, day(1, 9), day(3, 9))
	w.mustBook(c, cam, 1, day(2, 12), day(5, 10))
	w.mustBook(c, cam, 1, day(6, 9), day(7, 9))
	w.mustBook(c, chairs, 4, day(1, 10), day(4, 10))
	w.mustBook(c, chairs, 1, day(3, 10), day(3, 16))

	seen := map[bool]bool{}
	for round := 0; round < 8; round++ {
		for _, item := range []int64{cam, chairs} {
			// Two-day periods a day apart, as the item page shifts them.
			var spans []store.Span
			for d := range 7 {
				spans = append(spans, store.Span{From: day(round%2+d, 10), To: day(round%2+d+2, 10)})
			}
			free, err := w.eng.FreeFor(w.ctx, item, w.loc, spans)
			if err != nil {
				t.Fatalf("free for of %d: %v", item, err)
			}
			if len(free) != len(spans) {
				t.Fatalf("item %d: %d answers for %d periods", item, len(free), len(spans))
			}
			for i, sp := range spans {
				ia, err := w.eng.ItemAvailability(w.ctx, item, w.loc, sp.From, sp.To)
				if err != nil {
					t.Fatal(err)
				}
				if free[i] != ia.Free {
					t.Errorf("round %d, item %d, %s–%s: %d free in one query, availability says %d", round, item,
						sp.From.Format(time.RFC3339), sp.To.Format(time.RFC3339), free[i], ia.Free)
				}
				seen[ia.Free == 0] = true
			}
		}
	}
	if !seen[true] || !seen[false] {
		t.Errorf("the periods should include free and fully booked ones: %v", seen)
	}
	if free, err := w.eng.FreeFor(w.ctx, cam, w.loc, nil); err != nil || free != nil {
		t.Errorf("no periods: %v, %v", free, err)
	}
	w.exec(`UPDATE items SET archived_at = now() WHERE id = $1`, cam)
	if _, err := w.eng.FreeFor(w.ctx, cam, w.loc, []store.Span{{From: day(1, 10), To: day(2, 10)}}); !errors.Is(err, ErrNotFound) {
		t.Errorf("archived item: %v, want not found", err)
	}
}

// One item is asked with its own query form (an exact lookup), and a page of
// the catalog reads its limit through a sub-select (so that the prepared
// queries keep their generic plans); both must answer what the page of all
// items answers: for a serialized item with turnaround buffers, a bulk item,
// an item customers cannot book online (staff only) and an archived one (no
// one), over rounds enough for the generic plans, and the pages of two must
// list the same items in the same order as the whole list.
func TestOneItemAndPagesAgreeWithAvailability(t *testing.T) {
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

	seen := map[bool]bool{}
	for round := 0; round < 8; round++ {
		start, end := day(round%5, 10), day(round%5+1, 8)
		staff, err := w.eng.Availability(w.ctx, w.loc, start, end, true)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64][2]int{}
		for _, a := range staff {
			want[a.ID] = [2]int{a.Free, a.Capacity}
			seen[a.Free == 0] = true
		}
		for _, item := range []int64{cam, lens, hidden, chairs} {
			ia, err := w.eng.ItemAvailability(w.ctx, item, w.loc, start, end)
			if err != nil {
				t.Fatalf("round %d, item %d: %v", round, item, err)
			}
			if got := [2]int{ia.Free, ia.Capacity}; ia.ID != item || got != want[item] {
				t.Errorf("round %d, item %d: one item says %d %v, the list %v", round, item, ia.ID, got, want[item])
			}
		}
		if _, err := w.eng.ItemAvailability(w.ctx, gone, w.loc, start, end); !errors.Is(err, ErrNotFound) {
			t.Errorf("round %d: archived item: %v, want not found", round, err)
		}
		// Customers: one item at a time, the hidden one is not theirs.
		for _, item := range []int64{cam, chairs, hidden} {
			one, err := w.eng.AvailabilityOf(w.ctx, w.loc, start, end, []int64{item})
			if err != nil {
				t.Fatal(err)
			}
			if item == hidden {
				if len(one) != 0 {
					t.Errorf("round %d: customers see the hidden item: %+v", round, one)
				}
				continue
			}
			if len(one) != 1 || [2]int{one[0].Free, one[0].Capacity} != want[item] {
				t.Errorf("round %d, item %d: %+v, the list says %v", round, item, one, want[item])
			}
		}
		all, err := w.eng.AvailabilityPage(w.ctx, w.loc, start, end, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var paged []store.ItemAvailability
		for after := int64(0); ; {
			page, err := w.eng.AvailabilityPage(w.ctx, w.loc, start, end, after, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) > 2 {
				t.Fatalf("round %d: a page of 2 has %d items", round, len(page))
			}
			paged = append(paged, page...)
			if len(page) < 2 {
				break
			}
			after = page[len(page)-1].ID
		}
		if len(paged) != len(all) || len(all) != 3 {
			t.Fatalf("round %d: pages list %d items, the whole list %d (want 3)", round, len(paged), len(all))
		}
		for i := range all {
			if paged[i].ID != all[i].ID || paged[i].Free != all[i].Free || paged[i].Capacity != all[i].Capacity {
				t.Errorf("round %d, row %d: paged %+v, whole %+v", round, i, paged[i], all[i])
			}
		}
	}
	if !seen[true] || !seen[false] {
		t.Errorf("the rounds should include free and fully booked items: %v", seen)
	}
}
