package payment

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/store"
)

// DefaultDepositPercent is the share of a booking prepaid online in the
// online_deposit mode when the setting holds none.
const DefaultDepositPercent = 30

// stripeMinExpiry is the shortest life Stripe allows a Checkout Session.
const stripeMinExpiry = 30 * time.Minute

// ErrStripeUnavailable means Stripe could not be reached or refused to
// answer: the hold is kept and the customer may try again.
var ErrStripeUnavailable = errors.New("payment: the payment service is unavailable")

// Alerter tells staff about money that needs a person (a late payment
// refunded), inside the transaction that found it.
type Alerter interface {
	PaymentAlert(ctx context.Context, tx *store.Store, bookingID int64, message string) error
}

// Options is what a Service needs.
type Options struct {
	Store   *store.Store
	Engine  *booking.Engine
	Ledger  *Ledger
	Stripe  StripeConfig
	BaseURL string // the public address, for Checkout's return links
	Now     func() time.Time
	Logger  *slog.Logger
	Alerts  Alerter // nil: audit only
}

// Service runs online payment: Checkout Sessions, the webhook, refunds.
type Service struct {
	o   Options
	api *client.API // nil when Stripe is not configured
}

// NewService builds the payment service; without Stripe keys online
// payment is off (Enabled reports it) and desk payments still work.
func NewService(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Ledger == nil {
		o.Ledger = NewLedger(o.Store, o.Now)
	}
	s := &Service{o: o}
	if o.Stripe.Configured() {
		s.api = newStripeAPI(o.Stripe, o.Logger)
	}
	return s
}

// Enabled reports whether online payment is set up.
func (s *Service) Enabled() bool { return s != nil && s.api != nil }

// Ledger is the service's ledger.
func (s *Service) Ledger() *Ledger { return s.o.Ledger }

// OnlineAmount is what a customer pays online for a booking under a payment
// mode: all of it, or the prepaid share (rounded half up to the minor unit).
func OnlineAmount(total int64, mode string, depositPercent int) int64 {
	if mode != booking.PaymentModeOnlineDeposit {
		return total
	}
	if depositPercent <= 0 || depositPercent > 100 {
		depositPercent = DefaultDepositPercent
	}
	return (total*int64(depositPercent) + 50) / 100
}

