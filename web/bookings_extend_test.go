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
)

// The extend form on a customer's booking proposes an end the same form
// accepts (B13: form defaults pass their own validation): a day after the
// line's end, or after now when the line is already overdue; in the
// location's zone, so a day across a DST change is a calendar day; and at a
// time the desk is open to take the return. Sending each proposal unchanged
// extends the line.
func TestExtendFormProposesAnEndItAccepts(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	at := func(day, h int) time.Time { return time.Date(2027, time.March, day, h, 0, 0, 0, s.zone) }
	// Monday 22 March 2027; Europe/Berlin moves its clocks forward on
	// Sunday 28 March. The desk is open every day but Thursday 25 March.
	s.setClock(at(22, 8))
	if _, err := s.st.DB().Exec(`UPDATE locations SET opening_hours = '{"1":[{"open":"09:00","close":"18:00"}],
		"2":[{"open":"09:00","close":"18:00"}],"3":[{"open":"09:00","close":"18:00"}],"4":[{"open":"09:00","close":"18:00"}],
		"5":[{"open":"09:00","close":"18:00"}],"6":[{"open":"09:00","close":"18:00"}],"7":[{"open":"09:00","close":"18:00"}]}',
		closed_dates = '{2027-03-25}' WHERE id = $1`, s.loc); err != nil {
		t.Fatal(err)
	}
	cust, u := s.customer("extender@example.test")
	_, su := s.staffClient("desk@example.test")
	cases := []struct {
		name string
		end  time.Time
		want string // the proposed end, on the location's wall clock
	}{
		// Due back Tuesday, still out on Wednesday 11:00: a day after now,
		// moved past the closed Thursday to Friday's opening.
		{"overdue", at(23, 10), "2027-03-26T09:00"},
		// Due back Wednesday: a day later is the closed Thursday.
		{"closed next day", at(24, 12), "2027-03-26T09:00"},
		// Due back Saturday 12:00: Sunday 12:00, though that day has 23 hours.
		{"across DST", at(27, 12), "2027-03-28T12:00"},
	}
	ids := make([]int64, len(cases))
	for i, tc := range cases {
		item := s.item(fmt.Sprintf("Kit%d", i), 1)
		b := s.deskBook(u.ID, item, at(22, 10), tc.end)
		s.setClock(at(22, 10).Add(5 * time.Minute))
		if err := s.srv.Booking.CheckOut(context.Background(), b.ID, fmt.Sprintf("Kit%d-1", i), booking.Actor{UserID: su.ID}); err != nil {
			t.Fatal(err)
		}
		ids[i] = b.ID
	}
	s.setClock(at(24, 11))
	for i, tc := range cases {
		page := fmt.Sprintf("/bookings/%d", ids[i])
		res := cust.get(page).expectStatus(t, http.StatusOK)
		form := res.Doc.Find(`form[action$="/extend"]`)
		action, _ := form.Attr("action")
		end, _ := form.Find(`input[name="end"]`).Attr("value")
		if end != tc.want {
			t.Errorf("%s: the form proposes %q, want %q", tc.name, end, tc.want)
		}
		if action == "" || end == "" {
			t.Fatalf("%s: no extend form on the page", tc.name)
		}
		got := cust.post(action, url.Values{"end": {end}})
		if got.StatusCode != http.StatusSeeOther {
			t.Errorf("%s: extending to the proposed %q answers %d: %s", tc.name, end, got.StatusCode,
				got.Doc.Find(`[data-testid="error-end"], [data-testid="form-error"]`).Text())
		}
	}
}

// A customer keeping a rental longer than the next booking of that unit
// allows stays on their booking: 409, the time they typed kept in the field
// and why beside it (invariant 7), not a page of its own that loses both.
// An extension of gear already out is added to the balance, not said to be
// due "at pickup".
func TestExtendTakenTimeKeepsTheForm(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	s.setClock(s.instant(1, 8))
	van := s.item("Van", 1)
	cust, u := s.customer("keeper@example.test")
	_, other := s.customer("next@example.test")
	_, su := s.staffClient("desk@example.test")
	b := s.deskBook(u.ID, van, s.instant(1, 10), s.instant(3, 10))
	s.deskBook(other.ID, van, s.instant(5, 10), s.instant(7, 10))
	s.setClock(s.instant(1, 10).Add(5 * time.Minute))
	if err := s.srv.Booking.CheckOut(context.Background(), b.ID, "Van-1", booking.Actor{UserID: su.ID}); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/bookings/%d", b.ID)
	action := fmt.Sprintf("%s/lines/%d/extend", page, b.Lines[0].ID)
	// Past the next booking's start (day 5): taken.
	typed := s.local(6, 12)
	res := cust.post(action, url.Values{"end": {typed}}).expectStatus(t, http.StatusConflict)
	form := res.Doc.Find(`[data-testid="extend-form"]`)
	if got, _ := form.Find(`input[name="end"]`).Attr("value"); got != typed {
		t.Errorf("the refused extend form keeps %q, want what was typed, %q", got, typed)
	}
	if msg := form.Find(`[data-testid="error-end"]`).Text(); !strings.Contains(msg, "Van cannot be kept until "+s.instant(6, 12).In(s.zone).Format("Mon 2 Jan 15:04")+": someone else has booked it") {
		t.Errorf("beside the field: %q, want why the time cannot be had", msg)
	}
	if !res.has(`[data-testid="line-period"]`) {
		t.Error("the answer is not the customer's booking")
	}
	// Before it (day 4): extended; the gear is out, so nothing is "due at pickup".
	res = cust.post(action, url.Values{"end": {s.local(4, 10)}}).expectStatus(t, http.StatusSeeOther)
	flash := cust.get(res.location()).Doc.Find(`[data-testid="flash"]`).Text()
	if !strings.Contains(flash, "Extended.") || strings.Contains(flash, "pickup") {
		t.Errorf("after extending a rental under way the notice reads %q", flash)
	}
}
