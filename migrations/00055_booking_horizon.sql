-- +goose Up
-- How far ahead a period may reach: no booking, extension or maintenance
-- block ends later than this many months from now.
ALTER TABLE shop_settings
    ADD COLUMN booking_horizon_months integer NOT NULL DEFAULT 18 CHECK (booking_horizon_months BETWEEN 1 AND 120);

-- +goose Down
ALTER TABLE shop_settings DROP COLUMN booking_horizon_months;
