-- +goose Up
-- The dashboard's booking funnel counts the bookings made in a period by
-- what became of them. Read from the bookings, its cost grew with the
-- bookings of the period (a year of a large shop: 170k index entries a
-- call). funnel_daily holds the same counts per UTC day, location and
-- channel, kept by the metrics rollup job for the whole days before
-- funnel_rollup_state.rolled_to; readers add the bookings of the period's
-- partial days and of the days since, read from the bookings themselves.
-- UTC days, so one rollup serves a period starting at any zone's midnight:
-- the hours of the period before the first whole UTC day are read raw.
CREATE TABLE funnel_daily (
    day         date NOT NULL,
    location_id bigint NOT NULL REFERENCES locations (id),
    online      boolean NOT NULL, -- made by the customer (created_by IS NULL)
    made        bigint NOT NULL,
    holding     bigint NOT NULL,
    confirmed   bigint NOT NULL,
    expired     bigint NOT NULL,
    cancelled   bigint NOT NULL,
    -- The booked value of the confirmed ones not cancelled, minor units.
    value       numeric NOT NULL,
    PRIMARY KEY (day, location_id, online)
);

-- One row: funnel_daily holds each UTC day before rolled_to.
CREATE TABLE funnel_rollup_state (
    one       boolean PRIMARY KEY DEFAULT true CHECK (one),
    rolled_to timestamptz NOT NULL
);
-- Nothing rolled up yet: the job's first run fills every day.
INSERT INTO funnel_rollup_state (rolled_to) VALUES ('-infinity');

-- A booking of a rolled day that changes (status, confirmation, total,
-- location, channel), appears or goes marks its day here, in the same
-- transaction: readers read a marked day from the bookings, never its
-- outdated row, until the next run recomputes it. A mark is an insert of
-- its own row (no shared counter), only for bookings made before today.
CREATE TABLE funnel_rollup_stale (
    id  bigserial PRIMARY KEY,
    day date NOT NULL
);
CREATE INDEX funnel_rollup_stale_day_idx ON funnel_rollup_stale (day);

-- +goose StatementBegin
CREATE FUNCTION funnel_rollup_mark() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM (VALUES (CASE WHEN TG_OP <> 'INSERT' THEN OLD.created_at END),
                                   (CASE WHEN TG_OP <> 'DELETE' THEN NEW.created_at END)) v(at)
             WHERE at IS NOT NULL LOOP
        -- Made before today (by the clock, not the transaction's start: a
        -- change made just after midnight to yesterday's booking is marked),
        -- or on a day the rollup already holds.
        IF r.at < date_trunc('day', clock_timestamp() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
           OR EXISTS (SELECT 1 FROM funnel_rollup_state WHERE rolled_to > r.at) THEN
            INSERT INTO funnel_rollup_stale (day) VALUES ((r.at AT TIME ZONE 'UTC')::date);
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER bookings_funnel_rollup_insert AFTER INSERT OR DELETE ON bookings
    FOR EACH ROW EXECUTE FUNCTION funnel_rollup_mark();
CREATE TRIGGER bookings_funnel_rollup_update AFTER UPDATE OF status, confirmed_at, total, location_id, created_by, created_at ON bookings
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.confirmed_at IS DISTINCT FROM NEW.confirmed_at
                       OR OLD.total IS DISTINCT FROM NEW.total OR OLD.location_id IS DISTINCT FROM NEW.location_id
                       OR OLD.created_by IS DISTINCT FROM NEW.created_by OR OLD.created_at IS DISTINCT FROM NEW.created_at)
    EXECUTE FUNCTION funnel_rollup_mark();

-- +goose Down
DROP TRIGGER bookings_funnel_rollup_update ON bookings;
DROP TRIGGER bookings_funnel_rollup_insert ON bookings;
DROP FUNCTION funnel_rollup_mark();
DROP TABLE funnel_rollup_stale;
DROP TABLE funnel_rollup_state;
DROP TABLE funnel_daily;
