package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/store"
)

// htmx posts a form as htmx does: with the HX-Request header and the CSRF token.
func (c *testClient) htmx(path string, form url.Values) *testResponse {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/")
	}
	form.Set("_csrf", c.csrf)
	return c.postRaw(path, form, http.Header{"Hx-Request": {"true"}})
}

// Scan in place: each scan answers with a line for the log and the booking's
// lines swapped in place; every kind of wrong scan says why in plain words,
// and the guarded write refuses a unit promised to another booking (B5).
func TestScanInPlace(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 4)
	cust := s.createUser(store.RoleCustomer, "hiker@example.test", "correct horse battery")
	start, end := s.instant(2, 10), s.instant(4, 10)
	earlier := s.deskBook(cust.ID, tent, s.instant(1, 10), s.instant(2, 12)) // out when the others start
	two := s.deskBookLines(cust.ID, start, end, booking.LineRequest{ItemID: tent, Quantity: 2})
	other := s.deskBook(cust.ID, tent, start, end) // holds the last tent
	c, staff := s.staffClient("desk@example.test")
	s.setClock(s.instant(1, 10).Add(5 * time.Minute))
	fourth := earlier.Lines[0].Units[0].AssetTag
	if err := s.srv.Booking.CheckOut(context.Background(), earlier.ID, fourth, booking.Actor{UserID: staff.ID}); err != nil {
		t.Fatal(err)
	}
	s.setClock(start)
	promised := other.Lines[0].Units[0].AssetTag
	s.item("Bike", 1)

	path := fmt.Sprintf("/staff/bookings/%d/scan", two.ID)
	page := c.get(fmt.Sprintf("/staff/bookings/%d", two.ID)).expectStatus(t, http.StatusOK)
	form := page.Doc.Find(`[data-testid="checkout-scan-form"]`)
	if scan, _ := form.Attr("data-scan"); scan != path {
		t.Fatalf("scan form posts to %q, want %q", scan, path)
	}
	if _, ok := form.Find(`input[name="tag"]`).Attr("autofocus"); !ok {
		t.Error("the scan field is not focused")
	}

	first := two.Lines[0].Units[0].AssetTag
	res := c.htmx(path, url.Values{"tag": {first}}).expectStatus(t, http.StatusOK)
	if got := res.Doc.Find(`[data-testid="scan-ok"]`).Text(); got != first+" is out." {
		t.Errorf("scan log %q", got)
	}
	if oob, _ := res.Doc.Find(`#booking-lines`).Attr("hx-swap-oob"); oob != "true" {
		t.Errorf("the lines are not swapped in place (hx-swap-oob %q)", oob)
	}
	if got := res.Doc.Find(fmt.Sprintf(`[data-testid="unit-%s"] [data-testid="unit-status"]`, first)).Text(); got != "out" {
		t.Errorf("%s shows %q after the scan, want out", first, got)
	}
	if !strings.Contains(res.Doc.Find(`#booking-state [data-testid="status-banner"]`).Text(), "Out: due back") {
		t.Errorf("the banner did not move on: %q", res.Doc.Find(`#booking-state`).Text())
	}

	for _, tc := range []struct{ name, tag, want string }{
		{"empty", "", "Scan or type an asset tag."},
		{"unknown tag", "NOPE-9", "No unit has the tag NOPE-9."},
		{"wrong item", "Bike-1", "Bike-1 is a Bike; this booking has no Bike waiting to go out."},
		{"already out", first, first + " is already checked out on this booking."},
		{"promised to another booking", promised, promised + " cannot go out: promised to booking " + other.Number + "."},
		{"out on another booking", fourth, fourth + " cannot go out: still out on booking " + earlier.Number},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := c.htmx(path, url.Values{"tag": {tc.tag}}).expectStatus(t, http.StatusUnprocessableEntity)
			if got := res.Doc.Find(`[data-testid="scan-refused"]`).Text(); !strings.HasPrefix(got, tc.want) {
				t.Errorf("%q says %q, want %q", tc.tag, got, tc.want)
			}
		})
	}
	b, _ := s.st.GetBooking(context.Background(), two.ID)
	for _, u := range b.Lines[0].Units {
		if u.AssetTag == promised && u.PickedUpAt != nil {
			t.Fatal("the promised unit went out")
		}
	}

	// Without htmx, the scan answers like the check-out form.
	second := two.Lines[0].Units[1].AssetTag
	c.post(path, url.Values{"tag": {second}}).expectStatus(t, http.StatusSeeOther)
	b, _ = s.st.GetBooking(context.Background(), two.ID)
	if b.Status != store.BookingOut || b.Lines[0].Units[1].PickedUpAt == nil {
		t.Errorf("after the plain scan: %s, %+v", b.Status, b.Lines[0].Units[1])
	}
}

