package store_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
)

func TestImportRecord(t *testing.T) {
	s := newShop(t)
	probs := []catalog.Problem{{Row: 2, Column: "rate_day", Message: "bad"}}
	im, err := s.st.CreateImport(s.ctx, catalog.ImportItems, "items.csv", []byte("a,b"), probs, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.st.GetImport(s.ctx, im.ID)
	if err != nil || got.Filename != "items.csv" || string(got.Content) != "a,b" || len(got.Problems()) != 1 || got.Problems()[0].Column != "rate_day" {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	if err := s.st.MarkImportApplied(s.ctx, im.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.st.MarkImportApplied(s.ctx, im.ID); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second apply: %v", err)
	}
}

func TestCheckImportReferences(t *testing.T) {
	s := newShop(t)
	items := catalog.ParseImport(catalog.ImportItems, []byte("slug,name,tracking,rate_day,category\n"+
		"canon-r6,Canon R6,bulk,10,cameras\nnew-thing,New,serialized,10,nope\n"), "EUR")
	if len(items.Problems) != 0 {
		t.Fatalf("parse: %+v", items.Problems)
	}
	ps, err := s.st.CheckImport(s.ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2/tracking", "3/category"}
	if got := problemKeys(ps); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("problems %v, want %v", got, want)
	}
	units := catalog.ParseImport(catalog.ImportUnits, []byte("asset_tag,item,location\nA1,canon-r6,berlin\nA2,tripod,berlin\nA3,ghost,mars\n"), "EUR")
	ps, err = s.st.CheckImport(s.ctx, units)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"3/item", "4/item", "4/location"}
	if got := problemKeys(ps); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("problems %v, want %v", got, want)
	}
}

func problemKeys(ps []catalog.Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%d/%s", p.Row, p.Column))
	}
	return out
}

func TestApplyImportsUpsert(t *testing.T) {
	s := newShop(t)
	file := "slug,name,category,tracking,rate_day,deposit,archived\n" +
		"canon-r6,Canon R6 Mark I,cameras,serialized,50.00,200,false\n" +
		"gopro,GoPro 12,,serialized,15,,true\n"
	im := catalog.ParseImport(catalog.ImportItems, []byte(file), "EUR")
	var res store.ImportResult
	err := s.st.WithTx(s.ctx, func(tx *store.Store) (err error) {
		res, err = tx.ApplyItemImport(s.ctx, im.Items, time.Now())
		return err
	})
	if err != nil || res.Inserted != 1 || res.Updated != 1 {
		t.Fatalf("apply: %+v %v", res, err)
	}
	r6, _ := s.st.GetItem(s.ctx, s.r6.ID)
	if r6.Name != "Canon R6 Mark I" || *r6.RateDay != 5000 || r6.Deposit != 20000 || r6.CategoryID == nil {
		t.Fatalf("updated item: %+v", r6)
	}
	// Re-importing the same file updates, never duplicates.
	res, err = s.st.ApplyItemImport(s.ctx, im.Items, time.Now())
	if err != nil || res.Inserted != 0 || res.Updated != 2 {
		t.Fatalf("re-apply: %+v %v", res, err)
	}
	rows, _ := s.st.ListItems(s.ctx, store.ItemFilter{Archived: "all"})
	if len(rows) != 3 {
		t.Fatalf("items after re-import: %d", len(rows))
	}
	units := catalog.ParseImport(catalog.ImportUnits, []byte("asset_tag,item,location,status,serial_number\n"+
		"R6-001,canon-r6,sf,maintenance,S1\nGP-1,gopro,berlin,,\n"), "EUR")
	res, err = s.st.ApplyUnitImport(s.ctx, units.Units)
	if err != nil || res.Inserted != 1 || res.Updated != 1 {
		t.Fatalf("units: %+v %v", res, err)
	}
	u, _ := s.st.GetUnitByTag(s.ctx, "R6-001")
	if u.LocationID != s.sf.ID || u.Status != catalog.UnitMaintenance || u.SerialNumber != "S1" {
		t.Fatalf("updated unit: %+v", u)
	}
	// A row whose reference is gone fails the whole import.
	bad := catalog.ParseImport(catalog.ImportUnits, []byte("asset_tag,item,location\nX-1,gopro,berlin\nX-2,gopro,nowhere\n"), "EUR")
	err = s.st.WithTx(s.ctx, func(tx *store.Store) error { _, err := tx.ApplyUnitImport(s.ctx, bad.Units); return err })
	if !errors.Is(err, store.ErrConflict) {
		t.Fatalf("partial import: %v", err)
	}
	if _, err := s.st.GetUnitByTag(s.ctx, "X-1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("an all-or-nothing import wrote a row")
	}
	ex, err := s.st.ExportItems(s.ctx, 0, 100)
	if err != nil || len(ex) != 3 || ex[0].CategorySlug == nil {
		t.Fatalf("export: %+v %v", ex, err)
	}
}

// TestImportTenThousandRows applies 10,000 items and 10,000 units and logs
// the time; it asserts only the counts (machines differ).
func TestImportTenThousandRows(t *testing.T) {
	s := newShop(t)
	var items, units strings.Builder
	items.WriteString("slug,name,category,tracking,description,rate_hour,rate_day,rate_week,deposit\n")
	units.WriteString("asset_tag,item,location,serial_number,status\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&items, "item-%05d,Item %d,cameras,serialized,\"A thing, number %d\",2.50,12.00,60,100\n", i, i, i)
		fmt.Fprintf(&units, "T-%05d,item-%05d,berlin,SN%d,available\n", i, i, i)
	}
	for _, c := range []struct {
		kind string
		data string
	}{{catalog.ImportItems, items.String()}, {catalog.ImportUnits, units.String()}} {
		start := time.Now()
		im := catalog.ParseImport(c.kind, []byte(c.data), "EUR")
		parsed := time.Since(start)
		ps, err := s.st.CheckImport(s.ctx, im)
		if err != nil || len(ps)+len(im.Problems) != 0 {
			t.Fatalf("%s check: %v %v %v", c.kind, err, im.Problems, ps)
		}
		checked := time.Since(start)
		var res store.ImportResult
		err = s.st.WithTx(s.ctx, func(tx *store.Store) (err error) {
			if c.kind == catalog.ImportItems {
				res, err = tx.ApplyItemImport(s.ctx, im.Items, time.Now())
			} else {
				res, err = tx.ApplyUnitImport(s.ctx, im.Units)
			}
			return err
		})
		if err != nil || res.Inserted != 10000 {
			t.Fatalf("%s apply: %+v %v", c.kind, res, err)
		}
		t.Logf("10,000 %s: parse %v, dry-run check %v, apply %v (total %v)", c.kind, parsed.Round(time.Millisecond),
			(checked - parsed).Round(time.Millisecond), (time.Since(start) - checked).Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	}
	start := time.Now()
	im := catalog.ParseImport(catalog.ImportItems, []byte(items.String()), "EUR")
	res, err := s.st.ApplyItemImport(s.ctx, im.Items, time.Now())
	if err != nil || res.Updated != 10000 {
		t.Fatalf("re-import: %+v %v", res, err)
	}
	t.Logf("10,000 items re-imported (all updates) in %v", time.Since(start).Round(time.Millisecond))
}
