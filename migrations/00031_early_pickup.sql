-- +goose Up
-- An open check-out occupies its unit from the moment it was handed out,
-- even when that was before the booked start (an early pickup), and past its
-- due time for as long as it is not checked in. The check-out scan also pulls
-- the allocation's lower bound down to the pickup, so the exclusion
-- constraint sees the same; least() keeps rows picked up before that rule.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION allocation_blocks(occupied tstzrange, due_at timestamptz, picked_up_at timestamptz,
                                             returned_at timestamptz, hold_expires_at timestamptz, win tstzrange, at timestamptz)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT (hold_expires_at IS NULL OR hold_expires_at > at)
       AND CASE WHEN picked_up_at IS NOT NULL AND returned_at IS NULL
                THEN tstzrange(least(picked_up_at, lower(occupied)),
                               CASE WHEN due_at <= at OR upper_inf(occupied) THEN NULL
                                    ELSE greatest(upper(occupied), least(picked_up_at, lower(occupied))) END) && win
                ELSE occupied && win
           END
$$;
-- +goose StatementEnd

-- Bulk lines count from their pickup when that came before their start.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bulk_peak(p_item bigint, p_location bigint, win tstzrange, at timestamptz, exclude_line bigint)
RETURNS integer LANGUAGE sql STABLE AS $$
    WITH occ AS (
        SELECT l.quantity,
               least(l.picked_up_at, l.starts_at - make_interval(mins => i.buffer_before_minutes)) AS lo,
               CASE WHEN l.returned_at IS NOT NULL
                        THEN l.returned_at + make_interval(mins => i.buffer_after_minutes)
                    WHEN l.picked_up_at IS NOT NULL AND l.ends_at + make_interval(mins => i.buffer_after_minutes) <= at
                        THEN NULL
                    ELSE l.ends_at + make_interval(mins => i.buffer_after_minutes)
               END AS hi
        FROM booking_lines l
        JOIN bookings b ON b.id = l.booking_id
        JOIN items i ON i.id = l.item_id
        WHERE l.item_id = p_item AND b.location_id = p_location AND l.id <> exclude_line
          AND (b.status IN ('confirmed', 'out', 'returned') OR (b.status = 'hold' AND b.expires_at > at))
    ), hit AS (
        SELECT quantity, tstzrange(lo, CASE WHEN hi IS NULL THEN NULL ELSE greatest(lo, hi) END) AS r
        FROM occ
    ), inwin AS (
        SELECT quantity, r FROM hit WHERE r && win
    )
    SELECT coalesce(max((SELECT sum(h.quantity) FROM inwin h WHERE h.r @> p.t)), 0)::integer
    FROM (SELECT lower(win) AS t UNION SELECT lower(r) FROM inwin WHERE lower(r) > lower(win)) p
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION allocation_blocks(occupied tstzrange, due_at timestamptz, picked_up_at timestamptz,
                                             returned_at timestamptz, hold_expires_at timestamptz, win tstzrange, at timestamptz)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT (hold_expires_at IS NULL OR hold_expires_at > at)
       AND (occupied && win
            OR (picked_up_at IS NOT NULL AND returned_at IS NULL AND due_at <= at
                AND tstzrange(lower(occupied), NULL) && win))
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bulk_peak(p_item bigint, p_location bigint, win tstzrange, at timestamptz, exclude_line bigint)
RETURNS integer LANGUAGE sql STABLE AS $$
    WITH occ AS (
        SELECT l.quantity,
               l.starts_at - make_interval(mins => i.buffer_before_minutes) AS lo,
               CASE WHEN l.returned_at IS NOT NULL
                        THEN l.returned_at + make_interval(mins => i.buffer_after_minutes)
                    WHEN l.picked_up_at IS NOT NULL AND l.ends_at + make_interval(mins => i.buffer_after_minutes) <= at
                        THEN NULL
                    ELSE l.ends_at + make_interval(mins => i.buffer_after_minutes)
               END AS hi
        FROM booking_lines l
        JOIN bookings b ON b.id = l.booking_id
        JOIN items i ON i.id = l.item_id
        WHERE l.item_id = p_item AND b.location_id = p_location AND l.id <> exclude_line
          AND (b.status IN ('confirmed', 'out', 'returned') OR (b.status = 'hold' AND b.expires_at > at))
    ), hit AS (
        SELECT quantity, tstzrange(lo, CASE WHEN hi IS NULL THEN NULL ELSE greatest(lo, hi) END) AS r
        FROM occ
    ), inwin AS (
        SELECT quantity, r FROM hit WHERE r && win
    )
    SELECT coalesce(max((SELECT sum(h.quantity) FROM inwin h WHERE h.r @> p.t)), 0)::integer
    FROM (SELECT lower(win) AS t UNION SELECT lower(r) FROM inwin WHERE lower(r) > lower(win)) p
$$;
-- +goose StatementEnd
