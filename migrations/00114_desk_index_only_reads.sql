-- +goose Up
-- The desk's open check-outs by location and due time, now with the line's
-- id: the board pages these lines by (due time, id), and without the id the
-- planner read every open line of the location from the table (about 640
-- pages on the benchmark's large shop) instead of from the index alone.
DROP INDEX booking_lines_desk_open_idx;
CREATE INDEX booking_lines_desk_open_idx ON booking_lines (booking_location_id, ends_at)
    INCLUDE (booking_status, booking_id, item_id, quantity, starts_at, id)
    WHERE picked_up_at IS NOT NULL AND returned_at IS NULL;

-- The allocations still to hand out, by unit: the endangered list asks, for
-- each unit out overdue, whether a waiting booking holds it next. The
-- exclusion constraint's GiST index over every allocation ever made answered
-- that in about 4.5 pages a unit; this one holds only the allocations not yet
-- picked up (the future book, not the history) and answers from the index.
CREATE INDEX unit_allocations_waiting_unit_idx ON unit_allocations (unit_id)
    INCLUDE (id, occupied, booking_line_id)
    WHERE active AND picked_up_at IS NULL AND booking_line_id IS NOT NULL;

-- The bulk items, for the endangered list's overdue bulk lines (a read of
-- a few index pages instead of the whole items table).
CREATE INDEX items_bulk_idx ON items (id) WHERE tracking = 'bulk';

-- +goose Down
DROP INDEX items_bulk_idx;
DROP INDEX unit_allocations_waiting_unit_idx;
DROP INDEX booking_lines_desk_open_idx;
CREATE INDEX booking_lines_desk_open_idx ON booking_lines (booking_location_id, ends_at)
    INCLUDE (booking_status, booking_id, item_id, quantity, starts_at)
    WHERE picked_up_at IS NOT NULL AND returned_at IS NULL;
