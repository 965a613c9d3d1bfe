package web

import (
	"context"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/period"
)

// The pages a visitor sees after choosing dates, and the home page for the
// layout every page shares, are kept byte for byte in testdata/pages: a
// change made to render them faster must not change what they show. After a
// change to what they show on purpose, rewrite them with -update and read
// the diff.
func TestDatedPagesGolden(t *testing.T) {
	app := newTestApp(t)
	// A fixed day, so the dates, the calendar and the prices are the same
	// on every run.
	app.mu.Lock()
	app.now = time.Date(2031, time.March, 3, 8, 0, 0, 0, time.UTC)
	app.mu.Unlock()
	fx := app.seedCatalog()
	ctx := context.Background()
	tent, err := app.st.CreateItem(ctx, catalog.Item{CategoryID: &fx.cameras.ID, Name: "Tent <4 persons> & \"pegs\"", Slug: "tent",
		Description: "Sleeps four.", Tracking: catalog.Bulk, RateDay: ptr64(1250), Deposit: 5000,
		TaxCategory: "standard", OnlineBookable: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.st.SetBulkStock(ctx, tent.ID, map[int64]int{fx.berlin.ID: 3}); err != nil {
		t.Fatal(err)
	}

	c := app.client()
	// A fixed CSRF nonce, so the forms carry the same token on every run.
	c.setCookie(csrfCookie, strings.Repeat("n", 43))
	zone, _ := time.LoadLocation("Europe/Berlin")
	start := period.Date(2031, time.March, 10, 10, 0, 0, 0, zone)
	end := period.Date(2031, time.March, 17, 10, 0, 0, 0, zone)
	c.choose(fx.berlin.ID, period.FormatLocal(start, zone), period.FormatLocal(end, zone)).expectStatus(t, http.StatusSeeOther)

	pages := []struct{ name, path string }{
		{"home", "/"},
		{"catalog-with-dates", "/catalog"},
		{"book-with-dates", "/book"},
		{"item-with-dates", "/items/canon-r6"},
		{"bulk-item-with-dates", "/items/tent"},
		{"item-calendar", "/book/items/" + itoa(fx.r6.ID)},
		{"bulk-item-calendar", "/book/items/" + itoa(tent.ID)},
	}
	// The layout of people who log in: a customer's and an admin's
	// navigation. Their forms' token is keyed with the session, which is
	// new on every run: it is written as TOKEN.
	app.createUser("customer", "ann@example.com", "correct horse battery")
	app.createUser("admin", "ada@example.com", "correct horse battery")
	users := map[string]*testClient{"": c}
	for _, u := range []string{"ann", "ada"} {
		users[u] = app.client()
		users[u].login(u+"@example.com", "correct horse battery")
	}
	pages = append(pages, struct{ name, path string }{"ann:account", "/account"}, struct{ name, path string }{"ada:account", "/account"})
	for _, p := range pages {
		user, name, ok := strings.Cut(p.name, ":")
		if !ok {
			user, name = "", p.name
		}
		t.Run(name+user, func(t *testing.T) {
			body := users[user].get(p.path).expectStatus(t, http.StatusOK).Body
			if user != "" {
				body = strings.ReplaceAll(body, users[user].csrf, "TOKEN")
			}
			got := stableBytes(body)
			path := filepath.Join("testdata", "pages", strings.ReplaceAll(p.name, ":", "-")+".golden")
			if want := golden(t, path, got); got != want {
				at := firstDifference(got, want)
				t.Errorf("%s differs from %s at byte %d:\n--- got\n%s\n--- want\n%s", p.path, path, at, around(got, at), around(want, at))
			}
		})
	}
}

// assetHash is the content hash in a static asset's URL, which changes with
// every change to a stylesheet or script and says nothing of the page.
var assetHash = regexp.MustCompile(`(/static/[^"?]*?)\.[0-9a-f]{8,}(\.[a-z]+)`)

func stableBytes(body string) string {
	return assetHash.ReplaceAllString(body, "$1.HASH$2")
}

func firstDifference(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func around(s string, at int) string {
	return s[max(0, at-200):min(len(s), at+200)]
}
