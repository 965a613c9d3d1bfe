-- +goose Up
-- Revenue per location and quarter hour of its local day, beside the
-- per-day rows of migration 00099 and kept by the same rollup run: the
-- dashboard's totals read whole days from revenue_daily_location, and the
-- parts of a period that are not whole local days of a location (another
-- location's midnight, "yesterday up to this time of day") from here, so
-- only what lies inside a quarter hour at either end, and what came after
-- the run, is read from the ledger entry by entry.
--
-- "at" is the quarter's start, counted from the local midnight of its day
-- (every zone's offset today is a whole number of quarter hours, so these
-- are the UTC quarter hours; a day of another length ends on a shorter
-- quarter, which readers never take whole). Unrounded, as revenue_daily's.
CREATE TABLE revenue_quarter_location (
    location_id bigint NOT NULL REFERENCES locations (id),
    at          timestamptz NOT NULL,
    amount      numeric NOT NULL,
    PRIMARY KEY (location_id, at)
);

-- Filled with what each location has rolled up (the ledger's money before
-- rolled_to that the last run's snapshot saw), under the rollup's own lock
-- so a run cannot move the mark in between.
SELECT pg_advisory_xact_lock(hashtext('revenue_rollup'));
INSERT INTO revenue_quarter_location (location_id, at, amount)
SELECT b.location_id,
       date_bin('15 minutes', e.created_at, (e.created_at AT TIME ZONE l.time_zone)::date::timestamp AT TIME ZONE l.time_zone),
       sum(CASE e.kind WHEN 'refund' THEN -e.amount ELSE e.amount END)
FROM ledger_entries e
JOIN bookings b ON b.id = e.booking_id
JOIN locations l ON l.id = b.location_id
JOIN revenue_rollup_state s ON s.location_id = b.location_id
WHERE e.kind IN ('payment', 'refund') AND e.status = 'done'
  AND e.created_at < s.rolled_to
  AND (e.xact IS NULL OR s.snapshot IS NULL OR pg_visible_in_snapshot(e.xact, s.snapshot))
  AND EXISTS (SELECT 1 FROM booking_lines bl WHERE bl.booking_id = e.booking_id)
GROUP BY 1, 2;
ANALYZE revenue_quarter_location;

-- +goose Down
DROP TABLE revenue_quarter_location;
