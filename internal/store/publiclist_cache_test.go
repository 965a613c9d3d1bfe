package store_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// listShop is a small public catalog for the list cache tests: a serialized
// featured camera with units in a category, a bulk tripod with stock, both
// online.
type listShop struct {
	cameras      catalog.Category
	berlin       catalog.Location
	r6, tripod   catalog.Item
	r6a, r6b     catalog.Unit
	allF, catF   store.PublicFilter
	featF, pageF store.PublicFilter
}

func newListShop(t *testing.T, st *store.Store) *listShop {
	t.Helper()
	ctx := t.Context()
	var s listShop
	var err error
	if s.cameras, err = st.CreateCategory(ctx, "Cameras", "cameras"); err != nil {
		t.Fatal(err)
	}
	if s.berlin, err = st.CreateLocation(ctx, catalog.Location{Name: "Berlin", Slug: "berlin", TimeZone: "Europe/Berlin",
		OpeningHours: catalog.OpeningHours{1: {{Open: "09:00", Close: "18:00"}}}, ClosedDates: catalog.DateList{"2025-12-25"}}); err != nil {
		t.Fatal(err)
	}
	if s.r6, err = st.CreateItem(ctx, catalog.Item{CategoryID: &s.cameras.ID, Name: "Canon R6", Slug: "canon-r6", Tracking: catalog.Serialized,
		RateDay: ptr(int64(4500)), MinDurationMinutes: 60, TaxCategory: "standard", OnlineBookable: true, Featured: true}); err != nil {
		t.Fatal(err)
	}
	if s.tripod, err = st.CreateItem(ctx, catalog.Item{Name: "Tripod", Slug: "tripod", Tracking: catalog.Bulk,
		RateDay: ptr(int64(500)), TaxCategory: "standard", OnlineBookable: true}); err != nil {
		t.Fatal(err)
	}
	us, err := st.CreateUnits(ctx, s.r6.ID, s.berlin.ID, []string{"R6-001", "R6-002"}, "")
	if err != nil {
		t.Fatal(err)
	}
	s.r6a, s.r6b = us[0], us[1]
	if err := st.SetBulkStock(ctx, s.tripod.ID, map[int64]int{s.berlin.ID: 4}); err != nil {
		t.Fatal(err)
	}
	s.allF = store.PublicFilter{Limit: 25}
	s.catF = store.PublicFilter{CategoryID: s.cameras.ID, Limit: 25}
	s.featF = store.PublicFilter{FeaturedOnly: true, Limit: 8}
	// A second page, after the camera: the cursor is part of what is kept.
	s.pageF = store.PublicFilter{After: store.Cursor{Key: "canon r6", ID: s.r6.ID}, Limit: 25}
	return &s
}

// card is what a list row says of one item, or "-" when the item is not in
// the list.
func card(t *testing.T, st *store.Store, f store.PublicFilter, id int64) string {
	t.Helper()
	rows, err := st.ListPublicItems(t.Context(), f)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.ID == id {
			cat, photo := "-", "-"
			if r.CategoryName != nil {
				cat = *r.CategoryName
			}
			if r.PhotoID != nil {
				photo = fmt.Sprint(*r.PhotoID)
			}
			return fmt.Sprintf("%s|%s|units %d/%d|bulk %d|photo %s", r.Name, cat, r.UnitsAvailable, r.UnitsTotal, r.BulkQuantity, photo)
		}
	}
	return "-"
}

