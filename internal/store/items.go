package store

import (
	"context"
	"fmt"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
)

const itemColumns = `id, category_id, name, slug, description, tracking, rate_hour, rate_day, rate_week, rate_month,
       min_duration_minutes, deposit, replacement_value, buffer_before_minutes, buffer_after_minutes,
       tax_category, online_bookable, featured, archived_at, created_at, updated_at`

const createItemSQL = `
INSERT INTO items (category_id, name, slug, description, tracking, rate_hour, rate_day, rate_week, rate_month,
                   min_duration_minutes, deposit, replacement_value, buffer_before_minutes, buffer_after_minutes,
                   tax_category, online_bookable, featured)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
RETURNING ` + itemColumns

// CreateItem inserts an item; a taken slug is ErrConflict.
func (s *Store) CreateItem(ctx context.Context, it catalog.Item) (catalog.Item, error) {
	var out catalog.Item
	err := s.q.GetContext(ctx, &out, createItemSQL, it.CategoryID, it.Name, it.Slug, it.Description, it.Tracking,
		it.RateHour, it.RateDay, it.RateWeek, it.RateMonth, it.MinDurationMinutes, it.Deposit, it.ReplacementValue,
		it.BufferBeforeMinutes, it.BufferAfterMinutes, it.TaxCategory, it.OnlineBookable, it.Featured)
	if err != nil {
		return out, fmt.Errorf("store: create item: %w", classify(err))
	}
	s.refdataChanged() // the category counts and the public list
	return out, nil
}

// updateItemSQL leaves tracking alone: an item's units or stock only make
// sense in the mode they were made for.
const updateItemSQL = `
UPDATE items SET category_id = $2, name = $3, slug = $4, description = $5, rate_hour = $6, rate_day = $7,
       rate_week = $8, rate_month = $9, min_duration_minutes = $10, deposit = $11, replacement_value = $12,
       buffer_before_minutes = $13, buffer_after_minutes = $14, tax_category = $15, online_bookable = $16,
       featured = $17, updated_at = now()
WHERE id = $1
RETURNING ` + itemColumns

// UpdateItem replaces an item's details (not its tracking mode); a taken
// slug is ErrConflict.
func (s *Store) UpdateItem(ctx context.Context, it catalog.Item) (catalog.Item, error) {
	var out catalog.Item
	err := s.q.GetContext(ctx, &out, updateItemSQL, it.ID, it.CategoryID, it.Name, it.Slug, it.Description,
		it.RateHour, it.RateDay, it.RateWeek, it.RateMonth, it.MinDurationMinutes, it.Deposit, it.ReplacementValue,
		it.BufferBeforeMinutes, it.BufferAfterMinutes, it.TaxCategory, it.OnlineBookable, it.Featured)
	if err != nil {
		return out, fmt.Errorf("store: update item %d: %w", it.ID, classify(err))
	}
	s.refdataChanged() // the category counts and the public list
	return out, nil
}

const getItemSQL = `SELECT ` + itemColumns + ` FROM items WHERE id = $1`

// GetItem loads one item by id, archived or not.
func (s *Store) GetItem(ctx context.Context, id int64) (catalog.Item, error) {
	var it catalog.Item
	if err := s.q.GetContext(ctx, &it, getItemSQL, id); err != nil {
		return it, fmt.Errorf("store: get item %d: %w", id, classify(err))
	}
	return it, nil
}

const getItemForUpdateSQL = getItemSQL + ` FOR UPDATE`

// GetItemForUpdate loads and locks an item row for the rest of the
// transaction, so changes to it and its audit "before" are consistent.
func (s *Store) GetItemForUpdate(ctx context.Context, id int64) (catalog.Item, error) {
	var it catalog.Item
	if err := s.q.GetContext(ctx, &it, getItemForUpdateSQL, id); err != nil {
		return it, fmt.Errorf("store: lock item %d: %w", id, classify(err))
	}
	return it, nil
}

