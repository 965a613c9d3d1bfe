-- +goose Up
-- A refund made in Stripe's dashboard arrives as charge.refunded naming the
-- payment intent, which a Stripe payment keeps as its reference: finding the
-- payment read the whole ledger (no index on reference), a statement that
-- grows with every payment the shop ever took. Index exactly those rows.
CREATE INDEX ledger_entries_stripe_reference_idx ON ledger_entries (reference)
    WHERE kind = 'payment' AND method = 'stripe';

-- +goose Down
DROP INDEX ledger_entries_stripe_reference_idx;