// StartCheckout returns the Checkout page of a hold of customer owner (0 =
// any), making a Checkout Session when there is no open one. A booking of
// another customer is store.ErrNotFound; Stripe down is ErrStripeUnavailable
// and changes nothing.
func (s *Service) StartCheckout(ctx context.Context, bookingID, owner int64) (string, error) {
	if !s.Enabled() {
		return "", booking.ErrOnlinePaymentUnavailable
	}
	b, err := s.o.Store.GetBooking(ctx, bookingID)
	if err != nil {
		return "", err
	}
	if owner != 0 && b.CustomerID != owner {
		return "", fmt.Errorf("payment: booking %d of another customer: %w", bookingID, store.ErrNotFound)
	}
	now := s.o.Now()
	if b.Status != store.BookingHold || b.ExpiresAt == nil || !b.ExpiresAt.After(now) {
		return "", &booking.RuleError{Msg: "Booking " + b.Number + " is no longer waiting for payment."}
	}
	st, err := s.o.Store.GetSettings(ctx)
	if err != nil {
		return "", err
	}
	amount := OnlineAmount(b.Total, st.PaymentMode, depositPercent(st))
	if amount <= 0 {
		// Nothing to pay online: the booking is confirmed as it stands.
		return "", s.o.Engine.Confirm(ctx, b.ID, booking.Actor{UserID: b.CustomerID})
	}
	if cs, err := s.o.Store.LatestCheckoutSession(ctx, b.ID); err == nil && cs.Status == store.SessionOpen &&
		cs.Amount == amount && cs.ExpiresAt.After(now.Add(time.Minute)) {
		return cs.URL, nil
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	return s.createSession(ctx, b, st, amount, now)
}

func (s *Service) createSession(ctx context.Context, b store.Booking, st store.Settings, amount int64, now time.Time) (string, error) {
	expires := *b.ExpiresAt
	if expires.Sub(now) < stripeMinExpiry {
		// Stripe refuses a shorter session; a payment arriving after the
		// hold ran out is confirmed if the stock is still free, refunded if not.
		expires = now.Add(stripeMinExpiry + time.Minute)
	}
	ref := fmt.Sprint(b.ID)
	p := &stripe.CheckoutSessionParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		ClientReferenceID: stripe.String(ref),
		CustomerEmail:     stripe.String(b.CustomerEmail),
		ExpiresAt:         stripe.Int64(expires.Unix()),
		SuccessURL:        stripe.String(s.o.BaseURL + "/bookings/" + ref + "/payment/success"),
		CancelURL:         stripe.String(s.o.BaseURL + "/bookings/" + ref + "/payment/cancel"),
		LineItems:         lineItems(b, st, amount),
		Metadata:          map[string]string{"booking_id": ref, "booking_number": b.Number},
		PaymentIntentData: &stripe.CheckoutSessionPaymentIntentDataParams{
			Metadata:    map[string]string{"booking_id": ref, "booking_number": b.Number},
			Description: stripe.String(st.ShopName + " booking " + b.Number),
		},
	}
	p.Context = ctx
	// The key names the booking and how many sessions it had: a retry after
	// a timeout (nothing recorded) gets the session the first call made,
	// while a new session after one ran out gets a new key.
	made, err := s.o.Store.CountCheckoutSessions(ctx, b.ID)
	if err != nil {
		return "", err
	}
	p.SetIdempotencyKey(fmt.Sprintf("rentdesk-checkout-%d-%d-%d", b.ID, made+1, amount))
	cs, err := s.api.CheckoutSessions.New(p)
	if err != nil {
		s.o.Logger.Warn("stripe: create checkout session failed; the hold is kept", "booking", b.ID, "err", err)
		return "", fmt.Errorf("%w: %w", ErrStripeUnavailable, err)
	}
	if cs.URL == "" || cs.ID == "" {
		return "", fmt.Errorf("%w: session without id or url", ErrStripeUnavailable)
	}
	err = s.o.Store.InsertCheckoutSession(ctx, store.CheckoutSession{ID: cs.ID, BookingID: b.ID, Amount: amount,
		Currency: b.Currency, URL: cs.URL, ExpiresAt: expires, CreatedAt: now})
	if err != nil {
		return "", err
	}
	return cs.URL, nil
}

// lineItems are the Checkout lines: our own price breakdown, one line per
// booking line and the tax added on top, or the prepaid share as one line.
func lineItems(b store.Booking, st store.Settings, amount int64) []*stripe.CheckoutSessionLineItemParams {
	cur := strings.ToLower(b.Currency)
	item := func(name string, amt int64) *stripe.CheckoutSessionLineItemParams {
		return &stripe.CheckoutSessionLineItemParams{Quantity: stripe.Int64(1), PriceData: &stripe.CheckoutSessionLineItemPriceDataParams{
			Currency: stripe.String(cur), UnitAmount: stripe.Int64(amt),
			ProductData: &stripe.CheckoutSessionLineItemPriceDataProductDataParams{Name: stripe.String(name)}}}
	}
	if amount != b.Total {
		return []*stripe.CheckoutSessionLineItemParams{item(fmt.Sprintf("Prepayment for booking %s (total %s)",
			b.Number, money.Format(b.Total, b.Currency)), amount)}
	}
	var out []*stripe.CheckoutSessionLineItemParams
	var sum int64
	for _, l := range b.Lines {
		if l.LineTotal <= 0 {
			continue
		}
		out = append(out, item(fmt.Sprintf("%s × %d", l.ItemName, l.Quantity), l.LineTotal))
		sum += l.LineTotal
	}
	switch tax := b.Total - sum; {
	case tax > 0:
		out = append(out, item("Tax", tax))
	case tax < 0 || len(out) == 0:
		// The lines do not add up to the total (a discount): charge the total.
		return []*stripe.CheckoutSessionLineItemParams{item("Booking "+b.Number, b.Total)}
	}
	return out
}

// depositPercent is the shop's prepaid share in the online_deposit mode.
func depositPercent(st store.Settings) int { return st.DepositPercent }
