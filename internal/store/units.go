package store

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"github.com/rentdesk/rentdesk/internal/catalog"
)

const unitColumns = `id, item_id, location_id, asset_tag, serial_number, status, condition_notes, created_at, updated_at`

// UnitRow is a unit with the names list pages show beside it.
type UnitRow struct {
	catalog.Unit
	LocationName string `db:"location_name"`
	ItemName     string `db:"item_name"`
	ItemSlug     string `db:"item_slug"`
	LocationSlug string `db:"location_slug"`
}

const unitRowSelect = `
SELECT u.id, u.item_id, u.location_id, u.asset_tag, u.serial_number, u.status, u.condition_notes,
       u.created_at, u.updated_at, l.name AS location_name, l.slug AS location_slug,
       i.name AS item_name, i.slug AS item_slug
FROM units u JOIN locations l ON l.id = u.location_id JOIN items i ON i.id = u.item_id`

const listUnitsSQL = unitRowSelect + ` WHERE u.item_id = $1 ORDER BY u.asset_tag`

// ListUnits lists an item's units by asset tag, retired ones included.
func (s *Store) ListUnits(ctx context.Context, itemID int64) ([]UnitRow, error) {
	var us []UnitRow
	if err := s.q.SelectContext(ctx, &us, listUnitsSQL, itemID); err != nil {
		return nil, fmt.Errorf("store: list units of item %d: %w", itemID, classify(err))
	}
	return us, nil
}

const getUnitSQL = `SELECT ` + unitColumns + ` FROM units WHERE id = $1`

// GetUnit loads one unit by id.
func (s *Store) GetUnit(ctx context.Context, id int64) (catalog.Unit, error) {
	var u catalog.Unit
	if err := s.q.GetContext(ctx, &u, getUnitSQL, id); err != nil {
		return u, fmt.Errorf("store: get unit %d: %w", id, classify(err))
	}
	return u, nil
}

const getUnitByTagSQL = `SELECT ` + unitColumns + ` FROM units WHERE asset_tag = $1`

// GetUnitByTag loads the unit a scanned barcode names.
func (s *Store) GetUnitByTag(ctx context.Context, tag string) (catalog.Unit, error) {
	var u catalog.Unit
	if err := s.q.GetContext(ctx, &u, getUnitByTagSQL, tag); err != nil {
		return u, fmt.Errorf("store: get unit %q: %w", tag, classify(err))
	}
	return u, nil
}

const takenAssetTagsSQL = `SELECT asset_tag FROM units WHERE asset_tag = ANY($1) ORDER BY asset_tag`

// TakenAssetTags returns which of tags already belong to a unit, so a form
// can name them; the unique constraint stays the real guard.
func (s *Store) TakenAssetTags(ctx context.Context, tags []string) ([]string, error) {
	var taken []string
	if err := s.q.SelectContext(ctx, &taken, takenAssetTagsSQL, pq.StringArray(tags)); err != nil {
		return nil, fmt.Errorf("store: taken asset tags: %w", classify(err))
	}
	return taken, nil
}

const createUnitsSQL = `
INSERT INTO units (item_id, location_id, asset_tag, serial_number)
SELECT $1, $2, t.tag, $4 FROM unnest($3::text[]) AS t(tag)
RETURNING ` + unitColumns

// CreateUnits adds units of an item at a location, one per asset tag, in one
// statement; any taken tag is ErrConflict and nothing is added.
func (s *Store) CreateUnits(ctx context.Context, itemID, locationID int64, tags []string, serial string) ([]catalog.Unit, error) {
	var us []catalog.Unit
	if err := s.q.SelectContext(ctx, &us, createUnitsSQL, itemID, locationID, pq.StringArray(tags), serial); err != nil {
		return nil, fmt.Errorf("store: create units: %w", classify(err))
	}
	s.refdataChanged() // the public list's unit counts
	return us, nil
}

const updateUnitSQL = `
UPDATE units SET location_id = $2, serial_number = $3, status = $4, condition_notes = $5, updated_at = now()
WHERE id = $1
RETURNING ` + unitColumns

// UpdateUnit changes a unit's location, serial number, status and notes.
// It goes through LockUnitsForChange first, the one place where changes to
// units meet the bookings that depend on them.
func (s *Store) UpdateUnit(ctx context.Context, u catalog.Unit) (catalog.Unit, error) {
	if err := s.LockUnitsForChange(ctx, []int64{u.ID}); err != nil {
		return u, err
	}
	var out catalog.Unit
	if err := s.q.GetContext(ctx, &out, updateUnitSQL, u.ID, u.LocationID, u.SerialNumber, u.Status, u.ConditionNotes); err != nil {
		return out, fmt.Errorf("store: update unit %d: %w", u.ID, classify(err))
	}
	s.refdataChanged() // the public list's unit counts
	return out, s.GuardUnitChanges(ctx, []int64{u.ID})
}

const lockUnitsSQL = `SELECT id FROM units WHERE id = ANY($1) ORDER BY id FOR UPDATE`

// LockUnitsForChange locks unit rows (in id order, so two writers never
// deadlock) before their status, location or item changes. Every such
// change (the unit form and the CSV import) calls it inside its transaction.
//
// It is the seam for the booking rules: a unit that is booked or out must
// not silently stop counting (moved, sent to maintenance, retired) while
// bookings rely on it. The bookings package extends this check; writers that
// take the same row locks are serialized against it.
func (s *Store) LockUnitsForChange(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var locked []int64
	if err := s.q.SelectContext(ctx, &locked, lockUnitsSQL, pq.Int64Array(ids)); err != nil {
		return fmt.Errorf("store: lock units: %w", classify(err))
	}
	return nil
}

const exportUnitsSQL = unitRowSelect + ` WHERE u.id > $1 ORDER BY u.id LIMIT $2`

// ExportUnits pages through every unit in id order, for the CSV export.
func (s *Store) ExportUnits(ctx context.Context, afterID int64, limit int) ([]UnitRow, error) {
	var us []UnitRow
	if err := s.q.SelectContext(ctx, &us, exportUnitsSQL, afterID, limit); err != nil {
		return nil, fmt.Errorf("store: export units: %w", classify(err))
	}
	return us, nil
}
