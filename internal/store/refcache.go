package store

import (
	"errors"
	"log/slog"
	"maps"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/lib/pq"

	"github.com/rentdesk/rentdesk/internal/catalog"
)

// RefdataChannel is the NOTIFY channel on which PostgreSQL announces a
// committed change to the shop settings, the locations, the categories or an
// item's place in the category counts (triggers of migration 00101), or to
// what the public item list shows (migration 00103).
const RefdataChannel = "rentdesk_refdata"

// refCache keeps, in this process, the reference data nearly every page
// reads and almost nothing writes: the shop settings, the locations and the
// two category lists (their item counts depend on the items' category,
// archiving and online flag, never on bookings, so availability is never
// held here), and pages of the public and the staff item lists (items,
// their category, unit counts by status, bulk quantity and first photo:
// again nothing a booking changes). It serves them only while its listener is connected and
// listening: a write by this process drops the copy when the write commits,
// a write by another instance drops it when its notification arrives, and
// a lost connection drops everything (notifications may have been missed),
// after which reads go to PostgreSQL until the listener is back.
type refCache struct {
	mu sync.Mutex
	// gen moves on every drop. A read that missed stores what it loaded only
	// if gen has not moved since it began, so a load racing a write (here or
	// elsewhere) never puts the old value back after the drop.
	gen       uint64
	connected bool // the listener's connection is up (its events say so)
	listening bool // our LISTEN was acknowledged on it
	// markers counts the nil notifications the listener owes after
	// reconnecting and run has not taken yet: until then, notifications from
	// before the reconnection may still be queued.
	markers int

	settings         slot[Settings]
	locations        slot[[]catalog.Location]
	categories       slot[[]catalog.Category]
	publicCategories slot[[]catalog.Category]
	// publicPages are pages of the public item list by shape and position
	// (publicItemsShape), at most maxPublicPages of them.
	publicPages map[publicPageKey][]ItemListRow
	// staffPages are pages of the staff item list without a search, by
	// their filter (ListItems), at most maxStaffPages of them.
	staffPages map[ItemFilter][]ItemListRow
	// publicItems are the items customers may see, by slug, and photos
	// their photo lists, by item (the item page), at most maxPublicItems;
	// publicItemsByID the same items by id (an item's calendar).
	publicItems     map[string]catalog.Item
	publicItemsByID map[int64]catalog.Item
	photos          map[int64][]PhotoMeta

	listener *pq.Listener
	done     chan struct{}
	logger   *slog.Logger
}

type slot[T any] struct {
	v  T
	ok bool
}

// CacheOptions tunes the reference data cache's listener.
type CacheOptions struct {
	// Logger gets the listener's connection changes; nil logs nothing.
	Logger *slog.Logger
	// MinReconnect and MaxReconnect bound the wait between attempts to
	// reconnect the listener (doubling from the one to the other); the cache
	// is not used while it is down. Zero: 500 ms and 10 s.
	MinReconnect, MaxReconnect time.Duration

	dialer pq.Dialer // tests: a dialer they can refuse to connect with
}

