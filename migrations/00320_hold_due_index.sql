-- +goose Up
-- The holds due to expire, asked by every booking transaction
-- (booking_housekeep) and the periodic expiry (store.ExpireHolds), are read
-- by an index whatever the statistics say. As "status = 'hold' AND
-- expires_at <= at_" the question could also be answered by
-- bookings_status_idx, whose (status, id) order spares the sort: while the
-- statistics had seen no hold (a shop switching to online payment, or a
-- busy half hour since the last ANALYZE), the planner took it and read every
-- live hold on every booking, 2,736-2,901 buffers with 3,000 holds,
-- instead of the few of the due ones. Asked through the expression below,
-- only this index can answer (the other way is reading the whole table), and
-- it holds the holds only: the expression is NULL for every other booking,
-- and "expression <= at_" implies the index's predicate. Before an ANALYZE
-- has seen a hold the index's expression has no statistics, and the
-- planner guesses a third of all bookings due: the expired holds and their
-- lines are therefore looked up by id from arrays (whose length the planner
-- takes as small), so that guess can turn neither update into a hash join
-- over all bookings and all booking lines.
CREATE INDEX bookings_hold_due_idx ON bookings ((CASE WHEN status = 'hold' THEN expires_at END))
    WHERE (CASE WHEN status = 'hold' THEN expires_at END) IS NOT NULL;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION booking_housekeep(at_ timestamptz, item_ids bigint[]) RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    WITH due AS (
        SELECT b.id FROM bookings b
        WHERE (CASE WHEN b.status = 'hold' THEN b.expires_at END) <= at_
        ORDER BY b.id
        FOR UPDATE SKIP LOCKED
    ), expired AS (
        UPDATE bookings b SET status = 'expired', updated_at = at_
        WHERE b.id = ANY(ARRAY(SELECT id FROM due))
        RETURNING b.id
    ), freed AS (
        UPDATE unit_allocations a SET active = false
        FROM booking_lines l
        WHERE a.booking_line_id = l.id AND l.booking_id = ANY(ARRAY(SELECT id FROM expired)) AND a.active
    )
    SELECT e.id FROM expired e ORDER BY e.id;
    IF cardinality(item_ids) > 0 THEN
        UPDATE unit_allocations a
        SET occupied = tstzrange(lower(a.occupied), (
                SELECT min(lower(n.occupied)) FROM unit_allocations n
                WHERE n.unit_id = a.unit_id AND n.active AND n.id <> a.id AND lower(n.occupied) >= upper(a.occupied)))
        WHERE a.active AND a.picked_up_at IS NOT NULL AND a.returned_at IS NULL
          AND NOT upper_inf(a.occupied) AND a.due_at <= (SELECT at_)
          AND (CASE WHEN a.active AND a.picked_up_at IS NOT NULL AND a.returned_at IS NULL THEN a.due_at END) <= (SELECT at_)
          AND upper(a.occupied) IS DISTINCT FROM (
                SELECT min(lower(n.occupied)) FROM unit_allocations n
                WHERE n.unit_id = a.unit_id AND n.active AND n.id <> a.id AND lower(n.occupied) >= upper(a.occupied))
          AND a.unit_id = ANY(ARRAY(SELECT u.id FROM units u WHERE u.item_id = ANY((SELECT item_ids)::bigint[])));
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION booking_housekeep(at_ timestamptz, item_ids bigint[]) RETURNS SETOF bigint
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY
    WITH due AS (
        SELECT b.id FROM bookings b
        WHERE b.status = 'hold' AND b.expires_at <= at_
        ORDER BY b.id
        FOR UPDATE SKIP LOCKED
    ), expired AS (
        UPDATE bookings b SET status = 'expired', updated_at = at_
        FROM due WHERE b.id = due.id
        RETURNING b.id
    ), freed AS (
        UPDATE unit_allocations a SET active = false
        FROM booking_lines l, expired e
        WHERE a.booking_line_id = l.id AND l.booking_id = e.id AND a.active
    )
    SELECT e.id FROM expired e ORDER BY e.id;
    IF cardinality(item_ids) > 0 THEN
        UPDATE unit_allocations a
        SET occupied = tstzrange(lower(a.occupied), (
                SELECT min(lower(n.occupied)) FROM unit_allocations n
                WHERE n.unit_id = a.unit_id AND n.active AND n.id <> a.id AND lower(n.occupied) >= upper(a.occupied)))
        WHERE a.active AND a.picked_up_at IS NOT NULL AND a.returned_at IS NULL
          AND NOT upper_inf(a.occupied) AND a.due_at <= (SELECT at_)
          AND (CASE WHEN a.active AND a.picked_up_at IS NOT NULL AND a.returned_at IS NULL THEN a.due_at END) <= (SELECT at_)
          AND upper(a.occupied) IS DISTINCT FROM (
                SELECT min(lower(n.occupied)) FROM unit_allocations n
                WHERE n.unit_id = a.unit_id AND n.active AND n.id <> a.id AND lower(n.occupied) >= upper(a.occupied))
          AND a.unit_id = ANY(ARRAY(SELECT u.id FROM units u WHERE u.item_id = ANY((SELECT item_ids)::bigint[])));
    END IF;
END
$$;
-- +goose StatementEnd
DROP INDEX bookings_hold_due_idx;
