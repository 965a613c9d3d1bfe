package store

import (
	"context"
	"time"

	"github.com/lib/pq"
)

// Internals the external tests compare against.
var LikeEscapeForTest = likeEscape

const SearchFewCustomersForTest = searchFewCustomers

// StartCacheForTest starts the cache with a dialer the test controls, and
// quick reconnection attempts.
func (s *Store) StartCacheForTest(url string, d pq.Dialer) {
	s.StartCache(url, CacheOptions{MinReconnect: 20 * time.Millisecond, MaxReconnect: 200 * time.Millisecond, dialer: d})
}

// ListPublicItemsGeneralForTest runs the general form of the public list,
// whatever the filter's shape.
func (s *Store) ListPublicItemsGeneralForTest(ctx context.Context, f PublicFilter) ([]ItemListRow, error) {
	if f.Limit <= 0 {
		f.Limit = 24
	}
	var rows []ItemListRow
	err := s.listPublicItemsGeneral(ctx, &rows, f)
	return rows, err
}

// PublicItemsShapeForTest says whether a filter runs as a fixed text.
func PublicItemsShapeForTest(f PublicFilter) bool {
	q, _ := publicItemsShape(f)
	return q != ""
}
