package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
)

// Staff set an item's late fee rule on its page; bad input is answered beside
// the fields with what was typed, a good rule is stored and audited.
func TestStaffItemLateFeeRule(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 1)
	c, staff := s.staffClient("desk@example.test")
	page := fmt.Sprintf("/staff/items/%d", tent)
	if got := c.get(page).expectStatus(t, http.StatusOK).inputValue("late_fee_grace"); got != "0" {
		t.Errorf("grace shown %q", got)
	}
	res := c.post(page+"/late-fee", url.Values{"late_fee_per": {"day"}, "late_fee_amount": {""}, "late_fee_grace": {"-5"}, "late_fee_cap": {"abc"}}).
		expectStatus(t, http.StatusUnprocessableEntity)
	for _, f := range []string{"late_fee_amount", "late_fee_grace", "late_fee_cap"} {
		if res.fieldError(f) == "" {
			t.Errorf("no message beside %s", f)
		}
	}
	if res.inputValue("late_fee_cap") != "abc" {
		t.Error("the typed cap was lost")
	}
	c.post(page+"/late-fee", url.Values{"late_fee_per": {"hour"}, "late_fee_amount": {"5.50"}, "late_fee_grace": {"15"}, "late_fee_cap": {"30"}}).
		expectStatus(t, http.StatusSeeOther)
	rule, err := s.st.GetLateFeeRule(context.Background(), tent)
	if err != nil || rule != (store.LateFeeRule{Per: "hour", Amount: 550, GraceMinutes: 15, Cap: 3000}) {
		t.Errorf("stored rule %+v (%v)", rule, err)
	}
	var n int
	if err := s.st.DB().QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'item.late_fee' AND actor_id = $1`, staff.ID).Scan(&n); err != nil || n != 1 {
		t.Errorf("audit rows %d (%v)", n, err)
	}
	c.post("/staff/items/999999/late-fee", url.Values{"late_fee_per": {"none"}}).expectStatus(t, http.StatusNotFound)
}

// The item page links its calendar and "why unavailable"; the latter opens
// with a proposed period and no messages before anything is typed.
func TestItemPageLinksDeskTools(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 1)
	c, _ := s.staffClient("desk@example.test")
	page := c.get(fmt.Sprintf("/staff/items/%d", tent)).expectStatus(t, http.StatusOK)
	why, _ := page.Doc.Find(`[data-testid="item-why"]`).Attr("href")
	cal, _ := page.Doc.Find(`[data-testid="item-calendar"]`).Attr("href")
	if why == "" || cal == "" {
		t.Fatalf("links: why %q, calendar %q", why, cal)
	}
	res := c.get(why).expectStatus(t, http.StatusOK)
	if res.Doc.Find(".field-error").Length() != 0 || res.inputValue("start") == "" {
		t.Errorf("why page opens with errors or no period: %s", res.Doc.Find("main").Text())
	}
	c.get(cal).expectStatus(t, http.StatusOK)
}

// A late fee or cap no return could charge is refused beside its field with
// what was typed kept: the fee multiplies the rate by the hours or days late
// and the quantity, which overflowed int64 into a wrong (even negative) fee,
// and a fee above what the ledger takes blocked the return.
func TestStaffItemLateFeeAmountLimit(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 1)
	c, _ := s.staffClient("desk@example.test")
	page := fmt.Sprintf("/staff/items/%d", tent)
	for _, huge := range []string{"92233720368547758.07", "10000000000.01"} {
		res := c.post(page+"/late-fee", url.Values{"late_fee_per": {"hour"}, "late_fee_amount": {huge}, "late_fee_grace": {"0"}, "late_fee_cap": {huge}}).
			expectStatus(t, http.StatusUnprocessableEntity)
		for _, f := range []string{"late_fee_amount", "late_fee_cap"} {
			if res.fieldError(f) == "" || res.inputValue(f) != huge {
				t.Errorf("%s %s: message %q, kept %q", f, huge, res.fieldError(f), res.inputValue(f))
			}
		}
	}
	rule, err := s.st.GetLateFeeRule(context.Background(), tent)
	if err != nil || rule.Amount != 0 || rule.Cap != 0 {
		t.Errorf("stored rule %+v (%v) after refused amounts", rule, err)
	}
	c.post(page+"/late-fee", url.Values{"late_fee_per": {"day"}, "late_fee_amount": {"10000000000.00"}, "late_fee_grace": {"0"}}).
		expectStatus(t, http.StatusSeeOther)
}