const getPublicItemSQL = `SELECT ` + itemColumns + ` FROM items WHERE slug = $1 AND archived_at IS NULL AND online_bookable`

// GetPublicItem loads an item customers may see, by slug; archived and
// offline items are ErrNotFound. Outside transactions the items found are
// kept in the store's cache while it is live (refcache.go).
func (s *Store) GetPublicItem(ctx context.Context, slug string) (catalog.Item, error) {
	if c := s.readCache(); c != nil {
		return cacheReadKeyed(c, func(c *refCache) *map[string]catalog.Item { return &c.publicItems },
			slug, maxPublicItems, func() (catalog.Item, error) { return s.getPublicItem(ctx, slug) }, cloneItem)
	}
	return s.getPublicItem(ctx, slug)
}

const getPublicItemByIDSQL = `SELECT ` + itemColumns + ` FROM items WHERE id = $1 AND archived_at IS NULL AND online_bookable`

// GetPublicItemByID is GetPublicItem by id: archived and offline items are
// ErrNotFound, and outside transactions the items found are kept in the
// store's cache while it is live, beside those kept by slug.
func (s *Store) GetPublicItemByID(ctx context.Context, id int64) (catalog.Item, error) {
	load := func() (catalog.Item, error) {
		var it catalog.Item
		if err := s.prepared().GetContext(ctx, &it, getPublicItemByIDSQL, id); err != nil {
			return it, fmt.Errorf("store: get public item %d: %w", id, classify(err))
		}
		return it, nil
	}
	if c := s.readCache(); c != nil {
		return cacheReadKeyed(c, func(c *refCache) *map[int64]catalog.Item { return &c.publicItemsByID },
			id, maxPublicItems, load, cloneItem)
	}
	return load()
}

func (s *Store) getPublicItem(ctx context.Context, slug string) (catalog.Item, error) {
	var it catalog.Item
	if err := s.prepared().GetContext(ctx, &it, getPublicItemSQL, slug); err != nil {
		return it, fmt.Errorf("store: get public item %q: %w", slug, classify(err))
	}
	return it, nil
}

const setItemArchivedSQL = `
UPDATE items SET archived_at = CASE WHEN $2 THEN coalesce(archived_at, $3) END, updated_at = now()
WHERE id = $1
RETURNING ` + itemColumns

// SetItemArchived takes an item out of the catalog (at now) or puts it back.
func (s *Store) SetItemArchived(ctx context.Context, id int64, archived bool, now time.Time) (catalog.Item, error) {
	var it catalog.Item
	if err := s.q.GetContext(ctx, &it, setItemArchivedSQL, id, archived, now); err != nil {
		return it, fmt.Errorf("store: archive item %d: %w", id, classify(err))
	}
	s.refdataChanged() // the category counts and the public list
	return it, nil
}

const countItemStockSQL = `
SELECT (SELECT count(*) FROM units WHERE item_id = $1) + (SELECT count(*) FROM bulk_stock WHERE item_id = $1)`

// CountItemStock counts an item's units and bulk-stock rows; an item with
// none may still change its tracking mode.
func (s *Store) CountItemStock(ctx context.Context, id int64) (int, error) {
	var n int
	if err := s.q.GetContext(ctx, &n, countItemStockSQL, id); err != nil {
		return 0, fmt.Errorf("store: count stock of item %d: %w", id, classify(err))
	}
	return n, nil
}

const setItemTrackingSQL = `UPDATE items SET tracking = $2, updated_at = now() WHERE id = $1`

// SetItemTracking changes the tracking mode; callers first check with
// CountItemStock that the item has no units or stock.
func (s *Store) SetItemTracking(ctx context.Context, id int64, tracking string) error {
	if _, err := s.q.ExecContext(ctx, setItemTrackingSQL, id, tracking); err != nil {
		return fmt.Errorf("store: set tracking of item %d: %w", id, classify(err))
	}
	s.refdataChanged() // the public list shows the item's columns
	return nil
}
