-- +goose Up
-- Three indexes that every booking keeps up to date and no query reads:
--   bookings_confirmed_at_idx (00050): the business figures read bookings by
--     creation (bookings_created_at_idx, which carries confirmed_at); nothing
--     filters or orders by confirmed_at.
--   booking_lines_unpicked_start_idx (00086): the pickups and no-shows are read
--     per location from booking_lines_desk_pickups_idx and
--     booking_lines_no_show_idx, and the lines returned without a pickup from
--     booking_lines_unpicked_returned_idx; every new line still went into it.
--   audit_log_at_idx (00001): the audit log is paged by id (its primary key),
--     by actor or by entity; no query asks it by time. Every booking writes two
--     audit rows, every desk scan one.
-- Each was an insert into a B-tree (its root, its leaf, and the WAL of both)
-- in the transaction that holds the booking's units.
DROP INDEX bookings_confirmed_at_idx;
DROP INDEX booking_lines_unpicked_start_idx;
DROP INDEX audit_log_at_idx;

-- +goose Down
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX booking_lines_unpicked_start_idx ON booking_lines (starts_at) INCLUDE (booking_id)
    WHERE picked_up_at IS NULL;
CREATE INDEX bookings_confirmed_at_idx ON bookings (confirmed_at) WHERE confirmed_at IS NOT NULL;
