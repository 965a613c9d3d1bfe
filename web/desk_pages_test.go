package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// A busy day's board shows a page of each section with its count: one line
// more than a page puts the first page's lines (in time order) and a link to
// the next page on the board, and the rest on page 2, whose links keep the
// location, the day and the other sections' pages. Junk page numbers are a
// 400 with a message.
func TestDeskBoardPages(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	chairs := s.bulkItem("Chair", 200)
	cust := s.createUser(store.RoleCustomer, "busy@example.test", "correct horse battery")
	n := store.DeskPerPage + 1
	var want []string
	for i := 0; i < n; i++ {
		start := s.instant(2, 8).Add(time.Duration(i) * 5 * time.Minute)
		want = append(want, s.deskBook(cust.ID, chairs, start, s.instant(3, 10)).Number)
	}
	date := s.instant(2, 8).In(s.zone).Format("2006-01-02")
	c, _ := s.staffClient("desk@example.test")

	first := c.get("/desk?date="+date).expectStatus(t, http.StatusOK)
	expectRows(t, "page 1", deskRows(first, "pickups"), want[:store.DeskPerPage]...)
	if got := first.Doc.Find(`[data-testid="pickups-count"]`).Text(); got != fmt.Sprint(n) {
		t.Errorf("pickups count %q, want %d", got, n)
	}
	if got := first.Doc.Find(`[data-testid="pickups-showing"]`).Text(); !strings.Contains(got, fmt.Sprintf("1–%d of %d", store.DeskPerPage, n)) {
		t.Errorf("page 1 says %q", got)
	}
	if first.has(`[data-testid="pickups-prev-page"]`) {
		t.Error("page 1 links to an earlier page")
	}
	next, ok := first.Doc.Find(`[data-testid="pickups-next-page"]`).Attr("href")
	if !ok {
		t.Fatal("page 1 has no link to the next pickups")
	}
	u, err := url.Parse(next)
	if err != nil {
		t.Fatal(err)
	}
	if q := u.Query(); u.Path != "/desk" || q.Get("pickups_page") != "2" || q.Get("date") != date || q.Get("location") != fmt.Sprint(s.loc) {
		t.Errorf("next page link %q does not keep the location and day", next)
	}
	// Sections that fit on one page show no pager.
	if first.has(`[data-testid="returns-next-page"]`) || first.has(`[data-testid="returns-showing"]`) {
		t.Error("the returns section has a pager with nothing to page")
	}

	second := c.get(next).expectStatus(t, http.StatusOK)
	expectRows(t, "page 2", deskRows(second, "pickups"), want[store.DeskPerPage:]...)
	if got := second.Doc.Find(`[data-testid="pickups-count"]`).Text(); got != fmt.Sprint(n) {
		t.Errorf("page 2 pickups count %q, want %d", got, n)
	}
	if second.has(`[data-testid="pickups-next-page"]`) {
		t.Error("the last page links to a next one")
	}
	if prev, _ := second.Doc.Find(`[data-testid="pickups-prev-page"]`).Attr("href"); !strings.Contains(prev, "date="+date) || strings.Contains(prev, "pickups_page") {
		t.Errorf("page 2's link back %q, want page 1 of the same day", prev)
	}
	// The board refreshes the page it shows, and other sections' pages
	// ride along in the pickups' links.
	if hx, _ := second.Doc.Find(`[data-testid="desk-board"]`).Attr("hx-get"); !strings.Contains(hx, "pickups_page=2") || !strings.Contains(hx, "date="+date) {
		t.Errorf("the board refreshes %q, not the page shown", hx)
	}
	kept := c.get("/desk?date="+date+"&returns_page=3").expectStatus(t, http.StatusOK)
	if href, _ := kept.Doc.Find(`[data-testid="pickups-next-page"]`).Attr("href"); !strings.Contains(href, "returns_page=3") {
		t.Errorf("the pickups' next link %q drops the returns page", href)
	}

	// A page past the end still counts the section and links back.
	past := c.get("/desk?date="+date+"&pickups_page=7").expectStatus(t, http.StatusOK)
	expectRows(t, "past the end", deskRows(past, "pickups"))
	if got := past.Doc.Find(`[data-testid="pickups-count"]`).Text(); got != fmt.Sprint(n) {
		t.Errorf("past the end, pickups count %q", got)
	}
	if prev, _ := past.Doc.Find(`[data-testid="pickups-prev-page"]`).Attr("href"); !strings.Contains(prev, "pickups_page=2") {
		t.Errorf("past the end, the link back %q is not the last page", prev)
	}

	for _, q := range []string{"pickups_page=0", "pickups_page=-1", "pickups_page=x", "pickups_page=1.5", "pickups_page=100001",
		"pickups_page=99999999999999999999", "returns_page=abc", "overdue_page=" + url.QueryEscape("1 OR 1=1")} {
		res := c.get("/desk?date="+date+"&"+q).expectStatus(t, http.StatusBadRequest)
		if name, _, _ := strings.Cut(q, "="); !strings.Contains(res.Body, "The "+name+" parameter is not valid") {
			t.Errorf("%s: the 400 does not say what is wrong: %.200q", q, res.Body)
		}
	}
	// A NUL byte is turned away before the desk reads it: a 400 all the same.
	c.get("/desk?date="+date+"&overdue_page=%00").expectStatus(t, http.StatusBadRequest)
}
