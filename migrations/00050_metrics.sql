-- +goose Up
-- Hours covered by a time range (0 for an empty one); the utilization rollup
-- intersects allocations with local days and sums these.
-- +goose StatementBegin
CREATE FUNCTION range_hours(r tstzrange) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(extract(epoch FROM upper(r) - lower(r)) / 3600.0, 0)::double precision
$$;
-- +goose StatementEnd

-- Unit-hours per local day, location and item: how long units could have been
-- rented (maintenance excluded) and how long they were out. Kept by a
-- periodic job so the dashboard reads a few rows per day instead of
-- intersecting every allocation of years of history on each page view. A
-- day still under way covers up to the time it was computed.
CREATE TABLE utilization_daily (
    day             date NOT NULL,
    location_id     bigint NOT NULL REFERENCES locations (id),
    item_id         bigint NOT NULL REFERENCES items (id),
    hours_available double precision NOT NULL,
    hours_out       double precision NOT NULL,
    computed_at     timestamptz NOT NULL,
    PRIMARY KEY (day, location_id, item_id)
);
CREATE INDEX utilization_daily_item_idx ON utilization_daily (item_id, day);

-- The business figures read bookings by when they were made and confirmed.
CREATE INDEX bookings_created_at_idx ON bookings (created_at);
CREATE INDEX bookings_confirmed_at_idx ON bookings (confirmed_at) WHERE confirmed_at IS NOT NULL;

-- +goose Down
DROP INDEX bookings_confirmed_at_idx;
DROP INDEX bookings_created_at_idx;
DROP TABLE utilization_daily;
DROP FUNCTION range_hours;
