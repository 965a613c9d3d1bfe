-- +goose Up
-- What every booking transaction does first, in one round trip instead of
-- two: holds whose time ran out at at_ are expired and give their units
-- back (store.ExpireHolds' statement; their ids are returned, for the audit
-- and the customers' notices), then the overdue check-outs of the units of
-- item_ids are stretched up to their unit's next booking
-- (store.ExtendOverdue's statement, narrowed to those units). Each statement of the function
-- sees what the one before it did, as the two statements of the
-- transaction did. The instant and the items reach the second statement's
-- plan through subqueries, so its generic plan, kept by the function, goes
-- from the items' units to their open check-outs whatever the instant.
-- +goose StatementBegin
CREATE FUNCTION booking_housekeep(at_ timestamptz, item_ids bigint[]) RETURNS SETOF bigint
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

-- +goose Down
DROP FUNCTION booking_housekeep(timestamptz, bigint[]);
