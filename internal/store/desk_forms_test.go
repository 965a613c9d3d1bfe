package store

import "context"

// The desk's queries as they read before each line carried its booking's
// status and location (migration 00110): every line's booking is asked
// for them. The tests hold the new forms to these general ones.

const deskLinesByBookingsSQL = `
WITH l AS MATERIALIZED (
    SELECT x.* FROM (
        -- Two short index reads, never the whole future book: lines to hand
        -- out that start in the day, and the open check-outs (due in the
        -- day, or overdue).
        SELECT 'pickup' AS kind, id, booking_id, item_id, quantity, starts_at, ends_at, starts_at AS at
        FROM booking_lines
        WHERE picked_up_at IS NULL AND returned_at IS NULL AND starts_at >= $2 AND starts_at < $3
        UNION ALL
        SELECT CASE WHEN ends_at < $4 THEN 'overdue' ELSE 'return' END, id, booking_id, item_id, quantity,
               starts_at, ends_at, ends_at
        FROM booking_lines
        WHERE picked_up_at IS NOT NULL AND returned_at IS NULL
          AND (CASE WHEN picked_up_at IS NOT NULL AND returned_at IS NULL THEN ends_at END) < greatest($3::timestamptz, $4::timestamptz)
          AND ((ends_at >= $2 AND ends_at < $3) OR ends_at < $4)
    ) x
    WHERE EXISTS (SELECT 1 FROM bookings b
                  WHERE b.id = x.booking_id AND b.status IN ('confirmed', 'out') AND b.location_id = $1)
),
r AS (
    SELECT l.*, row_number() OVER (PARTITION BY kind ORDER BY at, id) AS rn,
           count(*) OVER (PARTITION BY kind) AS total,
           CASE kind WHEN 'pickup' THEN $6::bigint WHEN 'return' THEN $7::bigint ELSE $8::bigint END AS skip
    FROM l
)
SELECT r.kind, r.rn, r.total, b.id AS booking_id, b.number, cu.name AS customer_name,
       CASE r.kind WHEN 'overdue' THEN cu.email::text END AS customer_email,
       CASE r.kind WHEN 'overdue' THEN cu.phone END AS customer_phone, r.id AS line_id, i.name AS item_name,
       r.quantity, r.starts_at, r.ends_at,
       coalesce((SELECT string_agg(u.asset_tag, ', ' ORDER BY u.asset_tag)
                 FROM unit_allocations a JOIN units u ON u.id = a.unit_id
                 WHERE a.booking_line_id = r.id AND a.active), '') AS units,
       EXISTS (SELECT 1 FROM bookings hb
               WHERE hb.status = 'hold' AND hb.location_id = $1
                 AND hb.expires_at > $4 AND hb.expires_at <= $9::timestamptz) AS holds
FROM r
JOIN bookings b ON b.id = r.booking_id
JOIN users cu ON cu.id = b.customer_id
JOIN items i ON i.id = r.item_id
WHERE (r.rn > r.skip AND r.rn <= r.skip + $5::bigint) OR r.rn = 1
ORDER BY r.at, r.id`

