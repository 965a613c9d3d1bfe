package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/store"
)

// staffClient creates a staff account and logs it in.
func (s *shop) staffClient(email string) (*testClient, store.User) {
	s.t.Helper()
	u := s.createUser(store.RoleStaff, email, "staff password 1")
	c := s.client()
	c.login(email, "staff password 1")
	return c, u
}

// has says whether the page has an element for the selector.
func (r *testResponse) has(selector string) bool { return r.Doc.Find(selector).Length() > 0 }

// Staff land on the desk after login; customers on the public home page.
func TestStaffLandOnTheDesk(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	s.createUser(store.RoleStaff, "desk@example.test", "staff password 1")
	s.createUser(store.RoleCustomer, "cust@example.test", "correct horse battery")
	for email, want := range map[string]string{"desk@example.test": "/desk", "cust@example.test": "/"} {
		c := s.client()
		c.get("/login")
		pw := "correct horse battery"
		if strings.HasPrefix(email, "desk") {
			pw = "staff password 1"
		}
		res := c.post("/login", url.Values{"email": {email}, "password": {pw}}).expectStatus(t, http.StatusSeeOther)
		if got := res.location(); got != want {
			t.Errorf("%s lands on %q, want %q", email, got, want)
		}
	}
}

// The staff booking page offers only what the status allows, says how late
// an overdue booking is, and shows the customer's phone and email, the
// prices, the deposit and the balance.
func TestStaffBookingPageFitsTheStatus(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 1)
	cust := s.createUser(store.RoleCustomer, "hiker@example.test", "correct horse battery")
	if _, err := s.st.DB().Exec(`UPDATE users SET phone = '+49 30 1234567' WHERE id = $1`, cust.ID); err != nil {
		t.Fatal(err)
	}
	start, end := s.instant(1, 10), s.instant(2, 10)
	b := s.deskBook(cust.ID, tent, start, end)
	c, staff := s.staffClient("desk@example.test")
	page := "/staff/bookings/" + itoa(b.ID)

	type want struct {
		scanOut, scanIn, confirm, cancel, handOver bool
		banner                                     string
	}
	check := func(what string, w want) *testResponse {
		t.Helper()
		res := c.get(page).expectStatus(t, http.StatusOK)
		for sel, on := range map[string]bool{
			`[data-testid="checkout-scan-form"]`: w.scanOut, `[data-testid="checkin-form"]`: w.scanIn,
			`[data-testid="confirm-form"]`: w.confirm, `[data-testid="cancel-form"]`: w.cancel,
			`[data-testid="handover-link"]`: w.handOver,
		} {
			if res.has(sel) != on {
				t.Errorf("%s: %s shown = %v, want %v", what, sel, !on, on)
			}
		}
		if got := res.Doc.Find(`[data-testid="status-banner"]`).Text(); !strings.Contains(got, w.banner) {
			t.Errorf("%s: banner %q, want it to say %q", what, got, w.banner)
		}
		return res
	}

	res := check("confirmed", want{scanOut: true, cancel: true, banner: "Confirmed: pickup"})
	for sel, text := range map[string]string{
		`[data-testid="customer-email"]`: "hiker@example.test", `[data-testid="customer-phone"]`: "+49 30 1234567",
		`[data-testid="deposit"]`: "100.00", `[data-testid="balance"]`: "25.00",
	} {
		if got := res.Doc.Find(sel).Text(); !strings.Contains(got, text) {
			t.Errorf("%s: %q, want %q", sel, got, text)
		}
	}
	if href, _ := res.Doc.Find(`[data-testid="customer-phone"]`).Attr("href"); href != "tel:+49 30 1234567" {
		t.Errorf("phone link %q", href)
	}
	if !strings.Contains(res.Doc.Find(`[data-testid="booking-lines"] .price-breakdown`).Text(), "1 day") {
		t.Errorf("no price breakdown on the line: %q", res.Doc.Find(`[data-testid="booking-lines"]`).Text())
	}

	s.setClock(start.Add(5 * time.Minute))
	act := booking.Actor{UserID: staff.ID}
	if err := s.srv.Booking.CheckOut(context.Background(), b.ID, "Tent-1", act); err != nil {
		t.Fatal(err)
	}
	check("out", want{scanIn: true, handOver: true, banner: "Out: due back"})

	s.setClock(end.Add(2*time.Hour + 15*time.Minute))
	res = check("overdue", want{scanIn: true, handOver: true, banner: "Overdue by 2 h 15 min"})
	if k, _ := res.Doc.Find(`[data-testid="status-banner"]`).Attr("class"); !strings.Contains(k, "status-banner-danger") {
		t.Errorf("overdue banner class %q", k)
	}
	if got := res.Doc.Find(`[data-testid="line-overdue"]`).Text(); got != "overdue 2 h 15 min" {
		t.Errorf("line badge %q", got)
	}

	if err := s.srv.Booking.CheckIn(context.Background(), b.ID, "Tent-1", act); err != nil {
		t.Fatal(err)
	}
	check("returned", want{handOver: true, banner: "Everything is back"})

	other := s.deskBook(cust.ID, tent, s.instant(5, 10), s.instant(6, 10))
	if err := s.srv.Booking.Cancel(context.Background(), other.ID, 0, act); err != nil {
		t.Fatal(err)
	}
	page = "/staff/bookings/" + itoa(other.ID)
	check("cancelled", want{confirm: true, banner: "Cancelled"})
}
