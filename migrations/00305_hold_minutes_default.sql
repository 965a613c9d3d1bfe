-- +goose Up
-- A new shop's hold lasts 45 minutes: online payment needs a hold longer than
-- 30 (Stripe refuses a checkout that expires sooner), so with the old default
-- of 30 a shop that chose "Online, in full" was refused until it also changed
-- the hold. A shop paying at pickup never holds (its bookings are confirmed at
-- once), so one still on the old default gets the new one too: its first
-- switch to online payment then passes as the form comes.
ALTER TABLE shop_settings ALTER COLUMN hold_minutes SET DEFAULT 45;
UPDATE shop_settings SET hold_minutes = 45 WHERE hold_minutes = 30 AND payment_mode = 'pay_at_pickup';

-- +goose Down
UPDATE shop_settings SET hold_minutes = 30 WHERE hold_minutes = 45 AND payment_mode = 'pay_at_pickup';
ALTER TABLE shop_settings ALTER COLUMN hold_minutes SET DEFAULT 30;
