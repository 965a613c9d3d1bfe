package desk

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Waiver waives a late fee charged at a return, afterwards (the customer
// complained the next day): all of it, or Amount of it.
type Waiver struct {
	BookingID, ReturnID int64
	// Amount (minor units) is the part waived; 0 waives the whole charge.
	Amount int64
	Reason string
	Actor  booking.Actor
}

// WaiverResult says what a waiver did.
type WaiverResult struct {
	Amount   int64
	Currency string
	// Owed is what the shop now owes the customer (they paid more than is
	// due after the waiver): staff give it back as a refund.
	Owed   int64
	Closed bool
}

func (w Waiver) check() error {
	fe := booking.FieldErrors{}
	reason := strings.TrimSpace(w.Reason)
	switch {
	case reason == "":
		fe["waive_reason"] = "Say why the late fee is waived."
	case utf8.RuneCountInString(reason) > 500:
		fe["waive_reason"] = "Use at most 500 characters."
	}
	if w.Amount < 0 {
		fe["waive_amount"] = "Enter an amount above zero, or leave it empty to waive all of it."
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
}

// WaiveCharged waives a late fee that was charged on the ledger at a
// return, in one transaction with the booking and the return row locked, so
// of two waivers at the same moment one is applied and the other finds it
// done. It writes a negative late-fee charge (the balance drops; no money
// moved, so revenue does not change), records the waiver on the return,
// audits it with the reason, and closes a returned booking that is settled
// by it. Late fees are never on an invoice (invoices carry the rental lines
// only), so there is no invoice to correct.
func (d *Desk) WaiveCharged(ctx context.Context, w Waiver) (WaiverResult, error) {
	if err := w.check(); err != nil {
		return WaiverResult{}, err
	}
	var res WaiverResult
	err := d.st.WithTx(ctx, func(tx *store.Store) error {
		res = WaiverResult{}
		b, err := tx.LockBooking(ctx, w.BookingID)
		if err != nil {
			return err
		}
		f, err := tx.LockReturnFee(ctx, b.ID, w.ReturnID)
		if err != nil {
			return err
		}
		switch {
		case f.LateFeeWaived != "":
			return &booking.RuleError{Msg: "The late fee of " + f.What + " was waived already."}
		case f.LedgerEntryID == 0 || f.LateFee == 0:
			return &booking.RuleError{Msg: "No late fee was charged for " + f.What + "."}
		}
		amount := w.Amount
		if amount == 0 {
			amount = f.LateFee
		}
		if amount > f.LateFee {
			return booking.FieldErrors{"waive_amount": "Waive at most the late fee charged (" + money.Format(f.LateFee, b.Currency) + ")."}
		}
		reason := strings.TrimSpace(w.Reason)
		entry, err := d.ledger.ReleaseCharge(ctx, tx, b.ID, store.ChargeLateFee, amount,
			"Late fee waived, "+f.What+": "+reason, w.Actor.UserID)
		if err != nil {
			return err
		}
		if err := tx.WaiveReturnFee(ctx, store.LateFeeWaiver{ReturnID: f.ID, Amount: amount, EntryID: entry, By: w.Actor.UserID,
			Reason: reason, At: d.now()}); err != nil {
			return err
		}
		if err := tx.InsertAudit(ctx, store.Audit{ActorID: w.Actor.UserID, Action: "booking.late_fee.waive", EntityType: "booking",
			EntityID: fmt.Sprint(b.ID), After: map[string]any{"unit": f.What, "amount": amount, "charged": f.LateFee,
				"reason": reason, "return": f.ID, "ledger_entry": entry}, RequestID: w.Actor.RequestID}); err != nil {
			return err
		}
		res.Amount, res.Currency = amount, b.Currency
		if res.Closed, err = d.closeIfSettled(ctx, tx, b.ID, w.Actor); err != nil {
			return err
		}
		bal, err := d.ledger.Balance(ctx, tx, b)
		if err != nil {
			return err
		}
		res.Owed = max(-bal.Due, 0)
		return nil
	})
	return res, err
}
