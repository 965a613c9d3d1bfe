package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
)

func itemForm(kv ...string) url.Values {
	f := url.Values{"name": {"Bosch drill"}, "tracking": {"serialized"}, "rate_day": {"12.50"}, "deposit": {"50"},
		"min_duration": {"60"}, "tax_category": {"standard"}, "online_bookable": {"1"}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

func TestStaffItemCreateEditArchive(t *testing.T) {
	app := newTestApp(t)
	fx := app.seedCatalog()
	c := app.roleClient("staff")
	c.get("/staff/items/new").expectStatus(t, http.StatusOK)
	res := c.post("/staff/items", itemForm("category_id", idOf(fx.cameras.ID))).expectStatus(t, http.StatusSeeOther)
	loc := res.Header.Get("Location")
	page := c.get(loc).expectStatus(t, http.StatusOK)
	if got := strings.TrimSpace(page.Doc.Find(`[data-testid="item-name"]`).Text()); got != "Bosch drill" {
		t.Fatalf("item page shows %q", got)
	}
	it, err := app.st.GetPublicItem(context.Background(), "bosch-drill")
	if err != nil || *it.RateDay != 1250 || it.Deposit != 5000 || *it.CategoryID != fx.cameras.ID {
		t.Fatalf("stored: %+v %v", it, err)
	}
	edit := c.get(loc+"/edit").expectStatus(t, http.StatusOK)
	if edit.inputValue("rate_day") != "12.50" {
		t.Fatalf("edit form rate %q", edit.inputValue("rate_day"))
	}
	c.post(loc, itemForm("name", "Bosch drill 18V", "slug", "bosch-drill", "rate_day", "14")).expectStatus(t, http.StatusSeeOther)
	if it, _ = app.st.GetItem(context.Background(), it.ID); it.Name != "Bosch drill 18V" || *it.RateDay != 1400 || it.CategoryID != nil {
		t.Fatalf("updated: %+v", it)
	}
	c.post(loc+"/archive", url.Values{"archived": {"1"}}).expectStatus(t, http.StatusSeeOther)
	app.client().get("/items/bosch-drill").expectStatus(t, http.StatusNotFound)
	list := c.get("/staff/items?archived=archived").expectStatus(t, http.StatusOK)
	if list.Doc.Find(`[data-testid="item-`+idOf(it.ID)+`"]`).Length() != 1 {
		t.Fatal("archived item not in the archived filter")
	}
	var n int
	app.st.DB().QueryRow(`SELECT count(*) FROM audit_log WHERE entity_type = 'item' AND entity_id = $1`, idOf(it.ID)).Scan(&n)
	if n != 3 {
		t.Fatalf("audit rows for the item: %d, want 3 (create, update, archive)", n)
	}
}

func TestStaffItemFormBadInput(t *testing.T) {
	app := newTestApp(t)
	app.seedCatalog()
	c := app.roleClient("staff")
	cases := []struct {
		name, field string
		form        url.Values
	}{
		{"empty name", "name", itemForm("name", "")},
		{"duplicate slug", "slug", itemForm("slug", "canon-r6")},
		{"bad slug", "slug", itemForm("slug", "Not a slug")},
		{"negative rate", "rate_day", itemForm("rate_day", "-5")},
		{"garbage rate", "rate_week", itemForm("rate_week", "lots")},
		{"too precise", "rate_hour", itemForm("rate_hour", "1.005")},
		{"no rates", "rate_day", itemForm("rate_day", "")},
		{"bad deposit", "deposit", itemForm("deposit", "12,50")},
		{"bad minutes", "min_duration", itemForm("min_duration", "an hour")},
		{"bad tracking", "tracking", itemForm("tracking", "both")},
		{"unknown category", "category_id", itemForm("category_id", "99999")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.get("/staff/items/new")
			res := c.post("/staff/items", tc.form).expectStatus(t, http.StatusUnprocessableEntity)
			if res.fieldError(tc.field) == "" {
				t.Fatalf("no message for %s:\n%s", tc.field, res.Body)
			}
			if got := res.inputValue("name"); got != tc.form.Get("name") {
				t.Fatalf("name not kept: %q", got)
			}
			if tc.field != "name" && res.inputValue(tc.field) != tc.form.Get(tc.field) && tc.field != "category_id" && tc.field != "tracking" {
				t.Fatalf("input %s not kept: %q", tc.field, res.inputValue(tc.field))
			}
		})
	}
}

func TestStaffUnits(t *testing.T) {
	app := newTestApp(t)
	fx := app.seedCatalog()
	c := app.roleClient("staff")
	base := "/staff/items/" + idOf(fx.r6.ID)
	c.get(base)
	c.post(base+"/units", url.Values{"mode": {"series"}, "prefix": {"R6-"}, "first": {"3"}, "count": {"2"}, "width": {"3"},
		"location_id": {idOf(fx.sf.ID)}}).expectStatus(t, http.StatusSeeOther)
	page := c.get(base).expectStatus(t, http.StatusOK)
	for _, tag := range []string{"R6-001", "R6-002", "R6-003", "R6-004"} {
		if page.Doc.Find(`[data-testid="unit-`+tag+`"]`).Length() != 1 {
			t.Fatalf("unit %s missing", tag)
		}
	}
	bad := []struct {
		name, field string
		form        url.Values
	}{
		{"duplicate tag", "asset_tag", url.Values{"mode": {"one"}, "asset_tag": {"R6-001"}, "location_id": {idOf(fx.berlin.ID)}}},
		{"overlapping series", "prefix", url.Values{"mode": {"series"}, "prefix": {"R6-"}, "first": {"4"}, "count": {"2"}, "width": {"3"}, "location_id": {idOf(fx.berlin.ID)}}},
		{"empty tag", "asset_tag", url.Values{"mode": {"one"}, "asset_tag": {""}, "location_id": {idOf(fx.berlin.ID)}}},
		{"tag with space", "asset_tag", url.Values{"mode": {"one"}, "asset_tag": {"R6 9"}, "location_id": {idOf(fx.berlin.ID)}}},
		{"too many", "count", url.Values{"mode": {"series"}, "prefix": {"X"}, "first": {"1"}, "count": {"100000"}, "width": {"3"}, "location_id": {idOf(fx.berlin.ID)}}},
		{"no location", "location_id", url.Values{"mode": {"one"}, "asset_tag": {"R6-100"}, "location_id": {"424242"}}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			res := c.post(base+"/units", tc.form).expectStatus(t, http.StatusUnprocessableEntity)
			if res.fieldError(tc.field) == "" {
				t.Fatalf("no message for %s", tc.field)
			}
		})
	}
	if res := c.post(base+"/units", url.Values{"mode": {"one"}, "asset_tag": {"R6-001"}, "location_id": {idOf(fx.berlin.ID)}}); !strings.Contains(res.fieldError("asset_tag"), "R6-001") {
		t.Fatalf("duplicate message does not name the tag: %q", res.fieldError("asset_tag"))
	}
	u, _ := app.st.GetUnitByTag(context.Background(), "R6-001")
	edit := c.get("/staff/units/"+idOf(u.ID)+"/edit").expectStatus(t, http.StatusOK)
	if edit.Doc.Find(`[data-testid="unit-form"]`).Length() != 1 {
		t.Fatal("no unit form")
	}
	c.post("/staff/units/"+idOf(u.ID), url.Values{"location_id": {idOf(fx.sf.ID)}, "status": {"maintenance"}, "serial_number": {"SN-9"},
		"condition_notes": {"Scratch on the screen"}}).expectStatus(t, http.StatusSeeOther)
	if u, _ = app.st.GetUnit(context.Background(), u.ID); u.Status != "maintenance" || u.LocationID != fx.sf.ID {
		t.Fatalf("unit not moved: %+v", u)
	}
	res := c.post("/staff/units/"+idOf(u.ID), url.Values{"location_id": {idOf(fx.sf.ID)}, "status": {"stolen"}, "serial_number": {"SN-9"}})
	res.expectStatus(t, http.StatusUnprocessableEntity)
	if res.fieldError("status") == "" {
		t.Fatal("no status message")
	}
}

