-- +goose Up
-- The confirmed lines still to hand out, by location, item and end (the
-- bulk lines an overdue bulk line may leave short): the endangered list
-- reads each line's id too, which the index did not hold, so each late bulk
-- item's probe visited the table (about 5.4 buffers a probe on the
-- benchmark's large shop, 3 from the index alone).
CREATE INDEX booking_lines_confirmed_item_line_idx ON booking_lines (booking_location_id, item_id, ends_at)
    INCLUDE (starts_at, quantity, booking_id, id)
    WHERE picked_up_at IS NULL AND returned_at IS NULL AND booking_status = 'confirmed';
DROP INDEX booking_lines_confirmed_item_idx;

-- +goose Down
CREATE INDEX booking_lines_confirmed_item_idx ON booking_lines (booking_location_id, item_id, ends_at)
    INCLUDE (starts_at, quantity, booking_id)
    WHERE picked_up_at IS NULL AND returned_at IS NULL AND booking_status = 'confirmed';
DROP INDEX booking_lines_confirmed_item_line_idx;
