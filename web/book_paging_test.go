package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// /book lists the catalog a page at a time, by name, and every item is on
// exactly one page; adding from a later page keeps that page.
func TestBookPagesThroughItems(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	n := bookPageSize + 5
	var ids []int64
	for i := range n {
		ids = append(ids, s.item(fmt.Sprintf("Item %03d", i), 1))
	}
	c := s.client()
	c.choose(s.loc, s.local(2, 15), s.local(4, 10)).expectStatus(t, http.StatusSeeOther)
	first := c.get("/book").expectStatus(t, http.StatusOK)
	if got := first.Doc.Find(`[data-testid="availability"] tbody tr`).Length(); got != bookPageSize {
		t.Fatalf("first page lists %d items, want %d", got, bookPageSize)
	}
	next, ok := first.Doc.Find(`[data-testid="book-next"]`).Attr("href")
	if !ok {
		t.Fatal("no link to the next items")
	}
	second := c.get(next).expectStatus(t, http.StatusOK)
	if got := second.Doc.Find(`[data-testid="availability"] tbody tr`).Length(); got != n-bookPageSize {
		t.Fatalf("second page lists %d items, want %d", got, n-bookPageSize)
	}
	if second.Doc.Find(`[data-testid="book-next"]`).Length() != 0 {
		t.Fatal("the last page links to a next one")
	}
	for _, id := range ids {
		sel := fmt.Sprintf(`[data-testid="item-%d"]`, id)
		if first.Doc.Find(sel).Length()+second.Doc.Find(sel).Length() != 1 {
			t.Fatalf("item %d is not on exactly one page", id)
		}
	}
	last := ids[len(ids)-1]
	c.add(last, 1).expectStatus(t, http.StatusSeeOther)
	if cart := c.get("/cart").expectStatus(t, http.StatusOK); !strings.Contains(cart.Body, fmt.Sprintf("Item %03d", n-1)) {
		t.Fatal("the item from the second page is not in the cart")
	}
}

// A later page of /book starts after its item by name even when customers
// can no longer see that item (taken offline after the page before was
// shown), and the items still offered keep their counts.
func TestBookNextPageAfterAnItemTakenOffline(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	n := bookPageSize + 3
	var ids []int64
	for i := range n {
		ids = append(ids, s.item(fmt.Sprintf("Item %03d", i), 2))
	}
	c := s.client()
	c.choose(s.loc, s.local(2, 15), s.local(4, 10)).expectStatus(t, http.StatusSeeOther)
	first := c.get("/book").expectStatus(t, http.StatusOK)
	next, ok := first.Doc.Find(`[data-testid="book-next"]`).Attr("href")
	if !ok {
		t.Fatal("no link to the next items")
	}
	s.exec(`UPDATE items SET online_bookable = false WHERE id = $1`, ids[bookPageSize-1])
	second := c.get(next).expectStatus(t, http.StatusOK)
	rows := second.Doc.Find(`[data-testid="availability"] tbody tr`)
	if rows.Length() != n-bookPageSize {
		t.Fatalf("the page after the offline item lists %d items, want %d", rows.Length(), n-bookPageSize)
	}
	for _, id := range ids[bookPageSize:] {
		got := strings.TrimSpace(second.Doc.Find(fmt.Sprintf(`[data-testid="item-%d"] [data-testid="free"]`, id)).Text())
		if got != "2 of 2" {
			t.Errorf("item %d: free %q, want 2 of 2", id, got)
		}
	}
}
