package store_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// staffCard is what a row of the staff item list says of one item, or "-"
// when the item is not in the list.
func staffCard(t *testing.T, st *store.Store, f store.ItemFilter, id int64) string {
	t.Helper()
	rows, err := st.ListItems(t.Context(), f)
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
			return fmt.Sprintf("%s|%s|online %t|archived %t|units %d/%d|bulk %d|photo %s", r.Name, cat, r.OnlineBookable,
				r.ArchivedAt != nil, r.UnitsAvailable, r.UnitsTotal, r.BulkQuantity, photo)
		}
	}
	return "-"
}

// Pages of the staff item list without a search are kept by both instances
// and dropped by a write to anything a row is made of, whichever instance
// (or none) made it, the same as the public pages: the item (offline and
// archived ones included), its units' statuses, its bulk stock, its photos,
// its category. A search reads PostgreSQL every time. What a cached page
// holds agrees with what PostgreSQL answers, page by page.
func TestStaffListCacheAcrossInstances(t *testing.T) {
	ctx := t.Context()
	plain, url := testenv.Store(t)
	s := newListShop(t, plain)
	a, b := cachedStore(t, url, nil), cachedStore(t, url, nil)
	r6, tripod := s.r6.ID, s.tripod.ID

	active := store.ItemFilter{Limit: 51}
	all := store.ItemFilter{Archived: "all", Sort: "newest", Limit: 51}
	archived := store.ItemFilter{Archived: "archived", Limit: 51}
	cameras := store.ItemFilter{CategoryID: s.cameras.ID, Limit: 51}
	bulk := store.ItemFilter{Tracking: catalog.Bulk, Sort: "-name", Limit: 51}
	// The page after the camera, by name.
	second := store.ItemFilter{After: store.Cursor{Key: "canon r6", ID: r6}, Limit: 51}
	filters := []store.ItemFilter{active, all, archived, cameras, bulk, second}

	// agree checks that every filter's page on a and b is what PostgreSQL
	// answers through the store without a cache.
	agree := func(what string) {
		t.Helper()
		for _, f := range filters {
			want, err := plain.ListItems(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range []*store.Store{a, b} {
				eventually(t, fmt.Sprintf("%s: %+v agrees with PostgreSQL", what, f), func() bool {
					got, err := st.ListItems(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					return reflect.DeepEqual(got, want)
				})
			}
		}
	}
	// expect waits until both instances show want for the item in each of fs.
	expect := func(what string, id int64, want string, fs ...store.ItemFilter) {
		t.Helper()
		for _, st := range []*store.Store{a, b} {
			for _, f := range fs {
				eventually(t, fmt.Sprintf("%s: %+v shows %q", what, f, want), func() bool { return staffCard(t, st, f, id) == want })
			}
		}
		agree(what)
	}
	expect("start", r6, "Canon R6|Cameras|online true|archived false|units 2/2|bulk 0|photo -", active, all, cameras)
	expect("start", tripod, "Tripod|-|online true|archived false|units 0/0|bulk 4|photo -", active, all, bulk, second)

	// Both serve from memory: a change no one announces is not seen on a
	// page without a search; a search (here by the slug) reads PostgreSQL.
	search := store.ItemFilter{Query: "r6", Limit: 51}
	for _, st := range []*store.Store{a, b} {
		if got := staffCard(t, st, search, r6); got != "Canon R6|Cameras|online true|archived false|units 2/2|bulk 0|photo -" {
			t.Fatalf("a search reads %q", got)
		}
	}
	silently(t, plain, "items", `UPDATE items SET name = 'Unannounced' WHERE id = $1`, r6)
	for _, st := range []*store.Store{a, b} {
		for _, f := range []store.ItemFilter{active, all, cameras} {
			if got := staffCard(t, st, f, r6); got != "Canon R6|Cameras|online true|archived false|units 2/2|bulk 0|photo -" {
				t.Fatalf("after an unannounced rename %+v reads %q, want the cached row", f, got)
			}
		}
		if got := staffCard(t, st, search, r6); got != "Unannounced|Cameras|online true|archived false|units 2/2|bulk 0|photo -" {
			t.Fatalf("a search after an unannounced rename reads %q, want PostgreSQL's row", got)
		}
	}
	silently(t, plain, "items", `UPDATE items SET name = 'Canon R6' WHERE id = $1`, r6)

	// Callers get copies: changing what one got changes no one else's.
	rows, err := a.ListItems(ctx, cameras)
	if err != nil || len(rows) != 1 {
		t.Fatalf("category page: %v, %d rows", err, len(rows))
	}
	*rows[0].CategoryName, rows[0].Name = "Scribbled", "Scribbled"
	if got := staffCard(t, a, cameras, r6); got != "Canon R6|Cameras|online true|archived false|units 2/2|bulk 0|photo -" {
		t.Fatalf("after a caller wrote into its rows a reads %q", got)
	}

	// An item edit on a: a sees it right after its commit, b soon.
	it := s.r6
	it.Name = "Canon R6 II"
	if _, err := a.UpdateItem(ctx, it); err != nil {
		t.Fatal(err)
	}
	if got := staffCard(t, a, active, r6); got != "Canon R6 II|Cameras|online true|archived false|units 2/2|bulk 0|photo -" {
		t.Fatalf("right after its edit a reads %q", got)
	}
	expect("item edit", r6, "Canon R6 II|Cameras|online true|archived false|units 2/2|bulk 0|photo -", active, all, cameras)

	// Units: one retired through the unit form (b), one sent to maintenance
	// in a transaction (a), one added (a store without the cache).
	err = b.WithTx(ctx, func(tx *store.Store) error {
		u := s.r6a
		u.Status = "retired"
		_, err := tx.UpdateUnit(ctx, u)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	expect("unit retired", r6, "Canon R6 II|Cameras|online true|archived false|units 1/1|bulk 0|photo -", active, cameras)
	err = a.WithTx(ctx, func(tx *store.Store) error { return tx.SetUnitStatusRow(ctx, s.r6b.ID, "maintenance") })
	if err != nil {
		t.Fatal(err)
	}
	if got := staffCard(t, a, active, r6); got != "Canon R6 II|Cameras|online true|archived false|units 0/1|bulk 0|photo -" {
		t.Fatalf("right after its commit a reads %q", got)
	}
	expect("unit in maintenance", r6, "Canon R6 II|Cameras|online true|archived false|units 0/1|bulk 0|photo -", active, cameras)
	if _, err := plain.CreateUnits(ctx, r6, s.berlin.ID, []string{"R6-003"}, ""); err != nil {
		t.Fatal(err)
	}
	expect("unit added", r6, "Canon R6 II|Cameras|online true|archived false|units 1/2|bulk 0|photo -", active, all)

	// Bulk stock and photos.
	if err := plain.SetBulkStock(ctx, tripod, map[int64]int{s.berlin.ID: 6}); err != nil {
		t.Fatal(err)
	}
	expect("bulk stock", tripod, "Tripod|-|online true|archived false|units 0/0|bulk 6|photo -", active, bulk, second)
	p1, err := plain.AddPhoto(ctx, tripod, catalog.Photo{ContentType: "image/png", Data: []byte("p"), Thumbnail: []byte("t")})
	if err != nil {
		t.Fatal(err)
	}
	expect("photo added", tripod, fmt.Sprintf("Tripod|-|online true|archived false|units 0/0|bulk 6|photo %d", p1.ID), active, bulk)

	// The category renamed.
	if _, err := plain.UpdateCategory(ctx, s.cameras.ID, "Cameras & lenses", "cameras"); err != nil {
		t.Fatal(err)
	}
	expect("category rename", r6, "Canon R6 II|Cameras & lenses|online true|archived false|units 1/2|bulk 0|photo -", active, cameras)

	// Taken off line by hand in SQL (only the trigger tells): staff still
	// list it. Then archived: off the active list, on the archived one.
	if _, err := plain.DB().ExecContext(ctx, `UPDATE items SET online_bookable = false WHERE id = $1`, r6); err != nil {
		t.Fatal(err)
	}
	expect("item offline", r6, "Canon R6 II|Cameras & lenses|online false|archived false|units 1/2|bulk 0|photo -", active, all, cameras)
	if _, err := plain.SetItemArchived(ctx, tripod, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	expect("item archived", tripod, "-", active, bulk)
	expect("item archived", tripod, fmt.Sprintf("Tripod|-|online true|archived true|units 0/0|bulk 6|photo %d", p1.ID), all, archived)

	// A new item, added elsewhere, comes first on the newest list.
	nw, err := plain.CreateItem(ctx, catalog.Item{Name: "Aputure 300d", Slug: "aputure-300d", Tracking: catalog.Serialized,
		RateDay: ptr(int64(3000)), MinDurationMinutes: 60, TaxCategory: "standard"})
	if err != nil {
		t.Fatal(err)
	}
	expect("item added", nw.ID, "Aputure 300d|-|online false|archived false|units 0/0|bulk 0|photo -", active, all)
}
