package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/money"
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

// The walk-in form lists items by name alone and counts and prices only the
// items chosen: shown again with a period, it says how many of each are free
// and what the line costs. An item id the menus do not offer (unknown or
// archived) is refused beside its own field, and nothing is booked.
func TestWalkInFormChosenItems(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent, stove, offline, archived := s.item("Tent", 2), s.bulkItem("Stove", 3), s.item("Kayak", 1), s.item("Old sled", 1)
	s.exec(`UPDATE items SET online_bookable = false WHERE id = $1`, offline)
	s.exec(`UPDATE items SET archived_at = now() WHERE id = $1`, archived)
	s.bookDirect(tent, 1, s.instant(2, 10), s.instant(3, 10))
	c, _ := s.staffClient("desk@example.test")

	fresh := c.get("/staff/bookings/new").expectStatus(t, http.StatusOK)
	for id, want := range map[int64]bool{tent: true, stove: true, offline: true, archived: false} {
		if got := fresh.has(fmt.Sprintf(`select[name="item"] option[value="%d"]`, id)); got != want {
			t.Errorf("item %d in the menu: %v, want %v", id, got, want)
		}
	}
	if fresh.has(`[data-testid="walkin-chosen"]`) {
		t.Error("a fresh form counts items nobody chose")
	}
	booked := s.id(`SELECT count(*) FROM bookings`)

	// No customer yet: the form comes back with the chosen items counted.
	form := url.Values{"item": {fmt.Sprint(tent)}, "quantity": {"2"}, "item_2": {fmt.Sprint(stove)}, "quantity_2": {"1"},
		"item_3": {fmt.Sprint(offline)}, "quantity_3": {"1"},
		"location": {fmt.Sprint(s.loc)}, "start": {s.local(2, 10)}, "end": {s.local(3, 10)}}
	res := c.post("/staff/bookings", form).expectStatus(t, http.StatusUnprocessableEntity)
	if res.fieldError("customer_id") == "" && res.fieldError("email") == "" {
		t.Error("no customer and no message about it")
	}
	st, err := s.st.GetSettings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		id      int64
		qty     int
		free    string
		problem bool
	}{{tent, 2, "1 of 2 free", true}, {stove, 1, "3 of 3 free", false}, {offline, 1, "1 of 1 free", false}} {
		sel := fmt.Sprintf(`[data-testid="walkin-chosen-%d"]`, w.id)
		if got := res.text(sel + ` [data-testid="free"]`); got != w.free {
			t.Errorf("item %d: %q, want %q", w.id, got, w.free)
		}
		if got := res.has(sel + ` [data-testid="problem"]`); got != w.problem {
			t.Errorf("item %d: a problem shown: %v, want %v", w.id, got, w.problem)
		}
		it, err := s.st.GetBookableItem(context.Background(), w.id)
		if err != nil {
			t.Fatal(err)
		}
		q, err := s.srv.Booking.Quote(it, s.instant(2, 10), s.instant(3, 10), s.zone, w.qty, st)
		if err != nil || q.Total <= 0 {
			t.Fatalf("quote of item %d: %+v %v", w.id, q, err)
		}
		want := fmt.Sprintf("%s for %d", money.Format(q.Total, st.Currency), w.qty)
		if got := res.text(sel + ` [data-testid="price"]`); got != want {
			t.Errorf("item %d priced %q, want %q", w.id, got, want)
		}
	}
	if got := res.inputValue("start"); got != s.local(2, 10) {
		t.Errorf("the period typed was not kept: %q", got)
	}

	// Ids the menus never offered, each refused where it was typed.
	junk := url.Values{"email": {"nobody@example.test"}, "item": {fmt.Sprint(archived)}, "quantity": {"1"},
		"item_2": {"99999999"}, "quantity_2": {"1"}, "item_3": {"tent"}, "quantity_3": {"1"},
		"location": {fmt.Sprint(s.loc)}, "start": {s.local(5, 10)}, "end": {s.local(6, 10)}}
	res = c.post("/staff/bookings", junk).expectStatus(t, http.StatusUnprocessableEntity)
	for field, want := range map[string]string{"item": "cannot be booked", "item_2": "cannot be booked", "item_3": "Choose an item"} {
		if got := res.fieldError(field); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", field, got, want)
		}
	}
	if res.has(`[data-testid="walkin-chosen"]`) {
		t.Error("items refused are counted anyway")
	}
	junk.Set("item", fmt.Sprint(tent))
	junk.Del("item_2")
	junk.Del("item_3")
	junk.Set("customer_id", fmt.Sprint(s.id(`SELECT id FROM users WHERE email = 'desk@example.test'`)))
	junk.Set("item_2", "-3")
	if got := c.post("/staff/bookings", junk).expectStatus(t, http.StatusUnprocessableEntity).fieldError("item_2"); got == "" {
		t.Error("a negative item id is not refused beside its field")
	}
	if n := s.id(`SELECT count(*) FROM bookings`); n != booked {
		t.Errorf("%d bookings after refused forms, want %d", n, booked)
	}
}
