-- +goose Up
-- An item's late fee rule: so much per started hour or local day past the due
-- time, nothing within the grace period, at most the cap per unit or piece
-- (0 = no cap). 'none' charges nothing.
ALTER TABLE items
    ADD COLUMN late_fee_per text NOT NULL DEFAULT 'none' CHECK (late_fee_per IN ('none', 'hour', 'day')),
    ADD COLUMN late_fee_amount bigint NOT NULL DEFAULT 0 CHECK (late_fee_amount >= 0),
    ADD COLUMN late_fee_grace_minutes integer NOT NULL DEFAULT 0 CHECK (late_fee_grace_minutes BETWEEN 0 AND 10080),
    ADD COLUMN late_fee_cap bigint NOT NULL DEFAULT 0 CHECK (late_fee_cap >= 0);

-- A hand-over at the desk: who gave the customer what, and when. The lines
-- are a copy of what was out at that moment (item, quantity, tags, period),
-- so the printed sheet stays what the customer signed.
CREATE TABLE handovers (
    id          bigserial PRIMARY KEY,
    booking_id  bigint NOT NULL REFERENCES bookings (id),
    handed_by   bigint REFERENCES users (id),
    handed_at   timestamptz NOT NULL,
    lines       jsonb NOT NULL,
    deposit     bigint NOT NULL DEFAULT 0,
    currency    char(3) NOT NULL
);
CREATE INDEX handovers_booking_idx ON handovers (booking_id, id);

-- A unit (or a bulk line) taken back at the desk: the condition it came back
-- in, the maintenance block that condition made, and the late fee computed
-- (charged, or waived with a reason).
CREATE TABLE unit_returns (
    id                 bigserial PRIMARY KEY,
    booking_id         bigint NOT NULL REFERENCES bookings (id),
    booking_line_id    bigint NOT NULL REFERENCES booking_lines (id),
    unit_id            bigint REFERENCES units (id),
    quantity           integer NOT NULL DEFAULT 1 CHECK (quantity > 0),
    condition          text NOT NULL CHECK (condition IN ('ok', 'needs_cleaning', 'damaged')),
    note               text NOT NULL DEFAULT '',
    maintenance_id     bigint REFERENCES maintenance_blocks (id),
    late_fee           bigint NOT NULL DEFAULT 0 CHECK (late_fee >= 0),
    late_fee_breakdown jsonb NOT NULL DEFAULT '[]',
    late_fee_waived    text NOT NULL DEFAULT '',
    ledger_entry_id    bigint REFERENCES ledger_entries (id),
    received_by        bigint REFERENCES users (id),
    returned_at        timestamptz NOT NULL,
    CHECK (condition = 'ok' OR note <> '' OR condition = 'needs_cleaning')
);
CREATE INDEX unit_returns_booking_idx ON unit_returns (booking_id, id);

-- +goose Down
DROP TABLE unit_returns, handovers;
ALTER TABLE items DROP COLUMN late_fee_per, DROP COLUMN late_fee_amount,
    DROP COLUMN late_fee_grace_minutes, DROP COLUMN late_fee_cap;
