package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
)

// Every page named by an id answers only to the id's own spelling: "01",
// "+1" and "1 " give a 404, as an id that does not exist does, while "1"
// opens the page. Walked over the route table, for the owner of booking 1
// and for an admin.
func TestPathIDsOnlyInTheirOwnSpelling(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Tent", 1)
	cust, _ := s.customer("hiker@example.test")
	cust.bookOne(s.loc, item, s.local(2, 10), s.local(3, 10)).expectStatus(t, http.StatusSeeOther)
	s.createUser(store.RoleAdmin, "admin@example.test", "admin password 1")
	admin := s.client()
	admin.login("admin@example.test", "admin password 1")
	opened := 0
	for _, r := range appRoutes(s.srv) {
		if r.Method != http.MethodGet || !strings.Contains(r.Path, "/:") || strings.Contains(r.Path, ":slug") {
			continue
		}
		c := admin
		if strings.HasPrefix(r.Path, "/bookings/") || strings.HasPrefix(r.Path, "/invoices/") {
			c = cust
		}
		if c.get(concretePath(r.Path)).StatusCode == http.StatusOK {
			opened++
		}
		for _, id := range []string{"01", "+1", "1%20", "0x1"} {
			path := strings.ReplaceAll(routeParam.ReplaceAllString(r.Path, id), "*", "x")
			if got := c.get(path).StatusCode; got != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", path, got)
			}
		}
	}
	if opened < 5 {
		t.Fatalf("only %d pages opened with id 1: the walk proves little", opened)
	}
}
