package booking

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// UnitChange asks to give a line another unit: the unit with ToTag takes the
// place of the unit with FromTag ("" = any unit of the line not yet out).
type UnitChange struct {
	BookingID, LineID int64
	FromTag, ToTag    string
	Actor             Actor
}

// ChangeUnit swaps one unit of a line for another of the same item, through
// the same guarded write as every booking: the new unit must be free for the
// line's whole range (the exclusion constraint decides).
func (e *Engine) ChangeUnit(ctx context.Context, uc UnitChange) error {
	return e.withBooking(ctx, uc.BookingID, 0, func(tx *store.Store, b store.Booking, now time.Time) error {
		line, ok := b.Line(uc.LineID)
		if !ok {
			return ErrNotFound
		}
		unit, it, err := e.scannedUnit(ctx, tx, b, line, uc.ToTag)
		if err != nil {
			return err
		}
		from, err := movableUnit(line, uc.FromTag, unit.ID)
		if err != nil {
			return err
		}
		if err := e.placeUnit(ctx, tx, b, line, it, from.AllocationID, unit, nil); err != nil {
			return err
		}
		return e.audit(ctx, tx, uc.Actor, "booking.line.unit", b.ID,
			map[string]any{"line_id": line.ID, "unit": from.AssetTag}, map[string]any{"line_id": line.ID, "unit": unit.AssetTag})
	})
}

// scannedUnit finds the unit with a tag and checks it can serve the line.
func (e *Engine) scannedUnit(ctx context.Context, tx *store.Store, b store.Booking, line store.BookingLine, tag string) (store.BookingUnit, store.BookableItem, error) {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return store.BookingUnit{}, store.BookableItem{}, FieldErrors{"tag": "Scan or type an asset tag."}
	}
	unit, err := unitByTag(ctx, tx, tag)
	if err != nil {
		return unit, store.BookableItem{}, err
	}
	tag = unit.AssetTag
	it, err := tx.GetBookableItem(ctx, unit.ItemID)
	if err != nil {
		return unit, it, err
	}
	switch {
	case unit.ItemID != line.ItemID:
		return unit, it, FieldErrors{"tag": tag + " is a " + it.Name + ", not what this line booked."}
	case unit.LocationID != b.LocationID:
		return unit, it, FieldErrors{"tag": tag + " belongs to another location."}
	case unit.Status == "maintenance":
		return unit, it, FieldErrors{"tag": tag + " is in maintenance and cannot go out."}
	case unit.Status != "available":
		return unit, it, FieldErrors{"tag": tag + " is " + unit.Status + " and cannot go out."}
	}
	return unit, it, nil
}

// unitByTag finds the unit a typed tag means (letter case aside, when only
// one unit fits); a tag that names none, or several, is a field error.
func unitByTag(ctx context.Context, tx *store.Store, tag string) (store.BookingUnit, error) {
	unit, err := tx.GetBookingUnitByTag(ctx, tag)
	var amb *store.AmbiguousTagError
	switch {
	case errors.Is(err, store.ErrNotFound):
		return unit, FieldErrors{"tag": "No unit has the tag " + tag + "."}
	case errors.As(err, &amb):
		return unit, FieldErrors{"tag": amb.Message()}
	}
	return unit, err
}

// TypedTag is the tag of the unit a typed tag means: the unit with exactly
// that tag, else the one whose tag differs only in letter case. A tag that
// names no unit comes back as typed; several units is a field error under key.
func TypedTag(ctx context.Context, tx *store.Store, tag, key string) (string, error) {
	tag = strings.TrimSpace(tag)
	unit, err := tx.GetBookingUnitByTag(ctx, tag)
	var amb *store.AmbiguousTagError
	switch {
	case err == nil:
		return unit.AssetTag, nil
	case errors.Is(err, store.ErrNotFound):
		return tag, nil
	case errors.As(err, &amb):
		return tag, FieldErrors{key: amb.Message()}
	}
	return tag, err
}

// movableUnit picks the line's unit to give up: the one with fromTag, or the
// first not yet out. A unit that is out cannot be swapped.
func movableUnit(line store.BookingLine, fromTag string, toUnit int64) (store.LineUnit, error) {
	for _, u := range line.Units {
		if u.UnitID == toUnit {
			return store.LineUnit{}, &RuleError{Msg: u.AssetTag + " is already on this line."}
		}
	}
	for _, u := range line.Units {
		if (fromTag == "" || u.AssetTag == fromTag) && u.PickedUpAt == nil {
			return u, nil
		}
	}
	if fromTag != "" {
		return store.LineUnit{}, FieldErrors{"from": "This line has no unit " + fromTag + " waiting to go out."}
	}
	return store.LineUnit{}, &RuleError{Msg: "Every unit of this line is already out."}
}

