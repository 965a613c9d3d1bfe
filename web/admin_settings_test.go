package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/config"
	"github.com/rentdesk/rentdesk/internal/store"
)

// validSettings is a complete, acceptable settings form.
func validSettings() url.Values {
	return url.Values{
		"shop_name": {"Łódź Rentals"}, "currency": {"eur"}, "tax_mode": {"inclusive"},
		"standard_rate": {"19"}, "reduced_rate": {"7,5"}, "hold_minutes": {"45"}, "free_cancellation_hours": {"24"},
		"payment_mode": {"pay_at_pickup"}, "deposit_percent": {"25"}, "invoice_prefix": {"RE"}, "credit_note_prefix": {"GS"},
		"legal_name": {"Müller & Søn GmbH"}, "legal_address": {"Hauptstraße 1\n10115 Berlin"}, "vat_id": {"de123456789"},
		"registration_number": {"HRB 12345"}, "contact_email": {"office@example.com"}, "contact_phone": {"+49 30 123456"},
		"bank_details": {"IBAN DE02 1203 0000 0000 2020 51"}, "invoice_note": {"Payable within 14 days."},
		"time_zone": {"Europe/Berlin"}, "booking_horizon_months": {"24"},
	}
}

func withStripeKey(d *Deps) {
	d.Config.Stripe.SecretKey, d.Config.Stripe.WebhookSecret = "sk_test_123", "whsec_test_123"
}

// An admin saves the settings: they are stored, tax rates become basis
// points, and the change is audited with its before and after.
func TestAdminSettingsSave(t *testing.T) {
	app := newTestApp(t)
	boss := app.adminClient()
	page := boss.get("/admin/settings").expectStatus(t, http.StatusOK)
	if page.Doc.Find(`a[href="/admin/settings"]`).Length() == 0 {
		t.Error("no Settings link in the admin navigation")
	}
	res := boss.post("/admin/settings", validSettings()).expectStatus(t, http.StatusSeeOther)
	if res.location() != "/admin/settings" {
		t.Fatalf("went to %q", res.location())
	}
	st, err := app.st.GetSettings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := store.Settings{ShopName: "Łódź Rentals", Currency: "EUR", TaxMode: "inclusive", TaxRateBP: 1900, ReducedTaxRateBP: 750,
		HoldMinutes: 45, FreeCancellationHours: 24, PaymentMode: "pay_at_pickup", DepositPercent: 25,
		InvoicePrefix: "RE", CreditNotePrefix: "GS", LegalName: "Müller & Søn GmbH", LegalAddress: "Hauptstraße 1\n10115 Berlin",
		VATID: "DE123456789", RegistrationNumber: "HRB 12345", ContactEmail: "office@example.com", ContactPhone: "+49 30 123456",
		BankDetails: "IBAN DE02 1203 0000 0000 2020 51", InvoiceNote: "Payable within 14 days.", TimeZone: "Europe/Berlin", BookingHorizonMonths: 24}
	if st != want {
		t.Fatalf("stored\n%+v\nwant\n%+v", st, want)
	}
	if got := boss.get("/admin/settings").inputValue("reduced_rate"); got != "7.5" {
		t.Errorf("reduced rate shown as %q, want 7.5", got)
	}
	rows, err := app.st.ListAudit(t.Context(), store.AuditFilter{EntityType: "settings", Limit: 10})
	if err != nil || len(rows) != 1 {
		t.Fatalf("audit rows: %d %v", len(rows), err)
	}
	if rows[0].Action != "settings.update" || !strings.Contains(string(rows[0].Before), `"tax_rate_bp": 0`) ||
		!strings.Contains(string(rows[0].After), `"tax_rate_bp": 1900`) {
		t.Errorf("audit: %s %s → %s", rows[0].Action, rows[0].Before, rows[0].After)
	}
}

