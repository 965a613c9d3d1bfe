package catalog

import (
	"fmt"
	"strings"
	"testing"
)

func keys(ps []Problem) string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%d/%s", p.Row, p.Column))
	}
	return strings.Join(out, " ")
}

func TestParseImportItems(t *testing.T) {
	im := ParseImport(ImportItems, []byte("\uFEFFslug,name,tracking,rate_day,rate_week,category,featured\n"+
		"canon-r6,Canon R6,serialized,45,220,cameras,yes\n"+
		"tripod,Tripod,bulk,5,,,\n"), "EUR")
	if len(im.Problems) != 0 || len(im.Items) != 2 {
		t.Fatalf("%+v", im)
	}
	r := im.Items[0]
	if r.Row != 2 || r.Category != "cameras" || !r.Item.Featured || *r.Item.RateWeek != 22000 || !r.Item.OnlineBookable {
		t.Fatalf("%+v", r)
	}
}

func TestParseImportBrokenFiles(t *testing.T) {
	cases := []struct {
		name, kind, data, want string
	}{
		{"empty", ImportItems, "", "1/"},
		{"wrong columns", ImportItems, "sku,title,tracking\nx,y,bulk\n", "1/sku 1/title 1/slug 1/name"},
		{"duplicate column", ImportUnits, "asset_tag,item,location,item\n", "1/item"},
		{"bad numbers", ImportItems, "slug,name,tracking,rate_day,deposit,min_duration\n" +
			"a,A,bulk,-5,12.345,\nb,B,bulk,abc,10,1.5\nc,C,bulk,5,1e3,60\n", "2/rate_day 2/deposit 3/rate_day 3/min_duration 4/deposit"},
		{"no rate", ImportItems, "slug,name,tracking\na,A,bulk\n", "2/rate_day"},
		{"bad bool and tracking", ImportItems, "slug,name,tracking,rate_day,featured\na,A,both,1,maybe\n", "2/featured 2/tracking"},
		{"duplicate slug", ImportItems, "slug,name,tracking,rate_day\na,A,bulk,1\nb,B,bulk,1\na,A2,bulk,1\n", "4/slug"},
		{"missing slug", ImportItems, "slug,name,tracking,rate_day\n,A,bulk,1\n", "2/slug"},
		{"wrong field count", ImportItems, "slug,name,tracking,rate_day\na,A,bulk\n", "2/"},
		{"bare quote", ImportItems, "slug,name,tracking,rate_day\na,\"A,bulk,1\n", "2/"},
		{"not utf8", ImportItems, "slug,name\n\xff\xfe", "1/"},
		{"duplicate tags", ImportUnits, "asset_tag,item,location\nT1,cam,berlin\nT1,cam,berlin\nT 2,cam,berlin\n", "3/asset_tag 4/asset_tag"},
		{"bad unit refs", ImportUnits, "asset_tag,item,location,status\nT1,Cam R6,,stolen\n", "2/item 2/location 2/status"},
		{"unknown kind", "photos", "a\n", "0/"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			im := ParseImport(c.kind, []byte(c.data), "EUR")
			if got := keys(im.Problems); got != c.want {
				t.Fatalf("problems %q, want %q: %+v", got, c.want, im.Problems)
			}
			for _, p := range im.Problems {
				if p.Message == "" {
					t.Errorf("problem without message: %+v", p)
				}
			}
		})
	}
}

func TestParseImportRowLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("asset_tag,item,location\n")
	for i := 0; i <= MaxImportRows; i++ {
		fmt.Fprintf(&b, "T%d,cam,berlin\n", i)
	}
	im := ParseImport(ImportUnits, []byte(b.String()), "EUR")
	if len(im.Problems) != 1 || !strings.Contains(im.Problems[0].Message, "at most") {
		t.Fatalf("%+v", im.Problems)
	}
}

// FuzzParseImport checks that no file makes the import panic, and that every
// row it accepts is one the store can write as it is.
func FuzzParseImport(f *testing.F) {
	f.Add(true, []byte("slug,name,tracking,rate_day\ncanon-r6,Canon R6,serialized,45\n"))
	f.Add(false, []byte("asset_tag,item,location,status\nR6-001,canon-r6,berlin,available\n"))
	f.Fuzz(func(t *testing.T, items bool, data []byte) {
		kind := ImportUnits
		if items {
			kind = ImportItems
		}
		im := ParseImport(kind, data, "EUR")
		for _, r := range im.Items {
			it := r.Item
			if CheckSlug(it.Slug) != "" || (it.Tracking != Serialized && it.Tracking != Bulk) || it.Deposit < 0 ||
				(it.RateHour == nil && it.RateDay == nil && it.RateWeek == nil) || strings.TrimSpace(it.Name) == "" {
				t.Fatalf("accepted a bad item row: %+v", r)
			}
		}
		for _, u := range im.Units {
			if CheckAssetTag(u.AssetTag) != "" || CheckSlug(u.Item) != "" || CheckSlug(u.Location) != "" {
				t.Fatalf("accepted a bad unit row: %+v", u)
			}
		}
		for _, p := range im.Problems {
			if p.Message == "" || p.Row < 0 {
				t.Fatalf("bad problem %+v", p)
			}
		}
	})
}
