package booking

import (
	"context"

	"github.com/rentdesk/rentdesk/internal/store"
)

// PaymentModeAtPickup is the shop setting under which customers pay at the
// desk; the other modes (online_full, online_deposit) take payment online.
const PaymentModeAtPickup = "pay_at_pickup"

// ErrOnlinePaymentUnavailable refuses a customer's checkout while the shop's
// payment mode asks for online payment and no online payment step exists:
// confirming the booking with nothing paid would break the shop's setting.
var ErrOnlinePaymentUnavailable = &RuleError{Msg: "Online booking is not available right now; please call the shop."}

// CheckoutOpen says whether a customer's own checkout can complete under the
// shop's payment mode (nil = it can).
func CheckoutOpen(st store.Settings) error {
	if st.PaymentMode == "" || st.PaymentMode == PaymentModeAtPickup {
		return nil
	}
	return ErrOnlinePaymentUnavailable
}

// ByPaymentMode is the payment step until online payment plugs in: it
// follows the shop's payment mode, confirming pay-at-pickup bookings at once
// and refusing checkouts in an online mode, so the hold is rolled back and no
// booking is confirmed as if it had been paid.
type ByPaymentMode struct{}

// Begin confirms at pickup mode, and refuses the online modes.
func (ByPaymentMode) Begin(ctx context.Context, tx *store.Store, b store.Booking, st store.Settings) (PaymentOutcome, error) {
	if err := CheckoutOpen(st); err != nil {
		return PaymentOutcome{}, err
	}
	return PayAtPickup{}.Begin(ctx, tx, b, st)
}
