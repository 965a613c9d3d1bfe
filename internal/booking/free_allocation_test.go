package booking

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// InsertFreeAllocation checks a locked unit and writes its allocation in one
// statement; it must hold a unit exactly when the re-check it replaces
// (FreeUnits for that one unit) found it free and the insert that followed
// was not refused by the exclusion constraint. Units in every state
// allocation_blocks tells apart, with buffers, across windows and instants.
func TestInsertFreeAllocationAgreesWithCheckThenInsert(t *testing.T) {
	w := newWorld(t)
	cam := w.item("Cam", 9, 60, 90)
	other := w.item("Tripod", 1, 0, 0)
	elsewhere := w.location("Annex", w.zone)
	farUnit := w.id(`INSERT INTO units (item_id, location_id, asset_tag) VALUES ($1, $2, 'Cam-far') RETURNING id`, cam, elsewhere)
	now := w.clock.Now()
	u := func(n int) int64 { return w.unitID(fmt.Sprintf("Cam-%d", n)) }
	block := func(unit int64, from, to time.Time, set string, args ...any) {
		t.Helper()
		var id int64
		err := w.st.WithTx(w.ctx, func(tx *store.Store) error {
			m, err := tx.InsertMaintenance(w.ctx, unit, store.Span{From: from, To: to}, "state", 0)
			if err != nil {
				return err
			}
			id, err = tx.InsertAllocation(w.ctx, store.NewAllocation{UnitID: unit, MaintenanceID: m, Occupied: store.Span{From: from, To: to}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if set != "" {
			w.exec(`UPDATE unit_allocations SET `+set+` WHERE id = $1`, append([]any{id}, args...)...)
		}
	}
	// Cam-1 free; Cam-2 held over day 2; Cam-3 held until day 1 (the buffers
	// reach past it); Cam-4 a hold that ran out, over day 2; Cam-5 out and
	// overdue since day 0; Cam-6 retired; Cam-7 out and back early; Cam-8 a
	// hold still running over days 4-5; Cam-9 out, not back, due on day 6.
	block(u(2), day(2, 0), day(3, 0), "")
	block(u(3), day(0, 0), day(1, 0), "")
	block(u(4), day(2, 0), day(3, 0), "hold_expires_at = $2", now.Add(-time.Hour))
	block(u(5), day(-9, 0), day(-8, 0), "picked_up_at = $2, due_at = $3", day(-9, 0), day(-8, 0))
	w.exec(`UPDATE units SET status = 'retired' WHERE id = $1`, u(6))
	block(u(7), day(1, 0), day(2, 0), "picked_up_at = $2, returned_at = $3, occupied = tstzrange($2, $3)", day(1, 0), day(1, 6))
	block(u(8), day(4, 0), day(5, 0), "hold_expires_at = $2", now.Add(time.Hour))
	block(u(9), day(5, 0), day(6, 0), "picked_up_at = $2, due_at = $3", day(5, 0), day(6, 0))
	units := []int64{u(1), u(2), u(3), u(4), u(5), u(6), u(7), u(8), u(9), farUnit, w.unitID("Tripod-1")}
	windows := []store.Span{
		{From: day(-20, 0), To: day(-19, 0)}, {From: day(0, 0), To: day(1, 0)}, {From: day(1, 0), To: day(1, 12)},
		{From: day(1, 2), To: day(2, 0)}, {From: day(1, 12), To: day(2, 1)}, {From: day(2, 6), To: day(2, 18)},
		{From: day(3, 0), To: day(4, 0)}, {From: day(3, 2), To: day(3, 20)}, {From: day(4, 12), To: day(8, 0)},
		{From: day(7, 0), To: day(9, 0)}, {From: day(10, 0)},
	}
	instants := []time.Time{now, day(3, 0), day(7, 0)}
	errRollback := errors.New("rolled back on purpose")
	probe := func(fn func(tx *store.Store) (bool, error)) bool {
		t.Helper()
		var ok bool
		err := w.st.WithTx(w.ctx, func(tx *store.Store) error {
			var err error
			if ok, err = fn(tx); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
		return ok
	}
	counts := map[bool]int{}
	for _, item := range []int64{cam, other} {
		for _, unit := range units {
			for _, win := range windows {
				for _, at := range instants {
					na := func(tx *store.Store) store.NewAllocation {
						return store.NewAllocation{UnitID: unit, MaintenanceID: mustMaintenance(t, tx, unit), Occupied: win}
					}
					old := probe(func(tx *store.Store) (bool, error) {
						free, err := tx.FreeUnits(w.ctx, store.FreeUnitsQuery{ItemID: item, LocationID: w.loc, Occupied: win, Now: at, Only: unit, Limit: 1})
						if err != nil || len(free) == 0 {
							return false, err
						}
						_, err = tx.InsertAllocation(w.ctx, na(tx))
						if errors.Is(err, store.ErrUnitTaken) {
							return false, nil
						}
						return err == nil, err
					})
					got := probe(func(tx *store.Store) (bool, error) {
						_, err := tx.InsertFreeAllocation(w.ctx, item, w.loc, na(tx), at)
						if errors.Is(err, store.ErrUnitTaken) {
							return false, nil
						}
						return err == nil, err
					})
					if got != old {
						t.Errorf("item %d unit %d window %v–%v at %v: one statement holds it %v, check then insert %v",
							item, unit, win.From, win.To, at, got, old)
					}
					counts[old]++
				}
			}
		}
	}
	if counts[true] < 20 || counts[false] < 20 {
		t.Fatalf("probes too one-sided to compare: %v", counts)
	}
}

// A booking confirmed in the transaction that made it has its creation and
// its confirmation audited, in that order, by one statement; a hold left
// waiting for payment has only its creation, and its confirmation later its
// own row.
func TestBookingAuditRows(t *testing.T) {
	w := newWorld(t)
	lens := w.item("Lens", 2, 0, 0)
	c := w.customer()
	type row struct {
		Action, Before, After string
		Actor                 int64
	}
	rows := func(id int64) []row {
		t.Helper()
		var out []row
		rs, err := w.st.DB().QueryContext(w.ctx, `SELECT action, coalesce(before::text, ''), coalesce(after::text, ''), coalesce(actor_id, 0)
			FROM audit_log WHERE entity_type = 'booking' AND entity_id = $1 ORDER BY id`, fmt.Sprint(id))
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		for rs.Next() {
			var r row
			if err := rs.Scan(&r.Action, &r.Before, &r.After, &r.Actor); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		return out
	}
	id := w.mustBook(c, lens, 1, day(1, 0), day(2, 0))
	got := rows(id)
	if len(got) != 2 || got[0].Action != "booking.create" || got[1].Action != "booking.confirm" ||
		got[0].Before != "" || !strings.Contains(got[0].After, `"status": "hold"`) || !strings.Contains(got[0].After, `"Lens-1"`) ||
		got[1].Before != `{"status": "hold"}` || got[1].After != `{"status": "confirmed"}` || got[0].Actor != c || got[1].Actor != c {
		t.Fatalf("audit of a booking confirmed at once: %+v", got)
	}
	held := New(w.st, w.clock.Now, flatPricer{}).WithPayment(holdOnly{})
	res, err := held.Book(w.ctx, Request{CustomerID: c, LocationID: w.loc, Actor: Actor{UserID: c}, Online: true,
		Lines: []LineRequest{{ItemID: lens, Quantity: 1, Start: day(1, 0), End: day(2, 0)}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(res.BookingID); len(got) != 1 || got[0].Action != "booking.create" {
		t.Fatalf("audit of a hold: %+v", got)
	}
	if err := held.Confirm(w.ctx, res.BookingID, Actor{}); err != nil {
		t.Fatal(err)
	}
	if got := rows(res.BookingID); len(got) != 2 || got[1].Action != "booking.confirm" || got[1].Actor != 0 {
		t.Fatalf("audit of a hold confirmed later: %+v", got)
	}
}
