-- +goose Up
-- Indexes that let the hot queries read only the part of the booking history
-- that can matter for a window, so their cost stays flat as years of
-- bookings pile up.

-- Lines of an item that end (or were returned) after an instant: a bulk
-- item's peak use in a window needs only those, plus the open check-outs.
-- greatest() ignores a NULL return, so it is the line's end until then.
CREATE INDEX booking_lines_item_end_idx ON booking_lines (item_id, (greatest(ends_at, returned_at)));

-- Open check-outs (picked up, not returned): a short list whatever the
-- history, read by the desk board (by due time) and by bulk_peak (by item).
CREATE INDEX booking_lines_open_end_idx ON booking_lines (ends_at)
    WHERE picked_up_at IS NOT NULL AND returned_at IS NULL;
CREATE INDEX booking_lines_open_item_idx ON booking_lines (item_id)
    WHERE picked_up_at IS NOT NULL AND returned_at IS NULL;

-- Lines still to hand out, by start: the desk's pickups of a day.
CREATE INDEX booking_lines_pickup_idx ON booking_lines (starts_at)
    WHERE picked_up_at IS NULL AND returned_at IS NULL;

-- The desk search finds customers by any part of their email or name.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX users_email_trgm_idx ON users USING gin ((email::text) gin_trgm_ops);
CREATE INDEX users_name_trgm_idx ON users USING gin (name gin_trgm_ops);

-- The same rule as before (00031), reading only the lines that can reach
-- the window: those ending (or returned) after its start, less the item's
-- turnaround, and the open check-outs, which may run on for ever.
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

-- +goose Down
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
DROP INDEX users_name_trgm_idx, users_email_trgm_idx, booking_lines_pickup_idx, booking_lines_open_item_idx,
    booking_lines_open_end_idx, booking_lines_item_end_idx;
