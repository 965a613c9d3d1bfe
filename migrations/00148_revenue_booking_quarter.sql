-- +goose Up
-- The bookings whose money moved, per location and quarter hour of its
-- local day (as revenue_quarter_location, migration 00147), kept by the
-- same rollup run: how many bookings a period's money moved for is a count
-- of distinct bookings, which sums of days cannot give, and reading it from
-- the ledger probed each booking of the period for its lines. Here it is a
-- range of this narrow key per location (index only), plus the ledger's
-- entries the quarters do not hold, as for the amounts.
CREATE TABLE revenue_booking_quarter (
    location_id bigint NOT NULL REFERENCES locations (id),
    at          timestamptz NOT NULL,
    booking_id  bigint NOT NULL,
    PRIMARY KEY (location_id, at, booking_id)
);

-- Filled with what each location has rolled up, under the rollup's lock.
SELECT pg_advisory_xact_lock(hashtext('revenue_rollup'));
INSERT INTO revenue_booking_quarter (location_id, at, booking_id)
SELECT DISTINCT b.location_id,
       date_bin('15 minutes', e.created_at, (e.created_at AT TIME ZONE l.time_zone)::date::timestamp AT TIME ZONE l.time_zone),
       e.booking_id
FROM ledger_entries e
JOIN bookings b ON b.id = e.booking_id
JOIN locations l ON l.id = b.location_id
JOIN revenue_rollup_state s ON s.location_id = b.location_id
WHERE e.kind IN ('payment', 'refund') AND e.status = 'done'
  AND e.created_at < s.rolled_to
  AND (e.xact IS NULL OR s.snapshot IS NULL OR pg_visible_in_snapshot(e.xact, s.snapshot))
  AND EXISTS (SELECT 1 FROM booking_lines bl WHERE bl.booking_id = e.booking_id);
ANALYZE revenue_booking_quarter;

-- +goose Down
DROP TABLE revenue_booking_quarter;
