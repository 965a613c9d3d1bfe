-- +goose Up
-- What the settings page edits beyond the first columns: the share paid
-- online in the online_deposit mode, a second tax rate for the "reduced" tax
-- category (tax_rate_bp stays the "standard" rate; "zero" is always 0), the
-- prefixes of the invoice and credit note number series, the shop's legal
-- details printed on every invoice, and the time zone that decides an
-- invoice's date and the year its number counts in.
ALTER TABLE shop_settings
    ADD COLUMN deposit_percent     integer NOT NULL DEFAULT 30 CHECK (deposit_percent BETWEEN 1 AND 100),
    ADD COLUMN reduced_tax_rate_bp integer NOT NULL DEFAULT 0 CHECK (reduced_tax_rate_bp BETWEEN 0 AND 10000),
    ADD COLUMN invoice_prefix      text NOT NULL DEFAULT 'INV',
    ADD COLUMN credit_note_prefix  text NOT NULL DEFAULT 'CN',
    ADD COLUMN legal_name          text NOT NULL DEFAULT '',
    ADD COLUMN legal_address       text NOT NULL DEFAULT '',
    ADD COLUMN vat_id              text NOT NULL DEFAULT '',
    ADD COLUMN registration_number text NOT NULL DEFAULT '',
    ADD COLUMN contact_email       text NOT NULL DEFAULT '',
    ADD COLUMN contact_phone       text NOT NULL DEFAULT '',
    ADD COLUMN bank_details        text NOT NULL DEFAULT '',
    ADD COLUMN invoice_note        text NOT NULL DEFAULT '',
    ADD COLUMN time_zone           text NOT NULL DEFAULT 'UTC',
    ADD CONSTRAINT shop_settings_series_differ CHECK (invoice_prefix <> credit_note_prefix);

-- A shop that already has locations keeps its invoice dates in the zone it
-- works in rather than in UTC.
UPDATE shop_settings SET time_zone = coalesce((SELECT time_zone FROM locations ORDER BY id LIMIT 1), 'UTC');

-- +goose Down
ALTER TABLE shop_settings
    DROP CONSTRAINT shop_settings_series_differ,
    DROP COLUMN deposit_percent, DROP COLUMN reduced_tax_rate_bp, DROP COLUMN invoice_prefix,
    DROP COLUMN credit_note_prefix, DROP COLUMN legal_name, DROP COLUMN legal_address, DROP COLUMN vat_id,
    DROP COLUMN registration_number, DROP COLUMN contact_email, DROP COLUMN contact_phone,
    DROP COLUMN bank_details, DROP COLUMN invoice_note, DROP COLUMN time_zone;
