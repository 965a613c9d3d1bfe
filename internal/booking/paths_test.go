package booking

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
)

// B5: every write path pointed at an occupied slot is refused with a conflict,
// leaves no overlap and changes nothing.
func TestB5EveryWritePathRefusesAnOccupiedSlot(t *testing.T) {
	w := newWorld(t)
	staff := w.customer()
	cases := []struct {
		name string
		// setup returns the action to try against what it booked.
		setup func(t *testing.T, name string) func() error
	}{
		{"customer create", func(t *testing.T, name string) func() error {
			item := w.item(name, 1, 0, 0)
			w.mustBook(w.customer(), item, 1, day(1, 9), day(3, 9))
			c := w.customer()
			return func() error {
				_, err := w.eng.Book(w.ctx, Request{CustomerID: c, LocationID: w.loc, Online: true, Actor: Actor{UserID: c},
					Lines: []LineRequest{{ItemID: item, Quantity: 1, Start: day(2, 9), End: day(4, 9)}}})
				return err
			}
		}},
		{"staff create", func(t *testing.T, name string) func() error {
			item := w.item(name, 1, 0, 0)
			w.mustBook(w.customer(), item, 1, day(1, 9), day(3, 9))
			c := w.customer()
			return func() error {
				_, err := w.eng.Book(w.ctx, Request{CustomerID: c, LocationID: w.loc, Actor: Actor{UserID: staff},
					Lines: []LineRequest{{ItemID: item, Quantity: 1, Start: day(2, 9), End: day(4, 9)}}})
				return err
			}
		}},
		{"extend", func(t *testing.T, name string) func() error {
			item := w.item(name, 1, 0, 0)
			a := w.mustBook(w.customer(), item, 1, day(1, 9), day(3, 9))
			w.mustBook(w.customer(), item, 1, day(4, 9), day(6, 9))
			line := w.booking(a).Lines[0].ID
			return func() error {
				return w.eng.ChangeLinePeriod(w.ctx, PeriodChange{BookingID: a, LineID: line, Start: day(1, 9), End: day(5, 9)})
			}
		}},
		{"shorten", func(t *testing.T, name string) func() error {
			item := w.item(name, 1, 0, 0)
			w.mustBook(w.customer(), item, 1, day(1, 9), day(3, 9))
			a := w.mustBook(w.customer(), item, 1, day(3, 9), day(7, 9))
			line := w.booking(a).Lines[0].ID
			return func() error { // four days down to two, but starting inside the other booking
				return w.eng.ChangeLinePeriod(w.ctx, PeriodChange{BookingID: a, LineID: line, Start: day(2, 9), End: day(4, 9)})
			}
		}},
		{"change unit", func(t *testing.T, name string) func() error {
			item := w.item(name, 2, 0, 0)
			a := w.mustBook(w.customer(), item, 1, day(1, 9), day(3, 9))
			w.mustBook(w.customer(), item, 1, day(2, 9), day(4, 9)) // holds unit 2
			line := w.booking(a).Lines[0].ID
			return func() error {
				return w.eng.ChangeUnit(w.ctx, UnitChange{BookingID: a, LineID: line, ToTag: name + "-2"})
			}
		}},
		{"check-out scan", func(t *testing.T, name string) func() error {
			item := w.item(name, 2, 0, 0)
			a := w.mustBook(w.customer(), item, 1, day(1, 9), day(3, 9))
			w.mustBook(w.customer(), item, 1, day(1, 9), day(3, 9)) // holds unit 2
			return func() error { return w.eng.CheckOut(w.ctx, a, name+"-2", Actor{UserID: staff}) }
		}},
		{"early check-out scan", func(t *testing.T, name string) func() error {
			item := w.item(name, 1, 0, 0)
			a := w.mustBook(w.customer(), item, 1, day(5, 9), day(6, 9))
			w.mustBook(w.customer(), item, 1, day(2, 9), day(3, 9)) // between now and a's start
			return func() error { return w.eng.CheckOut(w.ctx, a, name+"-1", Actor{UserID: staff}) }
		}},
		{"maintenance block", func(t *testing.T, name string) func() error {
			item := w.item(name, 1, 0, 0)
			w.mustBook(w.customer(), item, 1, day(1, 9), day(3, 9))
			unit := w.unitID(name + "-1")
			return func() error {
				_, err := w.eng.BlockForMaintenance(w.ctx, MaintenanceRequest{UnitID: unit, Start: day(2, 9), End: day(4, 9), Reason: "sensor clean"})
				return err
			}
		}},
		{"bulk stock lowered", func(t *testing.T, name string) func() error {
			item := w.bulkItem(name, 5)
			w.mustBook(w.customer(), item, 5, day(1, 9), day(3, 9))
			return func() error { return w.eng.SetBulkStock(w.ctx, item, map[int64]int{w.loc: 1}, Actor{UserID: staff}) }
		}},
		{"bulk buffers widened", func(t *testing.T, name string) func() error {
			item := w.bulkItem(name, 1)
			w.mustBook(w.customer(), item, 1, day(1, 9), day(2, 9))
			w.mustBook(w.customer(), item, 1, day(2, 10), day(3, 9)) // an hour apart: fine without a buffer
			return func() error {
				return w.st.WithTx(w.ctx, func(tx *store.Store) error {
					it, err := tx.GetItemForUpdate(w.ctx, item)
					if err != nil {
						return err
					}
					it.BufferAfterMinutes = 120
					if _, err := tx.UpdateItem(w.ctx, it); err != nil {
						return err
					}
					return w.eng.CheckBulkCapacity(w.ctx, tx, item)
				})
			}
		}},
		{"CSV import of item buffers", func(t *testing.T, name string) func() error {
			item := w.bulkItem(name, 1)
			w.mustBook(w.customer(), item, 1, day(1, 9), day(2, 9))
			w.mustBook(w.customer(), item, 1, day(2, 10), day(3, 9))
			return func() error {
				return w.st.WithTx(w.ctx, func(tx *store.Store) error {
					it, err := tx.GetItem(w.ctx, item)
					if err != nil {
						return err
					}
					it.BufferBeforeMinutes = 90
					_, err = tx.ApplyItemImport(w.ctx, []catalog.ItemRow{{Row: 2, Item: it}}, w.clock.Now())
					return err
				})
			}
		}},
		{"unit form (status)", func(t *testing.T, name string) func() error {
			item := w.item(name, 1, 0, 0)
			w.mustBook(w.customer(), item, 1, day(1, 9), day(3, 9))
			unit := w.unitID(name + "-1")
			return func() error {
				return w.st.WithTx(w.ctx, func(tx *store.Store) error {
					u, err := tx.GetUnit(w.ctx, unit)
					if err != nil {
						return err
					}
					u.Status = "maintenance"
					_, err = tx.UpdateUnit(w.ctx, u)
					return err
				})
			}
		}},
		{"CSV import of unit item", func(t *testing.T, name string) func() error {
			item := w.item(name, 1, 0, 0)
			other := w.item(name+"X", 0, 0, 0)
			w.mustBook(w.customer(), item, 1, day(1, 9), day(3, 9))
			var slug, loc string
			if err := w.st.DB().QueryRowContext(w.ctx, `SELECT i.slug, l.slug FROM items i, locations l WHERE i.id = $1 AND l.id = $2`, other, w.loc).Scan(&slug, &loc); err != nil {
				t.Fatal(err)
			}
			return func() error {
				return w.st.WithTx(w.ctx, func(tx *store.Store) error {
					_, err := tx.ApplyUnitImport(w.ctx, []catalog.UnitRow{{Row: 2, AssetTag: name + "-1", Item: slug, Location: loc, Status: "available"}})
					return err
				})
			}
		}},
		{"CSV import of unit status", func(t *testing.T, name string) func() error {
			item := w.item(name, 1, 0, 0)
			w.mustBook(w.customer(), item, 1, day(1, 9), day(3, 9))
			var slug, loc string
			if err := w.st.DB().QueryRowContext(w.ctx, `SELECT i.slug, l.slug FROM items i, locations l WHERE i.id = $1 AND l.id = $2`, item, w.loc).Scan(&slug, &loc); err != nil {
				t.Fatal(err)
			}
			return func() error {
				return w.st.WithTx(w.ctx, func(tx *store.Store) error {
					_, err := tx.ApplyUnitImport(w.ctx, []catalog.UnitRow{{Row: 2, AssetTag: name + "-1", Item: slug, Location: loc, Status: "retired"}})
					if err != nil {
						return err
					}
					return nil
				})
			}
		}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			try := tc.setup(t, "P"+string(rune('A'+i)))
			before := w.activeAllocations()
			err := try()
			var ce *ConflictError
			var short *CapacityError
			if !errors.Is(err, store.ErrConflict) || (!errors.As(err, &ce) && !errors.As(err, &short) &&
				!strings.Contains(err.Error(), "held by booking") && !strings.Contains(err.Error(), "would overbook")) {
				t.Fatalf("got %v, want a conflict naming what holds the slot", err)
			}
			if after := w.activeAllocations(); after != before {
				t.Errorf("active allocations %d → %d after a refused write", before, after)
			}
			if n := w.overlaps(); n != 0 {
				t.Errorf("%d overlapping allocations", n)
			}
		})
	}
	if n := w.id(`SELECT count(*) FROM units WHERE status <> 'available'`); n != 0 {
		t.Errorf("%d units changed status through a refused write", n)
	}
	if n := w.id(`SELECT count(*) FROM units u JOIN items i ON i.id = u.item_id WHERE u.asset_tag <> i.name || '-' || split_part(u.asset_tag, '-', 2)`); n != 0 {
		t.Errorf("%d units moved to another item through a refused write", n)
	}
	if n := w.id(`SELECT count(*) FROM items WHERE buffer_after_minutes > 0 OR buffer_before_minutes > 0`); n != 0 {
		t.Errorf("%d items kept buffers a refused edit widened", n)
	}
	if n := w.id(`SELECT count(*) FROM bulk_stock WHERE quantity = 5`); n != 1 {
		t.Errorf("the stock of 5 booked chairs was lowered by a refused write")
	}
}