func TestStaffBulkStock(t *testing.T) {
	app := newTestApp(t)
	fx := app.seedCatalog()
	c := app.roleClient("staff")
	c.post("/staff/items", itemForm("name", "Folding chair", "tracking", "bulk")).expectStatus(t, http.StatusSeeOther)
	it, _ := app.st.GetPublicItem(context.Background(), "folding-chair")
	base := "/staff/items/" + idOf(it.ID)
	c.post(base+"/stock", url.Values{"qty_" + idOf(fx.berlin.ID): {"40"}, "qty_" + idOf(fx.sf.ID): {"0"}}).expectStatus(t, http.StatusSeeOther)
	rows, _ := app.st.ListBulkStock(context.Background(), it.ID)
	if rows[0].Quantity != 40 {
		t.Fatalf("stock %+v", rows)
	}
	res := c.post(base+"/stock", url.Values{"qty_" + idOf(fx.berlin.ID): {"-3"}, "qty_" + idOf(fx.sf.ID): {"x"}}).expectStatus(t, http.StatusUnprocessableEntity)
	if res.fieldError("qty_"+idOf(fx.berlin.ID)) == "" || res.inputValue("qty_"+idOf(fx.sf.ID)) != "x" {
		t.Fatalf("stock errors not shown or input lost")
	}
	// Units cannot be added to a bulk item.
	c.post(base+"/units", url.Values{"mode": {"one"}, "asset_tag": {"CH-1"}, "location_id": {idOf(fx.berlin.ID)}}).expectStatus(t, http.StatusConflict)
}

