package booking

import (
	"context"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
)

// confirmLater confirms in Begin, as pay at pickup does, but is not known
// to confirm whatever it is given: the booking is written as a hold and
// confirmed afterwards in the same transaction.
type confirmLater struct{}

func (confirmLater) Begin(context.Context, *store.Store, store.Booking, store.Settings) (PaymentOutcome, error) {
	return PaymentOutcome{Confirm: true}, nil
}

// A checkout confirmed at once is written confirmed (no hold to clear a
// moment later) and leaves exactly the rows of the same checkout written as
// a hold and confirmed in its transaction: bookings, lines (their copy of
// the status), allocations (no hold expiry), audit (created a hold, then
// confirmed) and invoice, column by column, in two identical shops (but the
// database's clock: the instants rows were written at).
func TestBookingConfirmedAtOnceAgreesWithHoldThenConfirm(t *testing.T) {
	rows := func(step PaymentStep) []string {
		w := newWorld(t)
		lens := w.item("Lens", 3, 60, 30)
		tripod := w.bulkItem("Tripod", 5)
		c := w.customer()
		eng := New(w.st, w.clock.Now, flatPricer{}).WithPayment(step)
		for _, lines := range [][]LineRequest{
			{{ItemID: lens, Quantity: 2, Start: day(1, 9), End: day(3, 9)}, {ItemID: tripod, Quantity: 3, Start: day(1, 9), End: day(2, 9)}},
			{{ItemID: lens, Quantity: 1, Start: day(2, 10), End: day(4, 10)}},
		} {
			if _, err := eng.Book(w.ctx, Request{CustomerID: c, LocationID: w.loc, Actor: Actor{UserID: c}, Online: true,
				Lines: lines, IdempotencyKey: "form-" + lines[0].Start.String()}); err != nil {
				t.Fatal(err)
			}
		}
		var out []string
		for _, q := range []string{
			`SELECT to_jsonb(b)::text FROM bookings b ORDER BY id`,
			`SELECT (to_jsonb(l) - 'created_at')::text FROM booking_lines l ORDER BY id`,
			`SELECT (to_jsonb(a) - 'created_at')::text FROM unit_allocations a ORDER BY id`,
			`SELECT (to_jsonb(a) - 'at' - 'id')::text FROM audit_log a WHERE entity_type = 'booking' ORDER BY id`,
			`SELECT (to_jsonb(i) - 'issued_at' - 'issue_date')::text FROM invoices i ORDER BY id`,
			`SELECT to_jsonb(l)::text FROM invoice_lines l ORDER BY invoice_id, position`,
		} {
			rs, err := w.st.DB().QueryContext(w.ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for rs.Next() {
				var s string
				if err := rs.Scan(&s); err != nil {
					t.Fatal(err)
				}
				out = append(out, s)
			}
			rs.Close()
		}
		return out
	}
	old, now := rows(confirmLater{}), rows(PayAtPickup{})
	if len(old) < 10 || !strings.Contains(strings.Join(old, "\n"), `"status": "confirmed"`) {
		t.Fatalf("too little to compare: %v", old)
	}
	if strings.Join(old, "\n") != strings.Join(now, "\n") {
		for i := range max(len(old), len(now)) {
			var a, b string
			if i < len(old) {
				a = old[i]
			}
			if i < len(now) {
				b = now[i]
			}
			if a != b {
				t.Errorf("row %d:\nhold then confirm %s\nconfirmed at once %s", i, a, b)
			}
		}
	}
}

// The steps that confirm whatever they hold are known; the others decide.
func TestConfirmsAtOnce(t *testing.T) {
	for _, c := range []struct {
		step PaymentStep
		mode string
		want bool
	}{
		{PayAtPickup{}, PaymentModeOnlineFull, true},
		{ByPaymentMode{}, PaymentModeAtPickup, true},
		{ByPaymentMode{OnlinePayment: true}, PaymentModeAtPickup, true},
		{ByPaymentMode{OnlinePayment: true}, PaymentModeOnlineFull, false},
		{ByPaymentMode{OnlinePayment: true}, PaymentModeOnlineDeposit, false},
		{ByPaymentMode{}, PaymentModeOnlineFull, false}, // refused in Begin
		{confirmLater{}, PaymentModeAtPickup, false},
		{holdOnly{}, PaymentModeAtPickup, false},
	} {
		if got := confirmsAtOnce(c.step, store.Settings{PaymentMode: c.mode}); got != c.want {
			t.Errorf("%T in %s: %v, want %v", c.step, c.mode, got, c.want)
		}
	}
}
