-- +goose Up
-- The revenue rollup holds the ledger up to the instant of its last run,
-- today included, instead of up to each location's last midnight: the
-- dashboard then reads from the ledger only what came after the run, not
-- every payment since midnight.
--
-- A payment's transaction may commit after a run with a created_at before
-- the run's mark. Each entry keeps the transaction that inserted it, and the
-- state keeps the snapshot the run rolled up: an entry before the mark whose
-- transaction that snapshot did not see is not in the rollup, and readers
-- add it from the ledger (few rows: those inserted since the run began,
-- found by the index below) until the next run, which recomputes its day.
-- Entries from before this migration have no transaction: every run saw them.
ALTER TABLE ledger_entries ADD COLUMN xact xid8;
ALTER TABLE ledger_entries ALTER COLUMN xact SET DEFAULT pg_current_xact_id();
CREATE INDEX ledger_entries_money_xact_idx ON ledger_entries (xact) INCLUDE (created_at, booking_id, kind, amount)
    WHERE kind IN ('payment', 'refund') AND status = 'done';

-- The snapshot of the run that set rolled_to; none: the rollup holds
-- everything before rolled_to (a run before this migration, up to midnight).
ALTER TABLE revenue_rollup_state ADD COLUMN snapshot pg_snapshot;

-- +goose Down
-- Earlier readers take rolled_to for a midnight: roll up afresh.
UPDATE revenue_rollup_state SET rolled_to = '-infinity';
ALTER TABLE revenue_rollup_state DROP COLUMN snapshot;
DROP INDEX ledger_entries_money_xact_idx;
ALTER TABLE ledger_entries DROP COLUMN xact;