func TestStaffPhotos(t *testing.T) {
	app := newTestApp(t)
	fx := app.seedCatalog()
	c := app.roleClient("staff")
	base := "/staff/items/" + idOf(fx.r6.ID)
	c.get(base)
	for i := 0; i < 2; i++ {
		c.postFile(base+"/photos", nil, "photo", "r6.png", testPNG(t)).expectStatus(t, http.StatusSeeOther)
	}
	ps, _ := app.st.ListPhotos(context.Background(), fx.r6.ID)
	if len(ps) != 2 {
		t.Fatalf("photos %d", len(ps))
	}
	bad := map[string][]byte{
		"not an image": []byte("<script>alert(1)</script>"),
		"renamed text": []byte("hello, this is a text file pretending to be a png"),
		"oversized":    append(testPNG(t), bytes.Repeat([]byte{0}, catalog.MaxPhotoBytes)...),
		"empty":        {},
	}
	for name, data := range bad {
		t.Run(name, func(t *testing.T) {
			res := c.postFile(base+"/photos", nil, "photo", "x.png", data).expectStatus(t, http.StatusUnprocessableEntity)
			if res.fieldError("photo") == "" {
				t.Fatal("no photo message")
			}
		})
	}
	c.post("/staff/photos/"+idOf(ps[1].ID)+"/move", url.Values{"dir": {"up"}}).expectStatus(t, http.StatusSeeOther)
	if now, _ := app.st.ListPhotos(context.Background(), fx.r6.ID); now[0].ID != ps[1].ID {
		t.Fatal("photo not moved")
	}
	c.post("/staff/photos/"+idOf(ps[1].ID)+"/move", url.Values{"dir": {"sideways"}}).expectStatus(t, http.StatusBadRequest)
	anon := app.client()
	res := anon.get("/photos/"+idOf(ps[0].ID)).expectStatus(t, http.StatusOK)
	if res.Header.Get("Content-Type") != "image/png" || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || res.Header.Get("ETag") == "" {
		t.Fatalf("photo headers: %v", res.Header)
	}
	// A photo is compressed already: gzip would only cost time, so it goes
	// out as stored, with its ETag, even to a client that accepts gzip.
	req, _ := http.NewRequest(http.MethodGet, app.ts.URL+"/photos/"+idOf(ps[0].ID), nil)
	req.Header.Set("Accept-Encoding", "gzip")
	if r := anon.do(req); r.StatusCode != http.StatusOK || r.Header.Get("Content-Encoding") != "" || r.Header.Get("ETag") == "" ||
		!strings.Contains(r.Header.Get("Vary"), "Accept-Encoding") || r.Body != res.Body {
		t.Fatalf("photo asked for with gzip: %d %v, %d bytes", r.StatusCode, r.Header, len(r.Body))
	}
	req, _ = http.NewRequest(http.MethodGet, app.ts.URL+"/photos/"+idOf(ps[0].ID)+"/thumb", nil)
	req.Header.Set("If-None-Match", `"p`+idOf(ps[0].ID)+`-true"`)
	if r := anon.do(req); r.StatusCode != http.StatusNotModified {
		t.Fatalf("conditional GET: %d", r.StatusCode)
	}
	if r := anon.get("/photos/" + idOf(ps[0].ID) + "/thumb"); r.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("thumbnail type %q", r.Header.Get("Content-Type"))
	}
	c.post("/staff/photos/"+idOf(ps[0].ID)+"/delete", nil).expectStatus(t, http.StatusSeeOther)
	anon.get("/photos/"+idOf(ps[0].ID)).expectStatus(t, http.StatusNotFound)
	// Photos of a hidden item are for staff only.
	app.st.UpdateItem(context.Background(), func() catalog.Item { it := fx.r6; it.OnlineBookable = false; return it }())
	anon.get("/photos/"+idOf(ps[1].ID)).expectStatus(t, http.StatusNotFound)
	c.get("/photos/"+idOf(ps[1].ID)).expectStatus(t, http.StatusOK)
}

