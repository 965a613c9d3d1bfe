-- +goose Up
-- Open check-outs are a few thousand rows among millions, but the planner
-- multiplies the selectivities of "picked up", "not returned" and "due
-- before now" as if they were independent, expects a hundred thousand rows,
-- and turns the desk's queries into scans of every booking. Named
-- expressions with statistics of their own (NULL unless the check-out is
-- open) let it count them right, and an index on each finds them by due time.
CREATE STATISTICS booking_lines_open_due_stats
    ON ((CASE WHEN picked_up_at IS NOT NULL AND returned_at IS NULL THEN ends_at END)) FROM booking_lines;
CREATE INDEX booking_lines_open_due_idx
    ON booking_lines ((CASE WHEN picked_up_at IS NOT NULL AND returned_at IS NULL THEN ends_at END))
    WHERE picked_up_at IS NOT NULL AND returned_at IS NULL;
DROP INDEX booking_lines_open_end_idx;

CREATE STATISTICS unit_allocations_open_due_stats
    ON ((CASE WHEN active AND picked_up_at IS NOT NULL AND returned_at IS NULL THEN due_at END)) FROM unit_allocations;
CREATE INDEX unit_allocations_open_due_idx
    ON unit_allocations ((CASE WHEN active AND picked_up_at IS NOT NULL AND returned_at IS NULL THEN due_at END))
    WHERE active AND picked_up_at IS NOT NULL AND returned_at IS NULL;

-- +goose Down
DROP INDEX unit_allocations_open_due_idx, booking_lines_open_due_idx;
DROP STATISTICS unit_allocations_open_due_stats, booking_lines_open_due_stats;
CREATE INDEX booking_lines_open_end_idx ON booking_lines (ends_at)
    WHERE picked_up_at IS NOT NULL AND returned_at IS NULL;
