package booking

import (
	"errors"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
)

// Invariant 2 / B12: a unit handed out before its booked start occupies its
// unit from the scan on, not only from the booked start.
func TestB12EarlyCheckOutOccupiesFromPickup(t *testing.T) {
	w := newWorld(t)
	item := w.item("Drone", 1, 0, 0)
	a := w.mustBook(w.customer(), item, 1, day(5, 9), day(6, 9))
	w.clock.set(day(1, 9))
	if err := w.eng.CheckOut(w.ctx, a, "Drone-1", Actor{}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.book(w.customer(), item, 1, day(1, 12), day(2, 9)); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("booking a unit that is out since this morning: %v, want a conflict", err)
	}
	if got := w.free(item, day(2, 9), day(3, 9)); got != 0 {
		t.Fatalf("free while out early = %d, want 0", got)
	}
	if n := w.overlaps(); n != 0 {
		t.Fatalf("%d overlaps", n)
	}
	// Not overdue yet: after its end (and before it is due) the unit is free.
	w.mustBook(w.customer(), item, 1, day(7, 9), day(8, 9))
}

// An early check-out with another booking of the unit in between is refused,
// naming that booking; nothing changes.
func TestB12EarlyCheckOutRefusedWhenBookedInBetween(t *testing.T) {
	w := newWorld(t)
	item := w.item("Gimbal", 1, 0, 0)
	a := w.mustBook(w.customer(), item, 1, day(5, 9), day(6, 9))
	between := w.mustBook(w.customer(), item, 1, day(2, 9), day(3, 9))
	w.clock.set(day(1, 9))
	err := w.eng.CheckOut(w.ctx, a, "Gimbal-1", Actor{})
	var ce *ConflictError
	if !errors.As(err, &ce) || !strings.Contains(ce.Detail, w.booking(between).Number) {
		t.Fatalf("early check-out over another booking: %v, want a conflict naming %s", err, w.booking(between).Number)
	}
	if b := w.booking(a); b.Status != store.BookingConfirmed || b.Lines[0].Units[0].PickedUpAt != nil {
		t.Fatalf("refused check-out changed the booking: %s", b.Status)
	}
}

// B12: a unit out and overdue elsewhere cannot be given to a later booking by
// changing its unit, even when the overdue stretch stops at a booking between.
func TestB12ChangeUnitRefusesUnitOverdueElsewhere(t *testing.T) {
	w := newWorld(t)
	item := w.item("Cam", 2, 0, 0)
	y := w.mustBook(w.customer(), item, 1, day(1, 9), day(2, 9)) // Cam-1
	w.mustBook(w.customer(), item, 1, day(4, 9), day(5, 9))      // Z: Cam-1
	later := w.mustBook(w.customer(), item, 1, day(6, 9), day(7, 9))
	line := w.booking(later).Lines[0].ID
	if err := w.eng.ChangeUnit(w.ctx, UnitChange{BookingID: later, LineID: line, ToTag: "Cam-2"}); err != nil {
		t.Fatal(err)
	}
	w.clock.set(day(1, 9))
	if err := w.eng.CheckOut(w.ctx, y, "Cam-1", Actor{}); err != nil {
		t.Fatal(err)
	}
	w.clock.set(day(3, 9)) // Y is a day overdue
	err := w.eng.ChangeUnit(w.ctx, UnitChange{BookingID: later, LineID: line, ToTag: "Cam-1"})
	var ce *ConflictError
	if !errors.As(err, &ce) || !strings.Contains(ce.Detail, w.booking(y).Number) {
		t.Fatalf("moving onto a unit overdue on %s: %v, want a conflict naming it", w.booking(y).Number, err)
	}
	if got := w.booking(later).Lines[0].Units[0].AssetTag; got != "Cam-2" {
		t.Fatalf("line now holds %s, want Cam-2", got)
	}
}

