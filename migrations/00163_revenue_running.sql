-- +goose Up
-- Running totals of the revenue rollup per location and item: each row is
-- the sum of revenue_daily over every day up to and including its own, as
-- utilization_running (migration 00118) is for hours. The money of any
-- rolled days [a, b) of an item is then two rows per location, the total at
-- the last day before b less the total at the last day before a, instead of
-- one row per item and day of the period (the dashboard's item figures
-- summed about 650 rows a day: a year was 240,000 rows); its lifetime money
-- is the row of the location's last day.
--
-- Dense: once a location and item have a day in revenue_daily, they have a
-- row here on every later day up to the location's last day there, so the
-- totals of any one day are a complete snapshot. "days" counts the daily
-- rows summed, so a period with rows (whose money may net to zero) is told
-- from one without, as the daily rows tell it. No foreign keys: every row's
-- location and item have rows in revenue_daily, which has them, and checking
-- them would double the cost of the backfill below.
CREATE TABLE revenue_running (
    location_id bigint NOT NULL,
    day         date NOT NULL,
    item_id     bigint NOT NULL,
    -- Unrounded, as in revenue_daily: readers round the sum once.
    amount      numeric NOT NULL,
    days        integer NOT NULL,
    PRIMARY KEY (location_id, day, item_id)
);

-- revenue_running_from rewrites the running totals of location loc from day
-- "since" on, from its totals of the last day before it and the daily rows
-- since. The rollup calls it in the transaction that rewrites days of
-- revenue_daily, with each location's first rewritten day. It writes only
-- the rows that changed, deletes those that vanished and inserts the new
-- ones (as utilization_running_from does since migration 00134): rewriting
-- every row of the recomputed days would leave a dead index entry beside
-- each live one of them until a vacuum, which the dashboard's reads of
-- today's totals would step over.
-- +goose StatementBegin
CREATE FUNCTION revenue_running_from(loc bigint, since date) RETURNS void LANGUAGE sql AS $$
WITH base AS (
    SELECT item_id, amount, days FROM revenue_running
    WHERE location_id = loc AND day = (SELECT max(day) FROM revenue_running WHERE location_id = loc AND day < since)
), pairs AS (
    SELECT item_id FROM base
    UNION
    SELECT DISTINCT item_id FROM revenue_daily WHERE location_id = loc AND day >= since
), span AS (
    SELECT d::date AS day
    FROM generate_series(since, (SELECT max(day) FROM revenue_daily WHERE location_id = loc), interval '1 day') d
), grid AS (
    SELECT s.day, p.item_id,
           coalesce(b.amount, 0) + coalesce(sum(r.amount) OVER w, 0) AS amount,
           coalesce(b.days, 0) + count(r.day) OVER w AS days
    FROM pairs p CROSS JOIN span s
    LEFT JOIN base b ON b.item_id = p.item_id
    -- "day >= since" again: the planner does not see it in the span's days,
    -- and would read all the location's days.
    LEFT JOIN revenue_daily r ON r.location_id = loc AND r.day >= since AND r.day = s.day AND r.item_id = p.item_id
    WINDOW w AS (PARTITION BY p.item_id ORDER BY s.day)
), fresh AS MATERIALIZED (
    SELECT day, item_id, amount, days FROM grid WHERE days > 0
), old AS MATERIALIZED (
    -- Bounded on both sides, so the plan (made for any "since") reads the
    -- days' range of the index, not the whole table.
    SELECT day, item_id, amount, days FROM revenue_running
    WHERE location_id = loc AND day BETWEEN since AND (SELECT max(day) FROM revenue_running WHERE location_id = loc)
), gone AS (
    DELETE FROM revenue_running r
    WHERE r.location_id = loc AND r.day >= since
      AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.day = r.day AND f.item_id = r.item_id)
)
-- New rows in the key's order, so a day's rows sit together in the table;
-- the rows equal to those in place left out before the upsert, which would
-- probe the index and lock each of them.
INSERT INTO revenue_running AS r (location_id, day, item_id, amount, days)
SELECT loc, f.day, f.item_id, f.amount, f.days FROM fresh f
WHERE NOT EXISTS (SELECT 1 FROM old o WHERE o.day = f.day AND o.item_id = f.item_id AND o.amount = f.amount AND o.days = f.days)
ORDER BY f.day, f.item_id
ON CONFLICT (location_id, day, item_id) DO UPDATE
SET amount = EXCLUDED.amount, days = EXCLUDED.days
WHERE (r.amount, r.days) IS DISTINCT FROM (EXCLUDED.amount, EXCLUDED.days);
$$;
-- +goose StatementEnd

-- Filled from what is rolled up already, under the rollup's own lock so a
-- run cannot change revenue_daily in between: the days before the last week
-- packed, then (half of each page left free from here on, so an update of
-- the days later runs recompute keeps its row on its page: a HOT update) the
-- last week.
SELECT pg_advisory_xact_lock(hashtext('revenue_rollup'));
SELECT revenue_running_from(location_id, min(day)) FROM revenue_daily GROUP BY location_id;
CREATE TEMP TABLE revenue_running_recent ON COMMIT DROP AS
SELECT * FROM revenue_running r
WHERE r.day >= (SELECT max(day) - 7 FROM revenue_running x WHERE x.location_id = r.location_id);
DELETE FROM revenue_running r USING revenue_running_recent n
WHERE r.location_id = n.location_id AND r.day = n.day AND r.item_id = n.item_id;
ALTER TABLE revenue_running SET (fillfactor = 50);
INSERT INTO revenue_running SELECT * FROM revenue_running_recent ORDER BY location_id, day, item_id;
ANALYZE revenue_running;

-- +goose Down
DROP FUNCTION revenue_running_from;
DROP TABLE revenue_running;
