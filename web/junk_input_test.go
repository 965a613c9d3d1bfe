package web

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
)

// Junk and extreme values in queries and forms of the booking, desk and
// price routes are answered with a 4xx, never a 5xx.
func TestJunkInputNeverServerError(t *testing.T) {
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
	dates := []string{"0001-01-01T00:00", "9999-12-31T23:59", "10000-01-01T00:00", "2026-03-29T02:30", "0000-01-01T00:00", "-001-01-01T00:00", "2026-02-30T10:00"}
	pairs := [][2]string{}
	for _, a := range dates {
		pairs = append(pairs, [2]string{s.local(1, 10), a}, [2]string{a, s.local(1, 10)})
	}
	pairs = append(pairs, [2]string{"0001-01-01T00:00", "9999-12-31T23:59"})
	check := func(who string, res *testResponse, what string) {
		t.Helper()
		if res.StatusCode >= 500 {
			t.Errorf("%s %s: %d", who, what, res.StatusCode)
		}
	}
	for _, p := range pairs {
		q := url.Values{"start": {p[0]}, "end": {p[1]}}
		check("anon", s.client().get("/items/"+slug+"/price?"+q.Encode()), "price "+q.Encode())
		check("cust", cust.post("/book/dates", url.Values{"location": {fmt.Sprint(s.loc)}, "start": {p[0]}, "end": {p[1]}}), "book/dates "+q.Encode())
		check("cust", cust.get(fmt.Sprintf("/book/items/%d", item)), "book item after "+q.Encode())
		check("cust", cust.get("/book"), "book after "+q.Encode())
		check("cust", cust.get("/cart"), "cart after "+q.Encode())
		check("cust", cust.post(fmt.Sprintf("/bookings/%d/lines/%d/extend", bid, lid), url.Values{"end": {p[1]}}), "extend "+p[1])
		wq := url.Values{"item": {fmt.Sprint(item)}, "location": {fmt.Sprint(s.loc)}, "start": {p[0]}, "end": {p[1]}}
		check("staff", staff.get("/staff/availability/why?"+wq.Encode()), "why "+wq.Encode())
		check("staff", staff.post("/staff/maintenance", url.Values{"tag": {"Cam-1"}, "start": {p[0]}, "end": {p[1]}, "reason": {"x"}}), "maintenance "+q.Encode())
		check("staff", staff.post("/staff/bookings", url.Values{"email": {"a@example.test"}, "item": {fmt.Sprint(item)}, "quantity": {"1"},
			"location": {fmt.Sprint(s.loc)}, "start": {p[0]}, "end": {p[1]}}), "walk-in "+q.Encode())
	}
	for _, q := range []string{"date=9999-12-31", "date=0001-01-01", "date=2200-12-31", "location=99999999999999999999", "location=-1", "location=0",
		"q=%00", "q=%27", "date=2026-13-01", "q=" + url.QueryEscape("🙂")} {
		check("staff", staff.get("/desk?"+q), "desk "+q)
		check("staff", staff.get("/staff/bookings?"+q), "bookings "+q)
		check("staff", staff.get("/staff/bookings/new?"+q), "new booking "+q)
	}
	for _, q := range []string{"status=junk", "before=-5", "before=99999999999999999999", "status=out&before=1", "location=999999"} {
		check("staff", staff.get("/staff/bookings?"+q), "bookings "+q)
	}
	for _, p := range []string{"/staff/bookings/99999999999999999999", "/staff/bookings/-1", "/staff/bookings/0", "/staff/units/9223372036854775807/edit",
		"/staff/items/9223372036854775807", "/book/items/9223372036854775807", "/photos/9223372036854775807", "/staff/import/9223372036854775807",
		"/staff/availability/why?item=9223372036854775807&location=1&start=x&end=y", "/staff/maintenance/new?tag=%00"} {
		check("staff", staff.get(p), p)
	}
	for _, p := range []string{"/bookings/9223372036854775807", fmt.Sprintf("/bookings/%d?x=%%00", bid)} {
		check("cust", cust.get(p), p)
	}
	check("cust", cust.post("/account/mail", url.Values{"reminders": {"\x00"}, "news": {string([]byte{0xff})}}), "mail prefs junk")
	check("cust", cust.post(fmt.Sprintf("/bookings/%d/lines/9223372036854775807/extend", bid), url.Values{"end": {s.local(5, 10)}}), "extend huge line")
	check("cust", cust.post("/cart/items/9223372036854775807", url.Values{"quantity": {"99999999999999999999"}}), "cart huge")
	check("cust", cust.post("/cart/items", url.Values{"item_id": {fmt.Sprint(item)}, "quantity": {"-1"}}), "cart neg")
	check("staff", staff.post(fmt.Sprintf("/staff/bookings/%d/lines/%d/unit", bid, lid), url.Values{"tag": {"Cam-2"}, "from": {"\x00"}}), "change unit")
	check("staff", staff.post(fmt.Sprintf("/staff/bookings/%d/checkout", bid), url.Values{"tag": {string(make([]byte, 5000))}}), "checkout long tag")
}
