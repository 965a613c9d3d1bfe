package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// StockRow is the quantity of a bulk item at one location (0 where none is kept).
type StockRow struct {
	LocationID   int64  `db:"location_id"`
	LocationName string `db:"location_name"`
	Quantity     int    `db:"quantity"`
}

const listBulkStockSQL = `
SELECT l.id AS location_id, l.name AS location_name, coalesce(b.quantity, 0) AS quantity
FROM locations l
LEFT JOIN bulk_stock b ON b.location_id = l.id AND b.item_id = $1
ORDER BY l.name, l.id`

// ListBulkStock lists an item's quantity at every location.
func (s *Store) ListBulkStock(ctx context.Context, itemID int64) ([]StockRow, error) {
	var rs []StockRow
	if err := s.q.SelectContext(ctx, &rs, listBulkStockSQL, itemID); err != nil {
		return nil, fmt.Errorf("store: list stock of item %d: %w", itemID, classify(err))
	}
	return rs, nil
}

const setBulkStockSQL = `
INSERT INTO bulk_stock (item_id, location_id, quantity)
SELECT $1, r.location_id, r.quantity FROM unnest($2::bigint[], $3::integer[]) AS r(location_id, quantity)
ON CONFLICT (item_id, location_id) DO UPDATE SET quantity = EXCLUDED.quantity`

const lockBulkStockSQL = `
SELECT location_id FROM bulk_stock WHERE item_id = $1 ORDER BY location_id FOR UPDATE`

// SetBulkStock sets an item's quantity per location (location id →
// quantity) in one statement. It first locks the item's stock rows: the
// booking side checks capacity under the same lock, so a reduction and a
// booking never both pass on stale numbers.
func (s *Store) SetBulkStock(ctx context.Context, itemID int64, qty map[int64]int) error {
	var locked []int64
	if err := s.q.SelectContext(ctx, &locked, lockBulkStockSQL, itemID); err != nil {
		return fmt.Errorf("store: lock stock of item %d: %w", itemID, classify(err))
	}
	locs := make([]int64, 0, len(qty))
	qs := make([]int64, 0, len(qty))
	for l, q := range qty {
		locs = append(locs, l)
		qs = append(qs, int64(q))
	}
	if _, err := s.q.ExecContext(ctx, setBulkStockSQL, itemID, pq.Int64Array(locs), pq.Int64Array(qs)); err != nil {
		return fmt.Errorf("store: set stock of item %d: %w", itemID, classify(err))
	}
	s.refdataChanged() // the public list's bulk quantity
	return nil
}

// StockShortfall is a bulk item at a location whose bookings need more
// pieces at one instant from now on than the location keeps.
type StockShortfall struct {
	ItemID       int64  `db:"item_id"`
	LocationID   int64  `db:"location_id"`
	LocationName string `db:"location_name"`
	Quantity     int    `db:"quantity"`
	Peak         int    `db:"peak"`
}

// lockBulkStocksSQL locks the items' stock rows: the lock every bulk booking
// takes before its capacity check.
const lockBulkStocksSQL = `
SELECT 1 FROM bulk_stock WHERE item_id = ANY($1::bigint[]) ORDER BY item_id, location_id FOR UPDATE`

// bulkShortfallsSQL compares each stock row with the peak use from $2 on, as
// bulk_peak counts it with the items' current buffers. It runs as a
// statement of its own after lockBulkStocksSQL: under READ COMMITTED a new
// statement sees what bookings committed while the lock was awaited, which a
// bulk_peak inside the locking statement (its snapshot taken before the
// wait) would not.
const bulkShortfallsSQL = `
SELECT k.item_id, k.location_id, l.name AS location_name, k.quantity,
       bulk_peak(k.item_id, k.location_id, tstzrange($2, NULL), $2, 0) AS peak
FROM bulk_stock k JOIN locations l ON l.id = k.location_id
WHERE k.item_id = ANY($1::bigint[])
  AND bulk_peak(k.item_id, k.location_id, tstzrange($2, NULL), $2, 0) > k.quantity
ORDER BY k.item_id, l.name, k.location_id`

// BulkShortfalls lists the stock rows of bulk items that bookings from now
// on would overbook, after a change to their quantity or buffers inside the
// same transaction. It locks the rows first, so no booking can check and
// write between the change and this look.
func (s *Store) BulkShortfalls(ctx context.Context, itemIDs []int64, now time.Time) ([]StockShortfall, error) {
	var out []StockShortfall
	if len(itemIDs) == 0 {
		return nil, nil
	}
	var locked []int
	if err := s.q.SelectContext(ctx, &locked, lockBulkStocksSQL, pq.Int64Array(itemIDs)); err != nil {
		return nil, fmt.Errorf("store: lock bulk stock: %w", classifyAlloc(err))
	}
	if err := s.q.SelectContext(ctx, &out, bulkShortfallsSQL, pq.Int64Array(itemIDs), now); err != nil {
		return nil, fmt.Errorf("store: bulk shortfalls: %w", classifyAlloc(err))
	}
	return out, nil
}
