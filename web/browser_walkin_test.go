package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/rentdesk/rentdesk/internal/store"
)

// The walk-in form in a real browser: staff type a part of a name into the
// item picker and the customer search, htmx fills in the matches in place
// (a single match comes chosen), and the form books. Zero CSP violations.
func TestBrowserWalkInItemPicker(t *testing.T) {
	ba := newBrowserApp(t)
	ctx := context.Background()
	db := ba.st.DB()
	var loc, stove int64
	if err := db.QueryRowContext(ctx, `INSERT INTO locations (name, slug, time_zone) VALUES ('Harbour', 'harbour', 'Europe/Berlin') RETURNING id`).Scan(&loc); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO items (name, slug, tracking, rate_day) SELECT 'Tent ' || n, 'tent-' || n, 'serialized', 2500 FROM generate_series(1, 30) n`); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `INSERT INTO items (name, slug, tracking, rate_day) VALUES ('Camping stove', 'stove', 'serialized', 900) RETURNING id`).Scan(&stove); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO units (item_id, location_id, asset_tag) VALUES ($1, $2, 'S-1')`, stove, loc); err != nil {
		t.Fatal(err)
	}
	cust := ba.createUser(store.RoleCustomer, "hiker@example.test", authzPassword)
	ba.createUser(store.RoleStaff, "desk@example.test", authzPassword)

	ba.run(chromedp.Navigate(ba.url("/login")))
	ba.submitForm(`[data-testid="login-form"]`, map[string]string{"email": "desk@example.test", "password": authzPassword})
	ba.run(chromedp.WaitVisible(chromedp.CSS(`[data-testid="desk-board"]`)),
		chromedp.Navigate(ba.url("/staff/bookings/new")), chromedp.WaitVisible(chromedp.CSS(`[data-testid="walkin-form"]`)))
	ba.run(chromedp.SendKeys(chromedp.CSS(`[data-testid="item-search"]`), "STOVE"),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-testid="item-%d"]`, stove))),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="customer-search"]`), "hiker"),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-testid="customer-%d"]`, cust.ID))))
	checked, err := chromedp.Run(ba.b.Context(), chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector('[data-testid="item-%d"]').checked`, stove)))
	if err != nil || !checked {
		t.Fatalf("the single match is not chosen (%v)", err)
	}
	// Another picker lists at most 20 of the 30 tents, and "None".
	ba.run(chromedp.SendKeys(chromedp.CSS(`[data-testid="item-search_2"]`), "tent"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="item_2-none"]`)))
	n, err := chromedp.Run(ba.b.Context(), chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="item-results_2"] input[name="item_2"]').length`))
	if err != nil || n != 21 {
		t.Errorf("the second picker offers %d choices (%v), want 20 tents and None", n, err)
	}
	ba.run(chromedp.Click(chromedp.CSS(`[data-testid="item_2-none"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="walkin-form"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="checkout-scan-form"]`)))
	if got := ba.text(`[data-testid="flash"]`); !strings.Contains(got, "Booked") {
		t.Errorf("after booking the page says %q", got)
	}
	var lines int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM booking_lines WHERE item_id = $1`, stove).Scan(&lines); err != nil || lines != 1 {
		t.Errorf("%d lines of the stove booked (%v), want 1", lines, err)
	}
}