// StartCache starts keeping the reference data in memory, kept current
// through LISTEN/NOTIFY on url (the store's own DATABASE_URL). It returns
// at once; reads go to PostgreSQL until the listener is listening. Close
// stops it. Call it once, before the store is shared; transactions of the
// store never read from the cache, so they always see their own writes.
func (s *Store) StartCache(url string, opt CacheOptions) {
	if opt.MinReconnect <= 0 {
		opt.MinReconnect = 500 * time.Millisecond
	}
	if opt.MaxReconnect < opt.MinReconnect {
		opt.MaxReconnect = max(10*time.Second, opt.MinReconnect)
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	c := &refCache{done: make(chan struct{}), logger: opt.Logger}
	if opt.dialer != nil {
		c.listener = pq.NewDialListener(opt.dialer, url, opt.MinReconnect, opt.MaxReconnect, c.event)
	} else {
		c.listener = pq.NewListener(url, opt.MinReconnect, opt.MaxReconnect, c.event)
	}
	s.cache = c
	go c.listen()
	go c.run()
}

// listen issues the LISTEN; it blocks until a connection has taken it. On a
// later reconnection the listener issues it again by itself.
func (c *refCache) listen() {
	if err := c.listener.Listen(RefdataChannel); err != nil {
		if errors.Is(err, net.ErrClosed) { // the store closed before a connection came
			return
		}
		c.logger.Error("reference data cache: cannot listen; reading every time", "err", err)
		return
	}
	c.mu.Lock()
	c.listening = true
	c.dropLocked()
	c.mu.Unlock()
}

// run drops the copies on every notification. A nil one comes after a
// reconnection (notifications sent while the connection was down are lost);
// the cache serves again once it has taken it.
func (c *refCache) run() {
	defer close(c.done)
	for n := range c.listener.Notify {
		c.mu.Lock()
		if n == nil && c.markers > 0 {
			c.markers--
		}
		c.dropLocked()
		c.mu.Unlock()
	}
}

// event follows the listener's connection: any change of state drops
// everything, and only a connected listener lets the cache serve.
func (c *refCache) event(ev pq.ListenerEventType, err error) {
	c.mu.Lock()
	switch ev {
	case pq.ListenerEventConnected:
		c.connected = true
	case pq.ListenerEventReconnected:
		c.connected = true
		c.markers++ // the listener sends a nil notification next
	case pq.ListenerEventDisconnected:
		c.connected = false
	}
	c.dropLocked()
	c.mu.Unlock()
	switch ev {
	case pq.ListenerEventDisconnected:
		c.logger.Warn("reference data cache: listener disconnected; reading every time until it is back", "err", err)
	case pq.ListenerEventReconnected:
		c.logger.Info("reference data cache: listener reconnected")
	case pq.ListenerEventConnectionAttemptFailed:
		c.logger.Warn("reference data cache: listener cannot connect", "err", err)
	}
}

func (c *refCache) live() bool { return c.connected && c.listening && c.markers == 0 }

// drop forgets every copy.
func (c *refCache) drop() {
	c.mu.Lock()
	c.dropLocked()
	c.mu.Unlock()
}

func (c *refCache) dropLocked() {
	c.gen++
	c.settings = slot[Settings]{}
	c.locations = slot[[]catalog.Location]{}
	c.categories = slot[[]catalog.Category]{}
	c.publicCategories = slot[[]catalog.Category]{}
	c.publicPages = nil
	c.staffPages = nil
	c.publicItems = nil
	c.publicItemsByID = nil
	c.photos = nil
}

// close stops the listener. Between two attempts to reconnect it may sleep
// for up to MaxReconnect before it notices; shutting down does not wait that
// long for it.
func (c *refCache) close() {
	_ = c.listener.Close()
	select {
	case <-c.done:
	case <-time.After(2 * time.Second):
	}
}

// CacheLive reports whether reads of the reference data are served from
// memory now: the cache was started and its listener is listening. Callers
// that keep copies of their own may then rely on the store's instead.
func (s *Store) CacheLive() bool { return s != nil && s.cache != nil && s.cache.Live() }

// CacheGeneration returns, while the cache is live, a number that moves
// whenever it drops its copies: on every committed change to the reference
// data (by this instance at once, by others on their notification) and on
// every change of its listener's connection. Callers that derive something
// from the reference data may keep it while the number stays the same; read
// it before reading what is derived from. ok is false when the cache is not
// live: keep nothing then.
func (s *Store) CacheGeneration() (gen uint64, ok bool) {
	if s == nil || s.cache == nil {
		return 0, false
	}
	c := s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen, c.live()
}

// Live reports whether the cache serves reads now.
func (c *refCache) Live() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.live()
}

// cacheRead returns the copy in the slot pick chooses when the cache is live
// and holds one, or else loads it and, when nothing was dropped meanwhile,
// keeps it. Callers get their own copy: handlers may change what they get.
func cacheRead[T any](c *refCache, pick func(*refCache) *slot[T], load func() (T, error), clone func(T) T) (T, error) {
	return cacheFill(c,
		func() (T, bool) { sl := pick(c); return sl.v, sl.ok },
		func(v T) { *pick(c) = slot[T]{v: v, ok: true} },
		load, clone)
}

// cacheFill is the one way a copy enters the cache: held returns the copy
// (with c.mu held), else load runs without the lock, and keep stores a copy
// of what it found (with c.mu held) only if no drop came in between, so a
// load racing a write never puts the old value back after the drop.
func cacheFill[T any](c *refCache, held func() (T, bool), keep func(T), load func() (T, error), clone func(T) T) (T, error) {
	c.mu.Lock()
	if v, ok := held(); ok && c.live() {
		c.mu.Unlock()
		return clone(v), nil
	}
	gen := c.gen
	c.mu.Unlock()
	v, err := load()
	if err != nil {
		return v, err
	}
	kept := clone(v)
	c.mu.Lock()
	if c.gen == gen && c.live() {
		keep(kept)
	}
	c.mu.Unlock()
	return v, nil
}

// maxPublicPages bounds the pages of the public list kept at once. The
// catalog of 5,000 items is about 200 pages of 24 in name order, plus the
// categories' pages; a page is some 25 rows of a few hundred bytes each.
const maxPublicPages = 1024

// maxStaffPages bounds the pages of the staff item list kept at once: its
// filters and sorts combined make more shapes than the public list's, each
// paged through the catalog in pages of 50.
const maxStaffPages = 1024

// maxPublicItems bounds the items (by slug) and photo lists (by item) kept
// for the item pages: a catalog of 5,000 items fits.
const maxPublicItems = 8192

