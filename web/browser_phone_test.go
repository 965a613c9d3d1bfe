package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
)

// The phone journey (390 px): from the home page a visitor chooses dates,
// adds two items from the catalog without leaving it while the header's
// count follows, signs up at checkout and reads the pickup address and that
// day's opening hours on the confirmation page. No CSP violation or script
// error on the way (newBrowserApp).
func TestBrowserPhoneJourney(t *testing.T) {
	ba := newBrowserApp(t)
	ctx := context.Background()
	loc, err := ba.st.CreateLocation(ctx, catalog.Location{Name: "Harbour", Slug: "harbour", TimeZone: "Europe/Berlin",
		Address: "Kaiserkai 1, 20457 Hamburg", OpeningHours: everyDay("09:00", "18:00")})
	if err != nil {
		t.Fatal(err)
	}
	items := map[string]int64{}
	for _, name := range []string{"Kayak", "Paddle"} {
		it, err := ba.st.CreateItem(ctx, catalog.Item{Name: name, Slug: strings.ToLower(name), Tracking: catalog.Serialized,
			RateDay: ptr64(3000), TaxCategory: "standard", OnlineBookable: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ba.st.CreateUnits(ctx, it.ID, loc.ID, []string{name + "-1"}, ""); err != nil {
			t.Fatal(err)
		}
		items[name] = it.ID
	}
	zone, _ := time.LoadLocation("Europe/Berlin")
	now := ba.clock().In(zone)
	start := period.Date(now.Year(), now.Month(), now.Day()+3, 10, 0, 0, 0, zone)
	end := period.Date(now.Year(), now.Month(), now.Day()+5, 16, 0, 0, 0, zone)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	ba.run(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(ba.url("/")),
		chromedp.WaitVisible(css(`[data-testid="home-hero"] [data-testid="choose-dates-form"]`)),
		chromedp.SetValue(css(`#choose-location`), fmt.Sprint(loc.ID)),
		chromedp.SetValue(css(`#choose-start`), period.FormatLocal(start, zone)),
		chromedp.SetValue(css(`#choose-end`), period.FormatLocal(end, zone)),
		chromedp.Click(css(`[data-testid="choose-dates"]`)),
		chromedp.WaitVisible(css(`[data-testid="chosen-dates"]`)),
		chromedp.WaitVisible(css(`#cart-count[data-count="0"]`)))
	catalogURL, err := chromedp.Run(ba.b.Context(), chromedp.Location())
	if err != nil || !strings.HasSuffix(catalogURL, "/catalog") {
		t.Fatalf("choosing dates on the home page leads to %q (%v), want the catalog", catalogURL, err)
	}
	for i, name := range []string{"Kayak", "Paddle"} {
		id := items[name]
		ba.run(chromedp.Click(css(fmt.Sprintf(`[data-testid="add-%d"] button[type="submit"]`, id))),
			chromedp.WaitVisible(css(fmt.Sprintf(`#added-%d [data-testid="added"]`, id))),
			chromedp.WaitVisible(css(fmt.Sprintf(`#cart-count[data-count="%d"]`, i+1))))
		if got := ba.text(fmt.Sprintf(`#added-%d`, id)); !strings.Contains(got, name) {
			t.Errorf("confirmation after adding %s: %q", name, got)
		}
	}
	if here, _ := chromedp.Run(ba.b.Context(), chromedp.Location()); here != catalogURL {
		t.Fatalf("adding left the catalog for %q", here)
	}
	// Nothing runs into anything: on each card the price and add-to-cart
	// row (and its confirmation) ends above the card's footer, and the
	// category chips keep clear of the panels above and below them.
	overlaps, err := chromedp.Run(ba.b.Context(), chromedp.Evaluate[[]string](cardLayout))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range overlaps {
		t.Errorf("catalog with dates on a phone: %s", p)
	}

	ba.run(chromedp.Click(css(`[data-testid="nav-cart"]`)), chromedp.WaitVisible(css(`[data-testid="to-checkout"]`)))
	// The filled cart, with its steppers, fits the phone too.
	problems, err := chromedp.Run(ba.b.Context(), chromedp.Evaluate[[]string](pageAudit))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range append(problems, ba.b.Axe()...) {
		t.Errorf("the cart on a phone: %s", p)
	}
	ba.run(chromedp.Click(css(`[data-testid="to-checkout"]`)), chromedp.WaitVisible(css(`[data-testid="checkout-signup"]`)),
		chromedp.Click(css(`[data-testid="checkout-signup"]`)))
	ba.submitForm(`[data-testid="signup-form"]`, map[string]string{"name": "Robin Reed", "email": "robin@example.com", "password": "a fine long password"})
	// Sign-up answers alike whether or not the email has an account, so it
	// does not log in: the new customer logs in and comes back to checkout.
	ba.run(chromedp.WaitVisible(css(`[data-testid="login-form"]`)))
	ba.submitForm(`[data-testid="login-form"]`, map[string]string{"email": "robin@example.com", "password": "a fine long password"})
	ba.run(chromedp.WaitVisible(css(`[data-testid="confirm"]`)), chromedp.Click(css(`[data-testid="confirm"]`)),
		chromedp.WaitVisible(css(`[data-testid="pickup"]`)))
	if got := ba.text(`[data-testid="pickup-address"]`); !strings.Contains(got, "Kaiserkai 1, 20457 Hamburg") {
		t.Errorf("pickup address %q", got)
	}
	if got := ba.text(`[data-testid="pickup-hours"]`); got != "09:00–18:00" {
		t.Errorf("opening hours on the pickup day %q", got)
	}
	if got := ba.text(`[data-testid="pickup-when"]`); got != period.FormatDisplay(start, zone) {
		t.Errorf("pickup %q, want %q", got, period.FormatDisplay(start, zone))
	}
	if got := ba.text(`[data-testid="emailed"]`); !strings.Contains(got, "robin@example.com") {
		t.Errorf("emailed line %q", got)
	}
	if problems, _ := chromedp.Run(ba.b.Context(), chromedp.Evaluate[[]string](pageAudit)); len(problems) > 0 {
		t.Errorf("the confirmation on a phone: %v", problems)
	}
	if got := ba.text(`#cart-count`); !strings.HasPrefix(got, "0") {
		t.Errorf("the header still counts %q after booking", got)
	}
}

// The confirmation's "Add to calendar" is the customer's own booking as an
// iCalendar file with the pickup and the return; another customer gets 404.
func TestBookingCalendarFile(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	van := s.item("Van", 1)
	c, _ := s.customer("ann@example.com")
	done := c.bookOne(s.loc, van, s.local(2, 10), s.local(4, 10)).expectStatus(t, http.StatusSeeOther).Header.Get("Location")
	res := c.get(done+"/calendar.ics").expectStatus(t, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("content type %q", ct)
	}
	for _, want := range []string{"BEGIN:VCALENDAR", "SUMMARY:Pick up rental", "SUMMARY:Return rental", "DTSTART:" + s.instant(2, 10).UTC().Format("20060102T150405Z")} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("calendar file lacks %q:\n%s", want, res.Body)
		}
	}
	other, _ := s.customer("bob@example.com")
	other.get(done+"/calendar.ics").expectStatus(t, http.StatusNotFound)
}