// A customer's change can only extend: a shorter end would escape the
// free-cancellation window (cancel refused, then "extend" to an hour). Staff
// may still shorten.
func TestCustomerCannotShortenThroughExtend(t *testing.T) {
	w := newWorld(t)
	item := w.item("Van", 1, 0, 0)
	c := w.customer()
	id := w.mustBook(c, item, 1, day(1, 9), day(8, 9))
	line := w.booking(id).Lines[0]
	shorter := PeriodChange{BookingID: id, LineID: line.ID, Start: line.StartsAt, End: day(1, 10), Owner: Owner(c), Actor: Actor{UserID: c}}
	err := w.eng.ChangeLinePeriod(w.ctx, shorter)
	var fe FieldErrors
	if !errors.As(err, &fe) || fe["end"] == "" {
		t.Fatalf("customer shortening: %v, want a message on the end", err)
	}
	moved := shorter
	moved.Start, moved.End = day(2, 9), day(9, 9)
	if err := w.eng.ChangeLinePeriod(w.ctx, moved); !errors.As(err, &fe) || fe["start"] == "" {
		t.Fatalf("customer moving the start: %v, want a message on the start", err)
	}
	if b := w.booking(id); !b.Lines[0].EndsAt.Equal(day(8, 9)) || b.Total != line.LineTotal {
		t.Fatalf("a refused change altered the booking: ends %s, total %d", b.Lines[0].EndsAt, b.Total)
	}
	longer := shorter
	longer.End = day(9, 9)
	if err := w.eng.ChangeLinePeriod(w.ctx, longer); err != nil {
		t.Fatalf("customer extending: %v", err)
	}
	staff := shorter
	staff.Owner, staff.Actor = 0, Actor{}
	if err := w.eng.ChangeLinePeriod(w.ctx, staff); err != nil {
		t.Fatalf("staff shortening: %v", err)
	}
}

// A booking with a bulk line goes out and comes back: staff mark the line
// picked up and returned, and the booking follows (out, then returned). A
// bulk line picked up early counts from its pickup.
func TestBulkLinePickupAndReturn(t *testing.T) {
	w := newWorld(t)
	chairs := w.bulkItem("Chair", 4)
	cam := w.item("Cam", 1, 0, 0)
	c := w.customer()
	r, err := w.eng.Book(w.ctx, Request{CustomerID: c, LocationID: w.loc, Actor: Actor{UserID: c}, Lines: []LineRequest{
		{ItemID: chairs, Quantity: 3, Start: day(2, 9), End: day(3, 9)}, {ItemID: cam, Quantity: 1, Start: day(2, 9), End: day(3, 9)}}})
	if err != nil {
		t.Fatal(err)
	}
	b := w.booking(r.BookingID)
	var bulkLine int64
	for _, l := range b.Lines {
		if l.ItemID == chairs {
			bulkLine = l.ID
		}
	}
	if err := w.eng.MarkBulkLine(w.ctx, b.ID, bulkLine, false, Actor{}); !errors.As(err, new(*RuleError)) {
		t.Fatalf("return before pickup: %v, want a rule error", err)
	}
	w.clock.set(day(1, 9)) // a day early
	if err := w.eng.MarkBulkLine(w.ctx, b.ID, bulkLine, true, Actor{}); err != nil {
		t.Fatal(err)
	}
	if got := w.booking(b.ID).Status; got != store.BookingOut {
		t.Fatalf("after the bulk pickup: %s, want out", got)
	}
	if _, err := w.book(w.customer(), chairs, 2, day(1, 12), day(1, 18)); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("chairs out early still bookable: %v", err)
	}
	if err := w.eng.MarkBulkLine(w.ctx, b.ID, bulkLine, true, Actor{}); !errors.As(err, new(*RuleError)) {
		t.Fatalf("second pickup: %v, want a rule error", err)
	}
	if err := w.eng.CheckOut(w.ctx, b.ID, "Cam-1", Actor{}); err != nil {
		t.Fatal(err)
	}
	w.clock.set(day(3, 8))
	if err := w.eng.CheckIn(w.ctx, b.ID, "Cam-1", Actor{}); err != nil {
		t.Fatal(err)
	}
	if got := w.booking(b.ID).Status; got != store.BookingOut {
		t.Fatalf("with the chairs still out: %s, want out", got)
	}
	if err := w.eng.MarkBulkLine(w.ctx, b.ID, bulkLine, false, Actor{}); err != nil {
		t.Fatal(err)
	}
	if got := w.booking(b.ID).Status; got != store.BookingReturned {
		t.Fatalf("all back: %s, want returned", got)
	}
	if n := w.id(`SELECT count(*) FROM audit_log WHERE action IN ('booking.line.pickup', 'booking.line.return')`); n != 2 {
		t.Fatalf("%d bulk line audit rows, want 2", n)
	}
	w.mustBook(w.customer(), chairs, 4, day(3, 9), day(4, 9))
}

