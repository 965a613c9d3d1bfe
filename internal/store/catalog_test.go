package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
)

func TestCategories(t *testing.T) {
	s := newShop(t)
	lenses, err := s.st.CreateCategory(s.ctx, "Lenses", "lenses")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.st.CreateCategory(s.ctx, "Dup", "lenses"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate slug: %v, want ErrConflict", err)
	}
	if err := s.st.WithTx(s.ctx, func(tx *store.Store) error { return tx.MoveCategory(s.ctx, lenses.ID, -1) }); err != nil {
		t.Fatal(err)
	}
	cs, err := s.st.ListCategories(s.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Slug != "lenses" || cs[1].Slug != "cameras" || cs[1].ItemCount != 1 {
		t.Fatalf("after move up: %+v", cs)
	}
	// Moving the first one further up changes nothing.
	if err := s.st.MoveCategory(s.ctx, lenses.ID, -1); err != nil {
		t.Fatal(err)
	}
	if cs, _ = s.st.ListCategories(s.ctx); cs[0].Slug != "lenses" {
		t.Fatalf("first moved: %+v", cs)
	}
	if err := s.st.MoveCategory(s.ctx, 9999, 1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("move missing: %v", err)
	}
	up, err := s.st.UpdateCategory(s.ctx, lenses.ID, "Lenses & filters", "lenses-filters")
	if err != nil || up.Name != "Lenses & filters" {
		t.Fatalf("update: %+v %v", up, err)
	}
	got, err := s.st.GetCategoryBySlug(s.ctx, "lenses-filters")
	if err != nil || got.ID != lenses.ID {
		t.Fatalf("by slug: %+v %v", got, err)
	}
	if _, err := s.st.GetCategory(s.ctx, 424242); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	pub, err := s.st.ListPublicCategories(s.ctx)
	if err != nil || len(pub) != 1 || pub[0].Slug != "cameras" || pub[0].ItemCount != 1 {
		t.Fatalf("public categories (empty ones hidden): %+v %v", pub, err)
	}
}

func TestLocations(t *testing.T) {
	s := newShop(t)
	got, err := s.st.GetLocation(s.ctx, s.berlin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.TimeZone != "Europe/Berlin" || got.OpeningHours.FormatDay(1) != "09:00-18:00" || len(got.ClosedDates) != 1 || got.ClosedDates[0] != "2025-12-25" {
		t.Fatalf("round trip: %+v", got)
	}
	got.Name, got.ClosedDates = "Berlin Mitte", nil
	got.OpeningHours[6] = []catalog.Interval{{Open: "10:00", Close: "14:00"}}
	up, err := s.st.UpdateLocation(s.ctx, got)
	if err != nil || up.Name != "Berlin Mitte" || len(up.ClosedDates) != 0 || up.OpeningHours.FormatDay(6) != "10:00-14:00" {
		t.Fatalf("update: %+v %v", up, err)
	}
	if _, err := s.st.CreateLocation(s.ctx, catalog.Location{Name: "X", Slug: "sf", TimeZone: "UTC"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("dup slug: %v", err)
	}
	ls, err := s.st.ListLocations(s.ctx)
	if err != nil || len(ls) != 2 {
		t.Fatalf("list: %+v %v", ls, err)
	}
	if l, err := s.st.GetLocationBySlug(s.ctx, "sf"); err != nil || l.ID != s.sf.ID {
		t.Fatalf("by slug: %v", err)
	}
}

func TestItemsCRUD(t *testing.T) {
	s := newShop(t)
	it := s.r6
	it.Name, it.RateHour, it.Description = "Canon EOS R6", ptr(int64(900)), "Full frame"
	up, err := s.st.UpdateItem(s.ctx, it)
	if err != nil || up.Name != "Canon EOS R6" || *up.RateHour != 900 || up.Tracking != catalog.Serialized {
		t.Fatalf("update: %+v %v", up, err)
	}
	dup := s.tripod
	dup.Slug = "canon-r6"
	if _, err := s.st.UpdateItem(s.ctx, dup); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("dup slug: %v", err)
	}
	if _, err := s.st.GetPublicItem(s.ctx, "canon-r6"); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	arch, err := s.st.SetItemArchived(s.ctx, s.r6.ID, true, now)
	if err != nil || !arch.Archived() {
		t.Fatalf("archive: %v", err)
	}
	if _, err := s.st.GetPublicItem(s.ctx, "canon-r6"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("archived item is public: %v", err)
	}
	if it, _ := s.st.SetItemArchived(s.ctx, s.r6.ID, false, now); it.Archived() {
		t.Fatal("unarchive failed")
	}
	if n, err := s.st.CountItemStock(s.ctx, s.r6.ID); err != nil || n != 2 {
		t.Fatalf("stock count %d %v", n, err)
	}
	if err := s.st.WithTx(s.ctx, func(tx *store.Store) error {
		_, err := tx.GetItemForUpdate(s.ctx, s.tripod.ID)
		if err != nil {
			return err
		}
		return tx.SetItemTracking(s.ctx, s.tripod.ID, catalog.Serialized)
	}); err != nil {
		t.Fatal(err)
	}
	if it, _ := s.st.GetItem(s.ctx, s.tripod.ID); it.Tracking != catalog.Serialized {
		t.Fatal("tracking not changed")
	}
	offline := s.tripod
	offline.OnlineBookable = false
	if _, err := s.st.UpdateItem(s.ctx, offline); err != nil {
		t.Fatal(err)
	}
	if _, err := s.st.GetPublicItem(s.ctx, "tripod"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("offline item is public: %v", err)
	}
}

func TestListItemsEagerAndKeyset(t *testing.T) {
	s := newShop(t)
	for i := 0; i < 7; i++ {
		if _, err := s.st.CreateItem(s.ctx, catalog.Item{Name: fmt.Sprintf("Lens %02d", i), Slug: fmt.Sprintf("lens-%02d", i),
			Tracking: catalog.Serialized, RateDay: ptr(int64(100)), TaxCategory: "standard", OnlineBookable: true}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.st.AddPhoto(s.ctx, s.r6.ID, catalog.Photo{ContentType: "image/png", Data: []byte("a"), Thumbnail: []byte("b")}); err != nil {
		t.Fatal(err)
	}
	u := s.r6Units[1]
	u.Status = catalog.UnitMaintenance
	if _, err := s.st.UpdateUnit(s.ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := s.st.SetBulkStock(s.ctx, s.tripod.ID, map[int64]int{s.berlin.ID: 5, s.sf.ID: 3}); err != nil {
		t.Fatal(err)
	}
	for _, sort := range store.ItemSortNames {
		var all []string
		var after store.Cursor
		for page := 0; page < 10; page++ {
			rows, err := s.st.ListItems(s.ctx, store.ItemFilter{Sort: sort, After: after, Limit: 3})
			if err != nil {
				t.Fatalf("%s: %v", sort, err)
			}
			for _, r := range rows {
				all = append(all, r.Slug)
			}
			if len(rows) < 3 {
				break
			}
			after = rows[len(rows)-1].CursorOf()
			if c, err := store.DecodeCursor(after.Encode()); err != nil || c != after {
				t.Fatalf("cursor round trip: %v", err)
			}
		}
		if len(all) != 9 {
			t.Fatalf("sort %s: paged %d rows, want 9: %v", sort, len(all), all)
		}
		if sort == "name" && (all[0] != "canon-r6" || all[8] != "tripod") {
			t.Fatalf("name order: %v", all)
		}
	}
	rows, err := s.st.ListItems(s.ctx, store.ItemFilter{Query: "r6", Limit: 10})
	if err != nil || len(rows) != 1 {
		t.Fatalf("search: %v %v", rows, err)
	}
	r := rows[0]
	if r.CategoryName == nil || *r.CategoryName != "Cameras" || r.UnitsTotal != 2 || r.UnitsAvailable != 1 || r.PhotoID == nil {
		t.Fatalf("eager columns: %+v", r)
	}
	if rows, _ := s.st.ListItems(s.ctx, store.ItemFilter{Query: "R6-002"}); len(rows) != 1 {
		t.Fatalf("search by asset tag: %d rows", len(rows))
	}
	if rows, _ := s.st.ListItems(s.ctx, store.ItemFilter{Tracking: catalog.Bulk}); len(rows) != 1 || rows[0].BulkQuantity != 8 {
		t.Fatalf("bulk filter: %+v", rows)
	}
	if rows, _ := s.st.ListItems(s.ctx, store.ItemFilter{CategoryID: s.cameras.ID}); len(rows) != 1 {
		t.Fatalf("category filter: %d", len(rows))
	}
	if rows, _ := s.st.ListItems(s.ctx, store.ItemFilter{Query: "100%_"}); len(rows) != 0 {
		t.Fatalf("LIKE wildcards must match themselves: %d rows", len(rows))
	}
	s.st.SetItemArchived(s.ctx, s.tripod.ID, true, time.Now())
	if rows, _ := s.st.ListItems(s.ctx, store.ItemFilter{Archived: "archived"}); len(rows) != 1 {
		t.Fatalf("archived filter: %d", len(rows))
	}
	if rows, _ := s.st.ListItems(s.ctx, store.ItemFilter{Archived: "all"}); len(rows) != 9 {
		t.Fatalf("all filter: %d", len(rows))
	}
	if _, err := s.st.ListItems(s.ctx, store.ItemFilter{Sort: "name; DROP TABLE items"}); err == nil {
		t.Fatal("unknown sort accepted")
	}
	if _, err := store.DecodeCursor("!!junk"); !errors.Is(err, store.ErrBadCursor) {
		t.Fatalf("junk cursor: %v", err)
	}
	// A forged key is refused before SQL, not failed in it.
	if _, err := store.DecodeCursor(store.Cursor{Key: "a\x00", ID: 1}.Encode()); !errors.Is(err, store.ErrBadCursor) {
		t.Fatalf("NUL in a cursor: %v", err)
	}
	for _, key := range []string{"not a time", "0000-01-01T00:00:00Z"} {
		if _, err := s.st.ListItems(s.ctx, store.ItemFilter{Sort: "newest", After: store.Cursor{Key: key, ID: 1}}); !errors.Is(err, store.ErrBadCursor) {
			t.Fatalf("newest after %q: %v", key, err)
		}
	}
}

func TestListPublicItems(t *testing.T) {
	s := newShop(t)
	s.st.SetItemArchived(s.ctx, s.tripod.ID, true, time.Now())
	rows, err := s.st.ListPublicItems(s.ctx, store.PublicFilter{})
	if err != nil || len(rows) != 1 || rows[0].Slug != "canon-r6" {
		t.Fatalf("public list hides archived: %+v %v", rows, err)
	}
	if rows, _ := s.st.ListPublicItems(s.ctx, store.PublicFilter{Query: "camer"}); len(rows) != 1 {
		t.Fatal("search by category name")
	}
	if rows, _ := s.st.ListPublicItems(s.ctx, store.PublicFilter{FeaturedOnly: true}); len(rows) != 1 {
		t.Fatal("featured")
	}
	if rows, _ := s.st.ListPublicItems(s.ctx, store.PublicFilter{CategoryID: s.cameras.ID + 100}); len(rows) != 0 {
		t.Fatal("category filter")
	}
}
