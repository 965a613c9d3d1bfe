-- +goose Up
-- Availability asks, for every unit of a page, whether an active allocation
-- overlapping the window blocks it. The GiST index of the exclusion
-- constraint answered by testing every key of each page it read, a cost
-- that grew with each unit's history. A unit's active allocations never
-- overlap, so ordered by end (then start) those overlapping a window are
-- the ones from the first ending at or after its start whose start is not
-- after its end: a btree range that starts past the unit's past, with the
-- start bound tested in the index.
CREATE INDEX unit_allocations_unit_end_idx
    ON unit_allocations (unit_id, coalesce(upper(occupied), 'infinity'::timestamptz), coalesce(lower(occupied), '-infinity'::timestamptz))
    WHERE active;

-- +goose Down
DROP INDEX unit_allocations_unit_end_idx;
