// Package settings holds the rules of the shop-wide settings: the form an
// admin fills in, what each value may be, and how the payment mode, tax
// rates and invoice series fit together.
package settings

import (
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/currency"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Payment modes.
const (
	PayAtPickup   = "pay_at_pickup"
	OnlineFull    = "online_full"
	OnlineDeposit = "online_deposit"
)

// Online reports whether a payment mode takes payment through Stripe.
func Online(mode string) bool { return mode == OnlineFull || mode == OnlineDeposit }

// Hold limits for the online modes: Stripe refuses a Checkout Session that
// expires less than 30 minutes or more than 24 hours after it is created,
// and the session expires with the hold.
const (
	MinOnlineHoldMinutes = 30
	MaxHoldMinutes       = 24 * 60
)

// Form is the settings form as typed: every value still text, so a form with
// mistakes is shown again exactly as it was sent. Tax rates are percentages
// ("19", "8.25").
type Form struct {
	ShopName, Currency, TaxMode, StandardRate, ReducedRate string
	HoldMinutes, FreeCancellationHours                     string
	PaymentMode, DepositPercent                            string
	InvoicePrefix, CreditNotePrefix                        string
	LegalName, LegalAddress, VATID, RegistrationNumber     string
	ContactEmail, ContactPhone, BankDetails, InvoiceNote   string
	TimeZone, BookingHorizonMonths                         string
}

// FormOf fills the form from saved settings.
func FormOf(st store.Settings) Form {
	return Form{ShopName: st.ShopName, Currency: st.Currency, TaxMode: st.TaxMode,
		StandardRate: FormatRate(st.TaxRateBP), ReducedRate: FormatRate(st.ReducedTaxRateBP),
		HoldMinutes: strconv.Itoa(st.HoldMinutes), FreeCancellationHours: strconv.Itoa(st.FreeCancellationHours),
		PaymentMode: st.PaymentMode, DepositPercent: strconv.Itoa(st.DepositPercent),
		InvoicePrefix: st.InvoicePrefix, CreditNotePrefix: st.CreditNotePrefix,
		LegalName: st.LegalName, LegalAddress: st.LegalAddress, VATID: st.VATID,
		RegistrationNumber: st.RegistrationNumber, ContactEmail: st.ContactEmail, ContactPhone: st.ContactPhone,
		BankDetails: st.BankDetails, InvoiceNote: st.InvoiceNote, TimeZone: st.TimeZone,
		BookingHorizonMonths: strconv.Itoa(st.BookingHorizonMonths)}
}

// Parse checks the form and returns the settings it describes and a message
// per bad field, keyed by the form field name. stripeReady says whether the
// server has Stripe keys; without them the online modes cannot be chosen.
func (f Form) Parse(stripeReady bool) (store.Settings, map[string]string) {
	errs := map[string]string{}
	st := store.Settings{ShopName: f.ShopName, TaxMode: f.TaxMode, PaymentMode: f.PaymentMode,
		Currency: strings.ToUpper(f.Currency), TimeZone: f.TimeZone}
	line(errs, "shop_name", f.ShopName, 100, true)
	switch {
	case len(st.Currency) != 3:
		errs["currency"] = "Enter a three-letter ISO 4217 currency code such as EUR."
	case !isCurrency(st.Currency):
		errs["currency"] = st.Currency + " is not an ISO 4217 currency code: enter one such as EUR, GBP or USD."
	}
	if f.TaxMode != "inclusive" && f.TaxMode != "exclusive" {
		errs["tax_mode"] = "Choose whether prices include tax or tax is added on top."
	}
	st.TaxRateBP = rate(errs, "standard_rate", f.StandardRate)
	st.ReducedTaxRateBP = rate(errs, "reduced_rate", f.ReducedRate)
	st.HoldMinutes = whole(errs, "hold_minutes", f.HoldMinutes, 1, MaxHoldMinutes)
	st.FreeCancellationHours = whole(errs, "free_cancellation_hours", f.FreeCancellationHours, 0, 24*366)
	st.DepositPercent = whole(errs, "deposit_percent", f.DepositPercent, 1, 100)
	st.BookingHorizonMonths = whole(errs, "booking_horizon_months", f.BookingHorizonMonths, 1, 120)
	checkPayment(errs, st, stripeReady)
	st.InvoicePrefix = prefix(errs, "invoice_prefix", f.InvoicePrefix)
	st.CreditNotePrefix = prefix(errs, "credit_note_prefix", f.CreditNotePrefix)
	if st.InvoicePrefix != "" && strings.EqualFold(st.InvoicePrefix, st.CreditNotePrefix) && errs["credit_note_prefix"] == "" {
		errs["credit_note_prefix"] = "Credit notes need a prefix of their own, different from invoices'."
	}
	st.LegalName, st.LegalAddress, st.VATID = f.LegalName, f.LegalAddress, strings.ToUpper(f.VATID)
	st.RegistrationNumber, st.ContactEmail, st.ContactPhone = f.RegistrationNumber, f.ContactEmail, f.ContactPhone
	st.BankDetails, st.InvoiceNote = f.BankDetails, f.InvoiceNote
	line(errs, "legal_name", f.LegalName, 200, false)
	text(errs, "legal_address", f.LegalAddress, 500)
	if len(f.VATID) > 20 || strings.ContainsFunc(f.VATID, func(r rune) bool { return !isIDRune(r) }) {
		errs["vat_id"] = "Enter the VAT id as printed, e.g. DE123456789 (letters and digits, at most 20)."
	}
	line(errs, "registration_number", f.RegistrationNumber, 100, false)
	if f.ContactEmail != "" {
		if a, err := mail.ParseAddress(f.ContactEmail); err != nil || a.Address != f.ContactEmail || len(f.ContactEmail) > 254 {
			errs["contact_email"] = "Enter an email address like office@example.com, or leave it empty."
		}
	}
	line(errs, "contact_phone", f.ContactPhone, 40, false)
	text(errs, "bank_details", f.BankDetails, 500)
	text(errs, "invoice_note", f.InvoiceNote, 1000)
	switch {
	case f.TimeZone == "":
		errs["time_zone"] = "Choose the time zone that dates invoices."
	case catalog.CheckZone(f.TimeZone) != "":
		errs["time_zone"] = catalog.CheckZone(f.TimeZone)
	}
	return st, errs
}

// checkPayment refuses an online mode the server cannot serve, and a hold
// too short (or long) for a Stripe Checkout Session.
func checkPayment(errs map[string]string, st store.Settings, stripeReady bool) {
	switch {
	case st.PaymentMode == PayAtPickup:
		return
	case !Online(st.PaymentMode):
		errs["payment_mode"] = "Choose how customers pay."
		return
	case !stripeReady:
		errs["payment_mode"] = "Online payment needs Stripe keys on the server (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET); until then customers pay at pickup."
		return
	}
	if _, bad := errs["hold_minutes"]; !bad && st.HoldMinutes <= MinOnlineHoldMinutes {
		errs["hold_minutes"] = fmt.Sprintf("Online payment needs holds longer than %d minutes: Stripe refuses a checkout that expires sooner.", MinOnlineHoldMinutes)
	}
}

// rate reads a percentage with at most two decimals ("19", "8.25", "7,5")
// as basis points.
func rate(errs map[string]string, key, v string) int {
	const msg = "Enter a percentage between 0 and 100 with at most two decimals, like 19 or 8.25."
	v = strings.TrimSuffix(strings.TrimSpace(v), "%")
	v = strings.Replace(strings.TrimSpace(v), ",", ".", 1)
	intPart, frac, _ := strings.Cut(v, ".")
	if intPart == "" || len(intPart) > 3 || len(frac) > 2 || !digits(intPart) || !digits(frac) {
		errs[key] = msg
		return 0
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, _ := strconv.Atoi(intPart)
	c, _ := strconv.Atoi(frac)
	bp := w*100 + c
	if bp > 10_000 {
		errs[key] = msg
		return 0
	}
	return bp
}

// FormatRate writes basis points as the percentage the form shows: 1900 is
// "19", 825 is "8.25", 750 is "7.5".
func FormatRate(bp int) string {
	s := fmt.Sprintf("%d.%02d", bp/100, bp%100)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func whole(errs map[string]string, key, v string, lo, hi int) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		errs[key] = fmt.Sprintf("Enter a whole number from %d to %d.", lo, hi)
		return 0
	}
	return n
}

// prefix reads a number series prefix: it starts every invoice number, so
// it is short and made of characters safe in file names and accounting tools.
func prefix(errs map[string]string, key, v string) string {
	ok := v != "" && len(v) <= 12 && !strings.ContainsFunc(v, func(r rune) bool {
		return !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_'))
	})
	if !ok {
		errs[key] = "Use 1 to 12 letters, digits, - or _ (e.g. INV)."
		return ""
	}
	return v
}

// line checks a one-line text: no line breaks or control characters.
func line(errs map[string]string, key, v string, max int, required bool) {
	switch {
	case required && v == "":
		errs[key] = "This cannot be empty."
	case utf8.RuneCountInString(v) > max:
		errs[key] = fmt.Sprintf("Use at most %d characters.", max)
	case strings.ContainsFunc(v, unicode.IsControl):
		errs[key] = "Remove line breaks and control characters."
	}
}

// text checks a multi-line text: line breaks and tabs are fine.
func text(errs map[string]string, key, v string, max int) {
	switch {
	case utf8.RuneCountInString(v) > max:
		errs[key] = fmt.Sprintf("Use at most %d characters.", max)
	case strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }):
		errs[key] = "Remove control characters."
	}
}

// notMoney are the ISO 4217 codes that name no money a shop can charge in:
// precious metals, bond-market and accounting units, the testing code and
// "no currency". currency.ParseISO knows them like any other.
var notMoney = map[string]bool{"XAU": true, "XAG": true, "XPD": true, "XPT": true, "XBA": true, "XBB": true,
	"XBC": true, "XBD": true, "XDR": true, "XSU": true, "XUA": true, "XTS": true, "XXX": true}

// isCurrency reports whether c (upper case) is an ISO 4217 currency code.
func isCurrency(c string) bool {
	if len(c) != 3 || strings.ContainsFunc(c, func(r rune) bool { return r < 'A' || r > 'Z' }) || notMoney[c] {
		return false
	}
	_, err := currency.ParseISO(c)
	return err == nil
}

func isIDRune(r rune) bool {
	return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ' || r == '-' || r == '.')
}

func digits(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r < '0' || r > '9' })
}
