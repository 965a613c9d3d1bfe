-- +goose Up
-- The dashboard's no-shows (confirmed bookings past their start with
-- nothing picked up) are found from their lines still to hand out, which
-- the desk's pickups index keeps per location and start. A line marked
-- returned that never went out is not in that index; the schema allows it
-- (a desk can close a line without a hand-over), so those few lines get an
-- index of their own and the count stays exact without reading the history.
CREATE INDEX booking_lines_unpicked_returned_idx ON booking_lines (starts_at) INCLUDE (booking_id)
    WHERE picked_up_at IS NULL AND returned_at IS NOT NULL;

-- +goose Down
DROP INDEX booking_lines_unpicked_returned_idx;