// B6: bulk stock takes the peak of concurrent use, not the sum of overlaps,
// and 50 requests at once for a stock of 5 make exactly 5 bookings.
func TestB6BulkCapacity(t *testing.T) {
	w := newWorld(t)
	chairs := w.bulkItem("Chair", 5)
	var ok, conflict atomic.Int32
	cust := make([]int64, 50)
	for i := range cust {
		cust[i] = w.customer()
	}
	together(t, 50, 60*time.Second, func(i int) {
		_, err := w.book(cust[i], chairs, 1, day(1, 9+i%3), day(2, 9))
		switch {
		case err == nil:
			ok.Add(1)
		case errors.Is(err, store.ErrConflict):
			conflict.Add(1)
		default:
			t.Errorf("unexpected: %v", err)
		}
	})
	if ok.Load() != 5 || conflict.Load() != 45 {
		t.Fatalf("%d succeeded, %d conflicts; want 5/45", ok.Load(), conflict.Load())
	}

	tents := w.bulkItem("Tent", 2)
	c := w.customer()
	w.mustBook(c, tents, 1, day(1, 0), day(3, 0)) // A
	w.mustBook(c, tents, 1, day(5, 0), day(7, 0)) // B
	if got := w.free(tents, day(2, 0), day(6, 0)); got != 1 {
		t.Fatalf("free over [2,6) = %d, want 1 (peak 1)", got)
	}
	w.mustBook(c, tents, 1, day(2, 0), day(6, 0)) // C: peak is 2
	if _, err := w.book(c, tents, 1, day(2, 0), day(3, 0)); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("D = [2,3): %v, want a conflict", err)
	}
	// Touching periods never consume each other.
	w.mustBook(c, tents, 2, day(7, 0), day(9, 0))
	w.mustBook(c, tents, 1, day(3, 0), day(5, 0))
}

