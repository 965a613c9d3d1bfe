package store

import (
	"context"
	"fmt"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
)

// PhotoMeta describes a stored photo without its bytes.
type PhotoMeta struct {
	ID          int64  `db:"id"`
	ItemID      int64  `db:"item_id"`
	Position    int    `db:"position"`
	ContentType string `db:"content_type"`
	Size        int    `db:"size"`
}

// PhotoData is a photo's bytes (the original or the thumbnail) and whether
// customers may see it (its item is public).
type PhotoData struct {
	ID          int64  `db:"id"`
	ItemID      int64  `db:"item_id"`
	ContentType string `db:"content_type"`
	Data        []byte `db:"data"`
	Public      bool   `db:"public"`
}

const addPhotoSQL = `
INSERT INTO item_photos (item_id, position, content_type, data, thumbnail)
VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM item_photos WHERE item_id = $1), $2, $3, $4)
RETURNING id, item_id, position, content_type, octet_length(data) AS size`

// AddPhoto stores a checked photo and its thumbnail as the item's last photo.
func (s *Store) AddPhoto(ctx context.Context, itemID int64, p catalog.Photo) (PhotoMeta, error) {
	var m PhotoMeta
	if err := s.q.GetContext(ctx, &m, addPhotoSQL, itemID, p.ContentType, p.Data, p.Thumbnail); err != nil {
		return m, fmt.Errorf("store: add photo to item %d: %w", itemID, classify(err))
	}
	s.refdataChanged() // the public list's first photo
	return m, nil
}

const listPhotosSQL = `
SELECT id, item_id, position, content_type, octet_length(data) AS size
FROM item_photos WHERE item_id = $1 ORDER BY position, id`

// ListPhotos lists an item's photos in display order (kept in the store's
// cache outside transactions while it is live).
func (s *Store) ListPhotos(ctx context.Context, itemID int64) ([]PhotoMeta, error) {
	if c := s.readCache(); c != nil {
		return cacheReadKeyed(c, func(c *refCache) *map[int64][]PhotoMeta { return &c.photos },
			itemID, maxPublicItems, func() ([]PhotoMeta, error) { return s.listPhotos(ctx, itemID) }, clonePhotos)
	}
	return s.listPhotos(ctx, itemID)
}

func (s *Store) listPhotos(ctx context.Context, itemID int64) ([]PhotoMeta, error) {
	var ps []PhotoMeta
	if err := s.prepared().SelectContext(ctx, &ps, listPhotosSQL, itemID); err != nil {
		return nil, fmt.Errorf("store: list photos of item %d: %w", itemID, classify(err))
	}
	return ps, nil
}

const getPhotoMetaSQL = `
SELECT id, item_id, position, content_type, octet_length(data) AS size FROM item_photos WHERE id = $1`

// GetPhotoMeta loads a photo's description.
func (s *Store) GetPhotoMeta(ctx context.Context, id int64) (PhotoMeta, error) {
	var m PhotoMeta
	if err := s.q.GetContext(ctx, &m, getPhotoMetaSQL, id); err != nil {
		return m, fmt.Errorf("store: get photo %d: %w", id, classify(err))
	}
	return m, nil
}

const photoPublicSQL = `
SELECT (i.archived_at IS NULL AND i.online_bookable) FROM item_photos p JOIN items i ON i.id = p.item_id WHERE p.id = $1`

// PhotoPublic reports whether anyone may see a photo (its item is on sale),
// without loading the image.
func (s *Store) PhotoPublic(ctx context.Context, id int64) (bool, error) {
	var public bool
	if err := s.prepared().GetContext(ctx, &public, photoPublicSQL, id); err != nil {
		return false, fmt.Errorf("store: photo %d: %w", id, classify(err))
	}
	return public, nil
}

const getPhotoSQL = `
SELECT p.id, p.item_id, p.content_type, p.data, (i.archived_at IS NULL AND i.online_bookable) AS public
FROM item_photos p JOIN items i ON i.id = p.item_id WHERE p.id = $1`

const getThumbSQL = `
SELECT p.id, p.item_id, 'image/jpeg' AS content_type, p.thumbnail AS data, (i.archived_at IS NULL AND i.online_bookable) AS public
FROM item_photos p JOIN items i ON i.id = p.item_id WHERE p.id = $1`

// GetPhoto loads a photo's original, or its JPEG thumbnail.
func (s *Store) GetPhoto(ctx context.Context, id int64, thumb bool) (PhotoData, error) {
	q := getPhotoSQL
	if thumb {
		q = getThumbSQL
	}
	var d PhotoData
	if err := s.q.GetContext(ctx, &d, q, id); err != nil {
		return d, fmt.Errorf("store: get photo %d: %w", id, classify(err))
	}
	return d, nil
}

const renumberPhotosSQL = `
UPDATE item_photos p SET position = o.n
FROM (SELECT id, row_number() OVER (ORDER BY position, id) AS n FROM item_photos WHERE item_id = $1) o
WHERE o.id = p.id AND p.position <> o.n`

