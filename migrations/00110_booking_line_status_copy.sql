-- +goose Up
-- The desk counts and lists a location's lines by their booking's status
-- and location. Kept only on bookings, every line of the day had to probe
-- its booking (about 4,000 probes, 12k buffers, for a busy day of a
-- million-line shop) before it could be counted. Each line now carries a
-- copy of both, kept right by triggers (whatever the write: a booking's
-- status or location changes, a line is added or moved to another
-- booking), so the desk's indexes hold a location's lines alone.
ALTER TABLE booking_lines ADD COLUMN booking_status text, ADD COLUMN booking_location_id bigint;
UPDATE booking_lines l SET booking_status = b.status, booking_location_id = b.location_id
FROM bookings b WHERE b.id = l.booking_id;
ALTER TABLE booking_lines ALTER COLUMN booking_status SET NOT NULL,
                          ALTER COLUMN booking_location_id SET NOT NULL;

-- A line takes its booking's status and location when it is written, and
-- any attempt to set the copies to something else gets the truth instead.
-- +goose StatementBegin
CREATE FUNCTION booking_line_copy_booking() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT b.status, b.location_id INTO NEW.booking_status, NEW.booking_location_id
    FROM bookings b WHERE b.id = NEW.booking_id;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER booking_lines_copy_booking
    BEFORE INSERT OR UPDATE OF booking_id, booking_status, booking_location_id ON booking_lines
    FOR EACH ROW EXECUTE FUNCTION booking_line_copy_booking();

-- A booking's new status or location goes to its lines.
-- +goose StatementBegin
CREATE FUNCTION booking_copy_to_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE booking_lines SET booking_status = NEW.status, booking_location_id = NEW.location_id
    WHERE booking_id = NEW.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER bookings_copy_to_lines
    AFTER UPDATE OF status, location_id ON bookings
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.location_id IS DISTINCT FROM NEW.location_id)
    EXECUTE FUNCTION booking_copy_to_lines();

-- The desk's pickups of one location in board order, with what the board
-- needs of them (replaces booking_lines_desk_pickup_idx, which held every
-- location's lines and statuses).
CREATE INDEX booking_lines_desk_pickups_idx ON booking_lines (booking_location_id, starts_at, id)
    INCLUDE (booking_id, item_id, quantity, ends_at)
    WHERE picked_up_at IS NULL AND returned_at IS NULL AND booking_status IN ('confirmed', 'out');
DROP INDEX booking_lines_desk_pickup_idx;

-- The open check-outs of one location by due time: the desk's returns and
-- overdue lines, and the overdue lines that endanger the next bookings.
CREATE INDEX booking_lines_desk_open_idx ON booking_lines (booking_location_id, ends_at)
    INCLUDE (booking_status, booking_id, item_id, quantity, starts_at)
    WHERE picked_up_at IS NOT NULL AND returned_at IS NULL;

-- Confirmed lines still to hand out, by location, item and end: the bulk
-- lines an overdue bulk line may leave short.
CREATE INDEX booking_lines_confirmed_item_idx ON booking_lines (booking_location_id, item_id, ends_at)
    INCLUDE (starts_at, quantity, booking_id)
    WHERE picked_up_at IS NULL AND returned_at IS NULL AND booking_status = 'confirmed';

-- +goose Down
DROP INDEX booking_lines_confirmed_item_idx;
DROP INDEX booking_lines_desk_open_idx;
CREATE INDEX booking_lines_desk_pickup_idx ON booking_lines (starts_at, id)
    INCLUDE (booking_id, item_id, quantity, ends_at)
    WHERE picked_up_at IS NULL AND returned_at IS NULL;
DROP INDEX booking_lines_desk_pickups_idx;
DROP TRIGGER bookings_copy_to_lines ON bookings;
DROP FUNCTION booking_copy_to_lines();
DROP TRIGGER booking_lines_copy_booking ON booking_lines;
DROP FUNCTION booking_line_copy_booking();
ALTER TABLE booking_lines DROP COLUMN booking_location_id, DROP COLUMN booking_status;
