package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/catalog"
)

// TestCatalogAuthorizationMatrix (W8) calls every catalog, inventory and
// admin route as each kind of visitor: public pages answer everyone, staff
// pages only staff and admins, admin pages only admins. Anonymous visitors
// are sent to the login page; logged-in users without the role get 403.
func TestCatalogAuthorizationMatrix(t *testing.T) {
	app := newTestApp(t)
	fx := app.seedCatalog()
	ctx := context.Background()
	photo, err := catalog.ProcessPhoto(testPNG(t))
	if err != nil {
		t.Fatal(err)
	}
	pm, _ := app.st.AddPhoto(ctx, fx.r6.ID, photo)
	unit, _ := app.st.GetUnitByTag(ctx, "R6-001")
	im, _ := app.st.CreateImport(ctx, "items", "x.csv", []byte("slug,name,tracking,rate_day\n"), nil, 0, 0)
	item, cat, loc := "/staff/items/"+idOf(fx.r6.ID), "/admin/categories/"+idOf(fx.cameras.ID), "/admin/locations/"+idOf(fx.berlin.ID)

	type route struct {
		method, path, who string // who: public, staff, admin
		form              url.Values
	}
	routes := []route{
		{"GET", "/", "public", nil},
		{"GET", "/catalog", "public", nil},
		{"GET", "/catalog?q=canon", "public", nil},
		{"GET", "/catalog/cameras", "public", nil},
		{"GET", "/items/canon-r6", "public", nil},
		{"GET", "/items/canon-r6/price?start=2030-01-01T10:00&end=2030-01-08T10:00", "public", nil},
		{"GET", "/photos/" + idOf(pm.ID), "public", nil},
		{"GET", "/photos/" + idOf(pm.ID) + "/thumb", "public", nil},
		{"GET", "/staff/items", "staff", nil},
		{"GET", "/staff/items/new", "staff", nil},
		{"POST", "/staff/items", "staff", itemForm("name", "")},
		{"GET", item, "staff", nil},
		{"GET", item + "/edit", "staff", nil},
		{"POST", item, "staff", itemForm("name", "")},
		{"POST", item + "/archive", "staff", url.Values{"archived": {"0"}}},
		{"POST", item + "/photos", "staff", nil},
		{"POST", "/staff/photos/" + idOf(pm.ID) + "/move", "staff", url.Values{"dir": {"up"}}},
		{"POST", "/staff/photos/424242/delete", "staff", nil},
		{"POST", item + "/units", "staff", url.Values{"mode": {"one"}, "asset_tag": {""}}},
		{"GET", "/staff/units/" + idOf(unit.ID) + "/edit", "staff", nil},
		{"POST", "/staff/units/" + idOf(unit.ID), "staff", url.Values{"status": {"x"}}},
		{"POST", item + "/stock", "staff", nil},
		{"GET", "/staff/export/items.csv", "staff", nil},
		{"GET", "/staff/export/units.csv", "staff", nil},
		{"GET", "/staff/import", "staff", nil},
		{"POST", "/staff/import", "staff", url.Values{"kind": {"items"}}},
		{"GET", "/staff/import/" + idOf(im.ID), "staff", nil},
		{"POST", "/staff/import/" + idOf(im.ID) + "/apply", "staff", nil},
		{"GET", "/admin/categories", "admin", nil},
		{"POST", "/admin/categories", "admin", url.Values{"name": {""}}},
		{"GET", cat + "/edit", "admin", nil},
		{"POST", cat, "admin", url.Values{"name": {""}}},
		{"POST", cat + "/move", "admin", url.Values{"dir": {"down"}}},
		{"GET", "/admin/locations", "admin", nil},
		{"GET", "/admin/locations/new", "admin", nil},
		{"POST", "/admin/locations", "admin", url.Values{"name": {""}}},
		{"GET", loc + "/edit", "admin", nil},
		{"POST", loc, "admin", url.Values{"name": {""}}},
	}
	allowed := map[string][]string{"public": {"anonymous", "customer", "staff", "admin"}, "staff": {"staff", "admin"}, "admin": {"admin"}}
	for _, role := range []string{"anonymous", "customer", "staff", "admin"} {
		c := app.roleClient(role)
		for _, r := range routes {
			var res *testResponse
			if r.method == "GET" {
				res = c.get(r.path)
			} else {
				c.get("/")
				form := url.Values{}
				for k, v := range r.form {
					form[k] = v
				}
				res = c.post(r.path, form)
			}
			ok := strings.Contains(strings.Join(allowed[r.who], " "), role)
			loc := res.Header.Get("Location")
			switch {
			case res.StatusCode >= 500:
				t.Errorf("%s %s %s: %d", role, r.method, r.path, res.StatusCode)
			case !ok && role == "anonymous" && !(res.StatusCode == http.StatusSeeOther && strings.HasPrefix(loc, "/login")):
				t.Errorf("%s %s %s: %d %s, want a redirect to /login", role, r.method, r.path, res.StatusCode, loc)
			case !ok && role != "anonymous" && res.StatusCode != http.StatusForbidden:
				t.Errorf("%s %s %s: %d, want 403", role, r.method, r.path, res.StatusCode)
			case ok && (res.StatusCode == http.StatusForbidden || strings.HasPrefix(loc, "/login")):
				t.Errorf("%s %s %s: refused (%d %s)", role, r.method, r.path, res.StatusCode, loc)
			}
		}
	}
}

