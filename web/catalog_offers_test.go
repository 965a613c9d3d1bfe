package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/pricing"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Dates chosen once (from the catalog's own chooser) make every catalog page
// and the item page show each item's free quantity and its price for those
// dates, with an "Add to cart" form; the price is internal/pricing's.
func TestCatalogShowsAvailabilityForChosenDates(t *testing.T) {
	app := newTestApp(t)
	fx := app.seedCatalog()
	c := app.client()
	ctx := context.Background()

	list := c.get("/catalog").expectStatus(t, http.StatusOK)
	chooser := list.Doc.Find(`[data-testid="choose-dates-form"]`)
	if chooser.Length() != 1 || list.Doc.Find(`[data-testid="offer-free"]`).Length() != 0 {
		t.Fatalf("without dates the catalog should invite to choose them:\n%s", list.Body)
	}
	// The proposed dates pass the form's own validation, and it comes back here.
	form := url.Values{}
	for _, name := range []string{"location", "start", "end", "next"} {
		v, _ := chooser.Find(fmt.Sprintf(`[name=%q]`, name)).Attr("value")
		form.Set(name, v)
	}
	form.Set("location", idOf(fx.berlin.ID))
	if got := c.post("/book/dates", form).expectStatus(t, http.StatusSeeOther).location(); got != "/catalog" {
		t.Fatalf("chooser went to %q, want back to /catalog", got)
	}

	zone, _ := time.LoadLocation("Europe/Berlin")
	now := app.clock().In(zone)
	start := period.Date(now.Year(), now.Month(), now.Day()+2, 10, 0, 0, 0, zone)
	end := period.Date(now.Year(), now.Month(), now.Day()+5, 10, 0, 0, 0, zone)
	c.choose(fx.berlin.ID, period.FormatLocal(start, zone), period.FormatLocal(end, zone)).expectStatus(t, http.StatusSeeOther)

	it, err := app.st.GetBookableItem(ctx, fx.r6.ID)
	if err != nil {
		t.Fatal(err)
	}
	st, err := app.st.GetSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q, err := pricing.Price(booking.PricingInput(it, st, start, end, zone, 1))
	if err != nil {
		t.Fatal(err)
	}
	wantPrice := money.Format(q.Total, st.Currency)
	for _, path := range []string{"/catalog", "/catalog/cameras", "/catalog?q=canon", "/items/canon-r6"} {
		res := c.get(path).expectStatus(t, http.StatusOK)
		offer := res.Doc.Find(fmt.Sprintf(`[data-testid="offer-%d"]`, fx.r6.ID))
		if got := strings.TrimSpace(offer.Find(`[data-testid="offer-free"]`).Text()); got != "2 of 2 free" {
			t.Errorf("%s: free %q, want 2 of 2 free", path, got)
		}
		if got := offer.Find(`[data-testid="offer-price"]`).Text(); got != wantPrice {
			t.Errorf("%s: price %q, want %s (internal/pricing)", path, got, wantPrice)
		}
		if offer.Find(fmt.Sprintf(`[data-testid="add-%d"] button`, fx.r6.ID)).Length() != 1 {
			t.Errorf("%s: no Add to cart form", path)
		}
		if !strings.Contains(res.Doc.Find(`[data-testid="offer-period"]`).Text(), period.FormatDisplay(start, zone)) {
			t.Errorf("%s: chosen period not shown in the location's zone", path)
		}
	}
	// The item page's calculator starts from the chosen dates, and agrees.
	if got := c.get("/items/canon-r6").inputValue("start"); got != period.FormatLocal(start, zone) {
		t.Errorf("calculator starts at %q, want the chosen %q", got, period.FormatLocal(start, zone))
	}
	calc := c.get("/items/canon-r6/price?location=" + idOf(fx.berlin.ID) + "&start=" + period.FormatLocal(start, zone) + "&end=" + period.FormatLocal(end, zone))
	if got := calc.Doc.Find(`[data-testid="price-total"]`).Text(); got != wantPrice {
		t.Errorf("calculator says %q, catalog %q", got, wantPrice)
	}
	c.add(fx.r6.ID, 1).expectStatus(t, http.StatusSeeOther)
	if cart := c.get("/cart").expectStatus(t, http.StatusOK); !strings.Contains(cart.Body, "Canon R6") {
		t.Error("the catalog's Add to cart did not fill the cart")
	}
}

