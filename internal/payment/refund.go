package payment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/stripe/stripe-go/v76"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/invoice"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/store"
)

// refundLate handles a payment for a booking that can no longer be
// confirmed (its hold ran out and the stock went to someone else): the
// payment and its full refund are recorded with the event, staff are
// alerted, and the refund is sent to Stripe once that has committed.
func (s *Service) refundLate(ctx context.Context, ev stripe.Event, bookingID int64, cs stripe.CheckoutSession, cause error) error {
	var refundID int64
	err := s.o.Store.WithTx(ctx, func(tx *store.Store) error {
		fresh, err := s.freshEvent(ctx, tx, ev, bookingID)
		if err != nil || !fresh {
			return err
		}
		if _, err := tx.PaymentByStripe(ctx, cs.ID); err == nil {
			return nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		payID, err := s.recordSessionPayment(ctx, tx, bookingID, cs)
		if err != nil {
			return err
		}
		refundID, err = s.o.Ledger.RecordRefund(ctx, tx, Refund{BookingID: bookingID, PaymentID: payID, Method: store.MethodStripe,
			Amount: cs.AmountTotal, Status: store.EntryPending, Note: "automatic refund: paid after the hold ran out and the stock was gone"})
		if err != nil {
			return err
		}
		b, err := tx.GetBooking(ctx, bookingID)
		if err != nil {
			return err
		}
		msg := fmt.Sprintf("Booking %s was paid online (%s) after its hold ran out, and the stock was no longer free: %s The payment is being refunded in full automatically.",
			b.Number, money.Format(cs.AmountTotal, b.Currency), conflictText(cause))
		if err := tx.InsertAudit(ctx, store.Audit{Action: "payment.late_refund", EntityType: "booking", EntityID: fmt.Sprint(bookingID),
			After: map[string]any{"session": cs.ID, "amount": cs.AmountTotal, "reason": conflictText(cause)}}); err != nil {
			return err
		}
		if s.o.Alerts != nil {
			return s.o.Alerts.PaymentAlert(ctx, tx, bookingID, msg)
		}
		return nil
	})
	if err != nil || refundID == 0 {
		return err
	}
	s.o.Logger.Warn("late payment refunded: the hold ran out and the stock was gone", "booking", bookingID, "session", cs.ID)
	if err := s.SendRefund(ctx, refundID); err != nil {
		// The refund stays pending and staff were told; they can send it again.
		s.o.Logger.Error("stripe: automatic refund not sent; it stays pending", "booking", bookingID, "refund", refundID, "err", err)
	}
	return nil
}

func conflictText(err error) string {
	var ce *booking.ConflictError
	var re *booking.RuleError
	switch {
	case errors.As(err, &ce):
		return ce.Message()
	case errors.As(err, &re):
		return re.Msg
	}
	return "it could not be confirmed."
}

// Refund gives back amount of a payment, by staffID. A Stripe payment is
// refunded through Stripe (the refund is recorded pending first, and sent
// with an idempotency key made from its entry id); any other payment is
// recorded as cash given back at the desk. It returns the refund's entry.
//
// claim, when not nil, runs first in the transaction that records the
// refund (a desk form's once token): its error records nothing and asks
// Stripe for nothing.
func (s *Service) Refund(ctx context.Context, bookingID, paymentID, amount int64, note string, staffID int64, claim func(tx *store.Store) error) (int64, error) {
	pay, err := s.o.Store.GetLedgerEntry(ctx, paymentID)
	if err != nil || pay.BookingID != bookingID || pay.Kind != store.EntryPayment {
		return 0, booking.FieldErrors{"payment": "Choose a payment of this booking."}
	}
	r := Refund{BookingID: bookingID, PaymentID: paymentID, Method: store.MethodCash, Amount: amount, Note: note, StaffID: staffID}
	if pay.Method == store.MethodStripe {
		if !s.Enabled() {
			return 0, &booking.RuleError{Msg: "Online payment is not set up, so card payments cannot be refunded here."}
		}
		r.Method, r.Status = store.MethodStripe, store.EntryPending
	}
	var id int64
	err = s.o.Store.WithTx(ctx, func(tx *store.Store) error {
		if claim != nil {
			if err := claim(tx); err != nil {
				return err
			}
		}
		if id, err = s.o.Ledger.RecordRefund(ctx, tx, r); err != nil {
			return err
		}
		return creditRefund(ctx, tx, bookingID, pay, amount, note)
	})
	if err != nil || r.Method != store.MethodStripe {
		return id, err
	}
	return id, s.SendRefund(ctx, id)
}

// creditRefund issues the credit note of rental money given back (a
// security deposit is not invoiced, and a booking never invoiced has
// nothing to credit).
func creditRefund(ctx context.Context, tx *store.Store, bookingID int64, pay store.LedgerEntry, amount int64, note string) error {
	if pay.Note == DepositNote {
		return nil
	}
	reason := "Refund"
	if note != "" {
		reason += ": " + note
	}
	_, err := invoice.CreditNote(ctx, tx, bookingID, amount, reason)
	if errors.Is(err, invoice.ErrNotInvoiced) {
		return nil
	}
	if errors.Is(err, invoice.ErrOverCredit) {
		// Money beyond the invoice (a late fee, damage) was given back too:
		// the invoice is credited in full, the rest has no invoice line.
		_, _, err = invoice.CreditRest(ctx, tx, bookingID, reason)
	}
	return err
}

// SendRefund asks Stripe for a pending refund entry; sending it again (after
// a timeout) is safe, as the idempotency key is the entry's id.
func (s *Service) SendRefund(ctx context.Context, entryID int64) error {
	e, err := s.o.Store.GetLedgerEntry(ctx, entryID)
	if err != nil {
		return err
	}
	if e.Kind != store.EntryRefund || e.Method != store.MethodStripe || e.Status != store.EntryPending {
		return nil
	}
	pay, err := s.o.Store.GetLedgerEntry(ctx, e.RefundOf)
	if err != nil {
		return err
	}
	if !s.Enabled() {
		return ErrStripeUnavailable
	}
	p := &stripe.RefundParams{PaymentIntent: stripe.String(pay.Reference), Amount: stripe.Int64(e.Amount),
		Metadata: map[string]string{"booking_id": fmt.Sprint(e.BookingID), "ledger_entry_id": fmt.Sprint(e.ID)}}
	p.Context = ctx
	p.SetIdempotencyKey(fmt.Sprintf("rentdesk-refund-%d", e.ID))
	r, err := s.api.Refunds.New(p)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrStripeUnavailable, err)
	}
	status := store.EntryDone
	if r.Status == stripe.RefundStatusFailed || r.Status == stripe.RefundStatusCanceled {
		status = store.EntryFailed
	}
	return s.o.Store.WithTx(ctx, func(tx *store.Store) error {
		if err := tx.SetLedgerEntryStripe(ctx, e.ID, status, r.ID); err != nil {
			return err
		}
		return s.o.Ledger.syncPaid(ctx, tx, e.BookingID)
	})
}

