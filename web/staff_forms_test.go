package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A walk-in booking says "no customer has this email" only when there is
// none; any other failure to read the customer is the error page (with its
// request id in the log), not a message that blames the email.
func TestWalkInCustomerLookupErrorIsNotBlamedOnTheEmail(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Drill", 1)
	s.createUser("customer", "ann@example.com", "correct horse battery")
	s.createUser("staff", "desk@example.com", "correct horse battery")
	desk := s.client()
	desk.login("desk@example.com", "correct horse battery")
	// A customer row the app cannot read: the lookup fails, but not with "not found".
	for _, q := range []string{`ALTER TABLE users ALTER COLUMN phone DROP NOT NULL`, `UPDATE users SET phone = NULL WHERE email = 'ann@example.com'`} {
		if _, err := s.st.DB().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	f := url.Values{"email": {"ann@example.com"}, "item": {fmt.Sprint(item)}, "quantity": {"1"}, "location": {fmt.Sprint(s.loc)},
		"start": {s.local(5, 10)}, "end": {s.local(6, 10)}}
	res := desk.post("/staff/bookings", f)
	if res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d (email error %q), want the 500 error page", res.StatusCode, res.fieldError("email"))
	}
	checkGenericErrorPage(t, s.testApp, res)
}

// "Why is this unavailable" with bad dates shows its form again (422) with
// the dates as typed and a message beside each, not a bare 400 page.
func TestAvailabilityWhyBadDatesKeepInput(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Drill", 1)
	s.createUser("staff", "desk@example.com", "correct horse battery")
	desk := s.client()
	desk.login("desk@example.com", "correct horse battery")
	cases := []struct{ start, end, field, msg string }{
		{"next tuesday", s.local(2, 10), "start", "like 2026-03-07"},
		{s.local(3, 10), s.local(2, 10), "end", "after the start"},
		{s.local(3, 10), "", "end", "Choose"},
	}
	for _, tc := range cases {
		q := url.Values{"item": {fmt.Sprint(item)}, "location": {fmt.Sprint(s.loc)}, "start": {tc.start}, "end": {tc.end}}
		res := desk.get("/staff/availability/why?"+q.Encode()).expectStatus(t, http.StatusUnprocessableEntity)
		if got := res.fieldError(tc.field); !strings.Contains(got, tc.msg) {
			t.Errorf("%q–%q: message beside %s is %q, want %q", tc.start, tc.end, tc.field, got, tc.msg)
		}
		if res.inputValue("start") != tc.start || res.inputValue("end") != tc.end {
			t.Errorf("input not kept: %q %q", res.inputValue("start"), res.inputValue("end"))
		}
	}
	q := url.Values{"item": {fmt.Sprint(item)}, "location": {fmt.Sprint(s.loc)}, "start": {s.local(2, 10)}, "end": {s.local(3, 10)}}
	ok := desk.get("/staff/availability/why?"+q.Encode()).expectStatus(t, http.StatusOK)
	if ok.inputValue("start") != s.local(2, 10) {
		t.Error("the form does not show the period asked about")
	}
}
