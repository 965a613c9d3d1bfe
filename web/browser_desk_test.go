package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
)

// The desk in a real browser: staff log in and land on the board, open a
// pickup, and a barcode scanner types three tags with Enter as fast as keys
// go: every scan is answered in place, none is lost or glued to the next, the
// page never reloads and focus stays in the scan field. Zero CSP violations.
func TestBrowserScanInPlace(t *testing.T) {
	ba := newBrowserApp(t)
	ctx := context.Background()
	var loc, tent int64
	db := ba.st.DB()
	if err := db.QueryRowContext(ctx, `INSERT INTO locations (name, slug, time_zone) VALUES ('Harbour', 'harbour', 'Europe/Berlin') RETURNING id`).Scan(&loc); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `INSERT INTO items (name, slug, tracking, rate_day) VALUES ('Tent', 'tent', 'serialized', 2500) RETURNING id`).Scan(&tent); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		if _, err := db.ExecContext(ctx, `INSERT INTO units (item_id, location_id, asset_tag) VALUES ($1, $2, $3)`, tent, loc, fmt.Sprintf("T-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	cust := ba.createUser(store.RoleCustomer, "hiker@example.test", authzPassword)
	ba.createUser(store.RoleStaff, "desk@example.test", authzPassword)
	zone := period.Zone("Europe/Berlin")
	now := ba.clock().In(zone)
	start := period.Date(now.Year(), now.Month(), now.Day()+1, 10, 0, 0, 0, zone)
	res, err := ba.srv.Booking.Book(ctx, booking.Request{CustomerID: cust.ID, LocationID: loc,
		Lines: []booking.LineRequest{{ItemID: tent, Quantity: 3, Start: start, End: start.Add(48 * time.Hour)}}})
	if err != nil {
		t.Fatal(err)
	}
	ba.setClock(start.Add(-10 * time.Minute))

	ba.run(chromedp.Navigate(ba.url("/login")))
	ba.submitForm(`[data-testid="login-form"]`, map[string]string{"email": "desk@example.test", "password": authzPassword})
	ba.run(chromedp.WaitVisible(chromedp.CSS(`[data-testid="desk-board"]`)))
	url, err := chromedp.Run(ba.b.Context(), chromedp.Location())
	if err != nil || !strings.HasSuffix(strings.SplitN(url, "?", 2)[0], "/desk") {
		t.Fatalf("staff landed on %q (%v), want the desk", url, err)
	}

	ba.run(chromedp.Navigate(ba.url(fmt.Sprintf("/staff/bookings/%d", res.BookingID))),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="scan-input"]`)))
	eval := func(js string) bool {
		t.Helper()
		ok, err := chromedp.Run(ba.b.Context(), chromedp.Evaluate[bool](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return ok
	}
	// A mark on the window: a reload would wipe it.
	eval(`window.deskMark = true`)
	if !eval(`document.activeElement && document.activeElement.name === "tag"`) {
		t.Fatal("the scan field is not focused when the page opens")
	}
	// The wrong scan is answered 422 on purpose; the browser logs that status.
	ba.b.ExpectError("422 (Unprocessable Entity)")
	ba.run(chromedp.SendKeys(chromedp.CSS(`[data-testid="scan-input"]`), "T-1\rT-2\rT-3\rT-9\r"),
		chromedp.WaitVisible(chromedp.CSS(`#scan-log li:nth-child(4)`)))
	log := ba.text(`#scan-log`)
	for _, want := range []string{"T-1 is out.", "T-2 is out.", "T-3 is out.", "No unit has the tag T-9."} {
		if !strings.Contains(log, want) {
			t.Errorf("scan log %q lacks %q", log, want)
		}
	}
	if !eval(`window.deskMark === true`) {
		t.Error("the page reloaded")
	}
	if !eval(`document.activeElement && document.activeElement.name === "tag" && document.activeElement.value === ""`) {
		t.Error("focus left the scan field, or a tag was left in it")
	}
	if !eval(`document.querySelectorAll('[data-testid="unit-status"]').length === 3 &&
		Array.from(document.querySelectorAll('[data-testid="unit-status"]')).every(e => e.textContent === "out")`) {
		t.Errorf("the lines did not update in place: %q", ba.text(`[data-testid="booking-lines"]`))
	}
	if got := ba.text(`[data-testid="status-banner"]`); !strings.Contains(got, "Out: due back") {
		t.Errorf("banner %q", got)
	}
	b, err := ba.st.GetBooking(ctx, res.BookingID)
	if err != nil || b.Status != store.BookingOut {
		t.Fatalf("booking %s (%v)", b.Status, err)
	}
}
