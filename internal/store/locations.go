package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rentdesk/rentdesk/internal/catalog"
)

const locationColumns = `id, name, slug, address, time_zone, opening_hours, to_json(closed_dates) AS closed_dates`

const listLocationsSQL = `SELECT ` + locationColumns + ` FROM locations ORDER BY name, id`

// ListLocations lists every location by name (from the cache when it holds
// them, outside transactions).
func (s *Store) ListLocations(ctx context.Context) ([]catalog.Location, error) {
	if c := s.readCache(); c != nil {
		return cacheRead(c, func(c *refCache) *slot[[]catalog.Location] { return &c.locations },
			func() ([]catalog.Location, error) { return s.listLocations(ctx) }, cloneLocations)
	}
	return s.listLocations(ctx)
}

func (s *Store) listLocations(ctx context.Context) ([]catalog.Location, error) {
	var ls []catalog.Location
	if err := s.q.SelectContext(ctx, &ls, listLocationsSQL); err != nil {
		return nil, fmt.Errorf("store: list locations: %w", classify(err))
	}
	return ls, nil
}

const getLocationSQL = `SELECT ` + locationColumns + ` FROM locations WHERE id = $1`

// GetLocation loads one location by id.
func (s *Store) GetLocation(ctx context.Context, id int64) (catalog.Location, error) {
	if l, ok := s.cachedLocation(ctx, func(l catalog.Location) bool { return l.ID == id }); ok {
		return l, nil
	}
	var l catalog.Location
	if err := s.q.GetContext(ctx, &l, getLocationSQL, id); err != nil {
		return l, fmt.Errorf("store: get location %d: %w", id, classify(err))
	}
	return l, nil
}

const getLocationBySlugSQL = `SELECT ` + locationColumns + ` FROM locations WHERE slug = $1`

// GetLocationBySlug loads one location by its slug.
func (s *Store) GetLocationBySlug(ctx context.Context, slug string) (catalog.Location, error) {
	if l, ok := s.cachedLocation(ctx, func(l catalog.Location) bool { return l.Slug == slug }); ok {
		return l, nil
	}
	var l catalog.Location
	if err := s.q.GetContext(ctx, &l, getLocationBySlugSQL, slug); err != nil {
		return l, fmt.Errorf("store: get location %q: %w", slug, classify(err))
	}
	return l, nil
}

const createLocationSQL = `
INSERT INTO locations (name, slug, address, time_zone, opening_hours, closed_dates)
VALUES ($1, $2, $3, $4, $5, $6::date[])
RETURNING ` + locationColumns

// CreateLocation adds a location; a taken slug is ErrConflict.
func (s *Store) CreateLocation(ctx context.Context, l catalog.Location) (catalog.Location, error) {
	var out catalog.Location
	err := s.q.GetContext(ctx, &out, createLocationSQL, l.Name, l.Slug, l.Address, l.TimeZone, l.OpeningHours, datesParam(l.ClosedDates))
	if err != nil {
		return out, fmt.Errorf("store: create location: %w", classify(err))
	}
	s.refdataChanged()
	return out, nil
}

const updateLocationSQL = `
UPDATE locations SET name = $2, slug = $3, address = $4, time_zone = $5, opening_hours = $6,
       closed_dates = $7::date[], updated_at = now()
WHERE id = $1
RETURNING ` + locationColumns

// UpdateLocation replaces a location's details; a taken slug is ErrConflict.
func (s *Store) UpdateLocation(ctx context.Context, l catalog.Location) (catalog.Location, error) {
	var out catalog.Location
	err := s.q.GetContext(ctx, &out, updateLocationSQL, l.ID, l.Name, l.Slug, l.Address, l.TimeZone, l.OpeningHours, datesParam(l.ClosedDates))
	if err != nil {
		return out, fmt.Errorf("store: update location %d: %w", l.ID, classify(err))
	}
	s.refdataChanged()
	return out, nil
}

const locationComingBookingsSQL = `
SELECT count(DISTINCT b.id) AS bookings,
       min(CASE WHEN l.starts_at > $2 THEN l.starts_at ELSE l.ends_at END) AS next_at
FROM bookings b JOIN booking_lines l ON l.booking_id = b.id
WHERE b.location_id = $1 AND b.status IN ('hold', 'confirmed', 'out') AND l.ends_at > $2`

// ComingBookings counts the bookings of a location still to come or under
// way at now (held, confirmed or out, with a line ending later), and the
// next of their pickups or returns: what a change of the location's time
// zone would show at other local times.
func (s *Store) ComingBookings(ctx context.Context, locationID int64, now time.Time) (n int, next time.Time, err error) {
	row := struct {
		Bookings int        `db:"bookings"`
		NextAt   *time.Time `db:"next_at"`
	}{}
	if err := s.q.GetContext(ctx, &row, locationComingBookingsSQL, locationID, now); err != nil {
		return 0, time.Time{}, fmt.Errorf("store: coming bookings of location %d: %w", locationID, classify(err))
	}
	if row.NextAt != nil {
		next = *row.NextAt
	}
	return row.Bookings, next, nil
}

// cachedLocation finds a location in the cached list while the cache is
// live. Not found there is no answer: a location just made elsewhere may
// not have reached this instance yet.
func (s *Store) cachedLocation(ctx context.Context, match func(catalog.Location) bool) (catalog.Location, bool) {
	c := s.readCache()
	if c == nil || !c.Live() {
		return catalog.Location{}, false
	}
	// The cache's own list, read only here: only the location found is
	// copied (a dated page looks one up on every view), not all of them.
	ls, err := cacheRead(c, func(c *refCache) *slot[[]catalog.Location] { return &c.locations },
		func() ([]catalog.Location, error) { return s.listLocations(ctx) }, func(ls []catalog.Location) []catalog.Location { return ls })
	if err != nil {
		return catalog.Location{}, false
	}
	for _, l := range ls {
		if match(l) {
			return cloneLocations([]catalog.Location{l})[0], true
		}
	}
	return catalog.Location{}, false
}

// datesParam passes a date list as a text array; an empty list is '{}', never
// NULL, because the column is NOT NULL.
func datesParam(d catalog.DateList) driver.Valuer {
	if d == nil {
		d = catalog.DateList{}
	}
	return pq.StringArray(d)
}