// CheckOut hands out the scanned unit for a booking: if the booking holds it,
// it is marked picked up; otherwise it takes the place of a unit the booking
// holds that is not out yet (through the guarded write). A unit still out with
// someone else is refused: an open check-out holds its unit until check-in.
func (e *Engine) CheckOut(ctx context.Context, bookingID int64, tag string, a Actor) error {
	return e.withBooking(ctx, bookingID, 0, func(tx *store.Store, b store.Booking, now time.Time) error {
		if b.Status != store.BookingConfirmed && b.Status != store.BookingOut {
			return &RuleError{Msg: "Booking " + b.Number + " is " + b.Status + "; only confirmed bookings go out."}
		}
		if strings.TrimSpace(tag) == "" {
			return FieldErrors{"tag": "Scan or type an asset tag."}
		}
		unit, err := unitByTag(ctx, tx, strings.TrimSpace(tag))
		if err != nil {
			return err
		}
		line, ok := lineForUnit(b, unit)
		if !ok {
			return e.wrongItem(ctx, tx, unit)
		}
		if err := e.refuseIfOut(ctx, tx, b, line, unit); err != nil {
			return err
		}
		allocation, err := e.pickUp(ctx, tx, b, line, unit, now)
		if err != nil {
			return err
		}
		if allocation == 0 {
			// Another unit took the place of one the booking held: read
			// the booking as it now stands.
			return e.afterScan(ctx, tx, b, a, "booking.checkout", unit.AssetTag, now)
		}
		return e.rollForward(ctx, tx, b.Status, marked(b, allocation, false, now), a, "booking.checkout", unit.AssetTag, now)
	})
}

// wrongItem says why a scanned unit serves no line of the booking: what it is.
func (e *Engine) wrongItem(ctx context.Context, tx *store.Store, unit store.BookingUnit) error {
	it, err := tx.GetBookableItem(ctx, unit.ItemID)
	if err != nil {
		return err
	}
	return FieldErrors{"tag": unit.AssetTag + " is a " + it.Name + "; this booking has no " + it.Name + " waiting to go out."}
}

// lineForUnit finds the line a scanned unit serves: the line holding it, else
// a line of its item with a unit still to hand out.
func lineForUnit(b store.Booking, unit store.BookingUnit) (store.BookingLine, bool) {
	for _, l := range b.Lines {
		for _, u := range l.Units {
			if u.UnitID == unit.ID {
				return l, true
			}
		}
	}
	for _, l := range b.Lines {
		if l.ItemID != unit.ItemID {
			continue
		}
		for _, u := range l.Units {
			if u.PickedUpAt == nil {
				return l, true
			}
		}
	}
	return store.BookingLine{}, false
}

// refuseIfOut refuses a unit that is out with another booking (or already
// out with this one).
func (e *Engine) refuseIfOut(ctx context.Context, tx *store.Store, b store.Booking, line store.BookingLine, unit store.BookingUnit) error {
	for _, u := range line.Units {
		if u.UnitID == unit.ID && u.PickedUpAt != nil && u.ReturnedAt == nil {
			return &RuleError{Msg: unit.AssetTag + " is already checked out on this booking."}
		}
	}
	out, number, err := tx.UnitOpenCheckout(ctx, unit.ID)
	if err != nil {
		return err
	}
	if out && number != b.Number {
		it, err := tx.GetBookableItem(ctx, unit.ItemID)
		if err != nil {
			return err
		}
		return &ConflictError{ItemName: it.Name, AssetTag: unit.AssetTag, Start: line.StartsAt, End: line.EndsAt,
			Zone: b.TimeZone, Detail: "still out on booking " + number + "; check it in first or scan another unit"}
	}
	return nil
}

