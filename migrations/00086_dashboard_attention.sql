-- +goose Up
-- The dashboard's attention figures read only what can matter now, never
-- the whole history (see attentionSQL).

-- Lines not picked up, by start: the pickups coming up and the no-shows
-- (lines that started a while ago and never went out). Unlike
-- booking_lines_pickup_idx it keeps lines returned without a pickup, so the
-- figures count exactly what they did; booking_id rides along so the
-- no-show check needs no visit to the table.
CREATE INDEX booking_lines_unpicked_start_idx ON booking_lines (starts_at) INCLUDE (booking_id)
    WHERE picked_up_at IS NULL;

-- Open check-outs without a due time: none in practice, but an overdue
-- count must not miss one, and without this index asking for them means
-- reading every open check-out.
CREATE INDEX unit_allocations_open_undue_idx ON unit_allocations (booking_line_id)
    WHERE active AND picked_up_at IS NOT NULL AND returned_at IS NULL AND due_at IS NULL;

-- +goose Down
DROP INDEX unit_allocations_open_undue_idx, booking_lines_unpicked_start_idx;
