package booking

import (
	"context"
	"sync/atomic"
	"testing"
)

// A booking's invoice is issued with the settings the booking was priced and
// checked with: a settings change committed while the booking is being
// written (here: between its availability check and its write) does not
// make the invoice tell another tax mode or seller than its prices were
// made with.
func TestBookingInvoiceHasTheSettingsItWasPricedWith(t *testing.T) {
	w := newWorld(t)
	item := w.item("Lens", 1, 0, 0)
	customer := w.customer()
	w.exec(`UPDATE shop_settings SET tax_mode = 'inclusive', legal_name = 'Before Ltd'`)
	paused, release := make(chan struct{}), make(chan struct{})
	slow := New(w.st, w.clock.Now, flatPricer{})
	var once atomic.Bool
	slow.beforeWrite = func(ctx context.Context) {
		if once.CompareAndSwap(false, true) {
			close(paused)
			<-release
		}
	}
	done := make(chan error, 1)
	var res Result
	go func() {
		var err error
		res, err = slow.Book(w.ctx, Request{CustomerID: customer, LocationID: w.loc,
			Lines: []LineRequest{{ItemID: item, Quantity: 1, Start: day(1, 9), End: day(2, 9)}}})
		done <- err
	}()
	waitFor(t, paused, "the booking to pause between check and write")
	w.exec(`UPDATE shop_settings SET tax_mode = 'exclusive', legal_name = 'After Ltd'`)
	close(release)
	if err := waitErr(t, done); err != nil {
		t.Fatalf("book: %v", err)
	}
	var mode, seller string
	if err := w.st.DB().QueryRowContext(w.ctx, `SELECT tax_mode, seller_name FROM invoices WHERE booking_id = $1`,
		res.BookingID).Scan(&mode, &seller); err != nil {
		t.Fatalf("invoice of booking %d: %v", res.BookingID, err)
	}
	if mode != "inclusive" || seller != "Before Ltd" {
		t.Fatalf("invoice tells tax mode %q, seller %q; want the booking's own: inclusive, Before Ltd", mode, seller)
	}
}