// Bad values: 422, a message beside the field, what was typed kept, nothing saved.
func TestAdminSettingsValidation(t *testing.T) {
	app := newTestApp(t, withStripeKey)
	boss := app.adminClient()
	before, _ := app.st.GetSettings(t.Context())
	cases := []struct {
		field, value, wantMsg string
		also                  url.Values
	}{
		{"shop_name", "", "cannot be empty", nil},
		{"currency", "EURO", "ISO 4217", nil},
		{"currency", "ABC", "ABC is not an ISO 4217 currency code", nil},
		{"currency", "eru", "ERU is not an ISO 4217 currency code", nil},
		{"currency", "XAU", "not an ISO 4217 currency code", nil},
		{"currency", "XXX", "not an ISO 4217 currency code", nil},
		{"tax_mode", "sometimes", "include tax", nil},
		{"standard_rate", "19.255", "two decimals", nil},
		{"standard_rate", "101", "between 0 and 100", nil},
		{"reduced_rate", "-7", "percentage", nil},
		{"hold_minutes", "0", "from 1 to 1440", nil},
		{"hold_minutes", "30", "longer than 30 minutes", url.Values{"payment_mode": {"online_full"}}},
		{"hold_minutes", "20", "longer than 30 minutes", url.Values{"payment_mode": {"online_deposit"}}},
		{"deposit_percent", "0", "from 1 to 100", nil},
		{"deposit_percent", "150", "from 1 to 100", url.Values{"payment_mode": {"online_deposit"}}},
		{"payment_mode", "free", "how customers pay", nil},
		{"invoice_prefix", "INV 2026", "letters, digits", nil},
		{"credit_note_prefix", "re", "of their own", nil},
		{"vat_id", "DE<script>", "VAT id", nil},
		{"contact_email", "office at example", "email address", nil},
		{"time_zone", "Mars/Olympus", "Unknown time zone", nil},
		{"time_zone", "Local", "IANA", nil},
		{"booking_horizon_months", "0", "from 1 to 120", nil},
		{"booking_horizon_months", "9999", "from 1 to 120", nil},
	}
	for _, tc := range cases {
		t.Run(tc.field+"="+tc.value, func(t *testing.T) {
			form := validSettings()
			form.Set(tc.field, tc.value)
			for k, v := range tc.also {
				form[k] = v
			}
			res := boss.post("/admin/settings", form).expectStatus(t, http.StatusUnprocessableEntity)
			if msg := res.fieldError(tc.field); !strings.Contains(msg, tc.wantMsg) {
				t.Errorf("message beside %s: %q, want it to mention %q", tc.field, msg, tc.wantMsg)
			}
			if tc.field != "tax_mode" && tc.field != "time_zone" && tc.field != "payment_mode" {
				if got := res.inputValue(tc.field); got != tc.value {
					t.Errorf("%s kept as %q, want %q", tc.field, got, tc.value)
				}
			}
			if got := res.inputValue("legal_name"); tc.field != "legal_name" && got != "Müller & Søn GmbH" {
				t.Errorf("other fields not kept: legal_name %q", got)
			}
		})
	}
	if after, _ := app.st.GetSettings(t.Context()); after != before {
		t.Errorf("a refused form changed the settings: %+v", after)
	}
}

// With Stripe configured, the online modes can be chosen once holds are
// long enough for a Checkout Session.
func TestAdminSettingsOnlineModeWithStripe(t *testing.T) {
	app := newTestApp(t, withStripeKey)
	boss := app.adminClient()
	page := boss.get("/admin/settings")
	if page.Doc.Find(`[data-testid="stripe-missing"]`).Length() != 0 {
		t.Error("the page says Stripe is missing while it is configured")
	}
	if _, disabled := page.Doc.Find(`[data-testid="payment-online_full"]`).Attr("disabled"); disabled {
		t.Error("online mode disabled although Stripe is configured")
	}
	form := validSettings()
	form.Set("payment_mode", "online_deposit")
	form.Set("hold_minutes", "31")
	boss.post("/admin/settings", form).expectStatus(t, http.StatusSeeOther)
	if st, _ := app.st.GetSettings(t.Context()); st.PaymentMode != "online_deposit" || st.DepositPercent != 25 || st.HoldMinutes != 31 {
		t.Errorf("stored %+v", st)
	}
}

