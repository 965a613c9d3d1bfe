-- +goose Up
-- The desk board shows a page of each section with the section's count
-- (hundreds of pickups a day at a busy shop). Counting reads every line of
-- the day, so both halves of that read are answered from indexes alone:
-- the day's lines still to hand out, in board order, carry what the board
-- needs of them (this replaces booking_lines_pickup_idx, same rows, same
-- leading key), and each line's booking is checked against the bookings the
-- board shows (confirmed or out) with their location, without visiting the
-- bookings table.
CREATE INDEX booking_lines_desk_pickup_idx ON booking_lines (starts_at, id)
    INCLUDE (booking_id, item_id, quantity, ends_at)
    WHERE picked_up_at IS NULL AND returned_at IS NULL;
DROP INDEX booking_lines_pickup_idx;

CREATE INDEX bookings_desk_idx ON bookings (id) INCLUDE (location_id)
    WHERE status IN ('confirmed', 'out');

-- +goose Down
DROP INDEX bookings_desk_idx;
CREATE INDEX booking_lines_pickup_idx ON booking_lines (starts_at)
    WHERE picked_up_at IS NULL AND returned_at IS NULL;
DROP INDEX booking_lines_desk_pickup_idx;
