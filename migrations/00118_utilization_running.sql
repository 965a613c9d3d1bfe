-- +goose Up
-- Running totals of the utilization rollup per location and item: each row
-- is the sum of utilization_daily over every day up to and including its
-- own. The hours of any period [a, b) of an item are then two rows, the
-- total at the last day before b less the total at the last day before a,
-- instead of one row per day of the period (the dashboard's item figures
-- summed about 2,000 rows a day of the period; a year was 700,000 rows).
--
-- Dense: once a location and item have a day in utilization_daily, they
-- have a row here on every later day up to the rollup's last day, so the
-- totals of any one day are a complete snapshot. "days" counts the daily
-- rows summed, so a period with rows (whose hours may be zero) is told
-- from one without, as the daily rows tell it.
CREATE TABLE utilization_running (
    day             date NOT NULL,
    location_id     bigint NOT NULL REFERENCES locations (id),
    item_id         bigint NOT NULL REFERENCES items (id),
    hours_available double precision NOT NULL,
    hours_out       double precision NOT NULL,
    days            bigint NOT NULL,
    PRIMARY KEY (day, location_id, item_id)
);

-- utilization_running_from rewrites the running totals from day "since" on,
-- from the totals of the last day before it and the daily rows since. The
-- rollup calls it in the transaction that rewrites days of
-- utilization_daily, with the first day it rewrote.
-- +goose StatementBegin
CREATE FUNCTION utilization_running_from(since date) RETURNS void LANGUAGE sql AS $$
DELETE FROM utilization_running WHERE day >= since;
INSERT INTO utilization_running (day, location_id, item_id, hours_available, hours_out, days)
WITH base AS (
    SELECT location_id, item_id, hours_available, hours_out, days FROM utilization_running
    WHERE day = (SELECT max(day) FROM utilization_running WHERE day < since)
), pairs AS (
    SELECT location_id, item_id FROM base
    UNION
    SELECT DISTINCT location_id, item_id FROM utilization_daily WHERE day >= since
), span AS (
    SELECT d::date AS day FROM generate_series(since, (SELECT max(day) FROM utilization_daily), interval '1 day') d
), grid AS (
    SELECT s.day, p.location_id, p.item_id,
           coalesce(b.hours_available, 0) + coalesce(sum(u.hours_available) OVER w, 0) AS hours_available,
           coalesce(b.hours_out, 0) + coalesce(sum(u.hours_out) OVER w, 0) AS hours_out,
           coalesce(b.days, 0) + count(u.day) OVER w AS days
    FROM pairs p CROSS JOIN span s
    LEFT JOIN base b ON b.location_id = p.location_id AND b.item_id = p.item_id
    LEFT JOIN utilization_daily u ON u.day = s.day AND u.location_id = p.location_id AND u.item_id = p.item_id
    WINDOW w AS (PARTITION BY p.location_id, p.item_id ORDER BY s.day)
)
-- Written in the key's order, so a day's rows sit together in the table.
SELECT day, location_id, item_id, hours_available, hours_out, days FROM grid WHERE days > 0
ORDER BY day, location_id, item_id;
$$;
-- +goose StatementEnd

SELECT utilization_running_from((SELECT min(day) FROM utilization_daily));

-- +goose Down
DROP FUNCTION utilization_running_from;
DROP TABLE utilization_running;
