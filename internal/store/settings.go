package store

import (
	"context"
	"fmt"
)

// Settings are the shop-wide settings (one row).
type Settings struct {
	ShopName              string `db:"shop_name" json:"shop_name"`
	Currency              string `db:"currency" json:"currency"`
	TaxMode               string `db:"tax_mode" json:"tax_mode"`
	TaxRateBP             int    `db:"tax_rate_bp" json:"tax_rate_bp"`
	HoldMinutes           int    `db:"hold_minutes" json:"hold_minutes"`
	FreeCancellationHours int    `db:"free_cancellation_hours" json:"free_cancellation_hours"`
	PaymentMode           string `db:"payment_mode" json:"payment_mode"`
	// BookingHorizonMonths is how far ahead a period may end.
	BookingHorizonMonths int `db:"booking_horizon_months" json:"booking_horizon_months"`
}

const getSettingsSQL = `
SELECT shop_name, currency, tax_mode, tax_rate_bp, hold_minutes, free_cancellation_hours, payment_mode,
       booking_horizon_months
FROM shop_settings`

// GetSettings loads the shop settings.
func (s *Store) GetSettings(ctx context.Context) (Settings, error) {
	var st Settings
	if err := s.q.GetContext(ctx, &st, getSettingsSQL); err != nil {
		return Settings{}, fmt.Errorf("store: get settings: %w", classify(err))
	}
	return st, nil
}

const updateSettingsSQL = `
UPDATE shop_settings SET shop_name = $1, currency = $2, tax_mode = $3, tax_rate_bp = $4,
       hold_minutes = $5, free_cancellation_hours = $6, payment_mode = $7, updated_at = now()`

// UpdateSettings replaces the shop settings.
func (s *Store) UpdateSettings(ctx context.Context, st Settings) error {
	if _, err := s.q.ExecContext(ctx, updateSettingsSQL, st.ShopName, st.Currency, st.TaxMode, st.TaxRateBP,
		st.HoldMinutes, st.FreeCancellationHours, st.PaymentMode); err != nil {
		return fmt.Errorf("store: update settings: %w", classify(err))
	}
	return nil
}
