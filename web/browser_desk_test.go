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
	// A late-fee rule: €5 an hour after 15 minutes' grace, at most €30.
	if err := db.QueryRowContext(ctx, `INSERT INTO items (name, slug, tracking, rate_day, late_fee_per, late_fee_amount, late_fee_grace_minutes, late_fee_cap)
		VALUES ('Tent', 'tent', 'serialized', 2500, 'hour', 500, 15, 3000) RETURNING id`).Scan(&tent); err != nil {
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

	// Hand over: the sheet lists the tags that went out.
	ba.run(chromedp.Click(chromedp.CSS(`[data-testid="handover-link"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="handover-form"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="handover-form"] button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="sheet-handed"]`)))
	if got := ba.text(`[data-testid="sheet-lines"]`); !strings.Contains(got, "T-1") || !strings.Contains(got, "T-2") {
		t.Errorf("hand-over sheet lines %q", got)
	}
	testReturnLateAndDamaged(t, ba, loc, start.Add(48*time.Hour))
}

// testReturnLateAndDamaged is the return half of the desk journey: two hours
// after the end, one tent comes back torn. Staff scan it in the board's
// check-in box, mark it damaged with a note, see the late fee before and
// after checking in, and find the unit in maintenance on the units calendar.
func testReturnLateAndDamaged(t *testing.T, ba *browserApp, loc int64, end time.Time) {
	t.Helper()
	ba.setClock(end.Add(2*time.Hour + 10*time.Minute))
	ba.run(chromedp.Navigate(ba.url("/desk")), chromedp.WaitVisible(chromedp.CSS(`[data-testid="board-return"] #return-tag`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="board-return"] #return-tag`), "T-1\r"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="return-form"]`)))
	if _, ok := ba.b.Attribute(`[data-testid="return-T-1"] input[name="item"]`, "checked"); !ok {
		t.Error("the scanned tent is not ticked on the return form")
	}
	// Three started hours late at €5.00 each.
	if got := ba.text(`[data-testid="return-T-1"] [data-testid="late-fee"]`); !strings.Contains(got, "€15.00") {
		t.Errorf("late fee on the return form %q", got)
	}
	ba.run(chromedp.Click(chromedp.CSS(`input[name="condition_T-1"][value="damaged"]`)),
		chromedp.SendKeys(chromedp.CSS(`#note-T-1`), "torn fly"),
		chromedp.Click(chromedp.CSS(`[data-testid="return-form"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="return-row"]`)))
	if got := ba.text(`[data-testid="flash"]`); !strings.Contains(got, "Checked in.") || !strings.Contains(got, "Late fee charged: €15.00") {
		t.Errorf("after the return the page says %q", got)
	}

	// The units calendar from the board: today T-1 is in maintenance, why.
	ba.run(chromedp.Navigate(ba.url(fmt.Sprintf("/desk?location=%d", loc))), chromedp.WaitVisible(chromedp.CSS(`[data-testid="calendar-link"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="calendar-link"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="units-calendar"]`)))
	today := `[data-testid="cal-row-T-1"] td.cal-today`
	if got := strings.TrimSpace(ba.text(today)); got != "maint." {
		t.Errorf("T-1 today on the calendar shows %q, want maint.", got)
	}
	if why, _ := ba.b.Attribute(today, "title"); !strings.Contains(why, "torn fly") {
		t.Errorf("the maintenance cell says why %q", why)
	}
	if got := strings.TrimSpace(ba.text(`[data-testid="cal-row-T-2"] td.cal-today`)); got == "maint." {
		t.Error("T-2, still out, shows in maintenance")
	}
}
