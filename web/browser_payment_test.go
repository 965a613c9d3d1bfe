package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdpfetch "github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
)

// stopAtStripe makes the browser stop any navigation to Stripe Checkout: the
// request never leaves the machine; the tab gets a stand-in page, and the
// URL it was sent to comes out of the returned channel.
func stopAtStripe(t *testing.T, ba *browserApp) <-chan string {
	t.Helper()
	urls := make(chan string, 4)
	ctx := ba.b.Context()
	if err := chromedp.Listen(ctx, func(ev any) {
		e, ok := ev.(*cdpfetch.EventRequestPaused)
		if !ok {
			return
		}
		select {
		case urls <- e.Request.URL:
		default:
		}
		go func() {
			_ = chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := cdp.Call(ctx, tg, cdpfetch.FulfillRequest, cdpfetch.FulfillRequestParams{RequestID: e.RequestID, ResponseCode: 200,
					ResponseHeaders: []*cdpfetch.HeaderEntry{{Name: "Content-Type", Value: "text/html; charset=utf-8"}},
					Body:            []byte(`<!DOCTYPE html><title>Checkout</title><h1 data-testid="stripe-checkout">Stripe Checkout</h1>`)})
				return err
			}))
		}()
	}); err != nil {
		t.Fatal(err)
	}
	ba.run(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdpfetch.Enable, cdpfetch.EnableParams{Patterns: []*cdpfetch.RequestPattern{{URLPattern: "https://checkout.stripe.com/*"}}})
		return err
	}))
	return urls
}

// The online payment journey in a real browser: the customer confirms the
// cart, is sent to the Checkout URL stripe-mock made (stopped there), comes
// back to the success page, which says it is confirming until the signed
// checkout.session.completed arrives and then turns to confirmed with the
// invoice. No CSP violation (form-action lets the redirect go to Stripe).
func TestBrowserOnlinePaymentJourney(t *testing.T) {
	rec := newStripeRecorder(t)
	ba := newBrowserApp(t, withStripe(rec.URL))
	ctx := context.Background()
	db := ba.st.DB()
	if _, err := db.ExecContext(ctx, `UPDATE shop_settings SET payment_mode = 'online_full', hold_minutes = 60`); err != nil {
		t.Fatal(err)
	}
	var loc, item int64
	if err := db.QueryRowContext(ctx, `INSERT INTO locations (name, slug, time_zone) VALUES ('Harbour', 'harbour', 'Europe/Berlin') RETURNING id`).Scan(&loc); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `INSERT INTO items (name, slug, tracking, rate_day) VALUES ('Kayak', 'kayak', 'serialized', 3000) RETURNING id`).Scan(&item); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO units (item_id, location_id, asset_tag) VALUES ($1, $2, 'K-1')`, item, loc); err != nil {
		t.Fatal(err)
	}
	ba.createUser(store.RoleCustomer, "robin@example.com", authzPassword)
	zone, _ := time.LoadLocation("Europe/Berlin")
	now := time.Now().In(zone)
	start := period.Date(now.Year(), now.Month(), now.Day()+3, 10, 0, 0, 0, zone)
	end := period.Date(now.Year(), now.Month(), now.Day()+4, 10, 0, 0, 0, zone)

	ba.run(chromedp.Navigate(ba.url("/login")))
	ba.submitForm(`[data-testid="login-form"]`, map[string]string{"email": "robin@example.com", "password": authzPassword})
	ba.run(chromedp.WaitVisible(chromedp.CSS(`[data-testid="logout"]`)), chromedp.Navigate(ba.url("/book")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="dates-form"]`)), chromedp.SetValue(chromedp.CSS(`#f-location`), fmt.Sprint(loc)))
	ba.submitForm(`[data-testid="dates-form"]`, map[string]string{"start": period.FormatLocal(start, zone), "end": period.FormatLocal(end, zone)})
	ba.run(chromedp.WaitVisible(chromedp.CSS(`[data-testid="availability"]`)),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid="add-%d"] button`, item))),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-testid="cart-line-%d"]`, item))),
		chromedp.Click(chromedp.CSS(`[data-testid="to-checkout"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="confirm"]`)))

	urls := stopAtStripe(t, ba)
	ba.run(chromedp.Click(chromedp.CSS(`[data-testid="confirm"]`)))
	select {
	case u := <-urls:
		if !strings.HasPrefix(u, "https://checkout.stripe.com/") {
			t.Fatalf("sent to %q", u)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the browser was not sent to Stripe Checkout")
	}
	ba.run(chromedp.WaitVisible(chromedp.CSS(`[data-testid="stripe-checkout"]`)))

	var id, amount int64
	var csID string
	if err := db.QueryRowContext(ctx, `SELECT booking_id, id, amount FROM checkout_sessions`).Scan(&id, &csID, &amount); err != nil {
		t.Fatal(err)
	}
	ba.run(chromedp.Navigate(ba.url(fmt.Sprintf("/bookings/%d/payment/success", id))),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="payment-status"][data-state="waiting"]`)))

	p := &payShop{shop: &shop{testApp: ba.testApp}}
	body := p.event("checkout.session.completed", p.session(id, csID, amount, "paid"))
	req, err := http.NewRequest(http.MethodPost, ba.url("/webhooks/stripe"), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Stripe-Signature", signed(body, testWebhookSecret, time.Now()))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("webhook: %d", res.StatusCode)
	}
	// htmx polls every 2 s; the part turns to confirmed with the invoice.
	ba.run(chromedp.WaitVisible(chromedp.CSS(`[data-testid="payment-status"][data-state="confirmed"]`)))
	if got := ba.text(`[data-testid="invoices"]`); !strings.Contains(got, "Invoice") {
		t.Errorf("no invoice link on the confirmed page: %q", got)
	}
}
