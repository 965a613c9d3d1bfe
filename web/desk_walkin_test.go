package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

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
		name := map[int64]string{tent: "Tent", stove: "Stove", offline: "Kayak", archived: "Old sled"}[id]
		res := c.get("/staff/items/search?item_q="+url.QueryEscape(name)).expectStatus(t, http.StatusOK)
		if got := res.has(fmt.Sprintf(`input[name="item"][value="%d"]`, id)); got != want {
			t.Errorf("item %d found by the picker: %v, want %v", id, got, want)
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

// The walk-in form picks items by a search, not menus of the whole catalog:
// the search fragment finds items by a part of the name (case-insensitive,
// % and _ plain characters, at most 20, never archived ones); without
// JavaScript the form sent with a search typed books the one item it names,
// or comes back with the matches to choose from. The item is checked again
// on submit.
func TestWalkInItemPicker(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent, pole := s.item("Tent", 1), s.item("Tent pole", 1)
	percent, under := s.item("Kit 100% wool", 1), s.item("Lens_mount", 1)
	s.exec(`INSERT INTO items (name, slug, tracking, rate_day, deposit)
		SELECT 'Lens ' || lpad(n::text, 2, '0'), 'lens-' || n, 'serialized', 100, 0 FROM generate_series(1, 25) n`)
	old := s.item("Tent old", 1)
	s.exec(`UPDATE items SET archived_at = now() WHERE id = $1`, old)
	ann := s.createUser(store.RoleCustomer, "ann@example.test", "correct horse battery")
	c, _ := s.staffClient("desk@example.test")

	fresh := c.get("/staff/bookings/new").expectStatus(t, http.StatusOK)
	if n := fresh.Doc.Find(`option`).Length(); n > 10 {
		t.Errorf("the fresh form has %d menu options: the catalog is listed", n)
	}
	for _, slot := range []string{"", "_2", "_3"} {
		if !fresh.has(`input[type=search][name="item_q` + slot + `"][hx-get="/staff/items/search?slot=` + slot + `"]`) {
			t.Errorf("no item search for the picker %q", slot)
		}
	}

	found := func(slot, q string) []string {
		t.Helper()
		res := c.get("/staff/items/search?"+url.Values{"slot": {slot}, "item_q" + slot: {q}}.Encode()).expectStatus(t, http.StatusOK)
		var ids []string
		res.Doc.Find(`input[type=radio][name="item` + slot + `"]`).Each(func(_ int, in *goquery.Selection) { ids = append(ids, in.AttrOr("value", "")) })
		return ids
	}
	id := func(n int64) string { return fmt.Sprint(n) }
	for q, want := range map[string][]string{
		"TENT": {id(tent), id(pole)}, "ole": {id(pole)}, "%": {id(percent)}, "_": {id(under)}, "zzz": nil, "old": nil,
	} {
		if got := found("", q); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("search %q finds %v, want %v", q, got, want)
		}
	}
	if got := found("", "lens"); len(got) != 20 {
		t.Errorf("search lens: %d choices, want 20", len(got))
	}
	if got := found("_2", "pole"); fmt.Sprint(got) != fmt.Sprint([]string{"none", id(pole)}) {
		t.Errorf("another item's picker offers %v, want None and the pole", got)
	}
	c.get("/staff/items/search?item_q="+strings.Repeat("x", 101)).expectStatus(t, http.StatusBadRequest)
	c.get("/staff/items/search?slot=_4&item_q_4=tent").expectStatus(t, http.StatusBadRequest)

	// Without JavaScript: the search typed is sent with the form.
	form := url.Values{"customer_id": {id(ann.ID)}, "quantity": {"1"}, "location": {fmt.Sprint(s.loc)}, "start": {s.local(2, 10)}, "end": {s.local(3, 10)}}
	with := func(kv ...string) url.Values {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	res := c.post("/staff/bookings", with("item_q", "lens", "item_q_2", "zzz")).expectStatus(t, http.StatusUnprocessableEntity)
	if got := res.fieldError("item"); !strings.Contains(got, "Several items match") {
		t.Errorf("a search of many: %q", got)
	}
	if n := res.Doc.Find(`[data-testid="item-results"] input[name="item"]`).Length(); n != 20 {
		t.Errorf("the form came back with %d choices, want 20", n)
	}
	if got := res.fieldError("item_2"); !strings.Contains(got, "No item matches") {
		t.Errorf("a search of none: %q", got)
	}
	if res.inputValue("item_q") != "lens" {
		t.Errorf("the search typed was not kept: %q", res.inputValue("item_q"))
	}
	// One whole name among several matches, and one match: booked.
	booked := c.post("/staff/bookings", with("item_q", "tent", "item_q_2", "wool", "quantity_2", "1")).expectStatus(t, http.StatusSeeOther)
	var bid int64
	fmt.Sscanf(booked.location(), "/staff/bookings/%d", &bid)
	b, err := s.st.GetBooking(context.Background(), bid)
	if err != nil || len(b.Lines) != 2 || b.Lines[0].ItemID != tent || b.Lines[1].ItemID != percent {
		t.Fatalf("booked %+v (%v), want the tent and the wool kit", b.Lines, err)
	}
	// A choice wins over the search it came from; a search typed after it
	// that it does not match is the newer wish.
	res = c.post("/staff/bookings", with("item", id(pole), "item_q", "tent", "end", "junk")).expectStatus(t, http.StatusUnprocessableEntity)
	if !res.has(fmt.Sprintf(`input[name="item"][value="%d"][checked]`, pole)) {
		t.Error("the pole chosen from the search for tent is not kept")
	}
	res = c.post("/staff/bookings", with("item", id(pole), "item_q", "lens", "end", "junk")).expectStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(res.fieldError("item"), "Several items match") {
		t.Errorf("a newer search was ignored: %q", res.fieldError("item"))
	}
	// "None" for another item leaves it out, whatever its search says.
	booked = c.post("/staff/bookings", with("item", id(pole), "item_q", "pole", "item_2", "none", "item_q_2", "lens")).expectStatus(t, http.StatusSeeOther)
	fmt.Sscanf(booked.location(), "/staff/bookings/%d", &bid)
	if b, err := s.st.GetBooking(context.Background(), bid); err != nil || len(b.Lines) != 1 || b.Lines[0].ItemID != pole {
		t.Errorf("booked %+v (%v), want the pole alone", b.Lines, err)
	}
	// Checked again on submit: an archived item is refused, even chosen.
	if got := c.post("/staff/bookings", with("item", id(old))).expectStatus(t, http.StatusUnprocessableEntity).fieldError("item"); !strings.Contains(got, "cannot be booked") {
		t.Errorf("an archived item: %q", got)
	}
}
