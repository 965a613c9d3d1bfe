package booking

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// B1: the schema has the exclusion constraint, read back from pg_constraint.
func TestB1ExclusionConstraintInSchema(t *testing.T) {
	w := newWorld(t)
	var def string
	err := w.st.DB().QueryRowContext(w.ctx, `
		SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
		WHERE c.conrelid = 'unit_allocations'::regclass AND c.contype = 'x' AND c.conname = $1`, store.NoOverlapConstraint).Scan(&def)
	if err != nil {
		t.Fatalf("exclusion constraint missing: %v", err)
	}
	want := "EXCLUDE USING gist (unit_id WITH =, occupied WITH &&) WHERE (active)"
	if def != want {
		t.Fatalf("constraint is %q, want %q", def, want)
	}
	if n := w.id(`SELECT count(*) FROM pg_extension WHERE extname = 'btree_gist'`); n != 1 {
		t.Fatal("btree_gist is not installed")
	}
}

// B2 at the engine: 50 bookings of the last unit at once over overlapping
// periods; exactly one wins, the others are conflicts naming the item.
// (The same through HTTP, repeated 20×, is in web.)
func TestB2LastUnitEngine(t *testing.T) {
	w := newWorld(t)
	item := w.item("Canon R6", 1, 0, 0)
	customers := make([]int64, 50)
	for i := range customers {
		customers[i] = w.customer()
	}
	for rep := range 3 {
		var ok, conflict, other atomic.Int32
		together(t, 50, 60*time.Second, func(i int) {
			start := day(10*rep, i%5)
			_, err := w.book(customers[i], item, 1, start, start.Add(48*time.Hour))
			var ce *ConflictError
			switch {
			case err == nil:
				ok.Add(1)
			case errors.As(err, &ce) && strings.Contains(ce.Error(), "Canon R6"):
				conflict.Add(1)
			default:
				other.Add(1)
				t.Errorf("unexpected error: %v", err)
			}
		})
		if ok.Load() != 1 || conflict.Load() != 49 || other.Load() != 0 {
			t.Fatalf("rep %d: %d succeeded, %d conflicts, %d other; want 1/49/0", rep, ok.Load(), conflict.Load(), other.Load())
		}
		if n := w.overlaps(); n != 0 {
			t.Fatalf("%d overlapping active allocations", n)
		}
	}
}

// B3: half-open periods meet without overlapping; empty and reversed periods
// are refused before any SQL (the engine below has a closed database).
func TestB3HalfOpenPeriods(t *testing.T) {
	w := newWorld(t)
	item := w.item("Bike", 1, 0, 0)
	c := w.customer()
	mon, tue, wed, thu, fri := day(0, 10), day(1, 10), day(2, 10), day(3, 10), day(4, 10)
	w.mustBook(c, item, 1, mon, wed)
	w.mustBook(c, item, 1, wed, fri)
	if _, err := w.book(c, item, 1, tue, thu); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("[Tue,Thu) against [Mon,Wed): %v, want a conflict", err)
	}

	closed, _ := newWorldStore(t)
	closed.Close()
	eng := New(closed, w.clock.Now, flatPricer{})
	for name, p := range map[string][2]time.Time{"empty": {wed, wed}, "reversed": {thu, tue}} {
		_, err := eng.Book(w.ctx, Request{CustomerID: c, LocationID: w.loc, Lines: []LineRequest{{ItemID: item, Quantity: 1, Start: p[0], End: p[1]}}})
		var fe FieldErrors
		if !errors.As(err, &fe) || fe["end"] == "" {
			t.Errorf("%s period: %v, want a field error on end (before SQL)", name, err)
		}
	}
}

func newWorldStore(t *testing.T) (*store.Store, string) {
	t.Helper()
	w := newWorld(t)
	return w.st, w.url
}

// B4: cancelling frees the slot; re-confirming the cancelled booking after the
// slot went elsewhere is a conflict and writes no allocation.
func TestB4CancelFreesAndReconfirmConflicts(t *testing.T) {
	w := newWorld(t)
	item := w.item("Drone", 1, 0, 0)
	a, b := w.customer(), w.customer()
	first := w.mustBook(a, item, 1, day(1, 9), day(3, 9))
	if _, err := w.book(b, item, 1, day(2, 9), day(4, 9)); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second booking before cancel: %v", err)
	}
	if err := w.eng.Cancel(w.ctx, first, Owner(a), Actor{UserID: a}); err != nil {
		t.Fatal(err)
	}
	w.mustBook(b, item, 1, day(2, 9), day(4, 9))
	err := w.eng.Confirm(w.ctx, first, Actor{})
	var ce *ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("re-confirm: %v, want a conflict", err)
	}
	if n := w.id(`SELECT count(*) FROM unit_allocations a JOIN booking_lines l ON l.id = a.booking_line_id
		WHERE l.booking_id = $1 AND a.active`, first); n != 0 {
		t.Fatalf("%d active allocations for the cancelled booking", n)
	}
	if got := w.booking(first).Status; got != store.BookingCancelled {
		t.Fatalf("status %s after refused re-confirm", got)
	}
}
