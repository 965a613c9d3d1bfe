package booking

import (
	"context"
	"time"

	"github.com/rentdesk/rentdesk/internal/invoice"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Owner limits an operation to one customer's bookings: another customer's
// booking is ErrNotFound, exactly as if it did not exist. Zero means staff.
type Owner int64

// loadOwned locks a booking and checks it belongs to the owner.
func loadOwned(ctx context.Context, tx *store.Store, id int64, owner Owner) (store.Booking, error) {
	b, err := tx.LockBooking(ctx, id)
	if err != nil {
		return b, err
	}
	if owner != 0 && b.CustomerID != int64(owner) {
		return store.Booking{}, ErrNotFound
	}
	return b, nil
}

// FirstStart is when the earliest line of a booking starts.
func FirstStart(b store.Booking) time.Time {
	var first time.Time
	for _, l := range b.Lines {
		if first.IsZero() || l.StartsAt.Before(first) {
			first = l.StartsAt
		}
	}
	return first
}

// CancelDeadline is the last instant a customer may cancel for free: the
// hours before the first pickup the shop asked for when the booking was
// made, or today's when they are fewer. A shop asking for more notice later
// does not take back a free cancellation its customers were shown.
func CancelDeadline(b store.Booking, st store.Settings) time.Time {
	hours := int64(st.FreeCancellationHours)
	if b.FreeCancellationHours != nil && *b.FreeCancellationHours < hours {
		hours = *b.FreeCancellationHours
	}
	return FirstStart(b).Add(-time.Duration(hours) * time.Hour)
}

// CanCancel reports whether a booking may still be cancelled (by its customer
// when byCustomer: only within the free-cancellation window).
func CanCancel(b store.Booking, st store.Settings, now time.Time, byCustomer bool) bool {
	if b.Status != store.BookingHold && b.Status != store.BookingConfirmed {
		return false
	}
	return !byCustomer || now.Before(CancelDeadline(b, st))
}

// Cancel cancels a hold or a confirmed booking and frees its stock at once.
func (e *Engine) Cancel(ctx context.Context, bookingID int64, owner Owner, a Actor) error {
	settings, err := e.st.GetSettings(ctx)
	if err != nil {
		return err
	}
	return e.st.WithTx(ctx, func(tx *store.Store) error {
		now := e.now()
		b, err := loadOwned(ctx, tx, bookingID, owner)
		if err != nil {
			return err
		}
		if !CanCancel(b, settings, now, owner != 0) {
			if b.Status == store.BookingHold || b.Status == store.BookingConfirmed {
				return &RuleError{Msg: "Free cancellation ended; please call the shop to cancel."}
			}
			return &RuleError{Msg: "Booking " + b.Number + " is " + b.Status + " and cannot be cancelled."}
		}
		for _, l := range b.Lines {
			if _, err := tx.ReleaseLineUnits(ctx, l.ID, 0); err != nil {
				return err
			}
		}
		if err := tx.SetBookingStatus(ctx, b.ID, store.BookingCancelled, now); err != nil {
			return err
		}
		if err := e.audit(ctx, tx, a, "booking.cancel", b.ID, map[string]string{"status": b.Status},
			map[string]string{"status": store.BookingCancelled}); err != nil {
			return err
		}
		// A booking cancelled after it was invoiced gets a credit note for
		// what is left of its invoice, in the same transaction.
		if _, _, err := invoice.CreditRest(ctx, tx, b.ID, "Booking "+b.Number+" cancelled"); err != nil {
			return err
		}
		reason := ""
		if owner == 0 {
			reason = shopCancelReason
		}
		return e.notify.BookingCancelled(ctx, tx, b.ID, reason)
	})
}

// PeriodChange moves a line's period: extend, shorten or move it.
type PeriodChange struct {
	BookingID, LineID int64
	Start, End        time.Time
	Owner             Owner
	Actor             Actor
}

// ChangeLinePeriod gives a line a new period, re-checked and re-priced; the
// difference goes into the booking's total (what is due at pickup). Units keep
// their place when they are free for the new period; a line not yet picked up
// moves to other free units otherwise. A line that is out keeps its start.
func (e *Engine) ChangeLinePeriod(ctx context.Context, pc PeriodChange) error {
	settings, err := e.st.GetSettings(ctx)
	if err != nil {
		return err
	}
	return e.withBooking(ctx, pc.BookingID, pc.Owner, func(tx *store.Store, b store.Booking, now time.Time) error {
		line, ok := b.Line(pc.LineID)
		if !ok {
			return ErrNotFound
		}
		if err := checkPeriodChange(b, line, pc, now); err != nil {
			return err
		}
		loc, err := tx.GetBookingLocation(ctx, b.LocationID)
		if err != nil {
			return err
		}
		// Only an end (or start) that moves must meet the hours: a booking
		// made before the shop changed its hours keeps what it has.
		fe := FieldErrors{}
		if pc.End.After(line.EndsAt) {
			// Only a later end meets the horizon: shortening a line booked
			// before the shop shortened its horizon stays possible.
			checkHorizon(fe, "end", pc.End, settings, now)
		}
		checkHours(fe, loc, pc.Start, pc.End, !pc.Start.Equal(line.StartsAt), !pc.End.Equal(line.EndsAt))
		if len(fe) > 0 {
			return fe
		}
		it, err := tx.GetBookableItem(ctx, line.ItemID)
		if err != nil {
			return err
		}
		if err := e.moveLine(ctx, tx, b, line, it, pc.Start, pc.End, now); err != nil {
			return asConflict(err, it, pc.Start, pc.End, b.TimeZone)
		}
		q, err := e.pricer.Quote(it, pc.Start, pc.End, period.Zone(b.TimeZone), line.Quantity, settings)
		if err != nil {
			return err
		}
		if err := tx.UpdateLinePeriod(ctx, line.ID, pc.Start, pc.End, q.UnitPrice, q.Total, q.Breakdown); err != nil {
			return err
		}
		if err := e.retotal(ctx, tx, b.ID, now); err != nil {
			return err
		}
		// An invoiced booking that changed gets a credit note for the old
		// invoice and a new one; issued invoices are never edited.
		if _, _, err := invoice.Reissue(ctx, tx, b.ID, "Booking "+b.Number+" changed"); err != nil {
			return err
		}
		return e.audit(ctx, tx, pc.Actor, "booking.line.period", b.ID,
			map[string]any{"line_id": line.ID, "starts_at": line.StartsAt, "ends_at": line.EndsAt, "line_total": line.LineTotal},
			map[string]any{"line_id": line.ID, "starts_at": pc.Start, "ends_at": pc.End, "line_total": q.Total})
	})
}

func checkPeriodChange(b store.Booking, line store.BookingLine, pc PeriodChange, now time.Time) error {
	switch b.Status {
	case store.BookingHold, store.BookingConfirmed, store.BookingOut:
	default:
		return &RuleError{Msg: "Booking " + b.Number + " is " + b.Status + " and cannot be changed."}
	}
	if line.ReturnedAt != nil {
		return &RuleError{Msg: "That item is already back."}
	}
	fe := FieldErrors{}
	picked := line.PickedUpAt != nil || anyPicked(line)
	if picked && !pc.Start.Equal(line.StartsAt) {
		fe["start"] = "The item is already out; only the end can change."
	}
	if pc.Owner != 0 {
		// A customer only extends: a shorter or moved period would undo the
		// booking in part, which is a cancellation (and its window applies).
		if !pc.Start.Equal(line.StartsAt) {
			fe["start"] = "Only the end can change; call the shop to move a booking."
		}
		if !pc.End.After(line.EndsAt) {
			fe["end"] = "Choose an end later than the current one; call the shop to shorten a booking."
		}
	}
	if picked {
		// The start of a line that is out lies in the past by nature.
		checkPeriod(fe, pc.Start, pc.End, pc.Start)
		if !pc.End.After(now) {
			fe["end"] = "The new end is in the past and the item is still out: choose an end after now (" +
				now.In(period.Zone(b.TimeZone)).Format("Mon 2 Jan 15:04") + "), or check the item in when it is back."
		}
	} else {
		checkPeriod(fe, pc.Start, pc.End, now)
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
}

// moveLine re-takes a line's stock for a new period.
func (e *Engine) moveLine(ctx context.Context, tx *store.Store, b store.Booking, line store.BookingLine, it store.BookableItem, start, end, now time.Time) error {
	ls := lineStock{lineID: line.ID, item: it, locationID: b.LocationID, quantity: line.Quantity,
		start: start, end: end, zone: b.TimeZone, hold: b.ExpiresAt}
	if it.Tracking == "bulk" {
		return e.allocateBulk(ctx, tx, ls, now)
	}
	units := make([]int64, len(line.Units))
	for i, u := range line.Units {
		units[i] = u.UnitID
	}
	if err := tx.LockUnits(ctx, units); err != nil {
		return err
	}
	e.pause(ctx)
	err := tx.ResizeLineUnits(ctx, line.ID, it.Occupied(start, end))
	if err == nil || !isConflict(err) {
		return err
	}
	if anyPicked(line) {
		return err
	}
	// Its units are not free for the new period: try the same units first,
	// then any other free unit of the item.
	released, err := tx.ReleaseLineUnits(ctx, line.ID, 0)
	if err != nil {
		return err
	}
	ls.prefer = released
	return e.allocateUnits(ctx, tx, ls, now)
}

// retotal re-adds a booking's line prices after a change.
func (e *Engine) retotal(ctx context.Context, tx *store.Store, bookingID int64, now time.Time) error {
	b, err := tx.GetBooking(ctx, bookingID)
	if err != nil {
		return err
	}
	qs := make([]Quote, len(b.Lines))
	for i, l := range b.Lines {
		bd := ParseBreakdown(l.PriceBreakdown)
		qs[i] = Quote{Total: l.LineTotal, Tax: bd.Tax, Due: bd.Due}
	}
	return tx.SetBookingTotals(ctx, bookingID, SumQuotes(qs, b.Deposit), now)
}

func anyPicked(l store.BookingLine) bool {
	for _, u := range l.Units {
		if u.PickedUpAt != nil {
			return true
		}
	}
	return l.PickedUpAt != nil
}
