-- +goose Up
-- Revenue per local day, location and item: the ledger's money split over
-- each booking's lines exactly as the dashboard splits it (revenueCTE), kept
-- by the periodic rollup job beside utilization_daily. Payback per item
-- needs every payment an item ever earned; summing the whole ledger on each
-- page view grows with years of history, these rows with days and items.
CREATE TABLE revenue_daily (
    location_id bigint NOT NULL REFERENCES locations (id),
    day         date NOT NULL,
    item_id     bigint NOT NULL REFERENCES items (id),
    -- Shares of whole minor units: kept unrounded, so sums round once.
    amount      numeric NOT NULL,
    PRIMARY KEY (location_id, day, item_id)
);

-- The same rows summed over all days, per location and item: lifetime
-- revenue reads a row per item here. The job adjusts it in the transaction
-- that rewrites days of revenue_daily.
CREATE TABLE revenue_item_total (
    location_id bigint NOT NULL REFERENCES locations (id),
    item_id     bigint NOT NULL REFERENCES items (id),
    amount      numeric NOT NULL,
    PRIMARY KEY (location_id, item_id)
);

-- How far each location is rolled up: every local day before rolled_to (a
-- local midnight) is in revenue_daily; money from rolled_to on is read from
-- the ledger. No row (or -infinity): nothing is rolled up there yet.
CREATE TABLE revenue_rollup_state (
    location_id bigint PRIMARY KEY REFERENCES locations (id) ON DELETE CASCADE,
    rolled_to   timestamptz NOT NULL
);

-- Bookings whose rolled-up money may have changed: a line added, removed or
-- re-priced (the split follows the current line totals), or a ledger entry
-- changed (a pending refund that went through). The next rollup recomputes
-- the days of their money and empties this list.
CREATE TABLE revenue_rollup_stale (
    booking_id bigint PRIMARY KEY
);

-- +goose StatementBegin
CREATE FUNCTION revenue_rollup_mark_line() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    b bigint;
BEGIN
    FOREACH b IN ARRAY ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN OLD.booking_id END,
                             CASE WHEN TG_OP <> 'DELETE' THEN NEW.booking_id END] LOOP
        -- Only a booking with money can change what was rolled up (a cart
        -- filling up has none).
        IF b IS NOT NULL AND EXISTS (SELECT 1 FROM ledger_entries WHERE booking_id = b) THEN
            INSERT INTO revenue_rollup_stale (booking_id) VALUES (b) ON CONFLICT DO NOTHING;
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER booking_lines_revenue_rollup
    AFTER INSERT OR DELETE OR UPDATE OF booking_id, item_id, line_total ON booking_lines
    FOR EACH ROW EXECUTE FUNCTION revenue_rollup_mark_line();

-- +goose StatementBegin
CREATE FUNCTION revenue_rollup_mark_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO revenue_rollup_stale (booking_id) VALUES (OLD.booking_id) ON CONFLICT DO NOTHING;
    INSERT INTO revenue_rollup_stale (booking_id) VALUES (NEW.booking_id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER ledger_entries_revenue_rollup
    AFTER UPDATE OF booking_id, kind, amount, status, created_at ON ledger_entries
    FOR EACH ROW WHEN (OLD.booking_id IS DISTINCT FROM NEW.booking_id OR OLD.kind IS DISTINCT FROM NEW.kind
                       OR OLD.amount IS DISTINCT FROM NEW.amount OR OLD.status IS DISTINCT FROM NEW.status
                       OR OLD.created_at IS DISTINCT FROM NEW.created_at)
    EXECUTE FUNCTION revenue_rollup_mark_entry();

-- A booking moved to another location (nothing does that today), or a
-- location given another time zone, files money under other days: those
-- locations are rolled up afresh.
-- +goose StatementBegin
CREATE FUNCTION revenue_rollup_reset_booking() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE revenue_rollup_state SET rolled_to = '-infinity' WHERE location_id IN (OLD.location_id, NEW.location_id);
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER bookings_revenue_rollup
    AFTER UPDATE OF location_id ON bookings
    FOR EACH ROW WHEN (OLD.location_id IS DISTINCT FROM NEW.location_id)
    EXECUTE FUNCTION revenue_rollup_reset_booking();

-- +goose StatementBegin
CREATE FUNCTION revenue_rollup_reset_location() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE revenue_rollup_state SET rolled_to = '-infinity' WHERE location_id = NEW.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER locations_revenue_rollup
    AFTER UPDATE OF time_zone ON locations
    FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone)
    EXECUTE FUNCTION revenue_rollup_reset_location();

-- +goose Down
DROP TRIGGER locations_revenue_rollup ON locations;
DROP TRIGGER bookings_revenue_rollup ON bookings;
DROP TRIGGER ledger_entries_revenue_rollup ON ledger_entries;
DROP TRIGGER booking_lines_revenue_rollup ON booking_lines;
DROP FUNCTION revenue_rollup_reset_location, revenue_rollup_reset_booking, revenue_rollup_mark_entry, revenue_rollup_mark_line;
DROP TABLE revenue_rollup_stale, revenue_rollup_state, revenue_item_total, revenue_daily;
