-- +goose Up
-- Availability asks, for every unit of a page, whether an open check-out
-- keeps it busy outside the range it occupies (allocation_blocks). Only two
-- kinds can: one past its due time (it keeps its unit until checked in) and
-- one handed out before its range starts. This index holds every open
-- check-out by the instant from which it can reach outside its range
-- ('-infinity' when handed out early, its due time otherwise), with the unit
-- and the columns of that key, so one index-only read finds the few units
-- that need the per-unit check instead of probing each unit's open
-- check-outs.
CREATE INDEX unit_allocations_open_reach_idx
    ON unit_allocations ((CASE WHEN picked_up_at < lower(occupied) THEN '-infinity'::timestamptz ELSE due_at END))
    INCLUDE (unit_id, occupied, picked_up_at, due_at)
    WHERE active AND picked_up_at IS NOT NULL AND returned_at IS NULL;

-- The units in service of an item at a location, read by index alone
-- (availability and the calendar count them for every item of a page).
CREATE INDEX units_available_item_idx ON units (item_id, location_id) INCLUDE (id) WHERE status = 'available';

-- +goose Down
DROP INDEX units_available_item_idx, unit_allocations_open_reach_idx;
