-- +goose Up
-- Revenue on the admin dashboard is money that moved (payments less refunds
-- that went through), read by time range: index exactly those entries.
CREATE INDEX ledger_entries_money_at_idx ON ledger_entries (created_at)
    WHERE kind IN ('payment', 'refund') AND status = 'done';

-- +goose Down
DROP INDEX ledger_entries_money_at_idx;
