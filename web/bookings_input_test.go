package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Every booking form refuses bad input with 422, a message beside the field
// and the input kept, before any booking is written; another customer's
// booking id is a 404.
func TestBookingFormsBadInput(t *testing.T) {
	s := newShop(t, "Pacific/Auckland")
	item := s.item("Drill", 2)
	staff := s.createUser("staff", "desk@example.com", "correct horse battery")
	_ = staff
	c, _ := s.customer("ann@example.com")
	other, _ := s.customer("bob@example.com")
	loc := fmt.Sprint(s.loc)

	t.Run("dates", func(t *testing.T) {
		cases := []struct {
			name, start, end, field, msg string
		}{
			{"past", s.local(-2, 10), s.local(-1, 10), "start", "past"},
			{"reversed", s.local(3, 10), s.local(2, 10), "end", "after the start"},
			{"empty period", s.local(3, 10), s.local(3, 10), "end", "after the start"},
			{"junk", "next tuesday", s.local(2, 10), "start", "like 2026-03-07"},
			{"missing end", s.local(2, 10), "", "end", "end"},
			{"over a year", s.local(2, 10), s.local(400, 10), "end", "at most a year"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := c.choose(s.loc, tc.start, tc.end).expectStatus(t, http.StatusUnprocessableEntity)
				if got := res.fieldError(tc.field); !strings.Contains(got, tc.msg) {
					t.Errorf("error beside %s = %q, want %q", tc.field, got, tc.msg)
				}
				if res.inputValue("start") != tc.start || res.inputValue("end") != tc.end {
					t.Errorf("input not kept: %q %q", res.inputValue("start"), res.inputValue("end"))
				}
			})
		}
		res := c.post("/book/dates", url.Values{"location": {"999999"}, "start": {s.local(2, 10)}, "end": {s.local(3, 10)}})
		res.expectStatus(t, http.StatusUnprocessableEntity)
		if res.fieldError("location") == "" {
			t.Error("no message for an unknown location")
		}
	})

	c.choose(s.loc, s.local(2, 10), s.local(3, 10)).expectStatus(t, http.StatusSeeOther)
	t.Run("quantities", func(t *testing.T) {
		for _, q := range []string{"0", "-1", "101", "1000000000000", "two", ""} {
			res := c.post("/cart/items", url.Values{"item_id": {fmt.Sprint(item)}, "quantity": {q}}).expectStatus(t, http.StatusUnprocessableEntity)
			if got := res.fieldError("quantity"); got == "" {
				t.Errorf("quantity %q: no message", q)
			}
		}
		res := c.post("/cart/items", url.Values{"item_id": {fmt.Sprint(item)}, "quantity": {"3"}}).expectStatus(t, http.StatusUnprocessableEntity)
		if got := res.fieldError("quantity"); !strings.Contains(got, "Only 2 of 3") {
			t.Errorf("more than free: %q", got)
		}
		c.add(item, 1).expectStatus(t, http.StatusSeeOther)
		res = c.post(fmt.Sprintf("/cart/items/%d", item), url.Values{"quantity": {"500"}}).expectStatus(t, http.StatusUnprocessableEntity)
		if res.fieldError("quantity") == "" {
			t.Error("cart update: no message for 500")
		}
		if n := s.id(`SELECT count(*) FROM bookings`); n != 0 {
			t.Fatalf("%d bookings written by bad input", n)
		}
	})

	done := c.post("/checkout", url.Values{"token": {c.checkoutToken()}}).expectStatus(t, http.StatusSeeOther).Header.Get("Location")
	b := s.id(`SELECT id FROM bookings`)
	line := s.id(`SELECT id FROM booking_lines WHERE booking_id = $1`, b)
	t.Run("extend", func(t *testing.T) {
		path := fmt.Sprintf("%s/lines/%d/extend", done, line)
		for _, tc := range []struct{ end, msg string }{{"junk", "like 2026-03-07"}, {s.local(1, 10), "after the start"}, {"", "Choose"}} {
			res := c.post(path, url.Values{"end": {tc.end}}).expectStatus(t, http.StatusUnprocessableEntity)
			if got := res.fieldError("end"); !strings.Contains(got, tc.msg) {
				t.Errorf("extend to %q: %q, want %q", tc.end, got, tc.msg)
			}
			if got := res.inputValue("end"); got != tc.end {
				t.Errorf("extend input not kept: %q", got)
			}
		}
		other.post(path, url.Values{"end": {s.local(5, 10)}}).expectStatus(t, http.StatusNotFound)
		other.post(done+"/cancel", nil).expectStatus(t, http.StatusNotFound)
		other.get(done).expectStatus(t, http.StatusNotFound)
		if got := s.id(`SELECT count(*) FROM bookings WHERE status = 'confirmed'`); got != 1 {
			t.Fatalf("the booking changed: %d confirmed", got)
		}
	})

	desk := s.client()
	desk.login("desk@example.com", "correct horse battery")
	t.Run("walk-in", func(t *testing.T) {
		good := url.Values{"email": {"ann@example.com"}, "item": {fmt.Sprint(item)}, "quantity": {"1"}, "location": {loc},
			"start": {s.local(5, 10)}, "end": {s.local(6, 10)}}
		cases := []struct{ field, value, msg string }{
			{"email", "nobody@example.com", "No customer"},
			{"quantity", "0", "quantity from 1"},
			{"quantity", "100000", "quantity from 1"},
			{"start", s.local(-3, 10), "past"},
			{"end", s.local(4, 10), "after the start"},
			{"location", "0", "Choose a location"},
		}
		for _, tc := range cases {
			f := url.Values{}
			for k, v := range good {
				f[k] = v
			}
			f.Set(tc.field, tc.value)
			res := desk.post("/staff/bookings", f).expectStatus(t, http.StatusUnprocessableEntity)
			if got := res.fieldError(tc.field); !strings.Contains(got, tc.msg) {
				t.Errorf("%s=%q: %q, want %q", tc.field, tc.value, got, tc.msg)
			}
			if tc.field != "email" && res.inputValue("email") != "ann@example.com" {
				t.Errorf("email not kept")
			}
		}
		desk.post("/staff/bookings", good).expectStatus(t, http.StatusSeeOther)
	})

	t.Run("maintenance", func(t *testing.T) {
		cases := []struct{ field, tag, start, end, reason, msg string }{
			{"tag", "NOPE-1", s.local(8, 10), s.local(9, 10), "x", "No unit"},
			{"end", "Drill-1", s.local(9, 10), s.local(8, 10), "lens", "after the start"},
			{"reason", "Drill-1", s.local(8, 10), s.local(9, 10), "", "Say why"},
			// A time the clocks skip is said beside the field, not moved.
			{"start", "Drill-1", inGap(t, s.clock(), s.zone), "", "x", "There is no "},
			{"end", "Drill-1", s.local(8, 10), inGap(t, s.clock(), s.zone), "x", "the clocks go forward"},
		}
		for _, tc := range cases {
			res := desk.post("/staff/maintenance", url.Values{"tag": {tc.tag}, "start": {tc.start}, "end": {tc.end}, "reason": {tc.reason}})
			res.expectStatus(t, http.StatusUnprocessableEntity)
			if got := res.fieldError(tc.field); !strings.Contains(got, tc.msg) {
				t.Errorf("%s: %q, want %q", tc.field, got, tc.msg)
			}
			if res.inputValue("tag") != tc.tag {
				t.Errorf("tag not kept")
			}
		}
	})

	t.Run("scan", func(t *testing.T) {
		res := desk.post(fmt.Sprintf("/staff/bookings/%d/checkout", b), url.Values{"tag": {"NOPE-9"}}).expectStatus(t, http.StatusUnprocessableEntity)
		if got := res.fieldError("tag"); !strings.Contains(got, "No unit") {
			t.Errorf("unknown tag: %q", got)
		}
		desk.post("/staff/bookings/99999999/checkout", url.Values{"tag": {"Drill-1"}}).expectStatus(t, http.StatusNotFound)
	})
}

