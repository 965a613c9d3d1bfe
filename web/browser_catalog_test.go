package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rentdesk/rentdesk/internal/testenv"
)

// browser is a headless Chromium (CHROMIUM_BIN) for one test. It collects
// what the page reports on its console that points at a broken page:
// Content-Security-Policy violations and uncaught exceptions.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	problems []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	bin := testenv.Require(t, "CHROMIUM_BIN")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1280, 900))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// The first action starts the browser; it must run without a deadline,
	// which would end the browser with it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	b := &browser{ctx: ctx}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") {
				b.mu.Lock()
				b.problems = append(b.problems, m.String())
				b.mu.Unlock()
			}
		}
	}()
	return b
}

// do runs one step of a journey with a deadline.
func (b *browser) do(t *testing.T, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

// text reads the text of the first element matching a CSS selector.
func (b *browser) text(t *testing.T, sel string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (b *browser) noProblems(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.problems) > 0 {
		t.Fatalf("the browser reported: %v", b.problems)
	}
}

// TestBrowserCatalogJourney: staff create an item with two units and a
// photo; a customer finds it by search and sees the price of a week.
func TestBrowserCatalogJourney(t *testing.T) {
	app := newTestApp(t)
	app.seedCatalog()
	app.createUser("staff", "desk@example.test", "correct horse battery")
	photo := filepath.Join(t.TempDir(), "xt5.png")
	if err := os.WriteFile(photo, testPNG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	u := app.ts.URL
	b.do(t, "staff logs in",
		chromedp.Navigate(u+"/login?next=/staff/items/new"),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "desk@example.test"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "correct horse battery"),
		chromedp.Submit(chromedp.CSS(`[data-testid="login-form"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="item-form"]`)))
	b.do(t, "staff creates the item",
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Fujifilm X-T5"),
		chromedp.SendKeys(chromedp.CSS(`#f-description`), "40 MP APS-C camera with film simulations."),
		chromedp.SendKeys(chromedp.CSS(`#f-rate_day`), "35"),
		chromedp.SendKeys(chromedp.CSS(`#f-rate_week`), "150"),
		chromedp.SetValue(chromedp.CSS(`#f-deposit`), "200"),
		chromedp.Click(chromedp.CSS(`[data-testid="save-item"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="unit-series-form"]`)))
	b.do(t, "staff adds two units",
		chromedp.SendKeys(chromedp.CSS(`#f-prefix`), "XT5-"),
		chromedp.SetValue(chromedp.CSS(`[data-testid="unit-series-form"] #f-count`), "2"),
		chromedp.Click(chromedp.CSS(`[data-testid="add-units"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="unit-XT5-002"]`)))
	b.do(t, "staff uploads a photo",
		chromedp.SetUploadFiles(chromedp.CSS(`#f-photo`), []string{photo}),
		chromedp.Click(chromedp.CSS(`[data-testid="upload-photo"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="photos"] img`)),
		chromedp.Click(chromedp.CSS(`[data-testid="logout"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="nav-login"]`)))
	b.do(t, "a customer finds it by search",
		chromedp.Navigate(u+"/"),
		chromedp.SendKeys(chromedp.CSS(`#catalog-q`), "fujifilm"),
		chromedp.Click(chromedp.CSS(`[data-testid="search-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="card-fujifilm-x-t5"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="card-fujifilm-x-t5"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="item-title"]`)))
	if title := b.text(t, `[data-testid="item-title"]`); title != "Fujifilm X-T5" {
		t.Fatalf("item page title %q", title)
	}
	b.do(t, "the customer prices a week",
		chromedp.SetValue(chromedp.CSS(`#f-start`), "2030-03-04T10:00"),
		chromedp.SetValue(chromedp.CSS(`#f-end`), "2030-03-11T10:00"),
		chromedp.Click(chromedp.CSS(`[data-testid="price-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="price-total"]`)))
	if total := b.text(t, `[data-testid="price-total"]`); !strings.Contains(total, "150.00") {
		t.Fatalf("price of a week: %q, want the weekly rate €150.00", total)
	}
	b.noProblems(t)
}
