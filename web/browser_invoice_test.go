package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rentdesk/rentdesk/internal/booking"
)

// An admin fills in the invoice details on the settings page in the
// browser; the next confirmed booking's invoice page shows them, with zero
// CSP violations on either page.
func TestBrowserSettingsAndInvoicePage(t *testing.T) {
	ba := newBrowserApp(t)
	boss := ba.createUser("admin", "boss@example.com", authzPassword)
	ba.run(chromedp.Navigate(ba.url("/admin/settings")))
	ba.submitForm(`[data-testid="login-form"]`, map[string]string{"email": "boss@example.com", "password": authzPassword})
	ba.run(chromedp.WaitVisible(chromedp.CSS(`[data-testid="settings-form"]`)))
	ba.submitForm(`[data-testid="settings-form"]`, map[string]string{
		"legal_name": "Łódź Müller Verleih", "legal_address": "Piotrkowska 1\n90-001 Łódź", "standard_rate": "23",
	})
	if got := ba.text(`[data-testid="flash"]`); !strings.Contains(got, "Settings saved") {
		t.Fatalf("after saving: %q", got)
	}
	ctx := context.Background()
	var loc, item int64
	db := ba.st.DB()
	if err := db.QueryRowContext(ctx, `INSERT INTO locations (name, slug, time_zone) VALUES ('Main', 'main', 'Europe/Warsaw') RETURNING id`).Scan(&loc); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `INSERT INTO items (name, slug, tracking, rate_day) VALUES ('Lampa', 'lampa', 'bulk', 12300) RETURNING id`).Scan(&item); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO bulk_stock (item_id, location_id, quantity) VALUES ($1, $2, 5)`, item, loc); err != nil {
		t.Fatal(err)
	}
	start := ba.clock().Add(72 * time.Hour).Truncate(time.Hour)
	res, err := ba.srv.Booking.Book(ctx, booking.Request{CustomerID: boss.ID, LocationID: loc, Actor: booking.Actor{UserID: boss.ID},
		Lines: []booking.LineRequest{{ItemID: item, Quantity: 1, Start: start, End: start.Add(24 * time.Hour)}}})
	if err != nil {
		t.Fatal(err)
	}
	ba.run(chromedp.Navigate(ba.url("/staff/bookings/"+itoa(res.BookingID))),
		chromedp.Click(chromedp.CSS(`[data-testid="invoices"] a`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="invoice"]`)))
	doc := ba.text(`[data-testid="invoice"]`)
	for _, want := range []string{"Łódź Müller Verleih", "90-001 Łódź", "Tax 23% on €100.00", "€123.00"} {
		if !strings.Contains(doc, want) {
			t.Errorf("invoice page lacks %q:\n%s", want, doc)
		}
	}
}