func TestStaffItemListFiltersAndJunk(t *testing.T) {
	app := newTestApp(t)
	fx := app.seedCatalog()
	c := app.roleClient("staff")
	for _, q := range []string{"", "?q=r6", "?q=R6-002", "?sort=-name", "?sort=newest&tracking=serialized&archived=all", "?category=" + idOf(fx.cameras.ID)} {
		res := c.get("/staff/items"+q).expectStatus(t, http.StatusOK)
		if res.Doc.Find(`[data-testid="item-`+idOf(fx.r6.ID)+`"]`).Length() != 1 {
			t.Fatalf("%s: item missing", q)
		}
	}
	for _, q := range []string{"?sort=price%3Bdrop", "?sort=name%20desc", "?tracking=x", "?archived=maybe", "?category=abc", "?after=!!", "?category=-1"} {
		c.get("/staff/items"+q).expectStatus(t, http.StatusBadRequest)
	}
	for i := 0; i < 60; i++ {
		app.st.CreateItem(context.Background(), catalog.Item{Name: "Bulk " + idOf(int64(100+i)), Slug: "bulk-" + idOf(int64(100+i)), Tracking: "bulk", RateDay: ptr64(100), TaxCategory: "standard"})
	}
	first := c.get("/staff/items?sort=name").expectStatus(t, http.StatusOK)
	next, ok := first.Doc.Find(`[data-testid="next-page"]`).Attr("href")
	if !ok {
		t.Fatal("no next page link")
	}
	second := c.get(next).expectStatus(t, http.StatusOK)
	if n1, n2 := first.Doc.Find("tbody tr").Length(), second.Doc.Find("tbody tr").Length(); n1 != itemsPerPage || n2 != 61-itemsPerPage {
		t.Fatalf("pages of %d and %d rows", n1, n2)
	}
}

var _ = store.ErrNotFound
