package store_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// cachedStore opens a store on url with its reference data cache, as an app
// instance has it, and waits until the cache serves.
func cachedStore(t *testing.T, url string, d *gateDialer) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), url, testenv.ShippedPool(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if d == nil {
		d = &gateDialer{}
	}
	st.StartCacheForTest(url, d)
	eventually(t, "the cache is listening", func() bool { return st.CacheLive() })
	return st
}

// eventually polls cond until it holds, failing the test after a generous
// deadline: what it waits for (a notification, a reconnection) has no
// promised delay, only a promise to happen.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// gateDialer dials PostgreSQL for the listener, or refuses while closed, so
// a test can keep a dropped listener from reconnecting.
type gateDialer struct {
	mu     sync.Mutex
	closed bool
}

func (g *gateDialer) setClosed(c bool) {
	g.mu.Lock()
	g.closed = c
	g.mu.Unlock()
}

func (g *gateDialer) Dial(network, addr string) (net.Conn, error) {
	return g.DialTimeout(network, addr, 0)
}

func (g *gateDialer) DialTimeout(network, addr string, timeout time.Duration) (net.Conn, error) {
	g.mu.Lock()
	closed := g.closed
	g.mu.Unlock()
	if closed {
		return nil, errors.New("test: listener kept disconnected")
	}
	return net.DialTimeout(network, addr, timeout)
}