// Without a Stripe secret key the online modes are disabled, the page says
// why, and a forged submit of one is refused beside the field.
func TestAdminSettingsOnlineModeWithoutStripe(t *testing.T) {
	app := newTestApp(t, withConfig(func(c *config.Config) { c.Stripe.SecretKey = "" }))
	boss := app.adminClient()
	page := boss.get("/admin/settings")
	if !strings.Contains(page.Doc.Find(`[data-testid="stripe-missing"]`).Text(), "STRIPE_SECRET_KEY") {
		t.Error("the page does not say why online payment is off")
	}
	for _, mode := range []string{"online_full", "online_deposit"} {
		if _, disabled := page.Doc.Find(`[data-testid="payment-` + mode + `"]`).Attr("disabled"); !disabled {
			t.Errorf("%s can be chosen without Stripe keys", mode)
		}
		form := validSettings()
		form.Set("payment_mode", mode)
		res := boss.post("/admin/settings", form).expectStatus(t, http.StatusUnprocessableEntity)
		if !strings.Contains(res.fieldError("payment_mode"), "Stripe") {
			t.Errorf("%s: message %q", mode, res.fieldError("payment_mode"))
		}
	}
	if st, _ := app.st.GetSettings(t.Context()); st.PaymentMode != "pay_at_pickup" {
		t.Errorf("payment mode became %q", st.PaymentMode)
	}
	// A shop left in an online mode after its keys went: the mode in force
	// stays chosen (so the form submits it) and the page says it must change.
	if _, err := app.st.DB().Exec(`UPDATE shop_settings SET payment_mode = 'online_full', hold_minutes = 45`); err != nil {
		t.Fatal(err)
	}
	page = boss.get("/admin/settings")
	radio := page.Doc.Find(`[data-testid="payment-online_full"]`)
	_, disabled := radio.Attr("disabled")
	_, checked := radio.Attr("checked")
	if disabled || !checked {
		t.Errorf("the mode in force: disabled %v, checked %v", disabled, checked)
	}
	form := validSettings()
	form.Set("payment_mode", "online_full")
	if msg := boss.post("/admin/settings", form).expectStatus(t, http.StatusUnprocessableEntity).fieldError("payment_mode"); !strings.Contains(msg, "STRIPE_SECRET_KEY") {
		t.Errorf("message %q", msg)
	}
}

// A new shop's settings, as the page shows them, pass their own checks when
// the admin only switches to an online payment mode: the default hold is long
// enough for a Stripe checkout.
func TestAdminSettingsDefaultsAllowOnlinePayment(t *testing.T) {
	app := newTestApp(t, withStripeKey)
	boss := app.adminClient()
	for _, mode := range []string{"online_full", "online_deposit"} {
		page := boss.get("/admin/settings").expectStatus(t, http.StatusOK)
		var form url.Values
		for _, f := range postForms("/admin/settings", page.Doc) {
			if f.action == "/admin/settings" {
				form = f.values
			}
		}
		if form == nil {
			t.Fatal("no settings form on the page")
		}
		form.Set("payment_mode", mode)
		res := boss.post("/admin/settings", form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s with the shown defaults: status %d, hold_minutes %q: %q", mode, res.StatusCode,
				form.Get("hold_minutes"), res.fieldError("hold_minutes"))
		}
		if st, _ := app.st.GetSettings(t.Context()); st.PaymentMode != mode {
			t.Errorf("payment mode stored %q, want %s", st.PaymentMode, mode)
		}
	}
}