// B7: the availability check and the write share one transaction under the
// constraint or the lock. A booking paused between check and write cannot
// commit alongside a concurrent one.
func TestB7CheckAndWriteAreOneTransaction(t *testing.T) {
	for _, kind := range []string{"unit", "bulk"} {
		t.Run(kind, func(t *testing.T) {
			w := newWorld(t)
			var item int64
			if kind == "unit" {
				item = w.item("Lens", 1, 0, 0)
			} else {
				item = w.bulkItem("Speaker", 1)
			}
			a, b := w.customer(), w.customer()
			paused, release := make(chan struct{}), make(chan struct{})
			slow := New(w.st, w.clock.Now, flatPricer{})
			var once atomic.Bool
			slow.beforeWrite = func(ctx context.Context) {
				if once.CompareAndSwap(false, true) {
					close(paused)
					<-release
				}
			}
			errA := make(chan error, 1)
			go func() {
				_, err := slow.Book(w.ctx, Request{CustomerID: a, LocationID: w.loc, Lines: []LineRequest{{ItemID: item, Quantity: 1, Start: day(1, 9), End: day(2, 9)}}})
				errA <- err
			}()
			waitFor(t, paused, "A to pause between check and write")
			errB := make(chan error, 1)
			go func() {
				_, err := w.book(b, item, 1, day(1, 12), day(2, 12))
				errB <- err
			}()
			// B waits on A's lock (the unit's row or the stock row): it cannot
			// even finish, let alone commit, while A sits between check and write.
			select {
			case eB := <-errB:
				t.Fatalf("B finished (%v) while A held the lock", eB)
			case <-time.After(300 * time.Millisecond):
			}
			close(release)
			eA, eB := waitErr(t, errA), waitErr(t, errB)
			if eA != nil || !errors.Is(eB, store.ErrConflict) {
				t.Fatalf("A: %v, B: %v; want A booked and B refused", eA, eB)
			}
			// The constraint is still the last word: with the lock bypassed, a
			// write that skips the check is refused by PostgreSQL itself.
			if kind == "unit" {
				err := w.st.WithTx(w.ctx, func(tx *store.Store) error {
					_, err := tx.InsertAllocation(w.ctx, store.NewAllocation{UnitID: w.unitID("Lens-1"),
						MaintenanceID: mustMaintenance(t, tx, w.unitID("Lens-1")), Occupied: store.Span{From: day(1, 0), To: day(3, 0)}})
					return err
				})
				if !errors.Is(err, store.ErrConflict) || store.ConstraintOf(err) != store.NoOverlapConstraint {
					t.Fatalf("raw overlapping insert: %v", err)
				}
			}
			if n := w.id(`SELECT count(*) FROM bookings WHERE status = 'confirmed'`); n != 1 {
				t.Fatalf("%d confirmed bookings, want 1", n)
			}
		})
	}
}

