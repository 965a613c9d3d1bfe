package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
)

// Hand-over: nothing out is refused with a reason; after scans, staff record
// who handed out what and when, and get a printable sheet with the customer,
// lines, tags, period, deposit and a signature line; the audit log has it.
func TestHandoverSheet(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 2)
	cust := s.createUser(store.RoleCustomer, "hiker@example.test", "correct horse battery")
	start, end := s.instant(1, 10), s.instant(2, 10)
	b := s.deskBook(cust.ID, tent, start, end)
	c, staff := s.staffClient("desk@example.test")
	s.setClock(start)
	page := fmt.Sprintf("/staff/bookings/%d/handover", b.ID)

	c.get(page).expectStatus(t, http.StatusOK)
	res := c.post(page, nil).expectStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(res.Doc.Find(".form-error, [role=alert]").Text(), "Nothing is out") {
		t.Errorf("refusal not explained: %s", res.Doc.Find("main").Text())
	}

	tag := b.Lines[0].Units[0].AssetTag
	c.htmx(fmt.Sprintf("/staff/bookings/%d/scan", b.ID), url.Values{"tag": {tag}}).expectStatus(t, http.StatusOK)
	if !c.get(fmt.Sprintf("/staff/bookings/%d", b.ID)).has(`[data-testid="handover-link"]`) {
		t.Error("no hand-over link once something is out")
	}
	res = c.post(page, nil).expectStatus(t, http.StatusSeeOther)
	sheetURL := res.location()
	if !strings.HasPrefix(sheetURL, fmt.Sprintf("/staff/bookings/%d/handovers/", b.ID)) {
		t.Fatalf("hand-over goes to %q", sheetURL)
	}
	sheet := c.get(sheetURL).expectStatus(t, http.StatusOK)
	for sel, want := range map[string]string{
		`[data-testid="sheet-customer"]`: "hiker@example.test", `[data-testid="sheet-tags"]`: tag,
		`[data-testid="sheet-deposit"]`: "100.00", `[data-testid="sheet-handed"]`: "desk",
		`.signature-line`: "signature",
	} {
		if got := sheet.Doc.Find(sel).Text(); !strings.Contains(got, want) {
			t.Errorf("sheet %s: %q, want %q", sel, got, want)
		}
	}
	if !sheet.has(`[data-print]`) {
		t.Error("no print button")
	}
	var n int
	if err := s.st.DB().QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'booking.handover' AND actor_id = $1 AND entity_id = $2`,
		staff.ID, fmt.Sprint(b.ID)).Scan(&n); err != nil || n != 1 {
		t.Errorf("hand-over audit rows: %d (%v)", n, err)
	}
	// The sheet of one booking is not found under another.
	other := s.deskBook(cust.ID, tent, s.instant(5, 10), s.instant(6, 10))
	c.get(strings.Replace(sheetURL, fmt.Sprint(b.ID), fmt.Sprint(other.ID), 1)).expectStatus(t, http.StatusNotFound)
}

// With nothing out the hand-over page says why and offers no form that could
// only be refused: before the pickup "scan the units out first", once all is
// back "there is nothing to hand over" (not "nothing is out yet").
func TestHandoverPageWithNothingOut(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 1)
	cust := s.createUser(store.RoleCustomer, "hiker@example.test", "correct horse battery")
	start, end := s.instant(1, 10), s.instant(2, 10)
	b := s.deskBook(cust.ID, tent, start, end)
	c, _ := s.staffClient("desk@example.test")
	s.setClock(start)
	page := fmt.Sprintf("/staff/bookings/%d/handover", b.ID)
	res := c.get(page).expectStatus(t, http.StatusOK)
	if res.has(`[data-testid="handover-form"]`) || !strings.Contains(res.Doc.Find(`[data-testid="handover-nothing-out"]`).Text(), "scan the units out first") {
		t.Errorf("before the pickup: form shown %v, says %q", res.has(`[data-testid="handover-form"]`), res.Doc.Find(`[data-testid="handover-nothing-out"]`).Text())
	}
	tag := b.Lines[0].Units[0].AssetTag
	c.htmx(fmt.Sprintf("/staff/bookings/%d/scan", b.ID), url.Values{"tag": {tag}}).expectStatus(t, http.StatusOK)
	if !c.get(page).expectStatus(t, http.StatusOK).has(`[data-testid="handover-form"]`) {
		t.Error("no hand-over form with the tent out")
	}
	c.post(fmt.Sprintf("/staff/bookings/%d/return", b.ID), url.Values{"item": {tag}, "condition_" + tag: {"ok"}}).expectStatus(t, http.StatusSeeOther)
	res = c.get(page).expectStatus(t, http.StatusOK)
	if res.has(`[data-testid="handover-form"]`) || !strings.Contains(res.Doc.Find(`[data-testid="handover-nothing-out"]`).Text(), "is back: there is nothing to hand over") {
		t.Errorf("after the return: form shown %v, says %q", res.has(`[data-testid="handover-form"]`), res.Doc.Find(`[data-testid="handover-nothing-out"]`).Text())
	}
	if got := c.post(page, nil).expectStatus(t, http.StatusUnprocessableEntity).Doc.Find(".form-error, [role=alert]").Text(); !strings.Contains(got, "is back") {
		t.Errorf("recording a hand-over after the return: %q", got)
	}
}