// A unit handed out before its booking starts, while another booking holds
// it in between: the scan log says so in one sentence, and without scripts
// the booking page answers (409) with the tag kept and the reason beside the
// scan field, not a page that leaves the booking.
func TestScanOutEarlyHeldInBetween(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	boat := s.item("Boat", 1)
	cust := s.createUser(store.RoleCustomer, "sailor@example.test", "correct horse battery")
	first := s.deskBook(cust.ID, boat, s.instant(1, 12), s.instant(2, 10))
	later := s.deskBook(cust.ID, boat, s.instant(3, 10), s.instant(4, 10))
	c, _ := s.staffClient("desk@example.test")
	s.setClock(s.instant(1, 10))
	tag := later.Lines[0].Units[0].AssetTag
	want := tag + " cannot go out early: promised to booking " + first.Number + "."

	res := c.htmx(fmt.Sprintf("/staff/bookings/%d/scan", later.ID), url.Values{"tag": {tag}}).expectStatus(t, http.StatusUnprocessableEntity)
	if got := res.Doc.Find(`[data-testid="scan-refused"]`).Text(); got != want {
		t.Errorf("scan log says %q, want %q", got, want)
	}
	res = c.post(fmt.Sprintf("/staff/bookings/%d/checkout", later.ID), url.Values{"tag": {tag}}).expectStatus(t, http.StatusConflict)
	form := res.Doc.Find(`[data-testid="checkout-scan-form"]`)
	if form.Length() == 0 {
		t.Fatalf("the refused check-out left the booking page: %s", res.Doc.Find("main").Text())
	}
	if v, _ := form.Find(`input[name="tag"]`).Attr("value"); v != tag {
		t.Errorf("scan field kept %q, want %q", v, tag)
	}
	if got := strings.Join(strings.Fields(form.Text()), " "); !strings.Contains(got, want) {
		t.Errorf("scan form says %q, want %q beside the field", got, want)
	}
	b, _ := s.st.GetBooking(context.Background(), later.ID)
	if b.Lines[0].Units[0].PickedUpAt != nil {
		t.Fatal("the unit went out")
	}
}

// A unit whose status is maintenance cannot be scanned out.
func TestScanRefusesUnitInMaintenance(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	kayak := s.item("Kayak", 2)
	cust := s.createUser(store.RoleCustomer, "paddler@example.test", "correct horse battery")
	b := s.deskBook(cust.ID, kayak, s.instant(1, 10), s.instant(2, 10))
	spare := "Kayak-2"
	if b.Lines[0].Units[0].AssetTag == spare {
		spare = "Kayak-1"
	}
	if _, err := s.st.DB().Exec(`UPDATE units SET status = 'maintenance' WHERE asset_tag = $1`, spare); err != nil {
		t.Fatal(err)
	}
	c, _ := s.staffClient("desk@example.test")
	s.setClock(s.instant(1, 10))
	res := c.htmx(fmt.Sprintf("/staff/bookings/%d/scan", b.ID), url.Values{"tag": {spare}}).expectStatus(t, http.StatusUnprocessableEntity)
	if got := res.Doc.Find(`[data-testid="scan-refused"]`).Text(); got != spare+" is in maintenance and cannot go out." {
		t.Errorf("maintenance scan says %q", got)
	}
}

// deskBookLines books several lines for a customer, as staff.
func (s *shop) deskBookLines(customer int64, start, end time.Time, lines ...booking.LineRequest) store.Booking {
	s.t.Helper()
	for i := range lines {
		lines[i].Start, lines[i].End = start, end
	}
	res, err := s.srv.Booking.Book(context.Background(), booking.Request{CustomerID: customer, LocationID: s.loc, Lines: lines})
	if err != nil {
		s.t.Fatal(err)
	}
	b, err := s.st.GetBooking(context.Background(), res.BookingID)
	if err != nil {
		s.t.Fatal(err)
	}
	return b
}

func bookingLine(item int64, qty int) booking.LineRequest {
	return booking.LineRequest{ItemID: item, Quantity: qty}
}
