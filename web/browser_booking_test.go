package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rentdesk/rentdesk/internal/period"
)

// The booking journey in a real browser: a visitor chooses dates, adds two
// items, signs up at checkout (the cart survives), confirms (pay at pickup)
// and finds the booking under "My bookings" in the location's local time.
// Zero CSP violations and script errors allowed.
func TestBrowserBookingJourney(t *testing.T) {
	ba := newBrowserApp(t)
	ctx := context.Background()
	db := ba.st.DB()
	var loc int64
	if err := db.QueryRowContext(ctx, `INSERT INTO locations (name, slug, time_zone) VALUES ('Harbour', 'harbour', 'America/New_York') RETURNING id`).Scan(&loc); err != nil {
		t.Fatal(err)
	}
	items := map[string]int64{}
	for _, name := range []string{"Kayak", "Paddle"} {
		var id int64
		if err := db.QueryRowContext(ctx, `INSERT INTO items (name, slug, tracking, rate_day) VALUES ($1, lower($1), 'serialized', 3000) RETURNING id`, name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO units (item_id, location_id, asset_tag) VALUES ($1, $2, $3)`, id, loc, name+"-1"); err != nil {
			t.Fatal(err)
		}
		items[name] = id
	}
	zone, _ := time.LoadLocation("America/New_York")
	now := time.Now().In(zone)
	start := period.Date(now.Year(), now.Month(), now.Day()+3, 10, 0, 0, 0, zone)
	end := period.Date(now.Year(), now.Month(), now.Day()+5, 16, 30, 0, 0, zone)

	ba.run(chromedp.Navigate(ba.url("/book")), chromedp.WaitVisible(chromedp.CSS(`[data-testid="dates-form"]`)),
		chromedp.SetValue(chromedp.CSS(`#f-location`), fmt.Sprint(loc)))
	ba.submitForm(`[data-testid="dates-form"]`, map[string]string{"start": period.FormatLocal(start, zone), "end": period.FormatLocal(end, zone)})
	ba.run(chromedp.WaitVisible(chromedp.CSS(`[data-testid="availability"]`)))
	for _, name := range []string{"Kayak", "Paddle"} {
		ba.run(chromedp.Navigate(ba.url("/book")), chromedp.WaitVisible(chromedp.CSS(`[data-testid="availability"]`)),
			chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid="add-%d"] button`, items[name]))),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-testid="cart-line-%d"]`, items[name]))))
	}
	ba.run(chromedp.Click(chromedp.CSS(`[data-testid="to-checkout"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="checkout-auth"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="checkout-signup"]`)))
	ba.submitForm(`[data-testid="signup-form"]`, map[string]string{"name": "Robin Reed", "email": "robin@example.com", "password": "a fine long password"})
	ba.submitForm(`[data-testid="login-form"]`, map[string]string{"email": "robin@example.com", "password": "a fine long password"})
	if got := ba.text(`[data-testid="cart"]`); !strings.Contains(got, "Kayak") || !strings.Contains(got, "Paddle") {
		t.Fatalf("the cart after sign-up: %q", got)
	}
	ba.run(chromedp.Click(chromedp.CSS(`[data-testid="confirm"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="booking-number"]`)))
	if got := ba.text(`[data-testid="status"]`); got != "confirmed" {
		t.Fatalf("status %q", got)
	}
	ba.run(chromedp.Click(chromedp.CSS(`#site-nav a[href="/bookings"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="bookings"]`)))
	want := period.FormatRange(period.Period{Start: start, End: end}, zone)
	if got := ba.text(`[data-testid="booking-period"]`); got != want {
		t.Fatalf("My bookings shows %q, want %q (local time at the location)", got, want)
	}
	if !strings.Contains(want, "10:00") || !strings.Contains(want, "16:30") {
		t.Fatalf("expected local hours in %q", want)
	}
}
