-- +goose Up
-- The lifetime money per location and item (migration 00098) has been read
-- from the running totals' last day (migration 00163) since then; nothing
-- reads revenue_item_total any more, and the rollup no longer keeps it.
DROP TABLE revenue_item_total;

-- +goose Down
-- Back as the rollup kept it: the sum of each location's and item's daily
-- rows, under the rollup's lock.
CREATE TABLE revenue_item_total (
    location_id bigint NOT NULL REFERENCES locations (id),
    item_id     bigint NOT NULL REFERENCES items (id),
    amount      numeric NOT NULL,
    PRIMARY KEY (location_id, item_id)
) WITH (fillfactor = 50);
SELECT pg_advisory_xact_lock(hashtext('revenue_rollup'));
INSERT INTO revenue_item_total (location_id, item_id, amount)
SELECT location_id, item_id, sum(amount) FROM revenue_daily GROUP BY location_id, item_id ORDER BY location_id, item_id;
