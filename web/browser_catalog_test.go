package web

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserCatalogJourney: staff create an item with two units and a
// photo; a customer finds it by search and sees the price of a week. The
// journey fails on any CSP violation or script error (newBrowserApp).
func TestBrowserCatalogJourney(t *testing.T) {
	ba := newBrowserApp(t)
	ba.seedCatalog()
	ba.createUser("staff", "desk@example.test", "correct horse battery")
	photo := filepath.Join(t.TempDir(), "xt5.png")
	if err := os.WriteFile(photo, testPNG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		t.Log(what)
		ba.run(actions...)
	}
	step("staff logs in",
		chromedp.Navigate(ba.url("/login?next=/staff/items/new")),
		chromedp.SendKeys(css(`#f-email`), "desk@example.test"),
		chromedp.SendKeys(css(`#f-password`), "correct horse battery"),
		chromedp.Submit(css(`[data-testid="login-form"]`)),
		chromedp.WaitVisible(css(`[data-testid="item-form"]`)))
	step("staff creates the item",
		chromedp.SendKeys(css(`#f-name`), "Fujifilm X-T5"),
		chromedp.SendKeys(css(`#f-description`), "40 MP APS-C camera with film simulations."),
		chromedp.SendKeys(css(`#f-rate_day`), "35"),
		chromedp.SendKeys(css(`#f-rate_week`), "150"),
		chromedp.SetValue(css(`#f-deposit`), "200"),
		chromedp.Click(css(`[data-testid="save-item"]`)),
		chromedp.WaitVisible(css(`[data-testid="unit-series-form"]`)))
	step("staff adds two units",
		chromedp.SendKeys(css(`#f-prefix`), "XT5-"),
		chromedp.SetValue(css(`[data-testid="unit-series-form"] #f-count`), "2"),
		chromedp.Click(css(`[data-testid="add-units"]`)),
		chromedp.WaitVisible(css(`[data-testid="unit-XT5-002"]`)))
	step("staff uploads a photo",
		chromedp.SetUploadFiles(css(`#f-photo`), []string{photo}),
		chromedp.Click(css(`[data-testid="upload-photo"]`)),
		chromedp.WaitVisible(css(`[data-testid="photos"] img`)),
		chromedp.Click(css(`[data-testid="logout"]`)),
		chromedp.WaitVisible(css(`[data-testid="nav-login"]`)))
	step("a customer finds it by search",
		chromedp.Navigate(ba.url("/")),
		chromedp.SendKeys(css(`#catalog-q`), "fujifilm"),
		chromedp.Click(css(`[data-testid="search-submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="card-fujifilm-x-t5"]`)),
		chromedp.Click(css(`[data-testid="card-fujifilm-x-t5"] a`)),
		chromedp.WaitVisible(css(`[data-testid="item-title"]`)))
	if title := ba.text(`[data-testid="item-title"]`); title != "Fujifilm X-T5" {
		t.Fatalf("item page title %q", title)
	}
	weekStart := time.Now().AddDate(0, 1, 0) // a Monday next month: within the booking horizon
	for weekStart.Weekday() != time.Monday {
		weekStart = weekStart.AddDate(0, 0, 1)
	}
	step("the customer prices a week",
		chromedp.SetValue(css(`#f-start`), weekStart.Format("2006-01-02")+"T10:00"),
		chromedp.SetValue(css(`#f-end`), weekStart.AddDate(0, 0, 7).Format("2006-01-02")+"T10:00"),
		chromedp.Click(css(`[data-testid="price-submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="price-total"]`)))
	if total := ba.text(`[data-testid="price-total"]`); !strings.Contains(total, "150.00") {
		t.Fatalf("price of a week: %q, want the weekly rate €150.00", total)
	}
}