// onChargeRefunded records refunds made outside Rentdesk (in Stripe's
// dashboard): what Stripe says was refunded of a payment beyond what the
// ledger holds for it becomes a refund entry.
func (s *Service) onChargeRefunded(ctx context.Context, ev stripe.Event) error {
	var ch stripe.Charge
	if err := json.Unmarshal(ev.Data.Raw, &ch); err != nil || (ch.ID != "" && !sane(ch.ID)) {
		return fmt.Errorf("%w: %s has no charge", ErrBadEvent, ev.ID)
	}
	if ch.PaymentIntent == nil || !sane(ch.PaymentIntent.ID) {
		return s.recordOnly(ctx, ev, 0)
	}
	return s.o.Store.WithTx(ctx, func(tx *store.Store) error {
		pay, err := tx.PaymentByStripe(ctx, ch.PaymentIntent.ID)
		if errors.Is(err, store.ErrNotFound) {
			_, err := s.freshEvent(ctx, tx, ev, 0)
			return err
		}
		if err != nil {
			return err
		}
		fresh, err := s.freshEvent(ctx, tx, ev, pay.BookingID)
		if err != nil || !fresh {
			return err
		}
		if _, err := tx.LockBooking(ctx, pay.BookingID); err != nil {
			return err
		}
		known, err := tx.RefundedOf(ctx, pay.ID)
		if err != nil || ch.AmountRefunded <= known {
			return err
		}
		// The ledger never refunds more than the payment took: a charge that
		// claims more once the payment is refunded in full adds nothing, and
		// the event is taken (recorded as seen) rather than refused for ever.
		amount := min(ch.AmountRefunded-known, pay.Amount-known)
		if amount <= 0 {
			return nil
		}
		_, err = s.o.Ledger.RecordRefund(ctx, tx, Refund{BookingID: pay.BookingID, PaymentID: pay.ID, Method: store.MethodStripe,
			Amount: amount, Reference: ch.ID, Note: "refunded in Stripe"})
		return err
	})
}
