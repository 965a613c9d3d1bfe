-- +goose Up
-- bulk_peak, the same rule as 00060 and 00105, reading each line that can
-- reach the window once: the candidates carry the columns the rule needs
-- instead of only their ids, which were then looked up again by primary key
-- (four buffers a line, most of a call: a bulk item's future book is read
-- on every availability page and on each day of its calendar). UNION still
-- drops a line found by both halves, whole rows being as distinct as ids.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bulk_peak(p_item bigint, p_location bigint, win tstzrange, at timestamptz, exclude_line bigint)
RETURNS integer LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (
        WITH it AS (
            SELECT make_interval(mins => buffer_before_minutes) AS bb, make_interval(mins => buffer_after_minutes) AS ba
            FROM items WHERE id = p_item
        ), cand AS (
            SELECT l.id, l.booking_id, l.quantity, l.starts_at, l.ends_at, l.picked_up_at, l.returned_at
            FROM booking_lines l, it
            WHERE l.item_id = p_item
              AND greatest(l.ends_at, l.returned_at) > coalesce(lower(win), '-infinity'::timestamptz) - it.ba
            UNION
            SELECT l.id, l.booking_id, l.quantity, l.starts_at, l.ends_at, l.picked_up_at, l.returned_at
            FROM booking_lines l
            WHERE l.item_id = p_item AND l.picked_up_at IS NOT NULL AND l.returned_at IS NULL
        ), occ AS (
            SELECT l.booking_id, l.quantity,
                   least(l.picked_up_at, l.starts_at - it.bb) AS lo,
                   CASE WHEN l.returned_at IS NOT NULL
                            THEN l.returned_at + it.ba
                        WHEN l.picked_up_at IS NOT NULL AND l.ends_at + it.ba <= at
                            THEN NULL
                        ELSE l.ends_at + it.ba
                   END AS hi
            FROM cand l
            CROSS JOIN it
            WHERE l.id <> exclude_line
        ), hit AS (
            SELECT booking_id, quantity, tstzrange(lo, CASE WHEN hi IS NULL THEN NULL ELSE greatest(lo, hi) END) AS r
            FROM occ
        ), inwin AS (
            SELECT h.quantity, h.r
            FROM hit h
            JOIN bookings b ON b.id = h.booking_id
            WHERE h.r && win AND b.location_id = p_location
              AND (b.status IN ('confirmed', 'out', 'returned') OR (b.status = 'hold' AND b.expires_at > at))
        )
        SELECT coalesce(max((SELECT sum(h.quantity) FROM inwin h WHERE h.r @> p.t)), 0)::integer
        FROM (SELECT lower(win) AS t UNION SELECT lower(r) FROM inwin WHERE lower(r) > lower(win)) p
    );
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bulk_peak(p_item bigint, p_location bigint, win tstzrange, at timestamptz, exclude_line bigint)
RETURNS integer LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (
        WITH it AS (
            SELECT make_interval(mins => buffer_before_minutes) AS bb, make_interval(mins => buffer_after_minutes) AS ba
            FROM items WHERE id = p_item
        ), cand AS (
            SELECT l.id FROM booking_lines l, it
            WHERE l.item_id = p_item
              AND greatest(l.ends_at, l.returned_at) > coalesce(lower(win), '-infinity'::timestamptz) - it.ba
            UNION
            SELECT l.id FROM booking_lines l
            WHERE l.item_id = p_item AND l.picked_up_at IS NOT NULL AND l.returned_at IS NULL
        ), occ AS (
            SELECT l.quantity,
                   least(l.picked_up_at, l.starts_at - it.bb) AS lo,
                   CASE WHEN l.returned_at IS NOT NULL
                            THEN l.returned_at + it.ba
                        WHEN l.picked_up_at IS NOT NULL AND l.ends_at + it.ba <= at
                            THEN NULL
                        ELSE l.ends_at + it.ba
                   END AS hi
            FROM cand c
            JOIN booking_lines l ON l.id = c.id
            JOIN bookings b ON b.id = l.booking_id
            CROSS JOIN it
            WHERE b.location_id = p_location AND l.id <> exclude_line
              AND (b.status IN ('confirmed', 'out', 'returned') OR (b.status = 'hold' AND b.expires_at > at))
        ), hit AS (
            SELECT quantity, tstzrange(lo, CASE WHEN hi IS NULL THEN NULL ELSE greatest(lo, hi) END) AS r
            FROM occ
        ), inwin AS (
            SELECT quantity, r FROM hit WHERE r && win
        )
        SELECT coalesce(max((SELECT sum(h.quantity) FROM inwin h WHERE h.r @> p.t)), 0)::integer
        FROM (SELECT lower(win) AS t UNION SELECT lower(r) FROM inwin WHERE lower(r) > lower(win)) p
    );
END
$$;
-- +goose StatementEnd
