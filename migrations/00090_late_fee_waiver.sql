-- +goose Up
-- A late fee can be waived after it was charged (the customer calls the next
-- day): a negative late-fee charge on the ledger reverses all or part of it,
-- and the return row records how much was waived, by whom, when, and the
-- ledger entry that did it. A fee is waived once; late_fee_waived (the
-- reason) not empty means it was.
ALTER TABLE unit_returns
    ADD COLUMN late_fee_waived_amount bigint NOT NULL DEFAULT 0,
    ADD COLUMN late_fee_waiver_entry_id bigint REFERENCES ledger_entries (id),
    ADD COLUMN late_fee_waived_by bigint REFERENCES users (id),
    ADD COLUMN late_fee_waived_at timestamptz;

-- A waiver at check-in waived the whole fee before anything was charged.
UPDATE unit_returns SET late_fee_waived_amount = late_fee WHERE late_fee_waived <> '';

ALTER TABLE unit_returns
    ADD CONSTRAINT unit_returns_waived_amount_check
        CHECK (late_fee_waived_amount BETWEEN 0 AND late_fee),
    ADD CONSTRAINT unit_returns_waiver_entry_check
        CHECK (late_fee_waiver_entry_id IS NULL OR (ledger_entry_id IS NOT NULL AND late_fee_waived <> ''));

-- +goose Down
ALTER TABLE unit_returns
    DROP COLUMN late_fee_waived_amount, DROP COLUMN late_fee_waiver_entry_id,
    DROP COLUMN late_fee_waived_by, DROP COLUMN late_fee_waived_at;