// pickUp marks the unit out from now. Handed out before the booked start, it
// occupies its unit from now on (invariant 2): the allocation's range starts
// at now, which the exclusion constraint refuses when something holds the
// unit in between. It returns the allocation marked when the line held the
// unit, 0 when the unit took the place of another.
func (e *Engine) pickUp(ctx context.Context, tx *store.Store, b store.Booking, line store.BookingLine, unit store.BookingUnit, now time.Time) (int64, error) {
	for _, u := range line.Units {
		if u.UnitID != unit.ID {
			continue
		}
		if err := tx.LockUnits(ctx, []int64{unit.ID}); err != nil {
			return 0, err
		}
		e.pause(ctx)
		// From the line's start on, its unit's range (which starts at the
		// start less the buffer) is not moved, so nothing can refuse the
		// pickup and it is written without a savepoint.
		pick := tx.PickUpAllocation
		if !now.Before(line.StartsAt) {
			pick = tx.PickUpAllocationInRange
		}
		err := pick(ctx, u.AllocationID, now)
		if err == nil {
			return u.AllocationID, nil
		}
		if !isConflict(err) {
			return 0, err
		}
		it, ierr := tx.GetBookableItem(ctx, line.ItemID)
		if ierr != nil {
			return 0, ierr
		}
		return 0, &ConflictError{ItemName: it.Name, AssetTag: unit.AssetTag, Start: now, End: line.EndsAt, Zone: b.TimeZone,
			Detail: "cannot go out early: " + e.describeUnitConflict(ctx, tx, it, unit, now, line.StartsAt, b.ID)}
	}
	from, err := movableUnit(line, "", unit.ID)
	if err != nil {
		return 0, err
	}
	unitFull, it, err := e.scannedUnit(ctx, tx, b, line, unit.AssetTag)
	if err != nil {
		return 0, err
	}
	return 0, e.placeUnit(ctx, tx, b, line, it, from.AllocationID, unitFull, &now)
}

// afterScan rolls line and booking statuses forward after a check-out or
// check-in, and audits the scan, from the booking read again.
func (e *Engine) afterScan(ctx context.Context, tx *store.Store, before store.Booking, a Actor, action, tag string, now time.Time) error {
	b, err := tx.GetBooking(ctx, before.ID)
	if err != nil {
		return err
	}
	return e.rollForward(ctx, tx, before.Status, b, a, action, tag, now)
}

// marked is a booking loaded under its lock with one allocation's check-out
// (returned false) or check-in at now applied as the store writes it: a
// check-out keeps an earlier pickup time (PickUpAllocation), a check-in sets
// the return (MarkAllocation). A scan of a unit the booking holds changes
// nothing else, so its statuses roll forward without reading the booking
// again.
func marked(b store.Booking, allocationID int64, returned bool, now time.Time) store.Booking {
	lines := make([]store.BookingLine, len(b.Lines))
	for i, l := range b.Lines {
		l.Units = append([]store.LineUnit(nil), l.Units...)
		for j := range l.Units {
			u := &l.Units[j]
			if u.AllocationID != allocationID {
				continue
			}
			at := now
			if returned {
				u.ReturnedAt = &at
			} else if u.PickedUpAt == nil {
				u.PickedUpAt = &at
			}
		}
		lines[i] = l
	}
	b.Lines = lines
	return b
}

// rollForward marks the lines of b (the booking as it stands after the scan,
// whose status was beforeStatus) out or back once all their units are, moves
// the booking's status on, and audits the scan.
func (e *Engine) rollForward(ctx context.Context, tx *store.Store, beforeStatus string, b store.Booking, a Actor, action, tag string, now time.Time) error {
	allBack := true
	for _, l := range b.Lines {
		out, back := lineProgress(l)
		if out && l.PickedUpAt == nil || back && l.ReturnedAt == nil {
			if err := tx.MarkLine(ctx, l.ID, out, back, now); err != nil {
				return err
			}
		}
		allBack = allBack && back
	}
	status := b.Status
	switch {
	case allBack:
		status = store.BookingReturned
	case b.Status == store.BookingConfirmed:
		status = store.BookingOut
	}
	if status != b.Status {
		if err := tx.SetBookingStatus(ctx, b.ID, status, now); err != nil {
			return err
		}
	}
	return e.audit(ctx, tx, a, action, b.ID, map[string]any{"status": beforeStatus},
		map[string]any{"status": status, "unit": tag})
}

// lineProgress says whether every unit of a line is out, and back.
func lineProgress(l store.BookingLine) (out, back bool) {
	if l.Tracking == "bulk" {
		return l.PickedUpAt != nil, l.ReturnedAt != nil
	}
	out, back = len(l.Units) > 0, len(l.Units) > 0
	for _, u := range l.Units {
		out = out && u.PickedUpAt != nil
		back = back && u.ReturnedAt != nil
	}
	return out, back
}

// CheckIn takes a unit back: its open check-out closes (it stays held only for
// the turnaround after the return) and the booking moves on when all is back.
func (e *Engine) CheckIn(ctx context.Context, bookingID int64, tag string, a Actor) error {
	return e.st.WithTx(ctx, func(tx *store.Store) error {
		return e.CheckInTx(ctx, tx, bookingID, tag, a)
	})
}

