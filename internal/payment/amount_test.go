package payment

import (
	"testing"

	"github.com/rentdesk/rentdesk/internal/booking"
)

// The online amount: everything in online_full; the prepaid share, rounded
// half up to the minor unit, in online_deposit; the default share when the
// setting is out of range.
func TestOnlineAmount(t *testing.T) {
	cases := []struct {
		total   int64
		mode    string
		percent int
		want    int64
	}{
		{12345, booking.PaymentModeOnlineFull, 30, 12345},
		{10000, booking.PaymentModeOnlineDeposit, 30, 3000},
		{999, booking.PaymentModeOnlineDeposit, 50, 500}, // 499.5 → 500
		{333, booking.PaymentModeOnlineDeposit, 10, 33},  // 33.3 → 33
		{1, booking.PaymentModeOnlineDeposit, 50, 1},     // 0.5 → 1
		{10000, booking.PaymentModeOnlineDeposit, 100, 10000},
		{10000, booking.PaymentModeOnlineDeposit, 0, 3000},   // unset: the default
		{10000, booking.PaymentModeOnlineDeposit, 150, 3000}, // nonsense: the default
	}
	for _, c := range cases {
		if got := OnlineAmount(c.total, c.mode, c.percent); got != c.want {
			t.Errorf("OnlineAmount(%d, %s, %d) = %d, want %d", c.total, c.mode, c.percent, got, c.want)
		}
	}
}
