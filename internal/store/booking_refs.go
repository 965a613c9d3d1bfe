package store

import (
	"context"
	"fmt"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
)

// The booking engine reads a few facts about items, units and locations. They
// are kept here, narrow and named for bookings, so the engine does not depend
// on the shape of the catalog's own pages.

// BookableItem is what booking and pricing need to know about an item.
type BookableItem struct {
	ID                  int64  `db:"id"`
	Name                string `db:"name"`
	Slug                string `db:"slug"`
	Tracking            string `db:"tracking"`
	RateHour            *int64 `db:"rate_hour"`
	RateDay             *int64 `db:"rate_day"`
	RateWeek            *int64 `db:"rate_week"`
	RateMonth           *int64 `db:"rate_month"`
	MinDurationMinutes  int    `db:"min_duration_minutes"`
	Deposit             int64  `db:"deposit"`
	BufferBeforeMinutes int    `db:"buffer_before_minutes"`
	BufferAfterMinutes  int    `db:"buffer_after_minutes"`
	TaxCategory         string `db:"tax_category"`
	OnlineBookable      bool   `db:"online_bookable"`
	Archived            bool   `db:"archived"`
}

// BookableOf is the booking's view of a catalog item already loaded, so a
// catalog page can price it with the booking's own pricing.
func BookableOf(it catalog.Item) BookableItem {
	return BookableItem{ID: it.ID, Name: it.Name, Slug: it.Slug, Tracking: it.Tracking, RateHour: it.RateHour,
		RateDay: it.RateDay, RateWeek: it.RateWeek, RateMonth: it.RateMonth, MinDurationMinutes: it.MinDurationMinutes,
		Deposit: it.Deposit, BufferBeforeMinutes: it.BufferBeforeMinutes, BufferAfterMinutes: it.BufferAfterMinutes,
		TaxCategory: it.TaxCategory, OnlineBookable: it.OnlineBookable, Archived: it.Archived()}
}

// Occupied widens a booking period by the item's turnaround buffers: what the
// booking keeps a unit (or a piece of stock) from being used for.
func (i BookableItem) Occupied(start, end time.Time) Span {
	return Span{
		From: start.Add(-time.Duration(i.BufferBeforeMinutes) * time.Minute),
		To:   end.Add(time.Duration(i.BufferAfterMinutes) * time.Minute),
	}
}

const bookableItemColumns = `i.id, i.name, i.slug, i.tracking, i.rate_hour, i.rate_day, i.rate_week, i.rate_month,
       i.min_duration_minutes, i.deposit, i.buffer_before_minutes, i.buffer_after_minutes, i.tax_category,
       i.online_bookable, i.archived_at IS NOT NULL AS archived`

// bookableItemNames are bookableItemColumns' names, for hand scans (rowscan.go).
var bookableItemNames = []string{"id", "name", "slug", "tracking", "rate_hour", "rate_day", "rate_week", "rate_month",
	"min_duration_minutes", "deposit", "buffer_before_minutes", "buffer_after_minutes", "tax_category",
	"online_bookable", "archived"}

// scanBookableItem reads bookableItemColumns (in that order) by hand.
func scanBookableItem(r *rowScan, it *BookableItem) {
	it.ID = r.int64()
	it.Name = r.string()
	it.Slug = r.string()
	it.Tracking = r.string()
	it.RateHour = r.optInt64()
	it.RateDay = r.optInt64()
	it.RateWeek = r.optInt64()
	it.RateMonth = r.optInt64()
	it.MinDurationMinutes = r.int()
	it.Deposit = r.int64()
	it.BufferBeforeMinutes = r.int()
	it.BufferAfterMinutes = r.int()
	it.TaxCategory = r.string()
	it.OnlineBookable = r.bool()
	it.Archived = r.bool()
}

const getBookableItemSQL = `SELECT ` + bookableItemColumns + ` FROM items i WHERE i.id = $1`

// GetBookableItem loads the booking facts of one item.
func (s *Store) GetBookableItem(ctx context.Context, id int64) (BookableItem, error) {
	var it BookableItem
	if err := s.prepared().GetContext(ctx, &it, getBookableItemSQL, id); err != nil {
		return BookableItem{}, fmt.Errorf("store: bookable item %d: %w", id, classify(err))
	}
	return it, nil
}

// BookingLocation is a location as bookings see it: a name, a zone, and
// when it is open for pickups and returns.
type BookingLocation struct {
	ID           int64                `db:"id"`
	Name         string               `db:"name"`
	TimeZone     string               `db:"time_zone"`
	OpeningHours catalog.OpeningHours `db:"opening_hours"`
	ClosedDates  catalog.DateList     `db:"closed_dates"`
}

const bookingLocationColumns = `id, name, time_zone, opening_hours, to_json(closed_dates) AS closed_dates`

const getBookingLocationSQL = `SELECT ` + bookingLocationColumns + ` FROM locations WHERE id = $1`

