package payment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Webhook refusals; the web layer answers 400 to each, and Stripe retries.
var (
	ErrBadSignature = errors.New("payment: webhook signature missing, invalid or too old")
	ErrAPIVersion   = errors.New("payment: webhook event of another Stripe API version")
	ErrBadEvent     = errors.New("payment: webhook event cannot be read")
)

// HandleWebhook verifies a Stripe webhook delivery over its raw body and acts
// on it once: a duplicate (the same event id) changes nothing, and events may
// come in any order.
func (s *Service) HandleWebhook(ctx context.Context, payload []byte, signature string) error {
	if !s.Enabled() {
		return ErrBadSignature
	}
	ev, err := webhook.ConstructEventWithOptions(payload, signature, s.o.Stripe.WebhookSecret,
		webhook.ConstructEventOptions{Tolerance: WebhookTolerance, IgnoreAPIVersionMismatch: true})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	if ev.APIVersion != stripe.APIVersion {
		// Objects of another version may not read as this client expects;
		// refusing keeps the event at Stripe, to be resent once the
		// endpoint is set to the version we read.
		s.o.Logger.Error("stripe webhook refused: the endpoint sends another API version; set the webhook endpoint's API version to "+stripe.APIVersion,
			"event", ev.ID, "type", ev.Type, "api_version", ev.APIVersion, "want", stripe.APIVersion)
		return fmt.Errorf("%w: %s, want %s", ErrAPIVersion, ev.APIVersion, stripe.APIVersion)
	}
	if !sane(ev.ID) || ev.Data == nil {
		return ErrBadEvent
	}
	switch ev.Type {
	case "checkout.session.completed", "checkout.session.async_payment_succeeded":
		return s.onSessionPaid(ctx, ev)
	case "checkout.session.async_payment_failed":
		return s.onSessionEnded(ctx, ev, store.SessionFailed)
	case "checkout.session.expired":
		return s.onSessionEnded(ctx, ev, store.SessionExpired)
	case "charge.refunded":
		return s.onChargeRefunded(ctx, ev)
	}
	s.o.Logger.Debug("stripe webhook: event type not handled", "event", ev.ID, "type", ev.Type)
	return nil
}

// session reads the Checkout Session of an event and the booking it names.
func session(ev stripe.Event) (stripe.CheckoutSession, int64, error) {
	var cs stripe.CheckoutSession
	if err := json.Unmarshal(ev.Data.Raw, &cs); err != nil || !sane(cs.ID) || (cs.PaymentIntent != nil && !sane(cs.PaymentIntent.ID)) {
		return cs, 0, fmt.Errorf("%w: %s has no checkout session", ErrBadEvent, ev.ID)
	}
	ref := cs.Metadata["booking_id"]
	if ref == "" {
		ref = cs.ClientReferenceID
	}
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || id <= 0 {
		return cs, 0, nil
	}
	return cs, id, nil
}

// onSessionPaid fulfils a paid session: booking confirmed, payment recorded,
// invoice issued and confirmation mailed, in one transaction with the event
// recorded. A session still waiting for an asynchronous payment only marks
// the event. A hold that ran out and whose stock went elsewhere is refunded.
func (s *Service) onSessionPaid(ctx context.Context, ev stripe.Event) error {
	cs, bookingID, err := session(ev)
	if err != nil {
		return err
	}
	if cs.AmountTotal < 0 || (cs.AmountTotal == 0 && cs.PaymentStatus == stripe.CheckoutSessionPaymentStatusPaid) {
		return fmt.Errorf("%w: %s pays %d", ErrBadEvent, ev.ID, cs.AmountTotal)
	}
	if bookingID == 0 || cs.PaymentStatus != stripe.CheckoutSessionPaymentStatusPaid {
		return s.recordOnly(ctx, ev, bookingID)
	}
	err = s.o.Store.WithTx(ctx, func(tx *store.Store) error {
		fresh, err := s.freshEvent(ctx, tx, ev, bookingID)
		if err != nil || !fresh {
			return err
		}
		if _, err := tx.PaymentByStripe(ctx, cs.ID); err == nil {
			return nil // paid already, through another event of this session
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := s.o.Engine.ConfirmTx(ctx, tx, bookingID, booking.Actor{}); err != nil {
			return err
		}
		// Confirming issued the invoice (the engine does, in this transaction).
		_, err = s.recordSessionPayment(ctx, tx, bookingID, cs)
		return err
	})
	var ce *booking.ConflictError
	var re *booking.RuleError
	if errors.As(err, &ce) || errors.As(err, &re) {
		return s.refundLate(ctx, ev, bookingID, cs, err)
	}
	if errors.Is(err, store.ErrNotFound) {
		s.o.Logger.Warn("stripe webhook: paid session names no booking here", "event", ev.ID, "booking", bookingID)
		return s.recordOnly(ctx, ev, 0)
	}
	return err
}

func (s *Service) recordSessionPayment(ctx context.Context, tx *store.Store, bookingID int64, cs stripe.CheckoutSession) (int64, error) {
	pi := ""
	if cs.PaymentIntent != nil {
		pi = cs.PaymentIntent.ID
	}
	id, err := s.o.Ledger.RecordPayment(ctx, tx, Payment{BookingID: bookingID, Method: store.MethodStripe, Amount: cs.AmountTotal,
		Reference: pi, StripeID: cs.ID, Note: "paid online"})
	if err != nil {
		return 0, err
	}
	return id, tx.SetCheckoutSessionStatus(ctx, cs.ID, store.SessionComplete)
}

// freshEvent records the event and says whether it is new; a duplicate
// delivery running at the same moment waits here for the first to commit.
func (s *Service) freshEvent(ctx context.Context, tx *store.Store, ev stripe.Event, bookingID int64) (bool, error) {
	return tx.RecordStripeEvent(ctx, ev.ID, string(ev.Type), bookingID, s.o.Now())
}

// recordOnly records an event that changes no money.
func (s *Service) recordOnly(ctx context.Context, ev stripe.Event, bookingID int64) error {
	return s.o.Store.WithTx(ctx, func(tx *store.Store) error {
		_, err := s.freshEvent(ctx, tx, ev, bookingID)
		return err
	})
}

// onSessionEnded marks a session expired or failed; a session completed
// before stays complete, and the booking is left alone (its hold runs out on
// its own, and a paid booking stays paid whatever arrives after).
func (s *Service) onSessionEnded(ctx context.Context, ev stripe.Event, status string) error {
	cs, bookingID, err := session(ev)
	if err != nil {
		return err
	}
	return s.o.Store.WithTx(ctx, func(tx *store.Store) error {
		fresh, err := s.freshEvent(ctx, tx, ev, bookingID)
		if err != nil || !fresh {
			return err
		}
		return tx.SetCheckoutSessionStatus(ctx, cs.ID, status)
	})
}

// sane says whether an id from an event can be stored: Stripe's ids are
// short ASCII, and PostgreSQL refuses NUL bytes and invalid UTF-8.
func sane(id string) bool {
	return id != "" && len(id) <= 255 && utf8.ValidString(id) && !strings.ContainsRune(id, 0)
}
