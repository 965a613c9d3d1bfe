-- +goose Up
-- The revenue rollup now writes only the rows that changed (the store's
-- RollupRevenue): the lifetime totals move once a run by each item's
-- difference, where every run updated the total of each item of each
-- recomputed day twice (its old rows out, its new rows in) and the first
-- run updated it once per day of history. A large shop's 15,000 totals
-- filled 3,900 pages that the dashboard's payback read in full on each view.
--
-- Half of each page of the totals stays free, so an update keeps its row on
-- its page (HOT) and the table its size; a tenth of revenue_daily's, for
-- today's rows. Both are rewritten in their key's order once: compact, and
-- a location's days of items together for the dashboard's range reads.
ALTER TABLE revenue_item_total SET (fillfactor = 50);
ALTER TABLE revenue_daily SET (fillfactor = 90);
CLUSTER revenue_item_total USING revenue_item_total_pkey;
CLUSTER revenue_daily USING revenue_daily_pkey;

-- +goose Down
ALTER TABLE revenue_daily RESET (fillfactor);
ALTER TABLE revenue_item_total RESET (fillfactor);
