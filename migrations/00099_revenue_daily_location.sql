-- +goose Up
-- Revenue per local day and location: revenue_daily summed over items, kept
-- by the rollup in the same transaction. The dashboard's revenue totals and
-- its revenue-per-day chart read a few rows a day here (plus the ledger's
-- money the rollup does not hold yet) instead of every payment of the
-- period, or every item's row of each day.
CREATE TABLE revenue_daily_location (
    location_id bigint NOT NULL REFERENCES locations (id),
    day         date NOT NULL,
    -- Unrounded, as in revenue_daily: readers round the sum once.
    amount      numeric NOT NULL,
    PRIMARY KEY (location_id, day)
);

-- Filled from what is rolled up already, under the rollup's own lock so a
-- run cannot change revenue_daily in between.
SELECT pg_advisory_xact_lock(hashtext('revenue_rollup'));
INSERT INTO revenue_daily_location (location_id, day, amount)
SELECT location_id, day, sum(amount) FROM revenue_daily GROUP BY location_id, day;

-- +goose Down
DROP TABLE revenue_daily_location;
