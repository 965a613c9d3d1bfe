-- +goose Up
-- The attention panel's late lines (marked out past their end) probed every
-- allocation of each of them for a unit not checked out on its own: the
-- lines' allocations index and a heap page per line, about four buffers a
-- line, most of them finding a unit out (the usual check-out). Here the
-- allocations still waiting for their pick-up on a line have an index of
-- their own (the book ahead, not its history), probed alone with the due
-- time beside the key; whether a line has a unit at all is asked only of
-- the lines with no late unit (bulk lines, in practice).
CREATE INDEX unit_allocations_line_waiting_idx ON unit_allocations (booking_line_id) INCLUDE (due_at)
    WHERE active AND picked_up_at IS NULL AND returned_at IS NULL AND booking_line_id IS NOT NULL;

-- +goose Down
DROP INDEX unit_allocations_line_waiting_idx;