// CheckInTx is CheckIn inside the caller's transaction, so a return at the
// desk commits with the condition, the maintenance block and the fees it
// causes, or not at all.
func (e *Engine) CheckInTx(ctx context.Context, tx *store.Store, bookingID int64, tag string, a Actor) error {
	now := e.now()
	b, err := tx.LockBooking(ctx, bookingID)
	if err != nil {
		return err
	}
	if tag, err = TypedTag(ctx, tx, tag, "tag"); err != nil {
		return err
	}
	for _, l := range b.Lines {
		for _, u := range l.Units {
			if u.AssetTag != tag || u.PickedUpAt == nil || u.ReturnedAt != nil {
				continue
			}
			it, err := tx.GetBookableItem(ctx, l.ItemID)
			if err != nil {
				return err
			}
			if err := tx.MarkAllocation(ctx, u.AllocationID, false, true, it.BufferAfterMinutes, now); err != nil {
				return err
			}
			return e.rollForward(ctx, tx, b.Status, marked(b, u.AllocationID, true, now), a, "booking.checkin", u.AssetTag, now)
		}
	}
	return FieldErrors{"tag": "No unit " + tag + " is out on this booking."}
}

// ReturnBulkLineTx takes a bulk line back inside the caller's transaction.
func (e *Engine) ReturnBulkLineTx(ctx context.Context, tx *store.Store, bookingID, lineID int64, a Actor) error {
	now := e.now()
	b, err := tx.LockBooking(ctx, bookingID)
	if err != nil {
		return err
	}
	line, ok := b.Line(lineID)
	if !ok {
		return ErrNotFound
	}
	if err := checkBulkMark(b, line, false); err != nil {
		return err
	}
	if err := tx.MarkLine(ctx, line.ID, false, true, now); err != nil {
		return err
	}
	return e.afterScan(ctx, tx, b, a, "booking.line.return", fmt.Sprintf("%d × %s", line.Quantity, line.ItemName), now)
}

// BlockInTx blocks a unit for maintenance inside the caller's transaction
// (through the same guarded write as BlockForMaintenance, without its form
// checks: the caller decides the period).
func (e *Engine) BlockInTx(ctx context.Context, tx *store.Store, m MaintenanceRequest) (int64, error) {
	return e.block(ctx, tx, m, e.now())
}

// MarkBulkLine records that a bulk line went out (pickUp) or came back, all
// its pieces at once; the booking moves on with its lines (out, returned).
// Bulk pieces have no tags to scan, so staff mark the line. Picked up before
// its start, the line takes its pieces from now on, under the stock lock.
func (e *Engine) MarkBulkLine(ctx context.Context, bookingID, lineID int64, pickUp bool, a Actor) error {
	return e.withBooking(ctx, bookingID, 0, func(tx *store.Store, b store.Booking, now time.Time) error {
		line, ok := b.Line(lineID)
		if !ok {
			return ErrNotFound
		}
		if err := checkBulkMark(b, line, pickUp); err != nil {
			return err
		}
		it, err := tx.GetBookableItem(ctx, line.ItemID)
		if err != nil {
			return err
		}
		action := "booking.line.return"
		if pickUp {
			action = "booking.line.pickup"
			if early := it.Occupied(line.StartsAt, line.EndsAt); now.Before(early.From) {
				ls := lineStock{lineID: line.ID, item: it, locationID: b.LocationID, quantity: line.Quantity,
					start: now, end: line.EndsAt, zone: b.TimeZone}
				if err := e.allocateBulk(ctx, tx, ls, now); err != nil {
					return err
				}
			}
		}
		if err := tx.MarkLine(ctx, line.ID, pickUp, !pickUp, now); err != nil {
			return err
		}
		return e.afterScan(ctx, tx, b, a, action, fmt.Sprintf("%d × %s", line.Quantity, it.Name), now)
	})
}

func checkBulkMark(b store.Booking, line store.BookingLine, pickUp bool) error {
	switch {
	case line.Tracking != "bulk":
		return &RuleError{Msg: "Units of this line go out and come back by scanning their tags."}
	case b.Status != store.BookingConfirmed && b.Status != store.BookingOut:
		return &RuleError{Msg: "Booking " + b.Number + " is " + b.Status + "; only confirmed bookings go out."}
	case pickUp && line.PickedUpAt != nil:
		return &RuleError{Msg: "This line is already out."}
	case !pickUp && line.PickedUpAt == nil:
		return &RuleError{Msg: "This line has not been picked up."}
	case !pickUp && line.ReturnedAt != nil:
		return &RuleError{Msg: "This line is already back."}
	}
	return nil
}
