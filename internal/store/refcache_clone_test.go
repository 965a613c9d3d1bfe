package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
)

// TestCloneItemRows: a copy of cached rows equals them and shares nothing a
// caller could change through it.
func TestCloneItemRows(t *testing.T) {
	i64 := func(v int64) *int64 { return &v }
	str := func(v string) *string { return &v }
	archived := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var rows []ItemListRow
	for i := range 30 {
		r := ItemListRow{Item: catalog.Item{ID: int64(i + 1), Name: "Item", Slug: "item"}, UnitsTotal: i, SortKey: "k"}
		if i%2 == 0 {
			r.CategoryID, r.CategoryName, r.CategorySlug = i64(int64(i%5)), str("Cameras"), str("cameras")
		}
		if i%3 != 0 {
			r.RateDay, r.RateWeek = i64(int64(100*i)), i64(int64(500*i))
		}
		if i%4 == 0 {
			r.RateHour, r.RateMonth, r.PhotoID = i64(int64(10*i)), i64(int64(2000*i)), i64(int64(7*i))
		}
		if i%7 == 3 {
			r.ArchivedAt = &archived
		}
		rows = append(rows, r)
	}
	want := make([]ItemListRow, len(rows))
	for i, r := range rows { // the same values in pointers of their own
		r.Item = cloneItem(r.Item)
		r.CategoryName, r.CategorySlug, r.PhotoID = clonePtr(r.CategoryName), clonePtr(r.CategorySlug), clonePtr(r.PhotoID)
		want[i] = r
	}
	got := cloneItemRows(rows)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("copy differs:\n%+v\nwant %+v", got, want)
	}
	for i := range got { // change every value the copy points to
		g := &got[i]
		for _, p := range []*int64{g.CategoryID, g.RateHour, g.RateDay, g.RateWeek, g.RateMonth, g.PhotoID} {
			if p != nil {
				*p = -1
			}
		}
		for _, p := range []*string{g.CategoryName, g.CategorySlug} {
			if p != nil {
				*p = "changed"
			}
		}
		if g.ArchivedAt != nil {
			*g.ArchivedAt = time.Time{}
		}
	}
	if !reflect.DeepEqual(rows, want) {
		t.Fatal("changing the copy changed the cached rows")
	}
	if cloneItemRows(nil) != nil {
		t.Fatal("a nil list copies to a list")
	}
}
