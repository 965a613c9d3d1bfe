package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
)

// Walk-in in one flow: staff find a customer by a part of the name, email or
// phone, or add a new one on the spot (who gets an email to set a password),
// book several items at once, and land on the booking to take the payment
// and scan; a refused booking never makes the new customer twice.
func TestWalkInNewCustomerSeveralItems(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent, stove := s.item("Tent", 1), s.item("Stove", 2)
	ann := s.createUser(store.RoleCustomer, "ann.lee@example.test", "correct horse battery")
	if _, err := s.st.DB().Exec(`UPDATE users SET phone = '+49 (30) 555-0101' WHERE id = $1`, ann.ID); err != nil {
		t.Fatal(err)
	}
	c, _ := s.staffClient("desk@example.test")
	c.get("/staff/bookings/new").expectStatus(t, http.StatusOK)

	for q, want := range map[string]bool{"ANN": true, "lee@EXAMPLE": true, "5550101": true, "30 555": true, "zed": false, "a": false} {
		res := c.get("/staff/customers?customer_q="+url.QueryEscape(q)).expectStatus(t, http.StatusOK)
		if got := res.has(fmt.Sprintf(`[data-testid="customer-%d"]`, ann.ID)); got != want {
			t.Errorf("search %q finds Ann: %v, want %v", q, got, want)
		}
	}
	c.get("/staff/customers?customer_q="+strings.Repeat("x", 101)).expectStatus(t, http.StatusBadRequest)

	form := url.Values{"new_name": {"Bo Berg"}, "new_email": {"BO@example.test"}, "new_phone": {"+46 8 123 45"},
		"item": {fmt.Sprint(tent)}, "quantity": {"1"}, "item_2": {fmt.Sprint(stove)}, "quantity_2": {"2"},
		"location": {fmt.Sprint(s.loc)}, "start": {s.local(2, 10)}, "end": {s.local(3, 10)}}
	taken := url.Values{}
	for k, v := range form {
		taken[k] = v
	}
	taken.Set("new_email", "ann.lee@example.test")
	if got := c.post("/staff/bookings", taken).expectStatus(t, http.StatusUnprocessableEntity).fieldError("new_email"); !strings.Contains(got, "find it above") {
		t.Errorf("a taken email: %q", got)
	}

	res := c.post("/staff/bookings", form).expectStatus(t, http.StatusSeeOther)
	bo, err := s.st.GetUserByEmail(context.Background(), "bo@example.test")
	if err != nil || bo.Role != store.RoleCustomer || bo.Phone != "+46 8 123 45" {
		t.Fatalf("new customer %+v (%v)", bo, err)
	}
	if n := s.emailCount("password_reset"); n != 1 {
		t.Errorf("%d emails to set a password, want 1", n)
	}
	var id int64
	fmt.Sscanf(res.location(), "/staff/bookings/%d", &id)
	b, err := s.st.GetBooking(context.Background(), id)
	if err != nil || b.CustomerID != bo.ID || len(b.Lines) != 2 || b.Status != store.BookingConfirmed {
		t.Fatalf("booking %+v (%v)", b, err)
	}
	if !c.get(res.location()).has(`[data-testid="checkout-scan-form"]`) {
		t.Error("the booking page does not offer the scan next")
	}

	// The tent is taken now: a second new customer is made once, and the
	// form shown again names them.
	again := url.Values{}
	for k, v := range form {
		again[k] = v
	}
	again.Set("new_name", "Cy Cole")
	again.Set("new_email", "cy@example.test")
	res = c.post("/staff/bookings", again)
	if res.StatusCode != http.StatusConflict && res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("taken tent: status %d", res.StatusCode)
	}
	if n := s.id(`SELECT count(*) FROM users WHERE email = 'cy@example.test'`); n != 1 {
		t.Errorf("%d accounts for Cy", n)
	}
	if res.StatusCode == http.StatusUnprocessableEntity {
		if _, ok := res.Doc.Find(`input[name="customer_id"][checked]`).Attr("value"); !ok {
			t.Error("the form shown again does not name the customer made")
		}
	}

	// A customer chosen from the search.
	pick := url.Values{"customer_id": {fmt.Sprint(ann.ID)}, "item": {fmt.Sprint(stove)}, "quantity": {"1"},
		"location": {fmt.Sprint(s.loc)}, "start": {s.local(5, 10)}, "end": {s.local(6, 10)}}
	c.post("/staff/bookings", pick).expectStatus(t, http.StatusSeeOther)
	pick.Set("customer_id", fmt.Sprint(s.id(`SELECT id FROM users WHERE email = 'desk@example.test'`)))
	if got := c.post("/staff/bookings", pick).expectStatus(t, http.StatusUnprocessableEntity).Doc.Find(`[data-testid="error-customer_id"]`).Text(); got == "" {
		t.Error("a staff account was accepted as the customer")
	}
}
