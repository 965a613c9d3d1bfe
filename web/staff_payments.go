package web

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/payment"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// ctxMoneyForm carries a refused money form to the staff booking page, so
// it re-shows what was typed beside its messages.
const ctxMoneyForm = "money_form"

type moneyForm struct {
	form pages.StaffMoneyForm
	errs components.Errors
}

// StaffPaymentRecord records cash or a card-terminal payment at the desk.
func (s *Server) StaffPaymentRecord(c echo.Context) error {
	return s.moneyAction(c, "pay_", "Payment recorded.", func(claim claimFunc, b store.Booking, amount int64, f pages.StaffMoneyForm) error {
		return s.inClaimedTx(c, claim, func(tx *store.Store) error {
			p := payment.Payment{BookingID: b.ID, Method: f["pay_method"], Amount: amount, Reference: f["pay_reference"],
				StaffID: currentUser(c).ID}
			p.AboveOwed, p.AskedOwed = confirmedAbove(f, amount)
			_, err := s.Payments.Ledger().RecordPayment(c.Request().Context(), tx, p)
			return err
		})
	})
}

// confirmedAbove reads the box confirming a payment above what is owed: it
// confirms this very amount (in minor units), for the balance the booking
// had when the desk was asked (pay_asked), so a changed amount, or a
// balance another desk changed in between, is asked about again.
func confirmedAbove(f pages.StaffMoneyForm, amount int64) (bool, *int64) {
	if f["pay_confirm"] == "" || f["pay_confirm"] != strconv.FormatInt(amount, 10) {
		return false, nil
	}
	asked, err := strconv.ParseInt(f["pay_asked"], 10, 64)
	if err != nil {
		return false, nil
	}
	return true, &asked
}

// StaffDepositTake takes the security deposit at the desk.
func (s *Server) StaffDepositTake(c echo.Context) error {
	return s.moneyAction(c, "dep_", "Deposit taken.", func(claim claimFunc, b store.Booking, amount int64, f pages.StaffMoneyForm) error {
		return s.inClaimedTx(c, claim, func(tx *store.Store) error {
			return s.Payments.Ledger().TakeDeposit(c.Request().Context(), tx, b.ID, amount, f["dep_method"], f["dep_reference"], currentUser(c).ID)
		})
	})
}

// StaffDepositReturn gives the security deposit back (all or part of it).
func (s *Server) StaffDepositReturn(c echo.Context) error {
	return s.moneyAction(c, "ret_", "Deposit returned.", func(claim claimFunc, b store.Booking, amount int64, f pages.StaffMoneyForm) error {
		return s.inClaimedTx(c, claim, func(tx *store.Store) error {
			return s.Payments.Ledger().ReturnDeposit(c.Request().Context(), tx, b.ID, amount, f["ret_method"], f["ret_reference"], currentUser(c).ID)
		})
	})
}

// StaffRefund refunds (part of) a payment: through Stripe for online card
// payments, as cash otherwise. Its once token is claimed in the transaction
// that records the refund, before Stripe is asked: the same form sent twice
// records, and sends, one refund.
func (s *Server) StaffRefund(c echo.Context) error {
	return s.moneyAction(c, "ref_", "Refunded.", func(claim claimFunc, b store.Booking, amount int64, f pages.StaffMoneyForm) error {
		paymentID, _ := strconv.ParseInt(f["ref_payment"], 10, 64)
		_, err := s.Payments.Refund(c.Request().Context(), b.ID, paymentID, amount, f["ref_note"], currentUser(c).ID, claim)
		return err
	})
}