// Scans roll lines and booking forward from the booking as the scan left it:
// a line is out once all its units are, back once all are back, and the
// booking out at the first unit and returned at the last. After every scan
// the marks agree with the booking read again.
func TestScansRollLinesAndBookingForward(t *testing.T) {
	w := newWorld(t)
	tent, lamp := w.item("Tent", 2, 0, 0), w.item("Lamp", 1, 0, 0)
	r, err := w.eng.Book(w.ctx, Request{CustomerID: w.customer(), LocationID: w.loc, Actor: Actor{},
		Lines: []LineRequest{{ItemID: tent, Quantity: 2, Start: day(1, 10), End: day(3, 9)},
			{ItemID: lamp, Quantity: 1, Start: day(1, 10), End: day(3, 9)}}})
	if err != nil {
		t.Fatal(err)
	}
	w.clock.set(day(1, 9))
	steps := []struct {
		in       bool
		tag      string
		status   string
		out, ret [2]bool // tent line, lamp line
	}{
		{false, "Tent-1", store.BookingOut, [2]bool{false, false}, [2]bool{}},
		{false, "Tent-2", store.BookingOut, [2]bool{true, false}, [2]bool{}},
		{false, "Lamp-1", store.BookingOut, [2]bool{true, true}, [2]bool{}},
		{true, "Tent-2", store.BookingOut, [2]bool{true, true}, [2]bool{false, false}},
		{true, "Tent-1", store.BookingOut, [2]bool{true, true}, [2]bool{true, false}},
		{true, "Lamp-1", store.BookingReturned, [2]bool{true, true}, [2]bool{true, true}},
	}
	for _, s := range steps {
		scan := w.eng.CheckOut
		if s.in {
			scan = w.eng.CheckIn
		}
		if err := scan(w.ctx, r.BookingID, s.tag, Actor{}); err != nil {
			t.Fatalf("scan %s (in %v): %v", s.tag, s.in, err)
		}
		b := w.booking(r.BookingID)
		if b.Status != s.status {
			t.Errorf("after %s (in %v): booking %s, want %s", s.tag, s.in, b.Status, s.status)
		}
		allBack := true
		for i, l := range b.Lines {
			out, back := lineProgress(l)
			allBack = allBack && back
			if (l.PickedUpAt != nil) != s.out[i] || (l.ReturnedAt != nil) != s.ret[i] {
				t.Errorf("after %s (in %v): line %s out %v back %v, want %v %v", s.tag, s.in, l.ItemName,
					l.PickedUpAt != nil, l.ReturnedAt != nil, s.out[i], s.ret[i])
			}
			if (l.PickedUpAt != nil) != out || (l.ReturnedAt != nil) != back {
				t.Errorf("after %s (in %v): line %s marked out %v back %v, its units say %v %v", s.tag, s.in, l.ItemName,
					l.PickedUpAt != nil, l.ReturnedAt != nil, out, back)
			}
		}
		if allBack != (b.Status == store.BookingReturned) {
			t.Errorf("after %s (in %v): booking %s while all back is %v", s.tag, s.in, b.Status, allBack)
		}
	}
}
