-- +goose Up
-- The attention panel's no-shows are the confirmed bookings past their
-- start plus the grace with no line picked up. The candidates came from the
-- desk's pickups index (confirmed and out bookings' lines, without their
-- status), and each candidate booking (all of a shop's no-shows) probed its
-- lines for the booking's status and a line picked up: about four buffers a
-- booking. Here the candidates are the lines of confirmed bookings not
-- picked up, by location and start, read from the index alone; and a
-- confirmed booking's line picked up, rare (the hand-over marks the booking
-- out), has an index of its own, read once as a set.
CREATE INDEX booking_lines_no_show_idx ON booking_lines (booking_location_id, starts_at) INCLUDE (booking_id)
    WHERE picked_up_at IS NULL AND booking_status = 'confirmed';
CREATE INDEX booking_lines_confirmed_picked_idx ON booking_lines (booking_id)
    WHERE picked_up_at IS NOT NULL AND booking_status = 'confirmed';

-- +goose Down
DROP INDEX booking_lines_confirmed_picked_idx;
DROP INDEX booking_lines_no_show_idx;