// GetBookingLocation loads a location's name and zone (from the cached
// locations while the cache is live).
func (s *Store) GetBookingLocation(ctx context.Context, id int64) (BookingLocation, error) {
	if l, ok := s.cachedLocation(ctx, func(l catalog.Location) bool { return l.ID == id }); ok {
		return bookingLocationOf(l), nil
	}
	var l BookingLocation
	if err := s.prepared().GetContext(ctx, &l, getBookingLocationSQL, id); err != nil {
		return BookingLocation{}, fmt.Errorf("store: location %d: %w", id, classify(err))
	}
	return l, nil
}

// bookingLocationOf narrows a location (a copy of its own: ListLocations
// and cachedLocation give copies) to what bookings see.
func bookingLocationOf(l catalog.Location) BookingLocation {
	return BookingLocation{ID: l.ID, Name: l.Name, TimeZone: l.TimeZone, OpeningHours: l.OpeningHours, ClosedDates: l.ClosedDates}
}

const listBookingLocationsSQL = `SELECT ` + bookingLocationColumns + ` FROM locations ORDER BY name, id`

// ListBookingLocations lists every location for the date picker. Outside
// transactions it is ListLocations (the same rows in the same order, kept in
// the cache), narrowed.
func (s *Store) ListBookingLocations(ctx context.Context) ([]BookingLocation, error) {
	if s.readCache() != nil {
		locs, err := s.ListLocations(ctx)
		if err != nil {
			return nil, err
		}
		ls := make([]BookingLocation, len(locs))
		for i, l := range locs {
			ls[i] = bookingLocationOf(l)
		}
		return ls, nil
	}
	var ls []BookingLocation
	if err := s.q.SelectContext(ctx, &ls, listBookingLocationsSQL); err != nil {
		return nil, fmt.Errorf("store: list locations: %w", classify(err))
	}
	return ls, nil
}

// BookingUnit is a unit as the desk scans it.
type BookingUnit struct {
	ID         int64  `db:"id"`
	ItemID     int64  `db:"item_id"`
	LocationID int64  `db:"location_id"`
	AssetTag   string `db:"asset_tag"`
	Status     string `db:"status"`
}

// unitByTagSQL reads the units whose tag is the typed one but for letter
// case, the exact one first: staff type tags by hand, and "r6-002" means
// R6-002 unless a unit is tagged r6-002 itself. lower(asset_tag) is indexed
// (units_asset_tag_lower_idx).
const unitByTagSQL = `SELECT id, item_id, location_id, asset_tag, status FROM units
WHERE lower(asset_tag) = lower($1)
ORDER BY asset_tag = $1 DESC, asset_tag COLLATE "C"
LIMIT 6`

// GetBookingUnitByTag finds a unit by the asset tag on its label, as typed:
// the unit with exactly that tag, else the one unit whose tag differs only in
// letter case. Several such units (and none exact) is an *AmbiguousTagError.
func (s *Store) GetBookingUnitByTag(ctx context.Context, tag string) (BookingUnit, error) {
	var us []BookingUnit
	if err := s.prepared().SelectContext(ctx, &us, unitByTagSQL, tag); err != nil {
		return BookingUnit{}, fmt.Errorf("store: unit %q: %w", tag, classify(err))
	}
	switch {
	case len(us) == 0:
		return BookingUnit{}, fmt.Errorf("store: unit %q: %w", tag, ErrNotFound)
	case len(us) == 1 || us[0].AssetTag == tag:
		return us[0], nil
	}
	amb := &AmbiguousTagError{Typed: tag}
	for _, u := range us {
		amb.Tags = append(amb.Tags, u.AssetTag)
	}
	return BookingUnit{}, amb
}

const unitByIDSQL = `SELECT id, item_id, location_id, asset_tag, status FROM units WHERE id = $1 FOR UPDATE`

// LockUnit loads a unit and locks its row (status changes of one unit run one
// at a time).
func (s *Store) LockUnit(ctx context.Context, id int64) (BookingUnit, error) {
	var u BookingUnit
	if err := s.q.GetContext(ctx, &u, unitByIDSQL, id); err != nil {
		return BookingUnit{}, fmt.Errorf("store: unit %d: %w", id, classify(err))
	}
	return u, nil
}

const setUnitStatusSQL = `UPDATE units SET status = $2, updated_at = now() WHERE id = $1`

// SetUnitStatusRow writes a unit's status column. Only the booking engine
// calls it, after holding (or releasing) the unit through an allocation.
func (s *Store) SetUnitStatusRow(ctx context.Context, id int64, status string) error {
	if _, err := s.q.ExecContext(ctx, setUnitStatusSQL, id, status); err != nil {
		return fmt.Errorf("store: set unit %d status: %w", id, classify(err))
	}
	s.refdataChanged() // the public list's unit counts
	return nil
}