var endangeredByBookingsSQL = `
WITH oa AS MATERIALIZED (
    SELECT id, unit_id, booking_line_id FROM unit_allocations
    WHERE active AND picked_up_at IS NOT NULL AND returned_at IS NULL
      AND (CASE WHEN active AND picked_up_at IS NOT NULL AND returned_at IS NULL THEN due_at END) <= $2
),
bl AS MATERIALIZED (
    SELECT b.id AS booking_id, b.number, cu.name AS customer_name, nl.id AS line_id, i.name AS item_name,
           nl.quantity, nl.starts_at, late.numbers, coalesce(bs.quantity, 0) AS stock,
           nl.item_id, tstzrange(nl.starts_at - make_interval(mins => i.buffer_before_minutes),
                                 nl.ends_at + make_interval(mins => i.buffer_after_minutes)) AS win
    FROM (SELECT l.item_id, string_agg(DISTINCT lb.number, ', ') AS numbers
          FROM booking_lines l JOIN bookings lb ON lb.id = l.booking_id
          WHERE lb.location_id = $1 AND lb.status = 'out' AND l.picked_up_at IS NOT NULL
            AND l.returned_at IS NULL AND l.ends_at <= $2
            AND (CASE WHEN l.picked_up_at IS NOT NULL AND l.returned_at IS NULL THEN l.ends_at END) <= $2
          GROUP BY l.item_id) late
    JOIN items i ON i.id = late.item_id AND i.tracking = 'bulk'
    JOIN booking_lines nl ON nl.item_id = late.item_id AND nl.picked_up_at IS NULL
         -- Lines still to come (their end ahead), through the (item, end)
         -- index, not the item's whole history.
         AND nl.returned_at IS NULL AND greatest(nl.ends_at, nl.returned_at) > $2
         AND ` + endangeredWindow + `
    JOIN bookings b ON b.id = nl.booking_id AND b.status = 'confirmed' AND b.location_id = $1
    JOIN users cu ON cu.id = b.customer_id
    LEFT JOIN bulk_stock bs ON bs.item_id = nl.item_id AND bs.location_id = $1
)
SELECT b.id AS booking_id, b.number, cu.name AS customer_name, nl.id AS line_id, i.name AS item_name,
       nl.quantity, nl.starts_at, u.asset_tag, ob.number AS blocked_by, coalesce(sub.asset_tag, '') AS substitute,
       0 AS short
FROM oa
JOIN booking_lines ol ON ol.id = oa.booking_line_id
JOIN bookings ob ON ob.id = ol.booking_id
JOIN unit_allocations na ON na.unit_id = oa.unit_id AND na.active AND na.id <> oa.id
     AND na.picked_up_at IS NULL AND na.booking_line_id IS NOT NULL
     AND na.occupied && tstzrange($2::timestamptz, greatest($3::timestamptz, $5::timestamptz))
JOIN booking_lines nl ON nl.id = na.booking_line_id AND ` + endangeredWindow + `
JOIN bookings b ON b.id = nl.booking_id AND b.status = 'confirmed'
JOIN users cu ON cu.id = b.customer_id
JOIN items i ON i.id = nl.item_id
JOIN units u ON u.id = na.unit_id
LEFT JOIN LATERAL (
    SELECT su.asset_tag FROM units su
    WHERE su.item_id = nl.item_id AND su.location_id = b.location_id AND su.status = 'available' AND su.id <> na.unit_id
      AND NOT ` + unitBusy("su.id", "na.occupied", "$2") + `
    ORDER BY su.id LIMIT 1) sub ON true
WHERE b.location_id = $1
UNION ALL
-- OFFSET 0 keeps the subquery whole: bulk_peak is computed once per line
-- and read twice, where a pulled-up expression would be evaluated twice.
SELECT booking_id, number, customer_name, line_id, item_name, quantity, starts_at, '', numbers, '',
       quantity - (stock - peak)
FROM (SELECT bl.*, bulk_peak(bl.item_id, $1, bl.win, $2, bl.line_id) AS peak FROM bl OFFSET 0) c
WHERE quantity > stock - peak
ORDER BY starts_at, line_id`

// ListDeskLinesByBookingsForTest runs the desk lines' general form.
func (s *Store) ListDeskLinesByBookingsForTest(ctx context.Context, q DeskQuery) (DeskBoard, error) {
	return s.listDeskLines(ctx, deskLinesByBookingsSQL, q)
}

// ListEndangeredByBookingsForTest runs the endangered list's general form.
func (s *Store) ListEndangeredByBookingsForTest(ctx context.Context, q EndangeredQuery) ([]Endangered, error) {
	return s.listEndangered(ctx, endangeredByBookingsSQL, q)
}
