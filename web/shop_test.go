package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Pages use the shop's own name from the settings (as its emails do), and
// the footer gives the first location's address and opening hours.
func TestPagesUseTheShopsName(t *testing.T) {
	app := newTestApp(t)
	ctx := t.Context()
	st, err := app.st.GetSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.ShopName = "Harbour Hire"
	if err := app.st.UpdateSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	if _, err := app.st.CreateLocation(ctx, catalog.Location{Name: "Quay", Slug: "quay", TimeZone: "Europe/Berlin",
		Address: "Kaiserkai 1, Hamburg", OpeningHours: catalog.OpeningHours{1: {{Open: "09:00", Close: "18:00"}},
			2: {{Open: "09:00", Close: "18:00"}}, 6: {{Open: "10:00", Close: "14:00"}}}}); err != nil {
		t.Fatal(err)
	}
	res := app.client().get("/catalog").expectStatus(t, http.StatusOK)
	if title := res.Doc.Find("title").Text(); title != "Catalog · Harbour Hire" {
		t.Errorf("title %q", title)
	}
	if brand := strings.TrimSpace(res.Doc.Find(".brand").Text()); brand != "Harbour Hire" {
		t.Errorf("header %q", brand)
	}
	if got := strings.Join(strings.Fields(res.Doc.Find(`[data-testid="footer-shop"]`).Text()), " "); got != "Harbour Hire · Kaiserkai 1, Hamburg" {
		t.Errorf("footer %q", got)
	}
	if got := res.Doc.Find(`[data-testid="footer-hours"]`).Text(); got != "Opening hours: Mon–Tue 09:00–18:00 · Sat 10:00–14:00" {
		t.Errorf("footer hours %q", got)
	}
	if strings.Contains(res.Body, "Rentdesk") {
		t.Error("the page still says Rentdesk")
	}
}

// With the store's reference data cache live, the shop's name, address and
// hours are kept between pages while the cache's generation stays the same,
// and a change to any of them shows on the very next page.
func TestShopInfoFollowsTheReferenceDataCache(t *testing.T) {
	app := newTestApp(t)
	ctx := t.Context()
	app.st.StartCache(app.dbURL, store.CacheOptions{})
	for deadline := time.Now().Add(30 * time.Second); !app.st.CacheLive(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the reference data cache did not start listening")
		}
	}
	loc, err := app.st.CreateLocation(ctx, catalog.Location{Name: "Quay", Slug: "quay", TimeZone: "Europe/Berlin",
		Address: "Kaiserkai 1, Hamburg", OpeningHours: catalog.OpeningHours{1: {{Open: "09:00", Close: "18:00"}}}})
	if err != nil {
		t.Fatal(err)
	}
	footer := func() (shop, hours string) {
		t.Helper()
		res := app.client().get("/catalog").expectStatus(t, http.StatusOK)
		return strings.Join(strings.Fields(res.Doc.Find(`[data-testid="footer-shop"]`).Text()), " "),
			res.Doc.Find(`[data-testid="footer-hours"]`).Text()
	}
	first, _ := footer()
	if again, _ := footer(); again != first {
		t.Fatalf("footer %q, then %q with nothing changed", first, again)
	}
	st, err := app.st.GetSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.ShopName = "Harbour Hire"
	if err := app.st.UpdateSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	if shop, _ := footer(); !strings.HasPrefix(shop, "Harbour Hire · ") {
		t.Errorf("after renaming the shop, footer %q", shop)
	}
	loc.Address = "Sandtorkai 2, Hamburg"
	loc.OpeningHours = catalog.OpeningHours{6: {{Open: "10:00", Close: "14:00"}}}
	if _, err := app.st.UpdateLocation(ctx, loc); err != nil {
		t.Fatal(err)
	}
	shop, hours := footer()
	if shop != "Harbour Hire · Sandtorkai 2, Hamburg" || hours != "Opening hours: Sat 10:00–14:00" {
		t.Errorf("after changing the location, footer %q, %q", shop, hours)
	}
}