// StaffRefundSend sends a pending Stripe refund again (same idempotency key).
func (s *Server) StaffRefundSend(c echo.Context) error {
	b, err := s.staffBooking(c)
	if err != nil {
		return err
	}
	entryID, err := pathID(c, "entry")
	if err != nil {
		return err
	}
	e, err := s.Store.GetLedgerEntry(c.Request().Context(), entryID)
	if err != nil || e.BookingID != b.ID {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	if err := s.Payments.SendRefund(c.Request().Context(), e.ID); err != nil {
		return s.moneyDone(c, b, err, "", "ref_", pages.StaffMoneyForm{})
	}
	s.flash(c, "success", "Refund sent to Stripe.")
	return redirect(c, fmt.Sprintf("/staff/bookings/%d", b.ID))
}

// claimFunc claims a money form's once token in the transaction that
// records what the form asks (moneyAction).
type claimFunc = func(tx *store.Store) error

// inClaimedTx runs record in a transaction that first claims the form's
// once token.
func (s *Server) inClaimedTx(c echo.Context, claim claimFunc, record func(tx *store.Store) error) error {
	return s.Store.WithTx(c.Request().Context(), func(tx *store.Store) error {
		if err := claim(tx); err != nil {
			return err
		}
		return record(tx)
	})
}

// moneyAction reads a money form (fields named prefix+name), parses its
// amount in the booking's currency, runs act and answers: back to the
// booking with a message, or the page again with the form's errors (422).
// A form with a once token (prefix+"once", made when the page was shown)
// acts at most once: act claims the token (claim) in the transaction that
// records the entry, so the same form sent twice records one entry and the
// second answer goes back to the booking saying so. A form without a token
// is refused (400) before anything is written: the page comes back with the
// form as typed and a fresh token.
func (s *Server) moneyAction(c echo.Context, prefix, done string, act func(claimFunc, store.Booking, int64, pages.StaffMoneyForm) error) error {
	b, err := s.staffBooking(c)
	if err != nil {
		return err
	}
	f := pages.StaffMoneyForm{}
	for _, name := range []string{"amount", "method", "reference", "payment", "note", "once", "confirm", "asked"} {
		f[prefix+name] = field(c, prefix+name)
	}
	// Every money form the page shows carries its once token; a post
	// without one (or with one no page made) records nothing.
	once := f[prefix+"once"]
	if len(once) < 16 || len(once) > 200 {
		// The booking page again (400), what was typed kept under a fresh
		// token, the reason beside the amount.
		if tooLong(c, nil).Any() {
			f = pages.StaffMoneyForm{}
		}
		f[prefix+"once"] = moneyOnce()
		c.Set(ctxMoneyForm, moneyForm{form: f, errs: components.Errors{prefix + "amount": "The form was incomplete and nothing was recorded: check it and send it again."}})
		return s.staffBookingPage(c, http.StatusBadRequest, nil, "", "")
	}
	errs := components.Errors{}
	amount, perr := money.Parse(f[prefix+"amount"], b.Currency)
	if perr != nil {
		errs[prefix+"amount"] = catalog.Sentence(perr.Error())
	}
	if m := f[prefix+"method"]; prefix != "ref_" && !slices.Contains(payment.DeskMethods, m) {
		errs[prefix+"method"] = "Choose cash or card terminal."
	}
	if len(f[prefix+"reference"]) > 200 || len(f[prefix+"note"]) > 500 {
		errs[prefix+"reference"] = "Keep the reference under 200 and the reason under 500 characters."
	}
	if tooLong(c, errs).Any() {
		return s.moneyRefused(c, f, errs)
	}
	claim := func(tx *store.Store) error {
		claimed, err := tx.ClaimDeskForm(c.Request().Context(), b.ID, once)
		if err == nil && !claimed {
			err = errFormSentTwice
		}
		return err
	}
	return s.moneyDone(c, b, act(claim, b, amount, f), done, prefix, f)
}

// errFormSentTwice: a desk form whose once token was already claimed.
var errFormSentTwice = errors.New("web: desk form sent twice")

// moneyOnce makes the once token of a money form (moneyAction).
func moneyOnce() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// moneyDone answers a money action: success, a refusal beside the form, or
// a payment service that could not be reached.
func (s *Server) moneyDone(c echo.Context, b store.Booking, err error, done, prefix string, f pages.StaffMoneyForm) error {
	var fe booking.FieldErrors
	var re *booking.RuleError
	var above *payment.AboveOwedError
	back := fmt.Sprintf("/staff/bookings/%d", b.ID)
	switch {
	case err == nil:
		s.flash(c, "success", done)
	case errors.Is(err, errFormSentTwice):
		s.flash(c, "info", "That form was sent twice; it is recorded once. Check the entries below.")
	case errors.Is(err, payment.ErrStripeUnavailable):
		s.Logger.Warn("stripe refund not sent", "booking", b.ID, "err", err)
		s.flash(c, "error", "Stripe could not be reached. The refund is recorded as pending; send it again from the list below.")
	case errors.As(err, &fe):
		errs := components.Errors{}
		for k, m := range fe {
			errs[prefix+k] = m
		}
		return s.moneyRefused(c, f, errs)
	case errors.As(err, &re):
		return s.moneyRefused(c, f, components.Errors{prefix + "amount": re.Msg})
	case errors.As(err, &above):
		// The form comes back with a box confirming this very amount
		// (in minor units) for this balance: a changed amount, or a
		// balance changed by another desk, is asked about again.
		f[prefix+"confirm"], f[prefix+"above"] = "", strconv.FormatInt(above.Amount, 10)
		f[prefix+"asked"] = strconv.FormatInt(above.Owed, 10)
		f[prefix+"above_label"] = "Yes, record " + money.Format(above.Amount, b.Currency) + ": the customer paid more than owed."
		return s.moneyRefused(c, f, components.Errors{prefix + "amount": above.Error()})
	default:
		return err
	}
	return redirect(c, back)
}

func (s *Server) moneyRefused(c echo.Context, f pages.StaffMoneyForm, errs components.Errors) error {
	c.Set(ctxMoneyForm, moneyForm{form: f, errs: errs})
	return s.staffBookingPage(c, http.StatusUnprocessableEntity, nil, "", "")
}

// staffBooking loads the booking of the path (staff see every booking).
func (s *Server) staffBooking(c echo.Context) (store.Booking, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return store.Booking{}, err
	}
	return s.Store.GetBooking(c.Request().Context(), id)
}