// An item whose units are all booked for the chosen dates says so and offers
// no form; another location without stock says it is not offered there.
func TestCatalogFullyBookedItem(t *testing.T) {
	app := newTestApp(t)
	fx := app.seedCatalog()
	ctx := context.Background()
	zone, _ := time.LoadLocation("Europe/Berlin")
	now := app.clock().In(zone)
	start := period.Date(now.Year(), now.Month(), now.Day()+3, 10, 0, 0, 0, zone)
	end := start.Add(48 * time.Hour)
	u := app.createUser(store.RoleCustomer, "busy@example.test", "correct horse battery")
	if _, err := app.srv.Booking.Book(ctx, booking.Request{CustomerID: u.ID, LocationID: fx.berlin.ID,
		Lines: []booking.LineRequest{{ItemID: fx.r6.ID, Quantity: 2, Start: start, End: end}}}); err != nil {
		t.Fatal(err)
	}
	c := app.client()
	c.choose(fx.berlin.ID, period.FormatLocal(start.Add(24*time.Hour), zone), period.FormatLocal(end.Add(24*time.Hour), zone)).
		expectStatus(t, http.StatusSeeOther)
	for _, path := range []string{"/catalog", "/items/canon-r6"} {
		res := c.get(path).expectStatus(t, http.StatusOK)
		if res.Doc.Find(`[data-testid="offer-full"]`).Length() != 1 || res.Doc.Find(fmt.Sprintf(`[data-testid="add-%d"]`, fx.r6.ID)).Length() != 0 {
			t.Errorf("%s: a fully booked item should say so, without a form", path)
		}
	}
	// After the booking the same dates are free again.
	c.choose(fx.berlin.ID, period.FormatLocal(end.Add(2*time.Hour), zone), period.FormatLocal(end.Add(26*time.Hour), zone)).
		expectStatus(t, http.StatusSeeOther)
	if got := c.get("/catalog").Doc.Find(`[data-testid="offer-free"]`).Text(); got != "2 of 2 free" {
		t.Errorf("after the booking: %q", got)
	}
	c.choose(fx.sf.ID, period.FormatLocal(start, zone), period.FormatLocal(end, zone)).expectStatus(t, http.StatusSeeOther)
	if c.get("/catalog").Doc.Find(`[data-testid="offer-none"]`).Length() != 1 {
		t.Error("a location without the item should say it is not offered there")
	}
}

// The chooser's return path accepts only same-site paths (W12).
func TestDateChooserReturnPath(t *testing.T) {
	app := newTestApp(t)
	fx := app.seedCatalog()
	c := app.client()
	c.get("/catalog")
	zone, _ := time.LoadLocation("Europe/Berlin")
	now := app.clock().In(zone)
	start := period.Date(now.Year(), now.Month(), now.Day()+2, 10, 0, 0, 0, zone)
	for next, want := range map[string]string{"/catalog/cameras?q=x": "/catalog/cameras?q=x", "//evil.test": "/", "javascript:alert(1)": "/", "": "/book"} {
		res := c.post("/book/dates", url.Values{"location": {idOf(fx.berlin.ID)}, "start": {period.FormatLocal(start, zone)},
			"end": {period.FormatLocal(start.Add(24*time.Hour), zone)}, "next": {next}}).expectStatus(t, http.StatusSeeOther)
		if got := res.location(); got != want {
			t.Errorf("next %q: went to %q, want %q", next, got, want)
		}
	}
}
