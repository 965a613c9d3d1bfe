package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rentdesk/rentdesk/internal/catalog"
)

// ImportResult counts what an applied import did.
type ImportResult struct {
	Inserted int `json:"inserted"`
	Updated  int `json:"updated"`
}

// applyItemsSQL upserts every row of an items file in one statement: the
// columns travel as parallel arrays and unnest turns them back into rows, so
// 10,000 items cost one round trip, not 10,000.
const applyItemsSQL = `
INSERT INTO items (slug, name, category_id, tracking, description, rate_hour, rate_day, rate_week, rate_month,
                   deposit, replacement_value, min_duration_minutes, buffer_before_minutes, buffer_after_minutes,
                   tax_category, online_bookable, featured, archived_at)
SELECT r.slug, r.name, c.id, r.tracking, r.description, r.rate_hour, r.rate_day, r.rate_week, r.rate_month,
       r.deposit, r.replacement_value, r.min_duration, r.buffer_before, r.buffer_after,
       r.tax_category, r.online_bookable, r.featured, CASE WHEN r.archived THEN $19::timestamptz END
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[],
            $9::bigint[], $10::bigint[], $11::bigint[], $12::integer[], $13::integer[], $14::integer[], $15::text[],
            $16::boolean[], $17::boolean[], $18::boolean[])
     AS r(slug, name, category, tracking, description, rate_hour, rate_day, rate_week, rate_month, deposit,
          replacement_value, min_duration, buffer_before, buffer_after, tax_category, online_bookable, featured, archived)
LEFT JOIN categories c ON c.slug = r.category
ON CONFLICT (slug) DO UPDATE SET
    name = EXCLUDED.name, category_id = EXCLUDED.category_id, description = EXCLUDED.description,
    rate_hour = EXCLUDED.rate_hour, rate_day = EXCLUDED.rate_day, rate_week = EXCLUDED.rate_week,
    rate_month = EXCLUDED.rate_month, deposit = EXCLUDED.deposit, replacement_value = EXCLUDED.replacement_value,
    min_duration_minutes = EXCLUDED.min_duration_minutes, buffer_before_minutes = EXCLUDED.buffer_before_minutes,
    buffer_after_minutes = EXCLUDED.buffer_after_minutes, tax_category = EXCLUDED.tax_category,
    online_bookable = EXCLUDED.online_bookable, featured = EXCLUDED.featured,
    archived_at = CASE WHEN EXCLUDED.archived_at IS NULL THEN NULL ELSE coalesce(items.archived_at, EXCLUDED.archived_at) END,
    updated_at = now()
RETURNING (xmax = 0) AS inserted`

// ApplyItemImport upserts items keyed by slug, so a re-import updates
// instead of duplicating. Run it inside WithTx after CheckImport found
// nothing: all rows are written or none.
func (s *Store) ApplyItemImport(ctx context.Context, rows []catalog.ItemRow, now time.Time) (ImportResult, error) {
	n := len(rows)
	var (
		slug, name, cat, tracking, desc, tax = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		rh, rd, rw, rm                       = make([]sql.NullInt64, n), make([]sql.NullInt64, n), make([]sql.NullInt64, n), make([]sql.NullInt64, n)
		dep, repl, minDur, bufB, bufA        = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		online, featured, archived           = make([]bool, n), make([]bool, n), make([]bool, n)
	)
	for i, r := range rows {
		it := r.Item
		slug[i], name[i], cat[i], tracking[i], desc[i], tax[i] = it.Slug, it.Name, r.Category, it.Tracking, it.Description, it.TaxCategory
		rh[i], rd[i], rw[i], rm[i] = nullInt(it.RateHour), nullInt(it.RateDay), nullInt(it.RateWeek), nullInt(it.RateMonth)
		dep[i], repl[i] = it.Deposit, it.ReplacementValue
		minDur[i], bufB[i], bufA[i] = int64(it.MinDurationMinutes), int64(it.BufferBeforeMinutes), int64(it.BufferAfterMinutes)
		online[i], featured[i], archived[i] = it.OnlineBookable, it.Featured, r.Archived
	}
	var inserted []bool
	err := s.q.SelectContext(ctx, &inserted, applyItemsSQL, pq.StringArray(slug), pq.StringArray(name), pq.StringArray(cat),
		pq.StringArray(tracking), pq.StringArray(desc), pq.GenericArray{A: rh}, pq.GenericArray{A: rd}, pq.GenericArray{A: rw},
		pq.GenericArray{A: rm}, pq.Int64Array(dep), pq.Int64Array(repl), pq.Int64Array(minDur), pq.Int64Array(bufB),
		pq.Int64Array(bufA), pq.StringArray(tax), pq.BoolArray(online), pq.BoolArray(featured), pq.BoolArray(archived), now)
	if err != nil {
		return ImportResult{}, fmt.Errorf("store: apply item import: %w", classify(err))
	}
	s.refdataChanged() // the category counts and the public list
	if err := s.guardBulkBuffers(ctx, slug, now); err != nil {
		return ImportResult{}, err
	}
	return countResult(inserted, n)
}

const bulkItemsBySlugSQL = `SELECT id FROM items WHERE slug = ANY($1) AND tracking = 'bulk' ORDER BY id`

const itemNameSQL = `SELECT name FROM items WHERE id = $1`

