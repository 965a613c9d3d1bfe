package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
)

// ItemListRow is an item with what list pages show beside it, fetched in
// the same query: category name, unit counts, bulk quantity, first photo.
type ItemListRow struct {
	catalog.Item
	CategoryName   *string `db:"category_name"`
	CategorySlug   *string `db:"category_slug"`
	UnitsTotal     int     `db:"units_total"`     // not retired
	UnitsAvailable int     `db:"units_available"` // status available
	BulkQuantity   int     `db:"bulk_quantity"`
	PhotoID        *int64  `db:"photo_id"`
	SortKey        string  `db:"sort_key"`
}

// Cursor is a keyset position: the sort key and id of the last row shown.
type Cursor struct {
	Key string `json:"k"`
	ID  int64  `json:"i"`
}

// Encode makes the cursor safe for a URL.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ErrBadCursor means a pagination cursor was not one we made.
var ErrBadCursor = errors.New("store: bad cursor")

// DecodeCursor reads a cursor from a URL; "" is the first page. A key with a
// NUL byte is refused here, since PostgreSQL text cannot hold one; whether
// the key fits the list's sort is CheckSort's question.
func DecodeCursor(s string) (Cursor, error) {
	var c Cursor
	if s == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID <= 0 || strings.ContainsRune(c.Key, 0) {
		return Cursor{}, ErrBadCursor
	}
	return c, nil
}

// CheckSort says whether the cursor can be a position in the item list
// sorted by sort: the time sorts cast the key to timestamptz, so a forged
// key that is not a time PostgreSQL reads must stop here, not fail in SQL.
// Every cursor the list made passes.
func (c Cursor) CheckSort(sort string) error {
	if c.Key == "" || (sort != "newest" && sort != "oldest") {
		return nil
	}
	// PostgreSQL has no year 0, which RFC 3339 allows.
	if t, err := time.Parse(time.RFC3339Nano, c.Key); err != nil || t.Year() < 1 {
		return ErrBadCursor
	}
	return nil
}

// itemSort is one allowed ordering of the item list: the SQL fragments are
// constants chosen by name, never text from the request.
type itemSort struct{ key, after, order string }

// ItemSorts are the orderings the item list allows, by the name the URL uses.
var itemSorts = map[string]itemSort{
	"name":   {`lower(i.name)`, `(lower(i.name), i.id) > ($6, $7)`, `lower(i.name), i.id`},
	"-name":  {`lower(i.name)`, `(lower(i.name), i.id) < ($6, $7)`, `lower(i.name) DESC, i.id DESC`},
	"newest": {`to_json(i.created_at) #>> '{}'`, `(i.created_at, i.id) < (NULLIF($6, '')::timestamptz, $7)`, `i.created_at DESC, i.id DESC`},
	"oldest": {`to_json(i.created_at) #>> '{}'`, `(i.created_at, i.id) > (NULLIF($6, '')::timestamptz, $7)`, `i.created_at, i.id`},
}

// ItemSortNames lists the allowed sort names for the item list.
var ItemSortNames = []string{"name", "-name", "newest", "oldest"}

// ItemFilter narrows ListItems. Every value is checked by the caller against
// an allowlist; the store refuses an unknown sort too.
type ItemFilter struct {
	Query      string
	CategoryID int64  // 0 = any
	Tracking   string // "" = any
	Archived   string // "active" (default), "archived" or "all"
	Sort       string // one of ItemSortNames; "" = name
	After      Cursor
	Limit      int
}

const itemListSelect = `
SELECT i.id, i.category_id, i.name, i.slug, i.description, i.tracking, i.rate_hour, i.rate_day, i.rate_week,
       i.rate_month, i.min_duration_minutes, i.deposit, i.replacement_value, i.buffer_before_minutes,
       i.buffer_after_minutes, i.tax_category, i.online_bookable, i.featured, i.archived_at, i.created_at, i.updated_at,
       c.name AS category_name, c.slug AS category_slug,
       coalesce(u.total, 0) AS units_total, coalesce(u.available, 0) AS units_available,
       coalesce(b.quantity, 0) AS bulk_quantity, p.id AS photo_id, `

