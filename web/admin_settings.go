package web

import (
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/settings"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// AdminSettingsShow shows the shop settings form.
func (s *Server) AdminSettingsShow(c echo.Context) error {
	st, err := s.Store.GetSettings(c.Request().Context())
	if err != nil {
		return err
	}
	return s.renderSettings(c, http.StatusOK, settings.FormOf(st), nil)
}

// AdminSettingsUpdate saves the shop settings with an audit row of the change.
func (s *Server) AdminSettingsUpdate(c echo.Context) error {
	ctx := c.Request().Context()
	f := settingsFormOf(c)
	st, errs := f.Parse(s.stripeReady())
	errs = tooLong(c, errs)
	if len(errs) > 0 {
		return s.renderSettings(c, http.StatusUnprocessableEntity, f, errs)
	}
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		before, err := tx.GetSettingsForUpdate(ctx)
		if err != nil {
			return err
		}
		if err := tx.UpdateSettings(ctx, st); err != nil {
			return err
		}
		return audit(ctx, c, tx, "settings.update", "settings", "shop", before, st)
	})
	if err != nil {
		return err
	}
	s.flash(c, "success", "Settings saved.")
	return redirect(c, "/admin/settings")
}

// stripeReady says whether online payment can be offered at all.
func (s *Server) stripeReady() bool { return s.Payments.Enabled() }

func (s *Server) renderSettings(c echo.Context, status int, f settings.Form, errs components.Errors) error {
	zones := make([]components.Option, 0, len(catalog.Zones)+1)
	if !slices.Contains(catalog.Zones, f.TimeZone) {
		zones = append(zones, components.Option{Value: f.TimeZone, Label: f.TimeZone})
	}
	for _, z := range catalog.Zones {
		zones = append(zones, components.Option{Value: z, Label: z})
	}
	v := pages.AdminSettingsView{Page: s.page(c, "Shop settings"), Form: f, Errors: errs,
		StripeReady: s.stripeReady(), Zones: zones}
	return s.render(c, status, pages.AdminSettingsPage(v))
}

// settingsFormOf reads the settings form; multi-line fields keep their inner
// line breaks.
func settingsFormOf(c echo.Context) settings.Form {
	return settings.Form{ShopName: field(c, "shop_name"), Currency: field(c, "currency"), TaxMode: field(c, "tax_mode"),
		StandardRate: field(c, "standard_rate"), ReducedRate: field(c, "reduced_rate"),
		HoldMinutes: field(c, "hold_minutes"), FreeCancellationHours: field(c, "free_cancellation_hours"),
		PaymentMode: field(c, "payment_mode"), DepositPercent: field(c, "deposit_percent"),
		InvoicePrefix: field(c, "invoice_prefix"), CreditNotePrefix: field(c, "credit_note_prefix"),
		LegalName: field(c, "legal_name"), LegalAddress: field(c, "legal_address"), VATID: field(c, "vat_id"),
		RegistrationNumber: field(c, "registration_number"), ContactEmail: field(c, "contact_email"),
		ContactPhone: field(c, "contact_phone"), BankDetails: field(c, "bank_details"),
		InvoiceNote: field(c, "invoice_note"), TimeZone: field(c, "time_zone"),
		BookingHorizonMonths: field(c, "booking_horizon_months")}
}
