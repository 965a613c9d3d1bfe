-- +goose Up
-- The funnel of the day under way: funnel_daily holds the whole UTC days
-- before funnel_rollup_state.rolled_to, and readers counted every booking
-- made since from the bookings themselves, an index-only range whose recent
-- pages are never all-visible (a heap fetch per booking: on a busy day
-- thousands a call). funnel_quarterly holds the same counts per UTC quarter
-- hour, location and channel for the quarters from rolled_to up to
-- quarters_to, kept by the same run; readers add the bookings of the
-- quarters since (and of the period's partial quarter) read live.
CREATE TABLE funnel_quarterly (
    quarter     timestamptz NOT NULL,
    location_id bigint NOT NULL REFERENCES locations (id),
    online      boolean NOT NULL, -- made by the customer (created_by IS NULL)
    made        bigint NOT NULL,
    holding     bigint NOT NULL,
    confirmed   bigint NOT NULL,
    expired     bigint NOT NULL,
    cancelled   bigint NOT NULL,
    value       numeric NOT NULL,
    PRIMARY KEY (quarter, location_id, online)
);

-- funnel_quarterly holds each quarter of [rolled_to, quarters_to).
ALTER TABLE funnel_rollup_state ADD COLUMN quarters_to timestamptz NOT NULL DEFAULT '-infinity';

-- A booking of a rolled quarter that changes, appears or goes marks its
-- quarter here, in the same transaction, as funnel_rollup_stale marks days:
-- readers read a marked quarter from the bookings until the next run.
CREATE TABLE funnel_quarter_stale (
    id      bigserial PRIMARY KEY,
    quarter timestamptz NOT NULL
);
CREATE INDEX funnel_quarter_stale_quarter_idx ON funnel_quarter_stale (quarter);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION funnel_rollup_mark() RETURNS trigger LANGUAGE plpgsql AS $$
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
        -- Made before this quarter hour by the clock, or in a quarter the
        -- rollup already holds; not before rolled_to, whose quarters no
        -- reader takes from funnel_quarterly (rolled_to only grows).
        IF (r.at < date_bin('15 minutes', clock_timestamp(), timestamptz '2000-01-01 00:00:00Z')
            OR EXISTS (SELECT 1 FROM funnel_rollup_state WHERE quarters_to > r.at))
           AND NOT EXISTS (SELECT 1 FROM funnel_rollup_state WHERE rolled_to > r.at) THEN
            INSERT INTO funnel_quarter_stale (quarter)
            VALUES (date_bin('15 minutes', r.at, timestamptz '2000-01-01 00:00:00Z'));
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION funnel_rollup_mark() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT * FROM (VALUES (CASE WHEN TG_OP <> 'INSERT' THEN OLD.created_at END),
                                   (CASE WHEN TG_OP <> 'DELETE' THEN NEW.created_at END)) v(at)
             WHERE at IS NOT NULL LOOP
        IF r.at < date_trunc('day', clock_timestamp() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
           OR EXISTS (SELECT 1 FROM funnel_rollup_state WHERE rolled_to > r.at) THEN
            INSERT INTO funnel_rollup_stale (day) VALUES ((r.at AT TIME ZONE 'UTC')::date);
        END IF;
    END LOOP;
    RETURN NULL;
END $$;
-- +goose StatementEnd
DROP TABLE funnel_quarter_stale;
ALTER TABLE funnel_rollup_state DROP COLUMN quarters_to;
DROP TABLE funnel_quarterly;