const itemListJoins = ` AS sort_key
FROM items i
LEFT JOIN categories c ON c.id = i.category_id` + itemListLaterals

// itemListLaterals are the unit counts, bulk quantity and first photo of
// each item i.
const itemListLaterals = `
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE status <> 'retired') AS total,
           count(*) FILTER (WHERE status = 'available') AS available
    FROM units WHERE item_id = i.id) u ON true
LEFT JOIN LATERAL (SELECT sum(quantity) AS quantity FROM bulk_stock WHERE item_id = i.id) b ON true
LEFT JOIN LATERAL (SELECT id FROM item_photos WHERE item_id = i.id ORDER BY position, id LIMIT 1) p ON true
`

const itemListWhere = `WHERE ($1 = '' OR i.name ILIKE '%' || $1 || '%' OR i.slug ILIKE '%' || $1 || '%'
       OR EXISTS (SELECT 1 FROM units su WHERE su.item_id = i.id AND su.asset_tag ILIKE $1))
  AND ($2 = 0 OR i.category_id = $2)
  AND ($3 = '' OR i.tracking = $3)
  AND (($4 = 'active' AND i.archived_at IS NULL) OR ($4 = 'archived' AND i.archived_at IS NOT NULL) OR $4 = 'all')
  AND ($6 = '' OR `