func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func waitErr(t *testing.T, ch <-chan error) error {
	t.Helper()
	select {
	case err := <-ch:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for a booking to finish")
		return nil
	}
}

// B9: the same form submitted twice, one after the other or at once, makes one
// booking; the repeat answers with that booking.
func TestB9DoubleSubmit(t *testing.T) {
	w := newWorld(t)
	item := w.item("Tripod", 3, 0, 0)
	c := w.customer()
	req := Request{CustomerID: c, LocationID: w.loc, Online: true, IdempotencyKey: "form-1", Actor: Actor{UserID: c},
		Lines: []LineRequest{{ItemID: item, Quantity: 1, Start: day(1, 9), End: day(2, 9)}}}
	first, err := w.eng.Book(w.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.eng.Book(w.ctx, req)
	var dup *DuplicateError
	if !errors.As(err, &dup) || dup.BookingID != first.BookingID {
		t.Fatalf("second submit: %v, want a duplicate of %d", err, first.BookingID)
	}
	req.IdempotencyKey = "form-2"
	var made, dups atomic.Int32
	together(t, 10, 30*time.Second, func(int) {
		_, err := w.eng.Book(w.ctx, req)
		switch {
		case err == nil:
			made.Add(1)
		case errors.As(err, new(*DuplicateError)):
			dups.Add(1)
		default:
			t.Errorf("unexpected: %v", err)
		}
	})
	if made.Load() != 1 || dups.Load() != 9 {
		t.Fatalf("at once: %d made, %d duplicates; want 1/9", made.Load(), dups.Load())
	}
	if n := w.id(`SELECT count(*) FROM bookings`); n != 2 {
		t.Fatalf("%d bookings, want 2", n)
	}
	// Another customer replaying someone's token gets nothing.
	other := req
	other.CustomerID = w.customer()
	if _, err := w.eng.Book(w.ctx, other); !errors.Is(err, store.ErrConflict) || errors.As(err, new(*DuplicateError)) {
		t.Fatalf("foreign token: %v", err)
	}
}

// B11: an expired hold stops blocking at once (the availability query and the
// allocating transaction agree, before any job has run); the periodic expiry
// then marks it expired.
func TestB11ExpiredHoldStopsBlocking(t *testing.T) {
	w := newWorld(t)
	w.eng.WithPayment(holdOnly{})
	item := w.item("Camera", 1, 0, 0)
	a, b := w.customer(), w.customer()
	online := func(c int64) (Result, error) {
		return w.eng.Book(w.ctx, Request{CustomerID: c, LocationID: w.loc, Online: true, Actor: Actor{UserID: c},
			Lines: []LineRequest{{ItemID: item, Quantity: 1, Start: day(1, 9), End: day(2, 9)}}})
	}
	held, err := online(a)
	if err != nil || held.Status != store.BookingHold || held.RedirectURL != "/pay" {
		t.Fatalf("hold: %+v %v", held, err)
	}
	if _, err := online(b); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("while held: %v", err)
	}
	if got := w.free(item, day(1, 9), day(2, 9)); got != 0 {
		t.Fatalf("free while held = %d", got)
	}
	w.clock.advance(45*time.Minute + time.Second) // default hold: 45 minutes
	if got := w.free(item, day(1, 9), day(2, 9)); got != 1 {
		t.Fatalf("free after expiry (no job yet) = %d, want 1", got)
	}
	if _, err := online(b); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if got := w.booking(held.BookingID).Status; got != store.BookingExpired {
		t.Fatalf("old hold is %s", got)
	}
	// The periodic job expires holds nobody tripped over.
	other := w.item("Flash", 1, 0, 0)
	h2, err := w.eng.Book(w.ctx, Request{CustomerID: a, LocationID: w.loc, Online: true,
		Lines: []LineRequest{{ItemID: other, Quantity: 1, Start: day(1, 9), End: day(2, 9)}}})
	if err != nil {
		t.Fatal(err)
	}
	w.clock.advance(46 * time.Minute)
	// Both holds still waiting (b's and this one) expire now.
	if n, err := w.eng.ExpireHolds(w.ctx); err != nil || n != 2 {
		t.Fatalf("ExpireHolds = %d, %v", n, err)
	}
	if got := w.booking(h2.BookingID).Status; got != store.BookingExpired {
		t.Fatalf("hold is %s after the job", got)
	}
	if n := w.id(`SELECT count(*) FROM audit_log WHERE action = 'booking.expire'`); n != 3 {
		t.Fatalf("%d expiry audit rows, want 3", n)
	}
}

