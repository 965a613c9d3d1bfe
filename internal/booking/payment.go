package booking

import (
	"context"

	"github.com/rentdesk/rentdesk/internal/store"
)

// Payment modes of the shop (store.Settings.PaymentMode).
const (
	// PaymentModeAtPickup: customers pay at the desk.
	PaymentModeAtPickup = "pay_at_pickup"
	// PaymentModeOnlineFull: customers pay the whole booking online.
	PaymentModeOnlineFull = "online_full"
	// PaymentModeOnlineDeposit: customers prepay a share of it online.
	PaymentModeOnlineDeposit = "online_deposit"
)

// Online reports whether a payment mode takes payment online.
func Online(mode string) bool {
	return mode == PaymentModeOnlineFull || mode == PaymentModeOnlineDeposit
}

// ErrOnlinePaymentUnavailable refuses a customer's checkout while the shop's
// payment mode asks for online payment and no payment provider is set up:
// confirming the booking with nothing paid would break the shop's setting.
var ErrOnlinePaymentUnavailable = &RuleError{Msg: "Online booking is not available right now; please call the shop."}

// CheckoutOpen says whether a customer's own checkout can complete under the
// shop's payment mode, given whether online payment is set up (nil = it can).
func CheckoutOpen(st store.Settings, onlinePayment bool) error {
	if !Online(st.PaymentMode) || onlinePayment {
		return nil
	}
	return ErrOnlinePaymentUnavailable
}

// ByPaymentMode is the payment step of a customer's checkout. It follows the
// shop's payment mode: pay-at-pickup bookings are confirmed at once; in an
// online mode the hold is kept and waits for the payment webhook (the web
// layer sends the customer to the payment page once the hold is committed,
// so a payment provider that is down never costs the customer the hold).
// Without online payment set up (OnlinePayment false) the online modes are
// refused, so no booking is confirmed as if it had been paid.
type ByPaymentMode struct {
	OnlinePayment bool
}

// Begin confirms at pickup mode and keeps the hold in the online modes.
func (p ByPaymentMode) Begin(ctx context.Context, tx *store.Store, b store.Booking, st store.Settings) (PaymentOutcome, error) {
	if err := CheckoutOpen(st, p.OnlinePayment); err != nil {
		return PaymentOutcome{}, err
	}
	if Online(st.PaymentMode) {
		return PaymentOutcome{Confirm: false}, nil
	}
	return PayAtPickup{}.Begin(ctx, tx, b, st)
}

// confirmsAtOnce says whether a payment step confirms a customer's checkout
// whatever the hold it is given (it then need not be written as a hold):
// pay at pickup does, and the payment modes in pickup mode; any other step
// decides in Begin.
func confirmsAtOnce(p PaymentStep, st store.Settings) bool {
	switch p := p.(type) {
	case PayAtPickup:
		return true
	case ByPaymentMode:
		return CheckoutOpen(st, p.OnlinePayment) == nil && !Online(st.PaymentMode)
	}
	return false
}