// itemPage is what the item page reads of an item by slug: its name and
// its photos, or "-" when it is not public.
func itemPage(t *testing.T, st *store.Store, slug string) string {
	t.Helper()
	it, err := st.GetPublicItem(t.Context(), slug)
	if errors.Is(err, store.ErrNotFound) {
		return "-"
	}
	if err != nil {
		t.Fatal(err)
	}
	ps, err := st.ListPhotos(t.Context(), it.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := it.Name + "|photos"
	for _, p := range ps {
		out += fmt.Sprintf(" %d", p.ID)
	}
	return out
}

// calendarItem is what an item's calendar reads of an item by id: its name,
// or "-" when it is not public.
func calendarItem(t *testing.T, st *store.Store, id int64) string {
	t.Helper()
	it, err := st.GetPublicItemByID(t.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return "-"
	}
	if err != nil {
		t.Fatal(err)
	}
	return it.Name
}

// silently runs a write on table with its triggers off (the notifications
// among them), a change no cache learns of.
func silently(t *testing.T, st *store.Store, table, q string, args ...any) {
	t.Helper()
	err := st.WithTx(t.Context(), func(tx *store.Store) error {
		if _, err := tx.Tx().ExecContext(t.Context(), `ALTER TABLE `+table+` DISABLE TRIGGER USER`); err != nil {
			return err
		}
		if _, err := tx.Tx().ExecContext(t.Context(), q, args...); err != nil {
			return err
		}
		_, err := tx.Tx().ExecContext(t.Context(), `ALTER TABLE `+table+` ENABLE TRIGGER USER`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Pages of the public list are kept by both instances and dropped by a write
// to anything a card is made of, whichever instance (or none) made it: the
// item, its units' statuses, its bulk stock, its photos, its category, its
// archiving and online flag. The writing instance sees its write at once.
func TestPublicListCacheAcrossInstances(t *testing.T) {
	ctx := t.Context()
	plain, url := testenv.Store(t)
	s := newListShop(t, plain)
	a, b := cachedStore(t, url, nil), cachedStore(t, url, nil)

	// expect waits until both instances show want for the item in every
	// list shape it is in (inCat: the category's page and the featured one
	// too, for the camera), and page on its item page ("": not checked).
	expect := func(what string, id int64, inCat bool, want, page string) {
		t.Helper()
		fs := []store.PublicFilter{s.allF}
		if inCat {
			fs = append(fs, s.catF, s.featF)
		}
		if id == s.tripod.ID {
			fs = append(fs, s.pageF)
		}
		for _, st := range []*store.Store{a, b} {
			if page != "" {
				slug := s.r6.Slug
				if id == s.tripod.ID {
					slug = s.tripod.Slug
				}
				eventually(t, fmt.Sprintf("%s: the item page shows %q", what, page), func() bool { return itemPage(t, st, slug) == page })
				name, _, _ := strings.Cut(page, "|")
				eventually(t, fmt.Sprintf("%s: the item's calendar shows %q", what, name), func() bool { return calendarItem(t, st, id) == name })
			}
			for _, f := range fs {
				eventually(t, fmt.Sprintf("%s: %+v shows %q", what, f, want), func() bool { return card(t, st, f, id) == want })
			}
		}
	}
	r6, tripod := s.r6.ID, s.tripod.ID
	expect("start", r6, true, "Canon R6|Cameras|units 2/2|bulk 0|photo -", "Canon R6|photos")
	expect("start", tripod, false, "Tripod|-|units 0/0|bulk 4|photo -", "Tripod|photos")

	// Both serve from memory: a change no one announces is not seen, in
	// any shape or page.
	silently(t, plain, "items", `UPDATE items SET name = 'Unannounced' WHERE id = $1`, r6)
	silently(t, plain, "bulk_stock", `UPDATE bulk_stock SET quantity = 99 WHERE item_id = $1`, tripod)
	for _, st := range []*store.Store{a, b} {
		for _, f := range []store.PublicFilter{s.allF, s.catF, s.featF} {
			if got := card(t, st, f, r6); got != "Canon R6|Cameras|units 2/2|bulk 0|photo -" {
				t.Fatalf("after an unannounced rename %+v reads %q, want the cached card", f, got)
			}
		}
		if got := card(t, st, s.pageF, tripod); got != "Tripod|-|units 0/0|bulk 4|photo -" {
			t.Fatalf("after an unannounced stock change the second page reads %q, want the cached card", got)
		}
		if got := itemPage(t, st, s.r6.Slug); got != "Canon R6|photos" {
			t.Fatalf("after an unannounced rename the item page reads %q, want the cached item", got)
		}
		if got := calendarItem(t, st, r6); got != "Canon R6" {
			t.Fatalf("after an unannounced rename the item's calendar reads %q, want the cached item", got)
		}
	}
	// A store without the cache reads the database, as before.
	if got := card(t, plain, s.allF, r6); got != "Unannounced|Cameras|units 2/2|bulk 0|photo -" {
		t.Fatalf("the plain store reads %q", got)
	}

	// Callers get copies: changing what one got changes no one else's.
	rows, err := a.ListPublicItems(ctx, s.catF)
	if err != nil || len(rows) != 1 {
		t.Fatalf("category page: %v, %d rows", err, len(rows))
	}
	*rows[0].CategoryName, rows[0].Name = "Scribbled", "Scribbled"
	if got := card(t, a, s.catF, r6); got != "Canon R6|Cameras|units 2/2|bulk 0|photo -" {
		t.Fatalf("after a caller wrote into its rows a reads %q", got)
	}

	// An item edit on a: a sees it right after its commit, b soon.
	it := s.r6
	it.Name = "Canon R6 II"
	if _, err := a.UpdateItem(ctx, it); err != nil {
		t.Fatal(err)
	}
	if got := card(t, a, s.catF, r6); got != "Canon R6 II|Cameras|units 2/2|bulk 0|photo -" {
		t.Fatalf("right after its edit a reads %q", got)
	}
	if got := itemPage(t, a, s.r6.Slug); got != "Canon R6 II|photos" {
		t.Fatalf("right after its edit a's item page reads %q", got)
	}
	if got := calendarItem(t, a, r6); got != "Canon R6 II" {
		t.Fatalf("right after its edit a's item calendar reads %q", got)
	}
	expect("item edit", r6, true, "Canon R6 II|Cameras|units 2/2|bulk 0|photo -", "Canon R6 II|photos")

	// Units: one retired through the unit form (b), one sent to maintenance
	// by the booking engine's status write in a transaction (a), one added
	// (a store without the cache).
	err = b.WithTx(ctx, func(tx *store.Store) error {
		u := s.r6a
		u.Status = "retired"
		_, err := tx.UpdateUnit(ctx, u)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	expect("unit retired", r6, true, "Canon R6 II|Cameras|units 1/1|bulk 0|photo -", "")
	err = a.WithTx(ctx, func(tx *store.Store) error {
		if err := tx.SetUnitStatusRow(ctx, s.r6b.ID, "maintenance"); err != nil {
			return err
		}
		// The transaction reads its own write, not the cache.
		if got := card(t, tx, s.catF, r6); got != "Canon R6 II|Cameras|units 0/1|bulk 0|photo -" {
			return fmt.Errorf("inside its transaction a reads %q", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := card(t, a, s.catF, r6); got != "Canon R6 II|Cameras|units 0/1|bulk 0|photo -" {
		t.Fatalf("right after its commit a reads %q", got)
	}
	expect("unit in maintenance", r6, true, "Canon R6 II|Cameras|units 0/1|bulk 0|photo -", "")
	if _, err := plain.CreateUnits(ctx, r6, s.berlin.ID, []string{"R6-003"}, ""); err != nil {
		t.Fatal(err)
	}
	expect("unit added", r6, true, "Canon R6 II|Cameras|units 1/2|bulk 0|photo -", "")

	// Bulk stock (the silent 99 above is what the database holds until now).
	if err := plain.SetBulkStock(ctx, tripod, map[int64]int{s.berlin.ID: 6}); err != nil {
		t.Fatal(err)
	}
	expect("bulk stock", tripod, false, "Tripod|-|units 0/0|bulk 6|photo -", "")

	// Photos: added, moved before another, removed.
	png := catalog.Photo{ContentType: "image/png", Data: []byte("p"), Thumbnail: []byte("t")}
	p1, err := plain.AddPhoto(ctx, tripod, png)
	if err != nil {
		t.Fatal(err)
	}
	expect("photo added", tripod, false, fmt.Sprintf("Tripod|-|units 0/0|bulk 6|photo %d", p1.ID), fmt.Sprintf("Tripod|photos %d", p1.ID))
	p2, err := plain.AddPhoto(ctx, tripod, png)
	if err != nil {
		t.Fatal(err)
	}
	err = plain.WithTx(ctx, func(tx *store.Store) error { _, err := tx.MovePhoto(ctx, p2.ID, -1); return err })
	if err != nil {
		t.Fatal(err)
	}
	expect("photo moved first", tripod, false, fmt.Sprintf("Tripod|-|units 0/0|bulk 6|photo %d", p2.ID), fmt.Sprintf("Tripod|photos %d %d", p2.ID, p1.ID))
	if _, err := plain.DeletePhoto(ctx, p2.ID); err != nil {
		t.Fatal(err)
	}
	expect("photo removed", tripod, false, fmt.Sprintf("Tripod|-|units 0/0|bulk 6|photo %d", p1.ID), fmt.Sprintf("Tripod|photos %d", p1.ID))

	// The category renamed.
	if _, err := plain.UpdateCategory(ctx, s.cameras.ID, "Cameras & lenses", "cameras"); err != nil {
		t.Fatal(err)
	}
	expect("category rename", r6, true, "Canon R6 II|Cameras & lenses|units 1/2|bulk 0|photo -", "")

	// Taken off line by hand in SQL (no store method: only the trigger
	// tells), then back, then archived.
	if _, err := plain.DB().ExecContext(ctx, `UPDATE items SET online_bookable = false WHERE id = $1`, r6); err != nil {
		t.Fatal(err)
	}
	expect("item offline", r6, true, "-", "-")
	if _, err := plain.DB().ExecContext(ctx, `UPDATE items SET online_bookable = true WHERE id = $1`, r6); err != nil {
		t.Fatal(err)
	}
	expect("item online again", r6, true, "Canon R6 II|Cameras & lenses|units 1/2|bulk 0|photo -", "Canon R6 II|photos")
	if _, err := plain.SetItemArchived(ctx, tripod, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	expect("item archived", tripod, false, "-", "-")
}

// Without its listener a store reads the public list from PostgreSQL every
// time, and keeps pages again once the listener is back. The date chooser's
// locations come from the cached locations, the same as PostgreSQL's.
func TestPublicListCacheListenerDropped(t *testing.T) {
	ctx := t.Context()
	plain, url := testenv.Store(t)
	s := newListShop(t, plain)
	gate := &gateDialer{}
	a := cachedStore(t, url, gate)

	want := "Canon R6|Cameras|units 2/2|bulk 0|photo -"
	if got := card(t, a, s.allF, s.r6.ID); got != want {
		t.Fatalf("a reads %q", got)
	}
	silently(t, plain, "items", `UPDATE items SET name = 'Unannounced 1' WHERE id = $1`, s.r6.ID)
	if got := card(t, a, s.allF, s.r6.ID); got != want {
		t.Fatalf("a reads %q, want its cached %q", got, want)
	}

	// The booking locations: the cached list narrowed, equal to the query's.
	fromSQL, err := plain.ListBookingLocations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cached, err := a.ListBookingLocations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromSQL) != 1 || !reflect.DeepEqual(cached, fromSQL) {
		t.Fatalf("booking locations: cached %+v, from SQL %+v", cached, fromSQL)
	}
	one, err := a.GetBookingLocation(ctx, s.berlin.ID)
	if err != nil || !reflect.DeepEqual(one, fromSQL[0]) {
		t.Fatalf("booking location: %+v, %v; want %+v", one, err, fromSQL[0])
	}
	if _, err := a.GetBookingLocation(ctx, s.berlin.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown booking location: %v, want ErrNotFound", err)
	}

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
	for i, name := range []string{"Unannounced 1", "Unannounced 2"} {
		if i > 0 {
			silently(t, plain, "items", `UPDATE items SET name = $2 WHERE id = $1`, s.r6.ID, name)
		}
		for _, f := range []store.PublicFilter{s.allF, s.catF, s.featF} {
			if got, w := card(t, a, f, s.r6.ID), name+"|Cameras|units 2/2|bulk 0|photo -"; got != w {
				t.Fatalf("a without its listener reads %q for %+v, want the database's %q", got, f, w)
			}
		}
		if got := itemPage(t, a, s.r6.Slug); got != name+"|photos" {
			t.Fatalf("a's item page without its listener reads %q, want the database's %q", got, name)
		}
		if got := calendarItem(t, a, s.r6.ID); got != name {
			t.Fatalf("a's item calendar without its listener reads %q, want the database's %q", got, name)
		}
	}
	silently(t, plain, "locations", `UPDATE locations SET name = 'Berlin Mitte' WHERE id = $1`, s.berlin.ID)
	if ls, err := a.ListBookingLocations(ctx); err != nil || len(ls) != 1 || ls[0].Name != "Berlin Mitte" {
		t.Fatalf("booking locations without the listener: %+v, %v", ls, err)
	}

	gate.setClosed(false)
	eventually(t, "a's listener reconnects", func() bool { return a.CacheLive() })
	if got := card(t, a, s.allF, s.r6.ID); got != "Unannounced 2|Cameras|units 2/2|bulk 0|photo -" {
		t.Fatalf("a after reconnecting reads %q", got)
	}
	silently(t, plain, "items", `UPDATE items SET name = 'Unannounced 3' WHERE id = $1`, s.r6.ID)
	if got := card(t, a, s.allF, s.r6.ID); got != "Unannounced 2|Cameras|units 2/2|bulk 0|photo -" {
		t.Fatalf("a after reconnecting reads %q, want its copy again", got)
	}
}