// silentlyRename changes the shop's name with the notify trigger switched
// off, a change no cache can learn of: what a store answers afterwards
// shows whether it read PostgreSQL or its copy.
func silentlyRename(t *testing.T, st *store.Store, name string) {
	t.Helper()
	err := st.WithTx(t.Context(), func(tx *store.Store) error {
		for _, q := range []string{
			`ALTER TABLE shop_settings DISABLE TRIGGER shop_settings_refdata_notify`,
			`UPDATE shop_settings SET shop_name = '` + name + `'`,
			`ALTER TABLE shop_settings ENABLE TRIGGER shop_settings_refdata_notify`,
		} {
			if _, err := tx.Tx().ExecContext(t.Context(), q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func shopName(t *testing.T, st *store.Store) string {
	t.Helper()
	s, err := st.GetSettings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return s.ShopName
}

func renameShop(ctx context.Context, st *store.Store, name string) error {
	return st.WithTx(ctx, func(tx *store.Store) error {
		s, err := tx.GetSettingsForUpdate(ctx)
		if err != nil {
			return err
		}
		s.ShopName = name
		return tx.UpdateSettings(ctx, s)
	})
}

// Two instances on one database keep the reference data in memory: a write
// on one is seen there at once and on the other without a restart; a
// transaction reads its own writes, not the cache.
func TestRefCacheAcrossInstances(t *testing.T) {
	ctx := t.Context()
	plain, url := testenv.Store(t)
	a, b := cachedStore(t, url, nil), cachedStore(t, url, nil)
	start := shopName(t, a)
	if got := shopName(t, b); got != start {
		t.Fatalf("b reads %q, a %q", got, start)
	}

	// Both serve from memory: a change no one announces is not seen.
	silentlyRename(t, plain, "Unannounced")
	if got, gotB := shopName(t, a), shopName(t, b); got != start || gotB != start {
		t.Fatalf("after an unannounced change a reads %q and b %q, want the cached %q", got, gotB, start)
	}

	// A transaction on a sees its own write; outside it, a still reads
	// what is committed.
	err := a.WithTx(ctx, func(tx *store.Store) error {
		s, err := tx.GetSettingsForUpdate(ctx)
		if err != nil {
			return err
		}
		s.ShopName = "Written on A"
		if err := tx.UpdateSettings(ctx, s); err != nil {
			return err
		}
		if got := shopName(t, tx); got != "Written on A" {
			t.Errorf("the writing transaction reads %q", got)
		}
		if got := shopName(t, a); got != start {
			t.Errorf("outside the transaction, before commit, a reads %q, want %q", got, start)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := shopName(t, a); got != "Written on A" {
		t.Fatalf("right after its commit a reads %q", got)
	}
	eventually(t, "b sees a's settings", func() bool { return shopName(t, b) == "Written on A" })

	// Locations: written on b, seen on b at once and on a soon.
	loc, err := b.CreateLocation(ctx, catalog.Location{Name: "Lyon", Slug: "lyon", TimeZone: "Europe/Paris"})
	if err != nil {
		t.Fatal(err)
	}
	hasLyon := func(st *store.Store) bool {
		ls, err := st.ListLocations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(ls, func(l catalog.Location) bool { return l.ID == loc.ID && l.Name == "Lyon" })
	}
	if !hasLyon(b) {
		t.Fatal("b does not list the location it just created")
	}
	eventually(t, "a lists b's location", func() bool { return hasLyon(a) })
	loc.Name = "Lyon Part-Dieu"
	if _, err := a.UpdateLocation(ctx, loc); err != nil {
		t.Fatal(err)
	}
	renamed := func(st *store.Store) bool {
		ls, err := st.ListLocations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(ls, func(l catalog.Location) bool { return l.Name == "Lyon Part-Dieu" })
	}
	if !renamed(a) {
		t.Fatal("a does not list the location as it just renamed it")
	}
	eventually(t, "b lists a's rename", func() bool { return renamed(b) })
	if l, err := b.GetLocation(ctx, loc.ID); err != nil || l.Name != "Lyon Part-Dieu" || l.TimeZone != "Europe/Paris" {
		t.Fatalf("b's location %d: %+v %v", loc.ID, l, err)
	}
	if _, err := b.GetLocationBySlug(ctx, "nowhere"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("b's unknown location: %v, want ErrNotFound", err)
	}

	// Categories and their public counts, which move with the items.
	cat, err := a.CreateCategory(ctx, "Drones", "drones")
	if err != nil {
		t.Fatal(err)
	}
	count := func(st *store.Store, public bool) int {
		list := st.ListCategories
		if public {
			list = st.ListPublicCategories
		}
		cs, err := list(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.ID == cat.ID {
				return c.ItemCount
			}
		}
		return -1
	}
	if count(a, false) != 0 || count(a, true) != -1 {
		t.Fatalf("a's new category: count %d, public %d", count(a, false), count(a, true))
	}
	eventually(t, "b lists a's category", func() bool { return count(b, false) == 0 })
	if count(b, true) != -1 {
		t.Fatal("an empty category is public on b")
	}
	it, err := b.CreateItem(ctx, catalog.Item{CategoryID: &cat.ID, Name: "Mavic", Slug: "mavic", Tracking: catalog.Serialized,
		RateDay: ptr(int64(3000)), TaxCategory: "standard", OnlineBookable: true})
	if err != nil {
		t.Fatal(err)
	}
	if count(b, true) != 1 {
		t.Fatalf("b counts %d public items after adding one", count(b, true))
	}
	eventually(t, "a counts b's item", func() bool { return count(a, true) == 1 && count(a, false) == 1 })
	if _, err := a.SetItemArchived(ctx, it.ID, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	if count(a, true) != -1 || count(a, false) != 0 {
		t.Fatalf("a after archiving: public %d, all %d", count(a, true), count(a, false))
	}
	eventually(t, "b drops the archived item from its counts", func() bool { return count(b, true) == -1 && count(b, false) == 0 })

	// One category, by id or slug, comes from the same list.
	if _, err := b.UpdateCategory(ctx, cat.ID, "Aerial", "aerial"); err != nil {
		t.Fatal(err)
	}
	if c, err := b.GetCategoryBySlug(ctx, "aerial"); err != nil || c.ID != cat.ID {
		t.Fatalf("b right after renaming: %+v %v", c, err)
	}
	// A slug a's copy does not know yet is read from PostgreSQL, so finding
	// the new slug does not mean the notification has arrived: wait for the
	// lookup by id, which the old copy would answer with the old name.
	eventually(t, "a finds the category by its new slug and its id", func() bool {
		c, err := a.GetCategoryBySlug(ctx, "aerial")
		byID, idErr := a.GetCategory(ctx, cat.ID)
		return err == nil && c.ID == cat.ID && c.Name == "Aerial" && idErr == nil && byID.Slug == "aerial" && byID.Name == "Aerial"
	})
	if _, err := a.GetCategoryBySlug(ctx, "drones"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a's old slug: %v, want ErrNotFound", err)
	}

	// A change by a store without a cache (another program) is announced too.
	if err := renameShop(ctx, plain, "From elsewhere"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a and b see a change by a store without a cache", func() bool {
		return shopName(t, a) == "From elsewhere" && shopName(t, b) == "From elsewhere"
	})
}

// A store whose listener loses its connection reads PostgreSQL every time
// until the listener is back, then keeps copies again.
func TestRefCacheListenerDropped(t *testing.T) {
	ctx := t.Context()
	plain, url := testenv.Store(t)
	gate := &gateDialer{}
	a := cachedStore(t, url, gate)
	silentlyRename(t, plain, "Before")
	if got := shopName(t, a); got != "Before" {
		t.Fatalf("a reads %q, want %q", got, "Before")
	}
	silentlyRename(t, plain, "Unannounced 1")
	if got := shopName(t, a); got != "Before" {
		t.Fatalf("a reads %q, want its cached %q", got, "Before")
	}

	// Cut the listener's connection and keep it from coming back.
	gate.setClosed(true)
	var n int
	if err := plain.DB().QueryRowContext(ctx, `
		SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN "`+store.RefdataChannel+`"'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("terminated %d listener backends, want 1", n)
	}
	eventually(t, "a notices its listener is gone", func() bool { return !a.CacheLive() })
	if got := shopName(t, a); got != "Unannounced 1" {
		t.Fatalf("a without its listener reads %q, want the database's %q", got, "Unannounced 1")
	}
	silentlyRename(t, plain, "Unannounced 2")
	if got := shopName(t, a); got != "Unannounced 2" {
		t.Fatalf("a without its listener reads %q, want the database's %q (no copy kept)", got, "Unannounced 2")
	}

	// Back: copies again, dropped again on announced changes.
	gate.setClosed(false)
	eventually(t, "a's listener reconnects", func() bool { return a.CacheLive() })
	if got := shopName(t, a); got != "Unannounced 2" {
		t.Fatalf("a after reconnecting reads %q", got)
	}
	silentlyRename(t, plain, "Unannounced 3")
	if got := shopName(t, a); got != "Unannounced 2" {
		t.Fatalf("a after reconnecting reads %q, want its copy %q again", got, "Unannounced 2")
	}
	if err := renameShop(ctx, plain, "After"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a sees an announced change after reconnecting", func() bool { return shopName(t, a) == "After" })
}

// A location read from the cache (GetLocation, GetBookingLocation) is the
// caller's own copy: changing its hours or closed dates changes neither the
// cache nor the next reader's copy.
func TestRefCacheLocationIsACopy(t *testing.T) {
	ctx := t.Context()
	_, url := testenv.Store(t)
	a := cachedStore(t, url, nil)
	loc, err := a.CreateLocation(ctx, catalog.Location{Name: "Quay", Slug: "quay", TimeZone: "Europe/Berlin",
		OpeningHours: catalog.OpeningHours{1: {{Open: "09:00", Close: "18:00"}}}, ClosedDates: catalog.DateList{"2030-12-25"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ListLocations(ctx); err != nil { // fill the cache
		t.Fatal(err)
	}
	for range 2 {
		got, err := a.GetLocation(ctx, loc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.OpeningHours[1]) != 1 || got.OpeningHours[1][0].Close != "18:00" || !slices.Equal(got.ClosedDates, catalog.DateList{"2030-12-25"}) {
			t.Fatalf("location read %+v %v", got.OpeningHours, got.ClosedDates)
		}
		got.OpeningHours[1][0].Close = "12:00"
		got.OpeningHours[2] = []catalog.Interval{{Open: "08:00", Close: "09:00"}}
		got.ClosedDates[0] = "2030-01-01"
		bl, err := a.GetBookingLocation(ctx, loc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(bl.OpeningHours) != 1 || bl.OpeningHours[1][0].Close != "18:00" || !slices.Equal(bl.ClosedDates, catalog.DateList{"2030-12-25"}) {
			t.Fatalf("booking location read %+v %v after a caller changed its copy", bl.OpeningHours, bl.ClosedDates)
		}
		bl.OpeningHours[1][0].Close = "13:00"
		bl.ClosedDates[0] = "2030-02-02"
	}
	ls, err := a.ListLocations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.ID == loc.ID && (l.OpeningHours[1][0].Close != "18:00" || len(l.OpeningHours) != 1 || l.ClosedDates[0] != "2030-12-25") {
			t.Fatalf("the cached list changed: %+v %v", l.OpeningHours, l.ClosedDates)
		}
	}
}

// A location's copy keeps every day's hours apart: a caller that adds an
// interval to one day of its copy does not change another day's.
func TestRefCacheLocationDaysAreApart(t *testing.T) {
	ctx := t.Context()
	_, url := testenv.Store(t)
	a := cachedStore(t, url, nil)
	hours := catalog.OpeningHours{1: {{Open: "09:00", Close: "12:00"}, {Open: "14:00", Close: "18:00"}},
		2: {{Open: "09:00", Close: "18:00"}}, 3: {{Open: "10:00", Close: "16:00"}}}
	loc, err := a.CreateLocation(ctx, catalog.Location{Name: "Quay", Slug: "quay", TimeZone: "Europe/Berlin", OpeningHours: hours})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.ListLocations(ctx); err != nil { // fill the cache
		t.Fatal(err)
	}
	got, err := a.GetBookingLocation(ctx, loc.ID)
	if err != nil {
		t.Fatal(err)
	}
	for d := range got.OpeningHours {
		got.OpeningHours[d] = append(got.OpeningHours[d], catalog.Interval{Open: "20:00", Close: "21:00"})
	}
	for d, want := range hours {
		if ivs := got.OpeningHours[d]; !slices.Equal(ivs[:len(ivs)-1], want) {
			t.Errorf("day %d is %v after adding an interval to each day, want %v and the added one", d, ivs, want)
		}
	}
}
