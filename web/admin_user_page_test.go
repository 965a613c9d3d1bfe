package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Role and access changes live on the user's own page, with when the account
// last logged in and how many bookings it has; the list has no forms.
func TestAdminUserPage(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	van := s.item("Van", 1)
	c, u := s.customer("ann@example.com")
	c.bookOne(s.loc, van, s.local(2, 10), s.local(4, 10)).expectStatus(t, http.StatusSeeOther)
	boss := s.adminClient()
	page := fmt.Sprintf("/admin/users/%d", u.ID)
	res := boss.get(page).expectStatus(t, http.StatusOK)
	if got := strings.TrimSpace(res.Doc.Find(`[data-testid="booking-count"]`).Text()); got != "1" {
		t.Errorf("booking count %q", got)
	}
	if got := strings.TrimSpace(res.Doc.Find(`[data-testid="last-login"]`).Text()); got == "never" || got == "" {
		t.Errorf("last login %q after logging in", got)
	}
	if res.Doc.Find(`[data-testid="role-form"]`).Length() != 1 || res.Doc.Find(`[data-testid="disable-form"]`).Length() != 1 {
		t.Error("the user page lacks the role or access form")
	}
	list := boss.get("/admin/users").expectStatus(t, http.StatusOK)
	if n := list.Doc.Find(`[data-testid="users-table"] form`).Length(); n != 0 {
		t.Errorf("the list still has %d forms on its rows", n)
	}
	if href, _ := list.Doc.Find(fmt.Sprintf(`[data-testid="user-%d"] a`, u.ID)).Attr("href"); href != page {
		t.Errorf("the list links %q, want %q", href, page)
	}
	if loc := boss.post(page+"/role", url.Values{"role": {"staff"}}).expectStatus(t, http.StatusSeeOther).location(); loc != page {
		t.Errorf("after a role change: %q, want back to %q", loc, page)
	}
	boss.get("/admin/users/999999").expectStatus(t, http.StatusNotFound)
}
