package web

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// An admin opens the metrics dashboard: the server-drawn SVG charts render
// with no CSP violation or script error, and the business panel shows a new
// booking through its htmx refresh, without a page reload (a mark set on the
// page survives).
func TestBrowserMetricsDashboard(t *testing.T) {
	ba := newBrowserApp(t)
	ba.createUser("admin", "boss@example.com", authzPassword)
	cust := ba.createUser("customer", "c@example.com", authzPassword)
	var loc int64
	if err := ba.st.DB().QueryRowContext(t.Context(), `INSERT INTO locations (name, slug, time_zone) VALUES ('Shop', 'shop', 'UTC') RETURNING id`).Scan(&loc); err != nil {
		t.Fatal(err)
	}
	ba.run(chromedp.Navigate(ba.url("/login")))
	ba.submitForm(`[data-testid="login-form"]`, map[string]string{"email": "boss@example.com", "password": authzPassword})
	ba.run(chromedp.WaitVisible(chromedp.CSS(`[data-testid="nav-logout"], [data-testid="logout"]`)),
		chromedp.Navigate(ba.url("/admin/metrics")),
		chromedp.WaitVisible(chromedp.CSS(`#chart-revenue svg.chart-svg[role="img"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="system-panel"] table`)))
	if got := ba.text(`[data-testid="bookings-made"] .stat-value`); got != "0" {
		t.Fatalf("bookings made at first: %q", got)
	}
	ctx, cancel := context.WithTimeout(ba.b.Context(), 30*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.body.dataset.mark = "kept"; true`)); err != nil {
		t.Fatal(err)
	}
	if _, err := ba.st.DB().ExecContext(t.Context(), `INSERT INTO bookings (customer_id, location_id, status, currency, total, confirmed_at, created_at)
		VALUES ($1, $2, 'confirmed', 'EUR', 5000, $3, $3)`, cust.ID, loc, ba.clock().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	changed, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.mark === "kept" &&
		document.querySelector('[data-testid="bookings-made"] .stat-value').textContent === "1"`))
	if err != nil || !changed {
		t.Fatalf("the business panel did not show the new booking in place: %v", err)
	}
	// The panels swap their charts every few seconds: wait for a settled
	// panel rather than reading one mid-swap.
	titled, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('svg.chart-svg[role="img"] > title').length >= 2`))
	if err != nil || !titled {
		n, _ := chromedp.Run(ba.b.Context(), chromedp.Evaluate[int](`document.querySelectorAll('svg.chart-svg[role="img"] > title').length`))
		t.Errorf("charts with a title: %d %v", n, err)
	}
}
