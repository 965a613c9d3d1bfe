-- +goose Up
-- bulk_peak, the same rule and the same query as 00060, in PL/pgSQL: a SQL
-- function with a body like this one is not inlined, so its body was planned
-- again in every query that called it (about as long as running it for one
-- window: most of a bulk item's calendar, and a share of every availability
-- page with bulk items). PL/pgSQL keeps its statement's plan for the session.
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

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION bulk_peak(p_item bigint, p_location bigint, win tstzrange, at timestamptz, exclude_line bigint)
RETURNS integer LANGUAGE sql STABLE AS $$
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
$$;
-- +goose StatementEnd
