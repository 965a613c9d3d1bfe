package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
)

// Every place a period enters refuses one that ends beyond the shop's booking
// horizon (18 months by default, a shop setting) with a message beside the
// field, and nothing is booked or blocked. The year 9999 cannot be booked.
func TestBookingHorizonEnforcedEverywhere(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Cam", 2)
	var slug string
	_ = s.st.DB().QueryRow(`SELECT slug FROM items WHERE id = $1`, item).Scan(&slug)
	cust, _ := s.customer("a@example.test")
	cust.bookOne(s.loc, item, s.local(2, 10), s.local(3, 10)).expectStatus(t, http.StatusSeeOther)
	var bid, lid int64
	_ = s.st.DB().QueryRow(`SELECT b.id, l.id FROM bookings b JOIN booking_lines l ON l.booking_id = b.id`).Scan(&bid, &lid)
	s.createUser(store.RoleStaff, "staff@example.test", "staff password 1")
	staff := s.client()
	staff.login("staff@example.test", "staff password 1")
	// The default is 18 months.
	res := cust.post("/book/dates", url.Values{"location": {fmt.Sprint(s.loc)}, "start": {s.local(599, 10)}, "end": {s.local(600, 10)}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.fieldError("end"), "at most 18 months ahead") {
		t.Errorf("book dates 600 days ahead: status %d, end says %q", res.StatusCode, res.fieldError("end"))
	}
	// A shorter horizon lets a period within a year's length cross it.
	if _, err := s.st.DB().Exec(`UPDATE shop_settings SET booking_horizon_months = 6`); err != nil {
		t.Fatal(err)
	}
	const msg = "Bookings reach at most 6 months ahead"
	for _, p := range [][2]string{{s.local(250, 10), s.local(251, 10)}, {"9999-12-29T10:00", "9999-12-30T10:00"}} {
		near, end := p[0], p[1]
		// The booking to extend starts in two days: a year's length from it
		// still crosses the horizon.
		extendTo := s.local(300, 10)
		rows := []struct {
			name string
			do   func() *testResponse
			key  string
		}{
			{"book dates", func() *testResponse {
				return cust.post("/book/dates", url.Values{"location": {fmt.Sprint(s.loc)}, "start": {near}, "end": {end}})
			}, "end"},
			{"staff booking", func() *testResponse {
				return staff.post("/staff/bookings", url.Values{"email": {"a@example.test"}, "item": {fmt.Sprint(item)}, "quantity": {"1"},
					"location": {fmt.Sprint(s.loc)}, "start": {near}, "end": {end}})
			}, "end"},
			{"extend", func() *testResponse {
				return cust.post(fmt.Sprintf("/bookings/%d/lines/%d/extend", bid, lid), url.Values{"end": {extendTo}})
			}, "end"},
			{"staff line period", func() *testResponse {
				return staff.post(fmt.Sprintf("/staff/bookings/%d/lines/%d/period", bid, lid), url.Values{"end": {extendTo}})
			}, "end"},
			{"maintenance", func() *testResponse {
				return staff.post("/staff/maintenance", url.Values{"tag": {"Cam-2"}, "start": {near}, "end": {end}, "reason": {"service"}})
			}, "end"},
			{"open-ended maintenance", func() *testResponse {
				return staff.post("/staff/maintenance", url.Values{"tag": {"Cam-2"}, "start": {end}, "reason": {"service"}})
			}, "start"},
			{"availability", func() *testResponse {
				return staff.get("/staff/availability/why?" + url.Values{"item": {fmt.Sprint(item)}, "location": {fmt.Sprint(s.loc)},
					"start": {near}, "end": {end}}.Encode())
			}, "end"},
		}
		for _, r := range rows {
			res := r.do()
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, msg) {
				t.Errorf("%s to %s: status %d, want 422 with %q; field says %q", r.name, end, res.StatusCode, msg, res.fieldError(r.key))
			}
		}
		// The public price calculator, as a page and as the htmx fragment,
		// answers with the horizon's message instead of a price.
		pq := url.Values{"location": {fmt.Sprint(s.loc)}, "start": {near}, "end": {end}}.Encode()
		for _, htmx := range []bool{false, true} {
			req, _ := http.NewRequest(http.MethodGet, s.ts.URL+"/items/"+slug+"/price?"+pq, nil)
			if htmx {
				req.Header.Set("HX-Request", "true")
			}
			res := s.client().do(req)
			got := strings.TrimSpace(res.Doc.Find(`#price-result`).Text())
			if res.StatusCode != http.StatusOK || !strings.Contains(got, msg) || strings.Contains(got, "€") {
				t.Errorf("price calculator (htmx %v) to %s: status %d, says %q; want %q and no price", htmx, end, res.StatusCode, got, msg)
			}
		}
	}
	if n := s.id(`SELECT count(*) FROM bookings`); n != 1 {
		t.Errorf("%d bookings, want only the first", n)
	}
	if n := s.id(`SELECT count(*) FROM maintenance_blocks`); n != 0 {
		t.Errorf("%d maintenance blocks written beyond the horizon", n)
	}
	if n := s.id(`SELECT count(*) FROM booking_lines WHERE ends_at > now() + interval '19 months'`); n != 0 {
		t.Errorf("%d lines beyond the horizon", n)
	}

	// A cart chosen before the shop shortened its horizon shows the problem
	// and cannot be checked out.
	if _, err := s.st.DB().Exec(`UPDATE shop_settings SET booking_horizon_months = 18`); err != nil {
		t.Fatal(err)
	}
	cust.choose(s.loc, s.local(400, 10), s.local(401, 10)).expectStatus(t, http.StatusSeeOther)
	cust.add(item, 1).expectStatus(t, http.StatusSeeOther)
	tok := cust.checkoutToken()
	if _, err := s.st.DB().Exec(`UPDATE shop_settings SET booking_horizon_months = 6`); err != nil {
		t.Fatal(err)
	}
	cart := cust.get("/cart").expectStatus(t, http.StatusOK)
	if got := cart.cartProblems(); !strings.Contains(got, "at most 6 months ahead") {
		t.Errorf("cart beyond a shortened horizon shows %q", got)
	}
	res = cust.post("/checkout", url.Values{"token": {tok}}).expectStatus(t, http.StatusUnprocessableEntity)
	if got := res.cartProblems(); !strings.Contains(got, "at most 6 months ahead") {
		t.Errorf("checkout beyond the horizon shows %q", got)
	}
	if n := s.id(`SELECT count(*) FROM bookings`); n != 1 {
		t.Errorf("%d bookings after a checkout beyond the horizon", n)
	}
}