// B12: a unit not back by its end keeps blocking new bookings and check-outs
// until it is checked in.
func TestB12OverdueUnitKeepsBlocking(t *testing.T) {
	w := newWorld(t)
	item := w.item("Kayak", 1, 0, 60)
	a, b, c := w.customer(), w.customer(), w.customer()
	first := w.mustBook(a, item, 1, day(1, 9), day(2, 9))
	next := w.mustBook(b, item, 1, day(5, 9), day(6, 9)) // booked while all was well
	w.clock.set(day(1, 9))
	if err := w.eng.CheckOut(w.ctx, first, "Kayak-1", Actor{}); err != nil {
		t.Fatal(err)
	}
	w.clock.set(day(3, 9)) // a day overdue
	for _, p := range [][2]time.Time{{day(3, 12), day(4, 9)}, {day(8, 9), day(9, 9)}} {
		if _, err := w.book(c, item, 1, p[0], p[1]); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("new booking %v while overdue: %v", p, err)
		}
		if got := w.free(item, p[0], p[1]); got != 0 {
			t.Fatalf("free %v while overdue = %d", p, got)
		}
	}
	w.clock.set(day(5, 9))
	err := w.eng.CheckOut(w.ctx, next, "Kayak-1", Actor{})
	var ce *ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("check-out of a unit still out: %v", err)
	}
	if n := w.overlaps(); n != 0 {
		t.Fatalf("%d overlaps", n)
	}
	if err := w.eng.CheckIn(w.ctx, first, "Kayak-1", Actor{}); err != nil {
		t.Fatal(err)
	}
	if got := w.booking(first).Status; got != store.BookingReturned {
		t.Fatalf("status after check-in: %s", got)
	}
	if err := w.eng.CheckOut(w.ctx, next, "Kayak-1", Actor{}); err != nil {
		t.Fatalf("check-out after check-in: %v", err)
	}
	w.mustBook(c, item, 1, day(8, 9), day(9, 9))
}

