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

// A tag typed by hand in another letter case finds its unit wherever a tag is
// typed (check-out, change of unit, check-in, the check-in search, a
// maintenance block); when several units have it but for case, the desk is
// told to type it exactly.
func TestTypedTagIgnoresLetterCase(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	boat := s.item("Boat", 3)
	cust := s.createUser(store.RoleCustomer, "sailor@example.test", "correct horse battery")
	b := s.deskBook(cust.ID, boat, s.instant(1, 10), s.instant(2, 10))
	c, _ := s.staffClient("desk@example.test")
	s.setClock(s.instant(1, 10))
	held := b.Lines[0].Units[0].AssetTag
	spare := "Boat-3"
	if held == spare {
		spare = "Boat-2"
	}

	// Change of unit, typed in lower case.
	c.post(fmt.Sprintf("/staff/bookings/%d/lines/%d/unit", b.ID, b.Lines[0].ID), url.Values{"tag": {strings.ToLower(spare)}}).
		expectStatus(t, http.StatusSeeOther)
	// Check-out, typed in upper case.
	c.post(fmt.Sprintf("/staff/bookings/%d/checkout", b.ID), url.Values{"tag": {strings.ToUpper(spare)}}).
		expectStatus(t, http.StatusSeeOther)
	got, _ := s.st.GetBooking(context.Background(), b.ID)
	if u := got.Lines[0].Units[0]; u.AssetTag != spare || u.PickedUpAt == nil {
		t.Fatalf("line holds %s (picked up %v), want %s out", u.AssetTag, u.PickedUpAt, spare)
	}
	// The check-in search and the return form it opens, the unit ticked.
	res := c.get("/staff/returns?tag="+strings.ToLower(spare)).expectStatus(t, http.StatusSeeOther)
	if want := fmt.Sprintf("/staff/bookings/%d/return?tag=%s", b.ID, spare); res.location() != want {
		t.Errorf("check-in search went to %q, want %q", res.location(), want)
	}
	res = c.get(fmt.Sprintf("/staff/bookings/%d/return?tag=%s", b.ID, strings.ToLower(spare))).expectStatus(t, http.StatusOK)
	if _, ok := res.Doc.Find(`input[name="item"][value="` + spare + `"]`).Attr("checked"); !ok {
		t.Errorf("return form does not tick %s typed as %s", spare, strings.ToLower(spare))
	}
	// Check-in, typed in lower case.
	c.post(fmt.Sprintf("/staff/bookings/%d/checkin", b.ID), url.Values{"tag": {strings.ToLower(spare)}}).
		expectStatus(t, http.StatusSeeOther)
	got, _ = s.st.GetBooking(context.Background(), b.ID)
	if u := got.Lines[0].Units[0]; u.ReturnedAt == nil {
		t.Fatalf("%s typed as %s was not checked in", spare, strings.ToLower(spare))
	}

	// Two units whose tags differ only in case: the exact one is found, a
	// third spelling is refused with both named.
	if _, err := s.st.DB().Exec(`INSERT INTO units (item_id, location_id, asset_tag) VALUES ($1, $2, 'boat-1')`, boat, s.loc); err != nil {
		t.Fatal(err)
	}
	want := "Several units have tags like BOAT-1: Boat-1, boat-1 — type it exactly."
	b2 := s.deskBook(cust.ID, boat, s.instant(3, 10), s.instant(4, 10))
	res = c.post(fmt.Sprintf("/staff/bookings/%d/checkout", b2.ID), url.Values{"tag": {"BOAT-1"}}).
		expectStatus(t, http.StatusUnprocessableEntity)
	if got := res.fieldError("tag"); got != want {
		t.Errorf("ambiguous check-out says %q, want %q", got, want)
	}
	res = c.get("/staff/returns?tag=BOAT-1").expectStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(res.Doc.Find("main").Text(), want) {
		t.Errorf("ambiguous check-in search does not say %q", want)
	}
	staff := s.roleClient("staff")
	res = staff.post("/staff/maintenance", url.Values{"tag": {"BOAT-1"}, "start": {s.local(5, 9)}, "end": {s.local(6, 9)}, "reason": {"hull"}}).
		expectStatus(t, http.StatusUnprocessableEntity)
	if got := res.fieldError("tag"); got != want {
		t.Errorf("ambiguous maintenance block says %q, want %q", got, want)
	}
	staff.post("/staff/maintenance", url.Values{"tag": {"boat-1"}, "start": {s.local(5, 9)}, "end": {s.local(6, 9)}, "reason": {"hull"}}).
		expectStatus(t, http.StatusSeeOther)
	var blocked string
	if err := s.st.DB().QueryRow(`SELECT u.asset_tag FROM unit_allocations a JOIN units u ON u.id = a.unit_id
		WHERE a.booking_line_id IS NULL AND a.active ORDER BY a.id DESC LIMIT 1`).Scan(&blocked); err != nil {
		t.Fatal(err)
	}
	if blocked != "boat-1" {
		t.Errorf("the exact tag boat-1 blocked %s", blocked)
	}
}

// "Give this line unit" refused because another booking holds the unit
// re-shows the booking page, the reason beside that line's field and the tag
// kept, instead of leaving the booking for a bare conflict page.
func TestChangeUnitConflictStaysOnTheBooking(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	boat := s.item("Boat", 2)
	cust := s.createUser(store.RoleCustomer, "sailor@example.test", "correct horse battery")
	first := s.deskBook(cust.ID, boat, s.instant(1, 10), s.instant(3, 10))
	second := s.deskBook(cust.ID, boat, s.instant(2, 10), s.instant(4, 10))
	c, _ := s.staffClient("desk@example.test")
	taken := first.Lines[0].Units[0].AssetTag
	line := second.Lines[0].ID

	res := c.post(fmt.Sprintf("/staff/bookings/%d/lines/%d/unit", second.ID, line), url.Values{"tag": {taken}}).
		expectStatus(t, http.StatusConflict)
	form := res.Doc.Find(fmt.Sprintf(`[data-testid="line-%d"] [data-testid="change-unit-form"]`, line))
	if form.Length() == 0 {
		t.Fatalf("the refused change left the booking page: %s", res.Doc.Find("main").Text())
	}
	if v, _ := form.Find(`input[name="tag"]`).Attr("value"); v != taken {
		t.Errorf("change-unit field kept %q, want %q", v, taken)
	}
	msg := strings.TrimSpace(form.Find(`[data-testid="error-tag"]`).Text())
	if !strings.Contains(msg, "Boat ("+taken+") is no longer available") || !strings.Contains(msg, first.Number) {
		t.Errorf("change-unit form says %q, want the unit and the booking holding it", msg)
	}
	if v, _ := res.Doc.Find(`[data-testid="scan-input"]`).Attr("value"); v != "" {
		t.Errorf("the check-out scan field took the tag %q", v)
	}
	got, _ := s.st.GetBooking(context.Background(), second.ID)
	if got.Lines[0].Units[0].AssetTag == taken {
		t.Fatal("the unit changed")
	}
}