// guardBulkBuffers refuses an import whose new buffers make a bulk item's
// bookings need more pieces at once than a location keeps (ErrConflict,
// naming the item and the location); the import then rolls back whole.
func (s *Store) guardBulkBuffers(ctx context.Context, slugs []string, now time.Time) error {
	var ids []int64
	if err := s.q.SelectContext(ctx, &ids, bulkItemsBySlugSQL, pq.StringArray(slugs)); err != nil {
		return fmt.Errorf("store: bulk items of import: %w", classify(err))
	}
	short, err := s.BulkShortfalls(ctx, ids, now)
	if err != nil || len(short) == 0 {
		return err
	}
	var name string
	if err := s.q.GetContext(ctx, &name, itemNameSQL, short[0].ItemID); err != nil {
		return fmt.Errorf("store: item %d: %w", short[0].ItemID, classify(err))
	}
	return fmt.Errorf("store: import would overbook %s at %s: bookings need %d at once, it keeps %d: %w",
		name, short[0].LocationName, short[0].Peak, short[0].Quantity, ErrConflict)
}

// applyUnitsSQL upserts units keyed by asset tag, resolving item and
// location slugs in the same statement.
const applyUnitsSQL = `
INSERT INTO units (asset_tag, item_id, location_id, serial_number, status, condition_notes)
SELECT r.tag, i.id, l.id, r.serial, r.status, r.notes
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
     AS r(tag, item, location, serial, status, notes)
JOIN items i ON i.slug = r.item AND i.tracking = 'serialized'
JOIN locations l ON l.slug = r.location
ON CONFLICT (asset_tag) DO UPDATE SET
    item_id = EXCLUDED.item_id, location_id = EXCLUDED.location_id, serial_number = EXCLUDED.serial_number,
    status = EXCLUDED.status, condition_notes = EXCLUDED.condition_notes, updated_at = now()
RETURNING (xmax = 0) AS inserted`

const unitIDsByTagSQL = `SELECT id FROM units WHERE asset_tag = ANY($1)`

// ApplyUnitImport upserts units keyed by asset tag. Existing units go through
// LockUnitsForChange first, like every other change to a unit, so an import
// can be refused where it would take away a booked unit. Run it inside
// WithTx after CheckImport found nothing.
func (s *Store) ApplyUnitImport(ctx context.Context, rows []catalog.UnitRow) (ImportResult, error) {
	n := len(rows)
	tag, item, loc, serial, status, notes := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, r := range rows {
		tag[i], item[i], loc[i], serial[i], status[i], notes[i] = r.AssetTag, r.Item, r.Location, r.SerialNumber, r.Status, r.ConditionNotes
	}
	var existing []int64
	if err := s.q.SelectContext(ctx, &existing, unitIDsByTagSQL, pq.StringArray(tag)); err != nil {
		return ImportResult{}, fmt.Errorf("store: find imported units: %w", classify(err))
	}
	if err := s.LockUnitsForChange(ctx, existing); err != nil {
		return ImportResult{}, err
	}
	var inserted []bool
	err := s.q.SelectContext(ctx, &inserted, applyUnitsSQL, pq.StringArray(tag), pq.StringArray(item), pq.StringArray(loc),
		pq.StringArray(serial), pq.StringArray(status), pq.StringArray(notes))
	if err != nil {
		return ImportResult{}, fmt.Errorf("store: apply unit import: %w", classify(err))
	}
	s.refdataChanged() // the public list's unit counts
	if err := s.GuardUnitChanges(ctx, existing); err != nil {
		return ImportResult{}, err
	}
	return countResult(inserted, n)
}

// countResult checks that every row was written (a row whose reference
// vanished since the check is dropped by the join, and must fail the
// import rather than be skipped quietly).
func countResult(inserted []bool, want int) (ImportResult, error) {
	if len(inserted) != want {
		return ImportResult{}, fmt.Errorf("store: import wrote %d of %d rows: %w", len(inserted), want, ErrConflict)
	}
	var r ImportResult
	for _, ins := range inserted {
		if ins {
			r.Inserted++
		} else {
			r.Updated++
		}
	}
	return r, nil
}

func nullInt(p *int64) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *p, Valid: true}
}

const exportItemsSQL = `
SELECT i.id, i.category_id, i.name, i.slug, i.description, i.tracking, i.rate_hour, i.rate_day, i.rate_week,
       i.rate_month, i.min_duration_minutes, i.deposit, i.replacement_value, i.buffer_before_minutes,
       i.buffer_after_minutes, i.tax_category, i.online_bookable, i.featured, i.archived_at, i.created_at,
       i.updated_at, c.slug AS category_slug
FROM items i LEFT JOIN categories c ON c.id = i.category_id
WHERE i.id > $1 ORDER BY i.id LIMIT $2`

// ExportItem is an item with its category slug, as the CSV export writes it.
type ExportItem struct {
	catalog.Item
	CategorySlug *string `db:"category_slug"`
}

// ExportItems pages through every item in id order, for the CSV export.
func (s *Store) ExportItems(ctx context.Context, afterID int64, limit int) ([]ExportItem, error) {
	var its []ExportItem
	if err := s.q.SelectContext(ctx, &its, exportItemsSQL, afterID, limit); err != nil {
		return nil, fmt.Errorf("store: export items: %w", classify(err))
	}
	return its, nil
}