func mustMaintenance(t *testing.T, tx *store.Store, unit int64) int64 {
	t.Helper()
	id, err := tx.InsertMaintenance(context.Background(), unit, store.Span{From: day(1, 0), To: day(3, 0)}, "raw", 0)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// B12 at the cost of the items concerned: a booking stretches the overdue
// check-outs of its own items' units only (so it does not pay for every
// overdue unit of the shop); the periodic job stretches the rest.
func TestOverdueStretchedPerItem(t *testing.T) {
	w := newWorld(t)
	kayak, canoe := w.item("Kayak", 2, 0, 60), w.item("Canoe", 1, 0, 60)
	a, b := w.customer(), w.customer()
	out := w.mustBook(a, kayak, 1, day(1, 9), day(2, 9))
	w.clock.set(day(1, 9))
	if err := w.eng.CheckOut(w.ctx, out, "Kayak-1", Actor{}); err != nil {
		t.Fatal(err)
	}
	w.clock.set(day(3, 9)) // a day overdue
	stretched := func() int64 {
		return w.id(`SELECT count(*) FROM unit_allocations a JOIN booking_lines l ON l.id = a.booking_line_id
			WHERE l.booking_id = $1 AND upper_inf(a.occupied)`, out)
	}
	w.mustBook(b, canoe, 1, day(4, 9), day(5, 9))
	if n := stretched(); n != 0 {
		t.Fatalf("a canoe booking stretched the kayak's check-out")
	}
	w.mustBook(b, kayak, 1, day(4, 9), day(5, 9)) // the other kayak
	if n := stretched(); n != 1 {
		t.Fatalf("a kayak booking did not stretch the kayak's check-out")
	}
	if _, err := w.book(a, kayak, 1, day(4, 9), day(5, 9)); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("the overdue kayak was promised again: %v", err)
	}
	if n := w.overlaps(); n != 0 {
		t.Fatalf("%d overlaps", n)
	}
}

