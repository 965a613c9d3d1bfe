package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
)

// TestPublicItemsShapes checks that each fixed query shape of the public
// list (no filter, one category, featured, a search) gives the same rows,
// page after page, as the general form with its optional filters, on a
// catalog with what the filters must tell apart: archived and offline
// items, names equal but for case (the cursor's tie-break on id), items
// without a category, units, stock and photos, and LIKE's special
// characters in names and searches. Each page is read again and again, so
// the prepared statements are past the runs after which PostgreSQL may
// switch to a generic plan.
func TestPublicItemsShapes(t *testing.T) {
	s := newShop(t)
	bikes, err := s.st.CreateCategory(s.ctx, "Bikes", "bikes")
	if err != nil {
		t.Fatal(err)
	}
	empty, err := s.st.CreateCategory(s.ctx, "Empty", "empty")
	if err != nil {
		t.Fatal(err)
	}
	type seed struct {
		name, desc        string
		cat               *int64
		online, featured  bool
		archived, bulkQty bool
	}
	seeds := []seed{
		{name: "alpha lens", cat: &s.cameras.ID, online: true},
		{name: "Alpha Lens", cat: &s.cameras.ID, online: true, featured: true},
		{name: "ALPHA LENS", online: true},
		{name: "Beta bike", cat: &bikes.ID, online: true, featured: true},
		{name: "City cruiser", desc: "A comfortable bike for town", cat: &bikes.ID, online: true},
		{name: "Gravel", cat: &bikes.ID, online: true, bulkQty: true},
		{name: "Hidden bike", cat: &bikes.ID, online: false, featured: true},
		{name: "Old bike", cat: &bikes.ID, online: true, featured: true, archived: true},
		{name: "100% cotton tent", desc: "sleeps_two", online: true, bulkQty: true},
		{name: "under_score", cat: &s.cameras.ID, online: true},
		{name: "Zoom lens", desc: "100 percent", cat: &s.cameras.ID, online: true, featured: true},
	}
	for i, sd := range seeds {
		tracking := catalog.Serialized
		if sd.bulkQty {
			tracking = catalog.Bulk
		}
		it, err := s.st.CreateItem(s.ctx, catalog.Item{CategoryID: sd.cat, Name: sd.name, Slug: "seed-" + string(rune('a'+i)),
			Description: sd.desc, Tracking: tracking, RateDay: ptr(int64(1000 + i)), MinDurationMinutes: 60,
			TaxCategory: "standard", OnlineBookable: sd.online, Featured: sd.featured})
		if err != nil {
			t.Fatal(err)
		}
		if sd.bulkQty {
			if err := s.st.SetBulkStock(s.ctx, it.ID, map[int64]int{s.berlin.ID: 3 + i}); err != nil {
				t.Fatal(err)
			}
		} else if i%2 == 0 {
			if _, err := s.st.CreateUnits(s.ctx, it.ID, s.berlin.ID, []string{sd.name[:1] + "-" + string(rune('a'+i))}, ""); err != nil {
				t.Fatal(err)
			}
		}
		if i%3 == 0 {
			if _, err := s.st.AddPhoto(s.ctx, it.ID, catalog.Photo{ContentType: "image/png", Data: []byte("p"), Thumbnail: []byte("t")}); err != nil {
				t.Fatal(err)
			}
		}
		if sd.archived {
			if _, err := s.st.SetItemArchived(s.ctx, it.ID, true, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}

	// The seeded catalog must give the filters something to tell apart,
	// or equal results would prove nothing.
	all, err := s.st.ListPublicItemsGeneralForTest(s.ctx, store.PublicFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 11 { // nine of the seeded items, the shop's Canon R6 and tripod
		names := make([]string, len(all))
		for i, r := range all {
			names[i] = r.Name
		}
		t.Fatalf("general form, no filter: %d rows %q", len(all), names)
	}

	filters := []store.PublicFilter{
		{},
		{CategoryID: s.cameras.ID},
		{CategoryID: bikes.ID},
		{CategoryID: empty.ID},
		{CategoryID: 424242},
		{FeaturedOnly: true},
		{Query: "bike"},  // names, a description and a category name
		{Query: "ALPHA"}, // case
		{Query: "%"},     // LIKE's wildcards are searched for as text
		{Query: "_"},
		{Query: "100%"},
		{Query: "nothing like it"},
	}
	for _, f := range filters {
		if !store.PublicItemsShapeForTest(f) {
			t.Fatalf("%+v: runs the general form, want a fixed shape", f)
		}
		for _, limit := range []int{1, 2, 3, 24} {
			f := f
			f.Limit = limit
			for page := 0; ; page++ {
				want, err := s.st.ListPublicItemsGeneralForTest(s.ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				for range 3 {
					got, err := s.st.ListPublicItems(s.ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("%+v page %d:\n got  %+v\n want %+v", f, page, got, want)
					}
				}
				if len(want) < limit {
					break
				}
				f.After = want[len(want)-1].CursorOf()
			}
		}
	}

	// Filters combined run the general form.
	if store.PublicItemsShapeForTest(store.PublicFilter{Query: "bike", CategoryID: bikes.ID}) {
		t.Fatal("query and category combined: want the general form")
	}
	got, err := s.st.ListPublicItems(s.ctx, store.PublicFilter{Query: "bike", FeaturedOnly: true})
	if err != nil || len(got) != 1 || got[0].Name != "Beta bike" {
		t.Fatalf("featured bikes: %+v %v", got, err)
	}
}