// cardLayout lists overlaps on a catalog page with chosen dates.
const cardLayout = `(() => {
  const out = [];
  for (const card of document.querySelectorAll(".card")) {
    const offer = card.querySelector(".offer"), foot = card.querySelector(".card-footer");
    if (!offer || !foot) continue;
    const gap = foot.getBoundingClientRect().top - offer.getBoundingClientRect().bottom;
    if (gap < 4) out.push("the offer of " + card.dataset.testid + " is " + Math.round(gap) + " px from its footer");
  }
  const chips = document.querySelector('nav[aria-label="Categories"]');
  if (chips) {
    const r = chips.getBoundingClientRect();
    const prev = chips.previousElementSibling, next = chips.nextElementSibling;
    if (prev && r.top - prev.getBoundingClientRect().bottom < 8) out.push("the category chips touch the panel above");
    if (next && next.getBoundingClientRect().top - r.bottom < 8) out.push("the category chips touch what follows");
  }
  if (!document.querySelector(".card .offer")) out.push("no card shows an offer for the chosen dates");
  return out;
})()`

// A name longer than a phone's line and without a space (a double-barrelled
// surname, an email address typed as the name) breaks where the customer
// sees it instead of pushing the page sideways: the home page greets them by
// name in a heading, 523 px wide at 360 px before.
func TestBrowserLongNameFitsThePhone(t *testing.T) {
	ba := newBrowserApp(t)
	hash, err := testHasher.Hash(authzPassword)
	if err != nil {
		t.Fatal(err)
	}
	const name = "Wolfeschlegelsteinhausen-Bergerdorff-Montgomery"
	if _, err := ba.st.CreateUser(t.Context(), store.NewUser{Email: "long@example.com", Name: name, Role: store.RoleCustomer, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	ba.run(chromedp.EmulateViewport(360, 800, chromedp.EmulateMobile), chromedp.Navigate(ba.url("/login")))
	ba.submitForm(`[data-testid="login-form"]`, map[string]string{"email": "long@example.com", "password": authzPassword})
	ba.run(chromedp.WaitVisible(chromedp.CSS(`[data-testid="home-greeting"]`)))
	for _, path := range []string{"/", "/account"} {
		ba.run(chromedp.Navigate(ba.url(path)), chromedp.WaitReady(chromedp.CSS("body")))
		problems, err := chromedp.Run(ba.b.Context(), chromedp.Evaluate[[]string](pageAudit))
		if err != nil {
			t.Fatalf("%s: audit: %v", path, err)
		}
		for _, p := range problems {
			t.Errorf("%s at 360 px for %q: %s", path, name, p)
		}
	}
}