// A booking's first statement expires the holds that ran out, then
// stretches its items' overdue check-outs over what is left: a unit out
// past its end is held for ever, not only up to a hold of the unit that
// expired in that same statement.
func TestOverdueStretchedPastAHoldExpiredWithIt(t *testing.T) {
	w := newWorld(t)
	w.eng.WithPayment(holdOnly{})
	kayak := w.item("Kayak", 2, 0, 60)
	a, b := w.customer(), w.customer()
	out := w.mustBook(a, kayak, 1, day(1, 9), day(2, 9)) // staff booking: Kayak-1
	w.clock.set(day(1, 9))
	if err := w.eng.CheckOut(w.ctx, out, "Kayak-1", Actor{}); err != nil {
		t.Fatal(err)
	}
	held, err := w.eng.Book(w.ctx, Request{CustomerID: b, LocationID: w.loc, Online: true, Actor: Actor{UserID: b},
		Lines: []LineRequest{{ItemID: kayak, Quantity: 1, Start: day(5, 9), End: day(6, 9)}}})
	if err != nil || held.Status != store.BookingHold {
		t.Fatalf("hold: %+v %v", held, err)
	}
	if n := w.id(`SELECT count(*) FROM unit_allocations a JOIN booking_lines l ON l.id = a.booking_line_id
		WHERE l.booking_id = $1 AND a.unit_id = $2 AND a.active`, held.BookingID, w.unitID("Kayak-1")); n != 1 {
		t.Fatalf("the hold is not on Kayak-1")
	}
	w.clock.set(day(3, 9)) // a day overdue; the hold ran out long ago, and nothing expired it yet
	w.mustBook(a, kayak, 1, day(8, 9), day(9, 9))
	if got := w.booking(held.BookingID).Status; got != store.BookingExpired {
		t.Fatalf("the hold is %s", got)
	}
	if n := w.id(`SELECT count(*) FROM unit_allocations a JOIN booking_lines l ON l.id = a.booking_line_id
		WHERE l.booking_id = $1 AND upper_inf(a.occupied)`, out); n != 1 {
		t.Fatalf("the overdue kayak's check-out was not stretched past the expired hold")
	}
	if n := w.overlaps(); n != 0 {
		t.Fatalf("%d overlaps", n)
	}
}

// An overlapping allocation is refused without an error of PostgreSQL's
// (ON CONFLICT DO NOTHING on the exclusion constraint, no savepoint): the
// refusal names the constraint, nothing is written, and the transaction
// goes on to hold another unit and commit.
func TestRefusedAllocationLeavesTheTransactionUsable(t *testing.T) {
	w := newWorld(t)
	lens := w.item("Lens", 2, 0, 0)
	c := w.customer()
	w.mustBook(c, lens, 1, day(1, 0), day(3, 0)) // takes Lens-1
	taken, free := w.unitID("Lens-1"), w.unitID("Lens-2")
	if n := w.id(`SELECT count(*) FROM unit_allocations WHERE unit_id = $1 AND active`, taken); n != 1 {
		t.Fatalf("Lens-1 has %d allocations, want the booking's", n)
	}
	before := w.activeAllocations()
	err := w.st.WithTx(w.ctx, func(tx *store.Store) error {
		_, err := tx.InsertAllocation(w.ctx, store.NewAllocation{UnitID: taken,
			MaintenanceID: mustMaintenance(t, tx, taken), Occupied: store.Span{From: day(2, 0), To: day(4, 0)}})
		if !errors.Is(err, store.ErrUnitTaken) || !errors.Is(err, store.ErrConflict) || store.ConstraintOf(err) != store.NoOverlapConstraint {
			t.Fatalf("overlapping insert: %v", err)
		}
		_, err = tx.InsertAllocation(w.ctx, store.NewAllocation{UnitID: free,
			MaintenanceID: mustMaintenance(t, tx, free), Occupied: store.Span{From: day(2, 0), To: day(4, 0)}})
		return err
	})
	if err != nil {
		t.Fatalf("the transaction after a refusal: %v", err)
	}
	if got := w.activeAllocations(); got != before+1 {
		t.Fatalf("%d active allocations, want %d (only Lens-2's)", got, before+1)
	}
	if n := w.id(`SELECT count(*) FROM unit_allocations WHERE unit_id = $1 AND active`, taken); n != 1 {
		t.Fatalf("Lens-1 has %d allocations after the refusal, want 1", n)
	}
}
