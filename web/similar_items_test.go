package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// A fully booked item's answer offers up to three items of its category free
// for the same dates: the first three by name, as each one's own price answer
// says, whether the first few of the category are free or booked (then the
// rest of the list is asked too).
func TestSimilarItemsAreTheFirstFreeOfTheCategory(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	cat := s.id(`INSERT INTO categories (name, slug) VALUES ('Cameras', 'cameras') RETURNING id`)
	asked := s.item("Asked cam", 1)
	// Created in reverse so that the ids' order is not the names'.
	byName := map[string]int64{}
	var names []string
	for c := 'H'; c >= 'A'; c-- {
		name := "Cam " + string(c)
		byName[name] = s.item(name, 1)
		names = append([]string{name}, names...)
	}
	for _, name := range append([]string{""}, names...) {
		id := asked
		if name != "" {
			id = byName[name]
		}
		if _, err := s.st.DB().Exec(`UPDATE items SET category_id = $1 WHERE id = $2`, cat, id); err != nil {
			t.Fatal(err)
		}
	}
	slugOf := func(id int64) string {
		var slug string
		_ = s.st.DB().QueryRow(`SELECT slug FROM items WHERE id = $1`, id).Scan(&slug)
		return slug
	}
	book := func(item int64, from, to int) {
		c, _ := s.customer(fmt.Sprintf("c%d-%d@example.test", item, from))
		c.bookOne(s.loc, item, s.local(from, 10), s.local(to, 10)).expectStatus(t, http.StatusSeeOther)
	}
	ask := func(item int64, from, to int) *testResponse {
		q := url.Values{"location": {fmt.Sprint(s.loc)}, "start": {s.local(from, 10)}, "end": {s.local(to, 10)}}.Encode()
		return s.client().get("/items/"+slugOf(item)+"/price?"+q).expectStatus(t, http.StatusOK)
	}
	// Days 11–13: the asked item and the first five others are booked, so
	// the first few of the list offer one free item only.
	book(asked, 11, 13)
	for _, n := range names[:5] {
		book(byName[n], 11, 13)
	}
	// Days 30–32: only the asked item is booked.
	book(asked, 30, 32)

	for _, days := range [][2]int{{11, 13}, {30, 32}} {
		res := ask(asked, days[0], days[1])
		if !res.has(`[data-testid="offer-full"]`) {
			t.Fatalf("days %v: the asked item should be fully booked", days)
		}
		var got []string
		res.Doc.Find(`[data-testid="similar"] li a`).Each(func(_ int, a *goquery.Selection) {
			got = append(got, strings.TrimSpace(a.Text()))
		})
		var want []string
		for _, n := range names {
			if len(want) < 3 && ask(byName[n], days[0], days[1]).has(`[data-testid="offer-free"]`) {
				want = append(want, n)
			}
		}
		if !slices.Equal(got, want) || len(want) != 3 {
			t.Errorf("days %v: similar items %q, the first three free by name are %q", days, got, want)
		}
	}
}