// staffMoney fills the money part of the staff booking page from the
// booking's ledger entries and their totals.
func (s *Server) staffMoney(c echo.Context, v *pages.StaffBookingView, b store.Booking, t store.LedgerTotals, entries []store.LedgerEntry) {
	bal := payment.BalanceOf(b, t)
	cur, zone := b.Currency, period.Zone(b.TimeZone)
	m := pages.StaffMoneyView{Rental: money.Format(bal.Rental, cur), Charges: money.Format(bal.Charges, cur),
		Paid: money.Format(bal.Paid, cur), Due: money.Format(bal.Due, cur), Owed: bal.Due < 0,
		Form: pages.StaffMoneyForm{"dep_amount": money.FormatPlain(b.Deposit, cur), "ret_amount": money.FormatPlain(bal.DepositHeld, cur),
			"pay_once": moneyOnce(), "dep_once": moneyOnce(), "ret_once": moneyOnce(), "ref_once": moneyOnce()}}
	if bal.Due < 0 {
		m.Due = money.Format(-bal.Due, cur)
	}
	if bal.DepositHeld > 0 {
		m.DepositHeld = money.Format(bal.DepositHeld, cur)
	}
	for _, meth := range payment.DeskMethods {
		m.Methods = append(m.Methods, components.Option{Value: meth, Label: methodLabel(meth)})
	}
	refunded := map[int64]int64{}
	for _, e := range entries {
		if e.Kind == store.EntryRefund && e.Status != store.EntryFailed {
			refunded[e.RefundOf] += e.Amount
		}
	}
	for _, e := range entries {
		m.Entries = append(m.Entries, entryView(e, zone))
		if left := e.Amount - refunded[e.ID]; e.Kind == store.EntryPayment && left > 0 {
			m.Payments = append(m.Payments, components.Option{Value: fmt.Sprint(e.ID),
				Label: fmt.Sprintf("%s %s (%s left)", methodLabel(e.Method), e.Reference, money.Format(left, cur))})
		}
	}
	if mf, ok := c.Get(ctxMoneyForm).(moneyForm); ok {
		for k, val := range mf.form {
			m.Form[k] = val
		}
		m.Errors = mf.errs
		m.Notice = orphanMoneyError(m)
	}
	v.Money = m
}

// orphanMoneyError is the message of a refused money form that the page does
// not show (a deposit return with no deposit held, a refund with nothing left
// to refund), so the refusal still says why above the forms.
func orphanMoneyError(m pages.StaffMoneyView) string {
	shown := func(key string) bool {
		switch {
		case strings.HasPrefix(key, "ret_"):
			return m.DepositHeld != ""
		case strings.HasPrefix(key, "ref_"):
			return len(m.Payments) > 0
		case strings.HasPrefix(key, "dep_"):
			return m.DepositHeld == ""
		}
		return strings.HasPrefix(key, "pay_")
	}
	keys := make([]string, 0, len(m.Errors))
	for k := range m.Errors {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !shown(k) {
			return m.Errors[k]
		}
	}
	return ""
}

func entryView(e store.LedgerEntry, zone *time.Location) pages.StaffEntryView {
	what := methodLabel(e.Method)
	if e.Kind == store.EntryCharge {
		what = strings.ReplaceAll(e.ChargeType, "_", " ")
	}
	return pages.StaffEntryView{ID: e.ID, When: e.CreatedAt.In(zone).Format("2 Jan 15:04"), Kind: e.Kind, What: what,
		Amount: money.Format(e.Amount, e.Currency), Reference: e.Reference, Note: e.Note, By: e.RecordedBy, Status: e.Status,
		CanSend: e.Kind == store.EntryRefund && e.Method == store.MethodStripe && e.Status == store.EntryPending}
}

func methodLabel(m string) string {
	switch m {
	case store.MethodCash:
		return "cash"
	case store.MethodCardTerminal:
		return "card terminal"
	case store.MethodStripe:
		return "card online (Stripe)"
	}
	return m
}