// publicPageKey is one page of the public list: the query's shape (its
// text), the category of the category shape, the cursor and the limit.
type publicPageKey struct {
	query    string
	category int64
	key      string
	id       int64
	limit    int
}

// cacheReadKeyed is cacheRead for a map of copies by key, which holds at
// most bound of them: keys come from URLs, so anyone can ask for ones no
// link leads to; when the bound is reached, the map starts again empty and
// the most asked ones come back first. Only what load found is kept (a
// row created elsewhere may not have been announced here yet).
func cacheReadKeyed[K comparable, V any](c *refCache, pick func(*refCache) *map[K]V, k K, bound int, load func() (V, error), clone func(V) V) (V, error) {
	return cacheFill(c,
		func() (V, bool) { v, ok := (*pick(c))[k]; return v, ok },
		func(v V) {
			m := pick(c)
			if *m == nil || len(*m) >= bound {
				*m = make(map[K]V)
			}
			(*m)[k] = v
		},
		load, clone)
}

// readCache is the cache a read may use: none inside a transaction, which
// must see its own writes and reads under its own snapshot.
func (s *Store) readCache() *refCache {
	if s.tx != nil {
		return nil
	}
	return s.cache
}

// refdataChanged is called by every write to the cached tables (and to
// those the public item list reads): the copies
// go when the write commits (right away outside a transaction). Other
// instances learn of it through the triggers' notification.
func (s *Store) refdataChanged() {
	if s.cache == nil {
		return
	}
	if s.tx != nil {
		s.txw.refdata = true
		return
	}
	s.cache.drop()
}

// txWrites records what a transaction changed that matters after commit.
type txWrites struct {
	refdata bool // it wrote cached reference data
	// settings are the shop settings as the transaction first read them or
	// was given them (nil: neither yet, or updated since); see GetSettings
	// and UseSettings.
	settings *Settings
}

func cloneSettings(st Settings) Settings { return st }

func cloneCategories(cs []catalog.Category) []catalog.Category { return slices.Clone(cs) }

func cloneLocations(ls []catalog.Location) []catalog.Location {
	if ls == nil {
		return nil
	}
	out := make([]catalog.Location, len(ls))
	for i, l := range ls {
		l.ClosedDates = slices.Clone(l.ClosedDates)
		if l.OpeningHours != nil {
			// Every day's intervals in one block (a dated page copies its
			// location on every view): each day's slice is capped at its
			// own part, so appending to one day cannot overwrite the next.
			n := 0
			for _, ivs := range l.OpeningHours {
				n += len(ivs)
			}
			block := make([]catalog.Interval, 0, n)
			h := maps.Clone(l.OpeningHours)
			for d, ivs := range h {
				if ivs != nil {
					at := len(block)
					block = append(block, ivs...)
					h[d] = block[at:len(block):len(block)]
				}
			}
			l.OpeningHours = h
		}
		out[i] = l
	}
	return out
}

// cloneItemRows copies rows down to what their pointers point to.
func cloneItemRows(rows []ItemListRow) []ItemListRow {
	if rows == nil {
		return nil
	}
	out := make([]ItemListRow, len(rows))
	// What the pointers point to is copied into three blocks for the whole
	// page instead of one allocation per value (about eight per row).
	ints := make([]int64, 0, 6*len(rows))
	strs := make([]string, 0, 2*len(rows))
	cloneInt := func(p *int64) *int64 {
		if p == nil {
			return nil
		}
		ints = append(ints, *p)
		return &ints[len(ints)-1]
	}
	cloneStr := func(p *string) *string {
		if p == nil {
			return nil
		}
		strs = append(strs, *p)
		return &strs[len(strs)-1]
	}
	for i, r := range rows {
		it := &r.Item
		it.CategoryID, it.RateHour, it.RateDay = cloneInt(it.CategoryID), cloneInt(it.RateHour), cloneInt(it.RateDay)
		it.RateWeek, it.RateMonth, r.PhotoID = cloneInt(it.RateWeek), cloneInt(it.RateMonth), cloneInt(r.PhotoID)
		it.ArchivedAt = clonePtr(it.ArchivedAt) // nil in the public list: no allocation
		r.CategoryName, r.CategorySlug = cloneStr(r.CategoryName), cloneStr(r.CategorySlug)
		out[i] = r
	}
	return out
}

// cloneItem copies an item down to what its pointers point to.
func cloneItem(it catalog.Item) catalog.Item {
	it.CategoryID, it.RateHour, it.RateDay = clonePtr(it.CategoryID), clonePtr(it.RateHour), clonePtr(it.RateDay)
	it.RateWeek, it.RateMonth, it.ArchivedAt = clonePtr(it.RateWeek), clonePtr(it.RateMonth), clonePtr(it.ArchivedAt)
	return it
}

func clonePhotos(ps []PhotoMeta) []PhotoMeta { return slices.Clone(ps) }

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
