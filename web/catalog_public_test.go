package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/catalog"
)

func TestPublicCatalogPages(t *testing.T) {
	app := newTestApp(t)
	fx := app.seedCatalog()
	ctx := context.Background()
	hidden, _ := app.st.CreateItem(ctx, catalog.Item{Name: "Secret prototype", Slug: "secret", Tracking: "bulk", RateDay: ptr64(100), TaxCategory: "standard", OnlineBookable: false})
	archived, _ := app.st.CreateItem(ctx, catalog.Item{CategoryID: &fx.cameras.ID, Name: "Old camera", Slug: "old-camera", Tracking: "bulk", RateDay: ptr64(100), TaxCategory: "standard", OnlineBookable: true})
	app.st.SetItemArchived(ctx, archived.ID, true, app.clock())
	c := app.client()

	home := c.get("/").expectStatus(t, http.StatusOK)
	if home.Doc.Find(`[data-testid="card-canon-r6"]`).Length() != 1 || home.Doc.Find(`[data-testid="home-categories"] a`).Length() != 1 {
		t.Fatalf("home lacks featured item or category:\n%s", home.Body)
	}
	for path, wantTitle := range map[string]string{
		"/catalog":         "Catalog · ",
		"/catalog/cameras": "Cameras · ",
		"/catalog?q=canon": "Search: canon · ",
		"/items/canon-r6":  "Canon R6 · ",
	} {
		res := c.get(path).expectStatus(t, http.StatusOK)
		if title := res.Doc.Find("title").Text(); !strings.HasPrefix(title, wantTitle) {
			t.Errorf("%s: title %q", path, title)
		}
		if d, _ := res.Doc.Find(`meta[name="description"]`).Attr("content"); d == "" {
			t.Errorf("%s: no meta description", path)
		}
		if strings.Contains(res.Body, "Secret prototype") || strings.Contains(res.Body, "Old camera") {
			t.Errorf("%s shows a hidden item", path)
		}
	}
	if title := c.get("/book/items/"+idOf(fx.r6.ID)).expectStatus(t, http.StatusOK).Doc.Find("title").Text(); !strings.HasPrefix(title, "Canon R6 availability · ") {
		t.Errorf("item calendar: title %q", title)
	}
	if c.get("/catalog?q=canon").Doc.Find(`[data-testid="card-canon-r6"]`).Length() != 1 {
		t.Fatal("search does not find the item")
	}
	if c.get("/catalog?q=zzz").Doc.Find(`[data-testid="no-results"]`).Length() != 1 {
		t.Fatal("no empty state")
	}
	for _, path := range []string{"/items/secret", "/items/old-camera", "/items/nope", "/catalog/nope",
		"/items/" + idOf(hidden.ID), "/items/secret/price?start=2030-01-01T10:00&end=2030-01-02T10:00",
		"/book/items/" + idOf(hidden.ID), "/book/items/" + idOf(archived.ID)} {
		c.get(path).expectStatus(t, http.StatusNotFound)
	}
	c.get("/catalog?after=junk!").expectStatus(t, http.StatusBadRequest)
	c.get("/catalog?q="+strings.Repeat("a", 101)).expectStatus(t, http.StatusBadRequest)

	item := c.get("/items/canon-r6").expectStatus(t, http.StatusOK)
	start, end := item.inputValue("start"), item.inputValue("end")
	if start == "" || end == "" {
		t.Fatal("calculator has no default dates")
	}
	// The form's own defaults pass its validation.
	res := c.get("/items/canon-r6/price?location="+idOf(fx.berlin.ID)+"&start="+start+"&end="+end).expectStatus(t, http.StatusOK)
	if res.Doc.Find(`[data-testid="price-result"]`).Length() != 1 {
		t.Fatal("no price result on the no-JavaScript page")
	}
}

func TestPriceFragmentBadDates(t *testing.T) {
	app := newTestApp(t)
	fx := app.seedCatalog()
	c := app.client()
	for _, q := range []string{
		"start=&end=",
		"start=yesterday&end=tomorrow",
		"start=2030-01-05T10:00&end=2030-01-01T10:00",
		"start=2030-01-05T10:00&end=2030-01-05T10:00",
		"start=2030-13-45T99:99&end=2030-01-01T10:00",
		"start=2030-01-01T10:00&end=2030-01-02T10:00&location=99999",
		"start=2030-01-01T10:00&end=2030-01-02T10:00&location=abc",
		"start=%3Cscript%3E&end=x",
	} {
		req, _ := http.NewRequest(http.MethodGet, app.ts.URL+"/items/canon-r6/price?"+q, nil)
		req.Header.Set("HX-Request", "true")
		res := c.do(req)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", q, res.StatusCode)
		}
		if res.Doc.Find(`[data-testid="price-error"]`).Length() != 1 || strings.Contains(res.Body, "<html") {
			t.Fatalf("%s: want an error fragment, got\n%s", q, res.Body)
		}
	}
	_ = fx
}
