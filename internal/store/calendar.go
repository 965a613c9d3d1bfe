package store

import (
	"context"
	"fmt"
	"time"
)

// CalendarRow is one row of the units calendar: a unit of a serialized item,
// or a bulk item with its stock at the location.
type CalendarRow struct {
	ItemID   int64  `db:"item_id"`
	ItemName string `db:"item_name"`
	Tracking string `db:"tracking"`
	UnitID   int64  `db:"unit_id"` // 0 for a bulk item
	AssetTag string `db:"asset_tag"`
	Status   string `db:"status"`
	Stock    int    `db:"stock"` // bulk items only
}

// CalendarQuery picks the rows of the units calendar: a location and an
// item, a category, or every item (both 0); a page of Limit rows from Offset.
type CalendarQuery struct {
	LocationID, ItemID, CategoryID int64
	Limit, Offset                  int
}

// calendarRowsFrom is what ListCalendarRows pages through and
// CountCalendarRows counts: the same rows, so "of N" is always right.
const calendarRowsFrom = `
FROM items i
LEFT JOIN units u ON u.item_id = i.id AND u.location_id = $1 AND i.tracking = 'serialized' AND u.status <> 'retired'
LEFT JOIN bulk_stock bs ON bs.item_id = i.id AND bs.location_id = $1 AND i.tracking = 'bulk'
WHERE i.archived_at IS NULL AND ($2 = 0 OR i.id = $2) AND ($3 = 0 OR i.category_id = $3)
  AND (u.id IS NOT NULL OR bs.quantity IS NOT NULL)`

const listCalendarRowsSQL = `
SELECT i.id AS item_id, i.name AS item_name, i.tracking, coalesce(u.id, 0) AS unit_id, coalesce(u.asset_tag, '') AS asset_tag,
       coalesce(u.status, '') AS status, coalesce(bs.quantity, 0) AS stock` + calendarRowsFrom + `
ORDER BY i.name, i.id, u.asset_tag, u.id
LIMIT $4 OFFSET $5`

// ListCalendarRows lists the units (and bulk items) a calendar shows, a
// page at a time (200 rows unless the query says otherwise).
func (s *Store) ListCalendarRows(ctx context.Context, q CalendarQuery) ([]CalendarRow, error) {
	if q.Limit <= 0 {
		q.Limit = 200
	}
	var out []CalendarRow
	if err := s.q.SelectContext(ctx, &out, listCalendarRowsSQL, q.LocationID, q.ItemID, q.CategoryID, q.Limit, max(q.Offset, 0)); err != nil {
		return nil, fmt.Errorf("store: calendar rows: %w", classify(err))
	}
	return out, nil
}

// CountCalendarRows counts the rows of the calendar's every page.
func (s *Store) CountCalendarRows(ctx context.Context, q CalendarQuery) (int, error) {
	var n int
	if err := s.q.GetContext(ctx, &n, `SELECT count(*)`+calendarRowsFrom, q.LocationID, q.ItemID, q.CategoryID); err != nil {
		return 0, fmt.Errorf("store: count calendar rows: %w", classify(err))
	}
	return n, nil
}

// CalendarBlock is what occupies a unit in the calendar's window: a booking
// line (with its period without buffers) or a maintenance block.
type CalendarBlock struct {
	UnitID        int64      `db:"unit_id"`
	From          time.Time  `db:"occ_from"`
	To            *time.Time `db:"occ_to"` // nil: open-ended
	BookingID     int64      `db:"booking_id"`
	Number        string     `db:"number"`
	Customer      string     `db:"customer"`
	StartsAt      *time.Time `db:"starts_at"`
	EndsAt        *time.Time `db:"ends_at"`
	PickedUpAt    *time.Time `db:"picked_up_at"`
	ReturnedAt    *time.Time `db:"returned_at"`
	Maintenance   bool       `db:"maintenance"`
	Reason        string     `db:"reason"`
	HoldExpiresAt *time.Time `db:"hold_expires_at"`
}

const listCalendarBlocksSQL = `
SELECT a.unit_id, lower(a.occupied) AS occ_from, upper(a.occupied) AS occ_to,
       coalesce(b.id, 0) AS booking_id, coalesce(b.number, '') AS number, coalesce(cu.name, '') AS customer,
       l.starts_at, l.ends_at, a.picked_up_at, a.returned_at, a.maintenance_id IS NOT NULL AS maintenance,
       coalesce(m.reason, '') AS reason, a.hold_expires_at
FROM unit_allocations a
LEFT JOIN booking_lines l ON l.id = a.booking_line_id
LEFT JOIN bookings b ON b.id = l.booking_id
LEFT JOIN users cu ON cu.id = b.customer_id
LEFT JOIN maintenance_blocks m ON m.id = a.maintenance_id
WHERE a.active AND a.unit_id = ANY($1::bigint[])
  AND (a.occupied && tstzrange($2, $3)
       OR (a.picked_up_at IS NOT NULL AND a.returned_at IS NULL AND lower(a.occupied) < $3))
  AND (a.hold_expires_at IS NULL OR a.hold_expires_at > $4)
ORDER BY a.unit_id, lower(a.occupied)`

// ListCalendarBlocks lists what occupies the units in [from, to) as of now
// (lapsed holds left out; open check-outs whatever their end).
func (s *Store) ListCalendarBlocks(ctx context.Context, unitIDs []int64, from, to, now time.Time) ([]CalendarBlock, error) {
	var out []CalendarBlock
	if err := s.q.SelectContext(ctx, &out, listCalendarBlocksSQL, int64Array(unitIDs), from, to, now); err != nil {
		return nil, fmt.Errorf("store: calendar blocks: %w", classify(err))
	}
	return out, nil
}