// hostile is user text that must render inert everywhere (W9).
var hostile = []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, `javascript:alert(1)`}

// TestCatalogHostileText (W9) stores hostile names, descriptions, notes and
// location fields and checks the raw HTML of every page that shows them.
func TestCatalogHostileText(t *testing.T) {
	app := newTestApp(t)
	fx := app.seedCatalog()
	ctx := context.Background()
	name := strings.Join(hostile, " ")
	it, err := app.st.CreateItem(ctx, catalog.Item{CategoryID: &fx.cameras.ID, Name: name, Slug: "hostile", Description: name,
		Tracking: catalog.Serialized, RateDay: ptr64(100), TaxCategory: "standard", OnlineBookable: true, Featured: true})
	if err != nil {
		t.Fatal(err)
	}
	us, _ := app.st.CreateUnits(ctx, it.ID, fx.berlin.ID, []string{"H-1"}, hostile[1])
	u := us[0]
	u.ConditionNotes = name
	app.st.UpdateUnit(ctx, u)
	app.st.UpdateCategory(ctx, fx.cameras.ID, name, "cameras")
	l := fx.berlin
	l.Name, l.Address = name, name
	app.st.UpdateLocation(ctx, l)
	app.st.CreateImport(ctx, "items", name, []byte("x"), []catalog.Problem{{Row: 2, Column: name, Message: name}}, 0, 0)

	pages := map[string][]string{
		"anonymous": {"/", "/catalog", "/catalog?q=" + url.QueryEscape(name), "/catalog/cameras", "/items/hostile",
			"/items/hostile/price?start=" + url.QueryEscape(hostile[1]) + "&end=" + url.QueryEscape(hostile[0])},
		"admin": {"/staff/items", "/staff/items?q=" + url.QueryEscape(hostile[1]), "/staff/items/" + idOf(it.ID),
			"/staff/items/" + idOf(it.ID) + "/edit", "/staff/units/" + idOf(u.ID) + "/edit", "/staff/import/1",
			"/admin/categories", "/admin/locations", "/admin/locations/" + idOf(fx.berlin.ID) + "/edit"},
	}
	for role, paths := range pages {
		c := app.roleClient(role)
		for _, p := range paths {
			res := c.get(p).expectStatus(t, http.StatusOK)
			body := res.Body
			for _, bad := range []string{"<script>alert", "<img src=x", "onerror=alert(1)>", `href="javascript:`, `src="javascript:`} {
				if strings.Contains(body, bad) {
					t.Errorf("%s: raw HTML contains %q", p, bad)
				}
			}
			if res.Doc.Find("script:not([src])").Length() != 0 || res.Doc.Find("[onerror]").Length() != 0 {
				t.Errorf("%s: an inline script or handler made it into the DOM", p)
			}
		}
	}
}
