-- +goose Up
-- Revenue per location, quarter hour of its local day and item: the
-- revenue rollup's per-line split (as revenue_daily, migration 00098) in
-- the quarters of revenue_quarter_location (migration 00147), kept by the
-- same run. The item figures read the days of a period that are whole local
-- days of a location from the running totals (migration 00163); the part of
-- a period that is not ("the last 7 days" from the shop's midnight is a
-- partial first day at a location in another zone) they read from here, so
-- only what lies inside a quarter hour at either end, and what came after
-- the run, is split from the ledger entry by entry: a day's split read
-- there cost each entry's booking and lines (about 8 buffers an entry).
--
-- "at" as in revenue_quarter_location: the quarter's start, counted from
-- the local midnight of its day. A row exists when a split row of the
-- ledger falls in the quarter, even if the item's money there nets to zero
-- (the figures tell an item with money in a period from one without).
-- Unrounded, as revenue_daily's: readers round the sum once. No foreign
-- keys but the location's, as revenue_running: its items are revenue_daily's.
CREATE TABLE revenue_item_quarter (
    location_id bigint NOT NULL REFERENCES locations (id),
    at          timestamptz NOT NULL,
    item_id     bigint NOT NULL,
    amount      numeric NOT NULL,
    PRIMARY KEY (location_id, at, item_id)
);

-- Filled with what each location has rolled up (the ledger's money before
-- rolled_to that the last run's snapshot saw), under the rollup's own lock
-- so a run cannot move the mark in between; the split is revenueCTE's.
SELECT pg_advisory_xact_lock(hashtext('revenue_rollup'));
INSERT INTO revenue_item_quarter (location_id, at, item_id, amount)
SELECT b.location_id,
       date_bin('15 minutes', e.created_at, (e.created_at AT TIME ZONE lo.time_zone)::date::timestamp AT TIME ZONE lo.time_zone),
       l.item_id,
       sum((CASE e.kind WHEN 'refund' THEN -e.amount ELSE e.amount END)::numeric
           * CASE WHEN t.total > 0 THEN l.line_total::numeric / t.total ELSE 1::numeric / t.lines END)
FROM ledger_entries e
JOIN bookings b ON b.id = e.booking_id
JOIN booking_lines l ON l.booking_id = b.id
CROSS JOIN LATERAL (SELECT sum(line_total) AS total, count(*) AS lines
                    FROM booking_lines WHERE booking_id = b.id) t
JOIN locations lo ON lo.id = b.location_id
JOIN revenue_rollup_state s ON s.location_id = b.location_id
WHERE e.kind IN ('payment', 'refund') AND e.status = 'done'
  AND e.created_at < s.rolled_to
  AND (e.xact IS NULL OR s.snapshot IS NULL OR pg_visible_in_snapshot(e.xact, s.snapshot))
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3;
ANALYZE revenue_item_quarter;

-- +goose Down
DROP TABLE revenue_item_quarter;
