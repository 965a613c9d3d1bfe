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
	if res.inputValue("end") != s.local(6, 10) || !strings.Contains(res.fieldError("end"), "Tent is not free until") {
		t.Errorf("extension over the next booking: kept %q, beside the field %q", res.inputValue("end"), res.fieldError("end"))
	}
	c.post(path, url.Values{"end": {s.local(1, 18)}}).expectStatus(t, http.StatusSeeOther)
	got, _ = s.st.GetBooking(context.Background(), b.ID)
	if !got.Lines[0].EndsAt.Equal(s.instant(1, 18)) {
		t.Errorf("shortened to %s", got.Lines[0].EndsAt)
	}
}
