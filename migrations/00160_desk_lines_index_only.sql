-- +goose Up
-- Each line the desk board shows is joined by key to its booking (number,
-- status, customer), its item's name and its units' asset tags. Each of
-- these reads went through the index to the table: about 17 buffers a line,
-- 75 lines on a busy day. The indexes below answer them alone.

-- The board's bookings (confirmed or out, as its lines' copies of their
-- status say) with what the board shows of them. Replaces the index of
-- migration 00107, which held the location only.
DROP INDEX bookings_desk_idx;
CREATE INDEX bookings_desk_idx ON bookings (id) INCLUDE (location_id, status, number, customer_id)
    WHERE status IN ('confirmed', 'out');

-- A line's allocations with their unit and whether they are active (the
-- board lists the active ones). Replaces the plain index of migration 00020:
-- same key, same rows.
CREATE INDEX unit_allocations_line_unit_idx ON unit_allocations (booking_line_id) INCLUDE (unit_id, active)
    WHERE booking_line_id IS NOT NULL;
DROP INDEX unit_allocations_line_idx;

-- A unit's asset tag and an item's name by key.
CREATE INDEX units_asset_tag_by_id_idx ON units (id) INCLUDE (asset_tag);
CREATE INDEX items_name_by_id_idx ON items (id) INCLUDE (name);

-- +goose Down
DROP INDEX items_name_by_id_idx;
DROP INDEX units_asset_tag_by_id_idx;
CREATE INDEX unit_allocations_line_idx ON unit_allocations (booking_line_id) WHERE booking_line_id IS NOT NULL;
DROP INDEX unit_allocations_line_unit_idx;
DROP INDEX bookings_desk_idx;
CREATE INDEX bookings_desk_idx ON bookings (id) INCLUDE (location_id)
    WHERE status IN ('confirmed', 'out');
