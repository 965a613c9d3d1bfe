package desk

import (
	"context"
	"fmt"
	"time"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/payment"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Desk runs the counter's work that goes beyond taking stock: hand-overs,
// returns with their condition, late fees, damage charges and deposits. Stock
// still moves only through the booking engine, money only through the ledger.
type Desk struct {
	st     *store.Store
	engine *booking.Engine
	ledger *payment.Ledger
	now    func() time.Time
}

// New builds the desk on the store, the booking engine, the payment ledger
// and a clock (nil: time.Now).
func New(st *store.Store, engine *booking.Engine, ledger *payment.Ledger, now func() time.Time) *Desk {
	if now == nil {
		now = time.Now
	}
	return &Desk{st: st, engine: engine, ledger: ledger, now: now}
}

// HandOver records that staff gave the customer everything now out on the
// booking: a copy of the lines, units and deposit for the signed sheet. It
// returns the hand-over's id.
func (d *Desk) HandOver(ctx context.Context, bookingID int64, a booking.Actor) (int64, error) {
	var id int64
	err := d.st.WithTx(ctx, func(tx *store.Store) error {
		b, err := tx.LockBooking(ctx, bookingID)
		if err != nil {
			return err
		}
		lines := outLines(b)
		if len(lines) == 0 {
			return &booking.RuleError{Msg: NothingOut(b)}
		}
		now := d.now()
		id, err = tx.CreateHandover(ctx, store.NewHandover{BookingID: b.ID, HandedBy: a.UserID, HandedAt: now,
			Lines: lines, Deposit: b.Deposit, Currency: b.Currency})
		if err != nil {
			return err
		}
		return tx.InsertAudit(ctx, store.Audit{ActorID: a.UserID, Action: "booking.handover", EntityType: "booking",
			EntityID: fmt.Sprint(b.ID), After: map[string]any{"handover": id, "lines": lines}, RequestID: a.RequestID})
	})
	return id, err
}

// NothingOut says why a booking with nothing out has no hand-over to record:
// not picked up yet, everything back, or the booking is off.
func NothingOut(b store.Booking) string {
	switch b.Status {
	case store.BookingReturned, store.BookingClosed:
		return "Everything on booking " + b.Number + " is back: there is nothing to hand over."
	case store.BookingCancelled, store.BookingExpired:
		return "Booking " + b.Number + " is " + b.Status + ": there is nothing to hand over."
	}
	return "Nothing is out on booking " + b.Number + " yet: scan the units out first."
}

// outLines is what is out on a booking now: bulk lines picked up and not
// back, and the units of each line that are out.
func outLines(b store.Booking) []store.HandoverLine {
	var out []store.HandoverLine
	for _, l := range b.Lines {
		hl := store.HandoverLine{Item: l.ItemName, Start: l.StartsAt, End: l.EndsAt}
		if l.Tracking == "bulk" {
			if l.PickedUpAt != nil && l.ReturnedAt == nil {
				hl.Quantity = l.Quantity
				out = append(out, hl)
			}
			continue
		}
		for _, u := range l.Units {
			if u.PickedUpAt != nil && u.ReturnedAt == nil {
				hl.Quantity++
				hl.Tags = append(hl.Tags, u.AssetTag)
			}
		}
		if hl.Quantity > 0 {
			out = append(out, hl)
		}
	}
	return out
}
