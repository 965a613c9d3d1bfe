package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The whole customer flow over HTTP: dates once, two items, sign up at
// checkout without losing the cart, confirm (pay at pickup), see it under
// "My bookings" in the location's local time.
func TestBookingFlowSignUpAtCheckout(t *testing.T) {
	s := newShop(t, "America/New_York")
	cam, lens := s.item("Camera", 2), s.item("Lens", 1)
	c := s.client()
	c.choose(s.loc, s.local(2, 15), s.local(4, 10)).expectStatus(t, http.StatusSeeOther)
	page := c.get("/book").expectStatus(t, http.StatusOK)
	if got := page.Doc.Find(fmt.Sprintf(`[data-testid="item-%d"] [data-testid="free"]`, cam)).Text(); got != "2 of 2" {
		t.Fatalf("camera free = %q", got)
	}
	c.add(cam, 1).expectStatus(t, http.StatusSeeOther)
	c.add(lens, 1).expectStatus(t, http.StatusSeeOther)
	co := c.get("/checkout").expectStatus(t, http.StatusOK)
	if co.Doc.Find(`[data-testid="checkout-signup"]`).Length() != 1 {
		t.Fatal("no sign-up offer at checkout for a visitor")
	}
	c.get("/signup?next=%2Fcheckout")
	res := c.post("/signup", url.Values{"name": {"Nia Park"}, "email": {"nia@example.com"}, "password": {"correct horse battery"}, "next": {"/checkout"}})
	res.expectStatus(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/login?next=%2Fcheckout" {
		t.Fatalf("after sign-up went to %q", loc)
	}
	c.get(res.Header.Get("Location"))
	res = c.post("/login", url.Values{"email": {"nia@example.com"}, "password": {"correct horse battery"}, "next": {"/checkout"}})
	if loc := res.expectStatus(t, http.StatusSeeOther).Header.Get("Location"); loc != "/checkout" {
		t.Fatalf("after login went to %q", loc)
	}
	// Paid at pickup, the button confirms the booking itself.
	if got := c.get("/checkout").expectStatus(t, http.StatusOK).text(`[data-testid="confirm"]`); got != "Confirm booking" {
		t.Errorf("checkout button reads %q, want Confirm booking", got)
	}
	tok := c.checkoutToken()
	done := c.post("/checkout", url.Values{"token": {tok}}).expectStatus(t, http.StatusSeeOther)
	detail := c.get(done.Header.Get("Location")).expectStatus(t, http.StatusOK)
	if got := detail.Doc.Find(`[data-testid="status"]`).First().Text(); got != "confirmed" {
		t.Fatalf("status %q", got)
	}
	wantPeriod := displayRange(s.instant(2, 15), s.instant(4, 10), s.zone)
	if !strings.Contains(wantPeriod, "15:00") {
		t.Fatalf("period text %q lost the local hour", wantPeriod)
	}
	if got := detail.Doc.Find(`[data-testid="line-period"]`).First().Text(); got != wantPeriod {
		t.Fatalf("line period %q, want %q", got, wantPeriod)
	}
	list := c.get("/bookings").expectStatus(t, http.StatusOK)
	if got := list.Doc.Find(`[data-testid="booking-period"]`).Text(); got != wantPeriod {
		t.Fatalf("my bookings shows %q, want %q", got, wantPeriod)
	}
	if n := s.id(`SELECT count(*) FROM booking_lines`); n != 2 {
		t.Fatalf("%d lines, want 2", n)
	}
	if c.get("/cart").Doc.Find(`[data-testid="cart"]`).Length() != 0 {
		t.Fatal("the cart is not empty after booking")
	}
}

// B2 through HTTP: 50 customers confirm the last unit at once over overlapping
// periods: exactly one booking, 49 pages "no longer available" naming the
// item, no 5xx, no overlapping allocation. Repeated 20 times.
func TestB2LastUnitHTTP(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	const n = 50
	clients := make([]*testClient, n)
	for i := range clients {
		clients[i], _ = s.customer(fmt.Sprintf("b2-%d@example.com", i))
	}
	for rep := range 20 {
		name := fmt.Sprintf("Last%02d", rep)
		item := s.item(name, 1)
		tokens := make([]string, n)
		for i, c := range clients {
			c.choose(s.loc, s.local(2+rep, 8+i%6), s.local(3+rep, 8)).expectStatus(t, http.StatusSeeOther)
			c.add(item, 1).expectStatus(t, http.StatusSeeOther)
			tokens[i] = c.checkoutToken()
		}
		var ok, conflict, fivexx, other atomic.Int32
		parallel(t, n, 2*time.Minute, func(i int) {
			res := clients[i].post("/checkout", url.Values{"token": {tokens[i]}})
			switch {
			case res.StatusCode == http.StatusSeeOther:
				ok.Add(1)
			case res.StatusCode == http.StatusConflict && strings.Contains(res.Doc.Find(`[data-testid="conflict-message"]`).Text(), name):
				conflict.Add(1)
			case res.StatusCode >= 500:
				fivexx.Add(1)
			default:
				other.Add(1)
			}
		})
		if ok.Load() != 1 || conflict.Load() != n-1 || fivexx.Load() != 0 || other.Load() != 0 {
			t.Fatalf("rep %d: %d booked, %d conflicts, %d 5xx, %d other; want 1/%d/0/0", rep, ok.Load(), conflict.Load(), fivexx.Load(), other.Load(), n-1)
		}
		if o := s.id(`SELECT count(*) FROM unit_allocations a JOIN unit_allocations b
			ON a.unit_id = b.unit_id AND a.id < b.id AND a.occupied && b.occupied WHERE a.active AND b.active`); o != 0 {
			t.Fatalf("rep %d: %d overlapping allocations", rep, o)
		}
		for _, c := range clients { // empty every cart for the next round
			c.post(fmt.Sprintf("/cart/items/%d", item), url.Values{"quantity": {"0"}})
		}
	}
}

// B9 through HTTP: the same checkout form submitted twice, one after the other
// and at once, makes one booking; every answer redirects to it.
func TestB9DoubleSubmitHTTP(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Tripod", 5)
	c, _ := s.customer("dbl@example.com")
	c.choose(s.loc, s.local(2, 10), s.local(3, 10)).expectStatus(t, http.StatusSeeOther)
	c.add(item, 1).expectStatus(t, http.StatusSeeOther)
	tok := c.checkoutToken()
	first := c.post("/checkout", url.Values{"token": {tok}}).expectStatus(t, http.StatusSeeOther).Header.Get("Location")
	again := c.post("/checkout", url.Values{"token": {tok}}).expectStatus(t, http.StatusSeeOther).Header.Get("Location")
	if first != again || !strings.HasPrefix(first, "/bookings/") {
		t.Fatalf("first %q, again %q", first, again)
	}
	c.add(item, 1).expectStatus(t, http.StatusSeeOther)
	tok = c.checkoutToken()
	locs := make([]string, 2)
	parallel(t, 2, time.Minute, func(i int) {
		res := c.post("/checkout", url.Values{"token": {tok}})
		if res.StatusCode == http.StatusSeeOther {
			locs[i] = res.Header.Get("Location")
		}
	})
	if locs[0] == "" || locs[0] != locs[1] {
		t.Fatalf("twice at once went to %q and %q", locs[0], locs[1])
	}
	if n := s.id(`SELECT count(*) FROM bookings`); n != 2 {
		t.Fatalf("%d bookings, want 2", n)
	}
}