// ListItems pages through items for staff: search by name, slug or exact
// asset tag, filters, an allowed sort, and keyset pagination. It asks for
// Limit rows; the caller asks for one more than it shows to know if a next
// page exists, and continues from the last row's Cursor.
func (s *Store) ListItems(ctx context.Context, f ItemFilter) ([]ItemListRow, error) {
	if f.Sort == "" {
		f.Sort = "name"
	}
	srt, ok := itemSorts[f.Sort]
	if !ok {
		return nil, fmt.Errorf("store: list items: unknown sort %q", f.Sort)
	}
	if err := f.After.CheckSort(f.Sort); err != nil {
		return nil, fmt.Errorf("store: list items: %w", err)
	}
	if f.Archived == "" {
		f.Archived = "active"
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	q := itemListSelect + srt.key + itemListJoins + itemListWhere + srt.after + `)
ORDER BY ` + srt.order + ` LIMIT $5`
	load := func() ([]ItemListRow, error) {
		var rows []ItemListRow
		return rows, s.q.SelectContext(ctx, &rows, q, likeEscape(f.Query), f.CategoryID, f.Tracking, f.Archived, f.Limit, f.After.Key, f.After.ID)
	}
	var rows []ItemListRow
	var err error
	// A page without a search shows only what the public list's cards show
	// (the item, its category, unit counts by status, bulk quantity, first
	// photo), all announced when changed, archived and offline items
	// included: it is kept like the public pages. A search also matches asset
	// tags, which announce nothing, so it always reads PostgreSQL.
	if c := s.readCache(); c != nil && f.Query == "" {
		rows, err = cacheReadKeyed(c, func(c *refCache) *map[ItemFilter][]ItemListRow { return &c.staffPages },
			f, maxStaffPages, load, cloneItemRows)
	} else {
		rows, err = load()
	}
	if err != nil {
		return nil, fmt.Errorf("store: list items: %w", classify(err))
	}
	return rows, nil
}

// CursorOf is the keyset position after a row.
func (r ItemListRow) CursorOf() Cursor { return Cursor{Key: r.SortKey, ID: r.ID} }

// PublicFilter narrows ListPublicItems.
type PublicFilter struct {
	Query        string
	CategoryID   int64
	FeaturedOnly bool
	After        Cursor
	Limit        int
}

// listPublicItemsSQL is the general form of the public list: every filter
// optional. It runs unprepared, since a prepared statement's generic plan
// cannot see which filters are off (measured: it computed unit counts for
// every item, 11 ms a page instead of 1 ms). The pages only ever use one
// filter at a time, and those shapes run as the fixed texts below instead;
// this one serves any other combination.
const listPublicItemsSQL = itemListSelect + `lower(i.name)` + itemListJoins + `
WHERE i.archived_at IS NULL AND i.online_bookable
  AND ($1 = '' OR i.name ILIKE '%' || $1 || '%' OR i.description ILIKE '%' || $1 || '%' OR c.name ILIKE '%' || $1 || '%')
  AND ($2 = 0 OR i.category_id = $2)
  AND (NOT $3 OR i.featured)
  AND ($4 = '' OR (lower(i.name), i.id) > ($4, $5))
ORDER BY lower(i.name), i.id
LIMIT $6`

// The public list by shape: no filter (the catalog), one category (a
// category page, similar items), featured (the home page) or a search. Each
// is one fixed text with no optional part, so it is prepared like the other
// hot queries, which saves planning the general form on every page. The
// page of items is chosen first, in a subquery with the LIMIT: the name
// index (items_public_idx for a category) read in order from the cursor,
// so the counts and the photo are computed for the rows shown only, whatever
// the plan (a generic plan guesses how many rows a search matches; when it
// guessed few, it computed them for every match before sorting). The cursor
// is always there: the first page starts after the empty name and id 0,
// which every row follows (names are NOT NULL, ids positive, and the empty
// string sorts first in any deterministic collation), so a first page needs
// no text of its own.
const (
	publicItemsPage = `
SELECT i.id, i.category_id, i.name, i.slug, i.description, i.tracking, i.rate_hour, i.rate_day, i.rate_week,
       i.rate_month, i.min_duration_minutes, i.deposit, i.replacement_value, i.buffer_before_minutes,
       i.buffer_after_minutes, i.tax_category, i.online_bookable, i.featured, i.archived_at, i.created_at, i.updated_at,
       i.category_name, i.category_slug,
       coalesce(u.total, 0) AS units_total, coalesce(u.available, 0) AS units_available,
       coalesce(b.quantity, 0) AS bulk_quantity, p.id AS photo_id, i.sort_key
FROM (
    SELECT i.*, c.name AS category_name, c.slug AS category_slug, lower(i.name) AS sort_key
    FROM items i
    LEFT JOIN categories c ON c.id = i.category_id
    WHERE i.archived_at IS NULL AND i.online_bookable
      AND (lower(i.name), i.id) > ($1, $2)`
	publicItemsOrder = `
    ORDER BY lower(i.name), i.id
    LIMIT $3) i` + itemListLaterals + `ORDER BY i.sort_key, i.id`

	publicItemsAllSQL      = publicItemsPage + publicItemsOrder
	publicItemsCategorySQL = publicItemsPage + `
      AND i.category_id = $4` + publicItemsOrder
	publicItemsFeaturedSQL = publicItemsPage + `
      AND i.featured` + publicItemsOrder
	publicItemsSearchSQL = publicItemsPage + `
      AND (i.name ILIKE '%' || $4 || '%' OR i.description ILIKE '%' || $4 || '%' OR c.name ILIKE '%' || $4 || '%')` + publicItemsOrder
)

// publicItemsShape picks the fixed text for f and its arguments, or "" when
// f combines filters (the general form then runs).
func publicItemsShape(f PublicFilter) (string, []any) {
	key, id := f.After.Key, f.After.ID
	if key == "" {
		id = 0 // no cursor: from the start, as the general form reads it
	}
	args := []any{key, id, f.Limit}
	switch q := likeEscape(f.Query); {
	case q == "" && f.CategoryID == 0 && !f.FeaturedOnly:
		return publicItemsAllSQL, args
	case q == "" && f.CategoryID != 0 && !f.FeaturedOnly:
		return publicItemsCategorySQL, append(args, f.CategoryID)
	case q == "" && f.CategoryID == 0 && f.FeaturedOnly:
		return publicItemsFeaturedSQL, args
	case q != "" && f.CategoryID == 0 && !f.FeaturedOnly:
		return publicItemsSearchSQL, append(args, q)
	}
	return "", nil
}

// ListPublicItems pages through what customers may see (never archived or
// offline items), by name, with search over name, description and category.
// Outside transactions, pages without a search come from the store's cache
// while it is live (refcache.go).
func (s *Store) ListPublicItems(ctx context.Context, f PublicFilter) ([]ItemListRow, error) {
	if f.Limit <= 0 {
		f.Limit = 24
	}
	var rows []ItemListRow
	var err error
	if query, args := publicItemsShape(f); query != "" {
		load := func() ([]ItemListRow, error) {
			var rows []ItemListRow
			return rows, s.prepared().SelectContext(ctx, &rows, query, args...)
		}
		// Searches are not kept: any text makes a page of its own.
		if c := s.readCache(); c != nil && query != publicItemsSearchSQL {
			k := publicPageKey{query: query, category: f.CategoryID, key: args[0].(string), id: args[1].(int64), limit: f.Limit}
			rows, err = cacheReadKeyed(c, func(c *refCache) *map[publicPageKey][]ItemListRow { return &c.publicPages },
				k, maxPublicPages, load, cloneItemRows)
		} else {
			rows, err = load()
		}
	} else {
		err = s.listPublicItemsGeneral(ctx, &rows, f)
	}
	if err != nil {
		return nil, fmt.Errorf("store: list public items: %w", classify(err))
	}
	return rows, nil
}

const itemCursorSQL = `SELECT lower(name) FROM items WHERE id = $1`

// ItemCursor is the position of item id in the lists by name (ListPublicItems
// without a search): a page that starts after it, whether or not customers
// may still see it; ErrNotFound for no such item.
func (s *Store) ItemCursor(ctx context.Context, id int64) (Cursor, error) {
	c := Cursor{ID: id}
	if err := s.prepared().GetContext(ctx, &c.Key, itemCursorSQL, id); err != nil {
		return Cursor{}, fmt.Errorf("store: item cursor %d: %w", id, classify(err))
	}
	return c, nil
}

// listPublicItemsGeneral runs the general form, for filters combined.
func (s *Store) listPublicItemsGeneral(ctx context.Context, rows *[]ItemListRow, f PublicFilter) error {
	return s.q.SelectContext(ctx, rows, listPublicItemsSQL, likeEscape(f.Query), f.CategoryID, f.FeaturedOnly, f.After.Key, f.After.ID, f.Limit)
}

// ItemName is an item as a menu shows it.
type ItemName struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

// listItemNamesSQL reads the name index (lower(name), id) in order: no
// counts, no stock, so a menu of a large catalog stays one cheap read.
const listItemNamesSQL = `SELECT id, name FROM items WHERE archived_at IS NULL ORDER BY lower(name), id`

// ListItemNames lists every item that is not archived (online or not), by
// name: what staff may book, for menus.
func (s *Store) ListItemNames(ctx context.Context) ([]ItemName, error) {
	var out []ItemName
	if err := s.q.SelectContext(ctx, &out, listItemNamesSQL); err != nil {
		return nil, fmt.Errorf("store: item names: %w", classify(err))
	}
	return out, nil
}

// searchItemNamesSQL finds items staff may book by a part of the name, an
// exact name first (so it is found however many others contain it).
const searchItemNamesSQL = `
SELECT id, name FROM items
WHERE archived_at IS NULL AND name ILIKE '%' || $1 || '%' ESCAPE '\'
ORDER BY lower(name) = lower($2) DESC, lower(name), id
LIMIT $3`

// SearchItemNames finds items that are not archived (online or not) by a
// part of the name, case-insensitive; % and _ are plain characters.
func (s *Store) SearchItemNames(ctx context.Context, q string, limit int) ([]ItemName, error) {
	var out []ItemName
	if err := s.q.SelectContext(ctx, &out, searchItemNamesSQL, likeEscape(q), q, limit); err != nil {
		return nil, fmt.Errorf("store: search item names: %w", classify(err))
	}
	return out, nil
}
