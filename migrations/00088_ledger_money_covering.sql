-- +goose Up
-- Revenue totals read each payment and refund that went through in a time
-- range once: with the booking, kind and amount in the index, an
-- index-only scan.
DROP INDEX ledger_entries_money_at_idx;
CREATE INDEX ledger_entries_money_at_idx ON ledger_entries (created_at) INCLUDE (booking_id, kind, amount)
    WHERE kind IN ('payment', 'refund') AND status = 'done';

-- +goose Down
DROP INDEX ledger_entries_money_at_idx;
CREATE INDEX ledger_entries_money_at_idx ON ledger_entries (created_at)
    WHERE kind IN ('payment', 'refund') AND status = 'done';
