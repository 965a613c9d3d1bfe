package store

import (
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
