-- +goose Up
-- A booking's lines by booking, now with their dates: the staff lists and
-- the desk search show each booking's first start and last end, the least
-- and greatest over its lines. Read from this index alone, that is a few
-- index pages for a page of bookings instead of a visit to the table for
-- each line. Same key, so every reader of the former index keeps its use.
DROP INDEX booking_lines_booking_idx;
CREATE INDEX booking_lines_booking_idx ON booking_lines (booking_id, id) INCLUDE (starts_at, ends_at);

-- +goose Down
DROP INDEX booking_lines_booking_idx;
CREATE INDEX booking_lines_booking_idx ON booking_lines (booking_id, id);