const swapPhotoSQL = `
WITH me AS (SELECT id, item_id, position FROM item_photos WHERE id = $1),
     other AS (
         SELECT p.id, p.position FROM item_photos p, me
         WHERE p.item_id = me.item_id
           AND (($2 < 0 AND p.position < me.position) OR ($2 > 0 AND p.position > me.position))
         ORDER BY CASE WHEN $2 < 0 THEN -p.position ELSE p.position END
         LIMIT 1)
UPDATE item_photos p
SET position = CASE WHEN p.id = me.id THEN other.position ELSE me.position END
FROM me, other
WHERE p.id IN (me.id, other.id)`

// MovePhoto moves a photo one place earlier (dir < 0) or later (dir > 0)
// among its item's photos. Run it inside WithTx.
func (s *Store) MovePhoto(ctx context.Context, id int64, dir int) (PhotoMeta, error) {
	m, err := s.GetPhotoMeta(ctx, id)
	if err != nil {
		return m, err
	}
	if _, err := s.q.ExecContext(ctx, renumberPhotosSQL, m.ItemID); err != nil {
		return m, fmt.Errorf("store: renumber photos: %w", classify(err))
	}
	if _, err := s.q.ExecContext(ctx, swapPhotoSQL, id, dir); err != nil {
		return m, fmt.Errorf("store: move photo %d: %w", id, classify(err))
	}
	s.refdataChanged() // the public list's first photo
	return m, nil
}

const deletePhotoSQL = `
DELETE FROM item_photos WHERE id = $1
RETURNING id, item_id, position, content_type, octet_length(data) AS size`

// DeletePhoto removes a photo and returns what it was.
func (s *Store) DeletePhoto(ctx context.Context, id int64) (PhotoMeta, error) {
	var m PhotoMeta
	if err := s.q.GetContext(ctx, &m, deletePhotoSQL, id); err != nil {
		return m, fmt.Errorf("store: delete photo %d: %w", id, classify(err))
	}
	s.refdataChanged() // the public list's first photo
	return m, nil
}

const addReturnPhotoSQL = `
INSERT INTO return_photos (unit_return_id, content_type, data, thumbnail, uploaded_by, created_at)
VALUES ($1, $2, $3, $4, NULLIF($5, 0), $6)
RETURNING id`

// AddReturnPhoto stores a checked photo taken at a return.
func (s *Store) AddReturnPhoto(ctx context.Context, returnID int64, p catalog.Photo, by int64, now time.Time) (int64, error) {
	var id int64
	if err := s.q.GetContext(ctx, &id, addReturnPhotoSQL, returnID, p.ContentType, p.Data, p.Thumbnail, by, now); err != nil {
		return 0, fmt.Errorf("store: add photo to return %d: %w", returnID, classify(err))
	}
	return id, nil
}

const listReturnPhotosSQL = `
SELECT p.unit_return_id, p.id FROM return_photos p JOIN unit_returns r ON r.id = p.unit_return_id
WHERE r.booking_id = $1 ORDER BY p.unit_return_id, p.id`

// ListReturnPhotos lists the ids of the photos taken at a booking's returns,
// by return.
func (s *Store) ListReturnPhotos(ctx context.Context, bookingID int64) (map[int64][]int64, error) {
	var rows []struct {
		ReturnID int64 `db:"unit_return_id"`
		ID       int64 `db:"id"`
	}
	if err := s.q.SelectContext(ctx, &rows, listReturnPhotosSQL, bookingID); err != nil {
		return nil, fmt.Errorf("store: photos of the returns of booking %d: %w", bookingID, classify(err))
	}
	out := map[int64][]int64{}
	for _, r := range rows {
		out[r.ReturnID] = append(out[r.ReturnID], r.ID)
	}
	return out, nil
}

const getReturnPhotoSQL = `
SELECT p.id, l.item_id, p.content_type, p.data, false AS public
FROM return_photos p JOIN unit_returns r ON r.id = p.unit_return_id JOIN booking_lines l ON l.id = r.booking_line_id
WHERE p.id = $1`

const getReturnThumbSQL = `
SELECT p.id, l.item_id, 'image/jpeg' AS content_type, p.thumbnail AS data, false AS public
FROM return_photos p JOIN unit_returns r ON r.id = p.unit_return_id JOIN booking_lines l ON l.id = r.booking_line_id
WHERE p.id = $1`

// GetReturnPhoto loads a return photo's original, or its JPEG thumbnail;
// return photos are never public.
func (s *Store) GetReturnPhoto(ctx context.Context, id int64, thumb bool) (PhotoData, error) {
	q := getReturnPhotoSQL
	if thumb {
		q = getReturnThumbSQL
	}
	var d PhotoData
	if err := s.q.GetContext(ctx, &d, q, id); err != nil {
		return d, fmt.Errorf("store: get return photo %d: %w", id, classify(err))
	}
	return d, nil
}
