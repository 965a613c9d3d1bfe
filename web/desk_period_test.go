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
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Staff extend and shorten a line at the desk through the engine: re-priced,
// bad input beside the field with what was typed, and an extension into a
// unit another booking holds refused (B5).
func TestStaffExtendAndShorten(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 1)
	cust := s.createUser(store.RoleCustomer, "hiker@example.test", "correct horse battery")
	b := s.deskBook(cust.ID, tent, s.instant(1, 10), s.instant(2, 10))
	s.deskBook(cust.ID, tent, s.instant(5, 10), s.instant(6, 10))
	c, _ := s.staffClient("desk@example.test")
	path := fmt.Sprintf("/staff/bookings/%d/lines/%d/period", b.ID, b.Lines[0].ID)

	res := c.post(path, url.Values{"end": {"next week"}}).expectStatus(t, http.StatusUnprocessableEntity)
	if res.fieldError("end") == "" || res.inputValue("end") != "next week" {
		t.Errorf("bad end: %q, kept %q", res.fieldError("end"), res.inputValue("end"))
	}
	c.post(path, url.Values{"end": {s.local(3, 10)}}).expectStatus(t, http.StatusSeeOther)
	got, _ := s.st.GetBooking(context.Background(), b.ID)
	if got.Total != 2*b.Total {
		t.Errorf("two days cost %d, want %d", got.Total, 2*b.Total)
	}
	// Over the next booking: refused beside the field, what was typed kept.
	res = c.post(path, url.Values{"end": {s.local(6, 10)}}).expectStatus(t, http.StatusConflict)
	if res.inputValue("end") != s.local(6, 10) || !strings.Contains(res.fieldError("end"), "Tent cannot be kept until") {
		t.Errorf("extension over the next booking: kept %q, beside the field %q", res.inputValue("end"), res.fieldError("end"))
	}
	c.post(path, url.Values{"end": {s.local(1, 18)}}).expectStatus(t, http.StatusSeeOther)
	got, _ = s.st.GetBooking(context.Background(), b.ID)
	if !got.Lines[0].EndsAt.Equal(s.instant(1, 18)) {
		t.Errorf("shortened to %s", got.Lines[0].EndsAt)
	}
}

// An overdue line's "Extend or shorten to" proposes an end a desk can send
// as it comes (a day after now at an opening time, as the customer's own
// extend form does), not the end already past; an end typed in the past is
// refused beside the field saying what to do instead, the end kept.
func TestStaffExtendOverdueLine(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 1)
	cust := s.createUser(store.RoleCustomer, "hiker@example.test", "correct horse battery")
	start, end := s.instant(1, 10), s.instant(2, 10)
	now := end.Add(3*time.Hour + 7*time.Minute) // three hours late
	b := s.deskBook(cust.ID, tent, start, end)
	c, su := s.staffClient("desk@example.test")
	s.setClock(start.Add(5 * time.Minute))
	if err := s.srv.Booking.CheckOut(context.Background(), b.ID, "Tent-1", booking.Actor{UserID: su.ID}); err != nil {
		t.Fatal(err)
	}
	s.setClock(now)
	page := fmt.Sprintf("/staff/bookings/%d", b.ID)
	path := fmt.Sprintf("%s/lines/%d/period", page, b.Lines[0].ID)

	form := formFields(t, c.get(page).expectStatus(t, http.StatusOK), `[data-testid="move-end-form"]`)
	if form.Get("end") == period.FormatLocal(end, s.zone) {
		t.Errorf("the overdue line's end form proposes its past end %s", form.Get("end"))
	}
	c.post(path, form).expectStatus(t, http.StatusSeeOther)
	got, _ := s.st.GetBooking(context.Background(), b.ID)
	if moved := got.Lines[0].EndsAt; !moved.After(now) {
		t.Errorf("sent as it came, the end moved to %s, not after now %s", moved, now)
	}

	past := period.FormatLocal(now.Add(-time.Hour), s.zone)
	res := c.post(path, url.Values{"end": {past}}).expectStatus(t, http.StatusUnprocessableEntity)
	msg := res.fieldError("end")
	if !strings.Contains(msg, "choose an end after now ("+now.In(s.zone).Format("Mon 2 Jan 15:04")+")") || !strings.Contains(msg, "check the item in") {
		t.Errorf("an end in the past, beside the field: %q", msg)
	}
	if res.inputValue("end") != past {
		t.Errorf("the typed end is not kept: %q", res.inputValue("end"))
	}
}

// A staff change refused because the unit is taken says what holds it (the
// unit and the booking by its number), not the engine's count of units, and
// says the item cannot be kept until the end typed (it is free until the
// other booking starts, not "not free until" that end).
func TestStaffConflictSaysWhatHoldsTheUnit(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 1)
	cust := s.createUser(store.RoleCustomer, "hiker@example.test", "correct horse battery")
	b := s.deskBook(cust.ID, tent, s.instant(1, 10), s.instant(2, 10))
	next := s.deskBook(cust.ID, tent, s.instant(5, 10), s.instant(6, 10))
	c, _ := s.staffClient("desk@example.test")
	path := fmt.Sprintf("/staff/bookings/%d/lines/%d/period", b.ID, b.Lines[0].ID)
	res := c.post(path, url.Values{"end": {s.local(6, 10)}}).expectStatus(t, http.StatusConflict)
	msg := res.fieldError("end")
	want := "Tent cannot be kept until " + s.instant(6, 10).In(s.zone).Format("Mon 2 Jan 15:04") + ": Tent-1 is booked on " +
		next.Number + " from " + next.Lines[0].StartsAt.In(s.zone).Format("Mon 2 Jan 15:04") + ". Choose an earlier end."
	if msg != want {
		t.Errorf("the extension over booking %s, beside the field: %q, want it to say %q", next.Number, msg, want)
	}
}
