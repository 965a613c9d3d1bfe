-- +goose Up
-- The allocations still to hand out, by unit and by start: the endangered
-- list asks, for each unit out overdue, whether a waiting booking holds it
-- within the board's look ahead. By unit alone the index gave every
-- waiting allocation of the unit (its whole future book, about seven on
-- the benchmark's large shop) and each one's table row where the page was
-- not all-visible (about 1,500 rows for 240 overdue units); by start too it
-- gives only those starting before the look ahead's end, read from the
-- index. A range without a lower bound counts as starting at minus infinity.
DROP INDEX unit_allocations_waiting_unit_idx;
CREATE INDEX unit_allocations_waiting_unit_idx ON unit_allocations (unit_id, (coalesce(lower(occupied), '-infinity')))
    INCLUDE (id, occupied, booking_line_id)
    WHERE active AND picked_up_at IS NULL AND booking_line_id IS NOT NULL;

-- +goose Down
DROP INDEX unit_allocations_waiting_unit_idx;
CREATE INDEX unit_allocations_waiting_unit_idx ON unit_allocations (unit_id)
    INCLUDE (id, occupied, booking_line_id)
    WHERE active AND picked_up_at IS NULL AND booking_line_id IS NOT NULL;