// A fully booked item's "next free for as long" suggestion stays within the
// booking horizon: the calculator never offers a period it would refuse.
func TestNextFreeSuggestionStaysWithinHorizon(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Solo", 1)
	var slug string
	_ = s.st.DB().QueryRow(`SELECT slug FROM items WHERE id = $1`, item).Scan(&slug)
	cust, _ := s.customer("a@example.test")
	cust.bookOne(s.loc, item, s.local(10, 10), s.local(40, 10)).expectStatus(t, http.StatusSeeOther)
	ask := func() *testResponse {
		q := url.Values{"location": {fmt.Sprint(s.loc)}, "start": {s.local(12, 10)}, "end": {s.local(13, 10)}}.Encode()
		return s.client().get("/items/"+slug+"/price?"+q).expectStatus(t, http.StatusOK)
	}
	// With the default horizon the first free day after the booking is offered.
	if !ask().has(`[data-testid="next-free"]`) {
		t.Fatal("no next free period offered within the default horizon")
	}
	// With a horizon of one month (28 to 31 days), day 40 lies beyond it.
	if _, err := s.st.DB().Exec(`UPDATE shop_settings SET booking_horizon_months = 1`); err != nil {
		t.Fatal(err)
	}
	if res := ask(); res.has(`[data-testid="next-free"]`) {
		t.Errorf("next free offered beyond the horizon: %s", strings.TrimSpace(res.Doc.Find(`[data-testid="next-free"]`).Text()))
	}
}

// The next free period is found with one query for all the candidate
// periods; it must be the first one for which the price answer itself (one
// availability query for that period) offers the item.
func TestNextFreeSuggestionIsTheFirstFreePeriod(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Duo", 2)
	var slug string
	_ = s.st.DB().QueryRow(`SELECT slug FROM items WHERE id = $1`, item).Scan(&slug)
	cust, _ := s.customer("a@example.test")
	cust.bookOne(s.loc, item, s.local(10, 10), s.local(17, 10)).expectStatus(t, http.StatusSeeOther)
	other, _ := s.customer("b@example.test")
	other.bookOne(s.loc, item, s.local(12, 10), s.local(14, 10)).expectStatus(t, http.StatusSeeOther)
	ask := func(from, to int) *testResponse {
		q := url.Values{"location": {fmt.Sprint(s.loc)}, "start": {s.local(from, 10)}, "end": {s.local(to, 10)}}.Encode()
		return s.client().get("/items/"+slug+"/price?"+q).expectStatus(t, http.StatusOK)
	}
	res := ask(11, 13)
	if !res.has(`[data-testid="offer-full"]`) {
		t.Fatal("the item should be fully booked for the asked dates")
	}
	href, ok := res.Doc.Find(`[data-testid="next-free"] a`).Attr("href")
	if !ok {
		t.Fatal("no next free period offered")
	}
	want := ""
	for d := 1; d <= 28 && want == ""; d++ {
		if ask(11+d, 13+d).has(`[data-testid="offer-free"]`) {
			want = url.Values{"start": {s.local(11+d, 10)}}.Encode()
		}
	}
	if want == "" || !strings.Contains(href, want) {
		t.Errorf("next free links to %q, the first free period asked one by one is %q", href, want)
	}
}