// inGap is a wall-clock time in the first DST gap after now in zone, as a
// form value: the middle of the hour (or half hour) the clocks skip.
func inGap(t *testing.T, now time.Time, zone *time.Location) string {
	t.Helper()
	for at := now; at.Before(now.AddDate(2, 0, 0)); {
		_, end := at.In(zone).ZoneBounds()
		if end.IsZero() {
			break
		}
		_, before := end.Add(-time.Second).In(zone).Zone()
		if _, after := end.In(zone).Zone(); after > before {
			return end.In(time.FixedZone("", before)).Add(time.Duration(after-before) * time.Second / 2).Format("2006-01-02T15:04")
		}
		at = end
	}
	t.Fatalf("no DST gap in %s within two years", zone)
	return ""
}

// B3 through the forms: empty and reversed periods are 422 before any SQL
// write, and touching periods both book.
func TestB3HalfOpenHTTP(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Van", 1)
	c, _ := s.customer("van@example.com")
	late, _ := s.customer("late@example.com")
	// [Tue, Thu) goes into a cart while it is still free...
	late.choose(s.loc, s.local(3, 10), s.local(5, 10)).expectStatus(t, http.StatusSeeOther)
	late.add(item, 1).expectStatus(t, http.StatusSeeOther)
	tok := late.checkoutToken()
	// ...then [Mon, Wed) and [Wed, Fri) are both booked: they only touch.
	c.bookOne(s.loc, item, s.local(2, 10), s.local(4, 10)).expectStatus(t, http.StatusSeeOther)
	c.bookOne(s.loc, item, s.local(4, 10), s.local(6, 10)).expectStatus(t, http.StatusSeeOther)
	res := late.post("/checkout", url.Values{"token": {tok}})
	res.expectStatus(t, http.StatusConflict)
	if got := late.get("/cart").Doc.Find(`[data-testid="cart-problem"]`).Text(); !strings.Contains(got, "No longer available") {
		t.Errorf("the cart does not say what became unavailable: %q", got)
	}
	if !strings.Contains(res.Doc.Find(`[data-testid="conflict-message"]`).Text(), "Van is no longer available") {
		t.Errorf("conflict page: %s", res.Doc.Find(`[data-testid="conflict"]`).Text())
	}
	c.choose(s.loc, s.local(8, 10), s.local(8, 10)).expectStatus(t, http.StatusUnprocessableEntity)
	c.choose(s.loc, s.local(9, 10), s.local(8, 10)).expectStatus(t, http.StatusUnprocessableEntity)
	if n := s.id(`SELECT count(*) FROM bookings`); n != 2 {
		t.Fatalf("%d bookings, want 2", n)
	}
}
