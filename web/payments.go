package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/payment"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// toCheckout sends the customer to Stripe Checkout for a hold of theirs.
// Stripe being down keeps the hold: the booking page says so and offers to
// try again.
func (s *Server) toCheckout(c echo.Context, bookingID int64) error {
	u := currentUser(c)
	url, err := s.Payments.StartCheckout(c.Request().Context(), bookingID, u.ID)
	back := fmt.Sprintf("/bookings/%d", bookingID)
	switch {
	case errors.Is(err, payment.ErrStripeUnavailable):
		s.flash(c, "error", "We could not reach the payment service just now. Your booking is held for you; please try again in a moment.")
		return redirect(c, back)
	case err != nil:
		return s.bookingFailed(c, err, back, nil)
	case url == "":
		s.flash(c, "success", "Your booking is confirmed.")
		return redirect(c, back)
	}
	return redirect(c, url)
}

// BookingPay (re)starts online payment of one of the customer's holds.
func (s *Server) BookingPay(c echo.Context) error {
	b, err := s.ownBooking(c)
	if err != nil {
		return err
	}
	return s.toCheckout(c, b.ID)
}

// PaymentSuccess is where Checkout returns after paying. Its query string is
// ignored: only the webhook, verified by signature, says a booking is paid.
func (s *Server) PaymentSuccess(c echo.Context) error {
	v, err := s.paymentStatus(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, pages.PaymentSuccessPage(v))
}

// PaymentStatus is the success page's polled part.
func (s *Server) PaymentStatus(c echo.Context) error {
	v, err := s.paymentStatus(c)
	if err != nil {
		return err
	}
	// The part is what the success page polls; a person who opens its
	// address gets the whole page.
	if !isHTMX(c) {
		return redirect(c, fmt.Sprintf("/bookings/%d/payment/success", v.ID))
	}
	return s.render(c, http.StatusOK, pages.PaymentStatusPart(v))
}

func (s *Server) paymentStatus(c echo.Context) (pages.PaymentStatusView, error) {
	b, err := s.ownBooking(c)
	if err != nil {
		return pages.PaymentStatusView{}, err
	}
	bal, err := s.Payments.Ledger().Balance(c.Request().Context(), s.Store, b)
	if err != nil {
		return pages.PaymentStatusView{}, err
	}
	t, err := s.Store.GetLedgerTotals(c.Request().Context(), b.ID)
	if err != nil {
		return pages.PaymentStatusView{}, err
	}
	v := pages.PaymentStatusView{Page: s.page(c, "Payment"), ID: b.ID, Number: b.Number, State: pages.PaymentWaiting,
		Paid: money.Format(t.Payments, b.Currency)}
	switch {
	case t.Payments > 0 && t.StripeRefunds >= t.Payments:
		v.State = pages.PaymentRefunded
	case t.Payments > 0 && b.Status != store.BookingHold:
		v.State = pages.PaymentConfirmed
		if bal.Due > 0 {
			v.Due = money.Format(bal.Due, b.Currency)
		}
		if v.Invoices, err = s.invoiceLinks(c.Request().Context(), b.ID, false); err != nil {
			return v, err
		}
	case b.Status == store.BookingExpired || b.Status == store.BookingCancelled:
		v.State = pages.PaymentEnded
	}
	return v, nil
}

// PaymentCancel is where Checkout returns when the customer turns back: the
// hold still runs, and they may try again.
func (s *Server) PaymentCancel(c echo.Context) error {
	b, err := s.ownBooking(c)
	if err != nil {
		return err
	}
	v := pages.PaymentCancelView{Page: s.page(c, "Payment not completed"), ID: b.ID, Number: b.Number}
	if b.Status == store.BookingHold && b.ExpiresAt != nil && b.ExpiresAt.After(s.Now()) {
		v.HoldUntil = b.ExpiresAt.In(period.Zone(b.TimeZone)).Format("15:04 (Mon 2 Jan)")
	}
	return s.render(c, http.StatusOK, pages.PaymentCancelPage(v))
}

// beforePickup are the statuses of a booking whose gear has not left the desk.
var beforePickup = map[string]bool{
	store.BookingCart: true, store.BookingHold: true, store.BookingConfirmed: true,
	store.BookingCancelled: true, store.BookingExpired: true,
}

// bookingMoney fills the money part of a customer's booking page from the
// ledger's totals: the balance, what was paid, and whether to offer online
// payment.
func (s *Server) bookingMoney(v *pages.BookingView, b store.Booking, st store.Settings, totals store.LedgerTotals) {
	bal := payment.BalanceOf(b, totals)
	v.Due, v.DueLabel = money.Format(bal.Due, b.Currency), "Due at pickup"
	if bal.Paid != 0 {
		v.Paid = money.Format(bal.Paid, b.Currency)
	}
	// "Due at pickup" is true only before the pickup and before any money
	// moved; once the gear is out (or back) what is left is a balance. A
	// hold waits for its online payment, which the page asks for now.
	if bal.Paid != 0 || !beforePickup[b.Status] || b.Status == store.BookingHold {
		v.DueLabel = "Balance due"
	}
	// More paid than owed (a prepaid booking cancelled, a line shortened
	// after paying): the shop owes the customer, which a negative "Balance
	// due" would leave them to work out.
	if bal.Due < 0 {
		v.Due, v.DueLabel = money.Format(-bal.Due, b.Currency), "To be refunded to you"
	}
	now := s.Now()
	if b.Status == store.BookingHold && b.ExpiresAt != nil && b.ExpiresAt.After(now) &&
		booking.Online(st.PaymentMode) && s.Payments.Enabled() {
		v.PayNow = true
		v.HoldUntil = b.ExpiresAt.In(period.Zone(b.TimeZone)).Format("15:04 (Mon 2 Jan)")
		v.PayAmount, v.PayLater = onlineSplit(b.Total, st, b.Currency)
	}
}

// onlineSplit is what a customer pays online now for a total under the
// shop's payment mode (payment.OnlineAmount, what Checkout charges), and
// what is left for pickup ("" = nothing).
func onlineSplit(total int64, st store.Settings, currency string) (now, later string) {
	amount := payment.OnlineAmount(total, st.PaymentMode, st.DepositPercent)
	if rest := total - amount; rest > 0 {
		later = money.Format(rest, currency)
	}
	return money.Format(amount, currency), later
}
