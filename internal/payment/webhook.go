package payment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Webhook refusals; the web layer answers 400 to each, and Stripe retries.
var (
	ErrBadSignature = errors.New("payment: webhook signature missing, invalid, too old or dated in the future")
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
	ev, err := verifiedEvent(payload, signature, s.o.Stripe.WebhookSecret, time.Now())
	if err != nil {
		return err
	}
	if !sane(ev.ID) || ev.Data == nil {
		return fmt.Errorf("%w: the event has no id or no data", ErrBadEvent)
	}
	if ev.APIVersion != stripe.APIVersion {
		// Objects of another version may not read as this client expects;
		// refusing keeps the event at Stripe, to be resent once the
		// endpoint is set to the version we read.
		s.o.Logger.Error("stripe webhook refused: the endpoint sends another API version; set the webhook endpoint's API version to "+stripe.APIVersion,
			"event", ev.ID, "type", ev.Type, "api_version", ev.APIVersion, "want", stripe.APIVersion)
		return fmt.Errorf("%w: %s, want %s", ErrAPIVersion, ev.APIVersion, stripe.APIVersion)
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

// verifiedEvent checks a delivery's signature and its timestamp, then reads
// the event. stripe-go refuses a timestamp older than the tolerance but not one
// ahead of now: a delivery dated a day ahead could be replayed for a day. The
// same window applies both ways (Stripe signs with the time it sends). A body that is signed but is not a Stripe event is ErrBadEvent,
// so the answer says what is wrong. The window is checked against the wall
// clock, as stripe-go does, since it is about when the message was sent.
func verifiedEvent(payload []byte, signature, secret string, now time.Time) (stripe.Event, error) {
	var ev stripe.Event
	if err := webhook.ValidatePayloadWithTolerance(payload, signature, secret, WebhookTolerance); err != nil {
		return ev, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	if at := signedAt(signature); at.Sub(now) > WebhookTolerance {
		return ev, fmt.Errorf("%w: timestamp %s is %s ahead of now", ErrBadSignature,
			at.UTC().Format(time.RFC3339), at.Sub(now).Round(time.Second))
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return ev, fmt.Errorf("%w: the body is not a Stripe event: %w", ErrBadEvent, err)
	}
	return ev, nil
}

// signedAt is the timestamp of a Stripe-Signature header that stripe-go has
// accepted, read by the same rule (the last "t=" wins).
func signedAt(signature string) time.Time {
	var at time.Time
	for _, pair := range strings.Split(signature, ",") {
		k, v, ok := strings.Cut(pair, "=")
		if !ok || k != "t" {
			continue
		}
		if sec, err := strconv.ParseInt(v, 10, 64); err == nil {
			at = time.Unix(sec, 0)
		}
	}
	return at
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
