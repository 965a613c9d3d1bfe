package store

import (
	"context"
	"fmt"
)

// Settings are the shop-wide settings (one row).
type Settings struct {
	ShopName string `db:"shop_name" json:"shop_name"`
	Currency string `db:"currency" json:"currency"`
	TaxMode  string `db:"tax_mode" json:"tax_mode"`
	// TaxRateBP is the rate of the "standard" tax category, in basis points.
	TaxRateBP int `db:"tax_rate_bp" json:"tax_rate_bp"`
	// ReducedTaxRateBP is the rate of the "reduced" tax category.
	ReducedTaxRateBP      int    `db:"reduced_tax_rate_bp" json:"reduced_tax_rate_bp"`
	HoldMinutes           int    `db:"hold_minutes" json:"hold_minutes"`
	FreeCancellationHours int    `db:"free_cancellation_hours" json:"free_cancellation_hours"`
	PaymentMode           string `db:"payment_mode" json:"payment_mode"`
	// DepositPercent is the share of the total paid online in the
	// online_deposit payment mode (1–100).
	DepositPercent int `db:"deposit_percent" json:"deposit_percent"`
	// InvoicePrefix and CreditNotePrefix name the two number series.
	InvoicePrefix    string `db:"invoice_prefix" json:"invoice_prefix"`
	CreditNotePrefix string `db:"credit_note_prefix" json:"credit_note_prefix"`
	// The shop's legal details, printed on every invoice.
	LegalName          string `db:"legal_name" json:"legal_name"`
	LegalAddress       string `db:"legal_address" json:"legal_address"`
	VATID              string `db:"vat_id" json:"vat_id"`
	RegistrationNumber string `db:"registration_number" json:"registration_number"`
	ContactEmail       string `db:"contact_email" json:"contact_email"`
	ContactPhone       string `db:"contact_phone" json:"contact_phone"`
	BankDetails        string `db:"bank_details" json:"bank_details"`
	InvoiceNote        string `db:"invoice_note" json:"invoice_note"`
	// TimeZone (IANA) decides an invoice's date and the year it is counted in.
	TimeZone string `db:"time_zone" json:"time_zone"`
	// BookingHorizonMonths is how far ahead a period may end.
	BookingHorizonMonths int `db:"booking_horizon_months" json:"booking_horizon_months"`
}

// Tax categories an item can have (catalog.TaxCategories lists them for forms).
const (
	TaxStandard = "standard"
	TaxReduced  = "reduced"
	TaxZero     = "zero"
)

// TaxRateFor returns the rate in basis points of an item's tax category:
// "zero" is untaxed, "reduced" has its own rate, anything else is standard.
func (st Settings) TaxRateFor(category string) int {
	switch category {
	case TaxZero:
		return 0
	case TaxReduced:
		return st.ReducedTaxRateBP
	default:
		return st.TaxRateBP
	}
}

const settingsColumns = `shop_name, currency, tax_mode, tax_rate_bp, reduced_tax_rate_bp, hold_minutes,
       free_cancellation_hours, payment_mode, deposit_percent, invoice_prefix, credit_note_prefix,
       legal_name, legal_address, vat_id, registration_number, contact_email, contact_phone,
       bank_details, invoice_note, time_zone, booking_horizon_months`

const getSettingsSQL = `SELECT ` + settingsColumns + ` FROM shop_settings`

// GetSettings loads the shop settings (from the cache when it holds them,
// outside transactions). Inside a transaction they are read once and kept
// for its later calls (until it updates them): a checkout's booking, its
// emails and its invoice all ask for them, and all see the same values.
func (s *Store) GetSettings(ctx context.Context) (Settings, error) {
	if c := s.readCache(); c != nil {
		return cacheRead(c, func(c *refCache) *slot[Settings] { return &c.settings },
			func() (Settings, error) { return s.getSettings(ctx) }, cloneSettings)
	}
	if s.txw != nil && s.txw.settings != nil {
		return cloneSettings(*s.txw.settings), nil
	}
	st, err := s.getSettings(ctx)
	if err == nil && s.txw != nil {
		kept := cloneSettings(st)
		s.txw.settings = &kept
	}
	return st, err
}

// UseSettings makes st the shop settings of the transaction: its later
// GetSettings calls answer st without reading them again (until it updates
// them). A caller that has already decided with st (a booking priced and
// checked with the settings it read before its transaction) passes them on,
// so everything written in the transaction (the booking's invoice: its
// seller and tax mode) agrees with what was decided, and the transaction
// does not ask for them once more. Outside a transaction it does nothing.
func (s *Store) UseSettings(st Settings) {
	if s.txw == nil {
		return
	}
	kept := cloneSettings(st)
	s.txw.settings = &kept
}

func (s *Store) getSettings(ctx context.Context) (Settings, error) {
	var st Settings
	if err := s.prepared().GetContext(ctx, &st, getSettingsSQL); err != nil {
		return Settings{}, fmt.Errorf("store: get settings: %w", classify(err))
	}
	return st, nil
}

// getSettingsForUpdateSQL locks the row, so two admins saving at once
// write their audit rows in the order their changes land.
const getSettingsForUpdateSQL = getSettingsSQL + ` FOR UPDATE`

// GetSettingsForUpdate loads the shop settings and locks them until the
// transaction ends.
func (s *Store) GetSettingsForUpdate(ctx context.Context) (Settings, error) {
	var st Settings
	if err := s.q.GetContext(ctx, &st, getSettingsForUpdateSQL); err != nil {
		return Settings{}, fmt.Errorf("store: get settings for update: %w", classify(err))
	}
	return st, nil
}

const updateSettingsSQL = `
UPDATE shop_settings SET shop_name = $1, currency = $2, tax_mode = $3, tax_rate_bp = $4,
       reduced_tax_rate_bp = $5, hold_minutes = $6, free_cancellation_hours = $7, payment_mode = $8,
       deposit_percent = $9, invoice_prefix = $10, credit_note_prefix = $11, legal_name = $12,
       legal_address = $13, vat_id = $14, registration_number = $15, contact_email = $16,
       contact_phone = $17, bank_details = $18, invoice_note = $19, time_zone = $20,
       booking_horizon_months = $21, updated_at = now()`

// UpdateSettings replaces the shop settings.
func (s *Store) UpdateSettings(ctx context.Context, st Settings) error {
	if _, err := s.q.ExecContext(ctx, updateSettingsSQL, st.ShopName, st.Currency, st.TaxMode, st.TaxRateBP,
		st.ReducedTaxRateBP, st.HoldMinutes, st.FreeCancellationHours, st.PaymentMode, st.DepositPercent,
		st.InvoicePrefix, st.CreditNotePrefix, st.LegalName, st.LegalAddress, st.VATID, st.RegistrationNumber,
		st.ContactEmail, st.ContactPhone, st.BankDetails, st.InvoiceNote, st.TimeZone, st.BookingHorizonMonths); err != nil {
		return fmt.Errorf("store: update settings: %w", classify(err))
	}
	if s.txw != nil {
		s.txw.settings = nil
	}
	s.refdataChanged()
	return nil
}
