package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/booking"
)

// cartProblems is the text of the cart-wide problems a page shows.
func (r *testResponse) cartProblems() string {
	if r.Doc == nil {
		return ""
	}
	return strings.TrimSpace(r.Doc.Find(`[data-testid="cart-problems"]`).Text())
}

// cartWithOne is a shop with a customer whose cart holds one of an item
// for tomorrow.
func cartWithOne(t *testing.T, name string) (*shop, *testClient, int64) {
	t.Helper()
	s := newShop(t, "Europe/Berlin")
	item := s.item(name, 2)
	c, _ := s.customer("ann@example.com")
	c.choose(s.loc, s.local(1, 10), s.local(2, 10)).expectStatus(t, http.StatusSeeOther)
	c.add(item, 1).expectStatus(t, http.StatusSeeOther)
	return s, c, item
}

// A checkout the engine refuses says why on the cart (422), and the cart
// itself already shows the problem and offers no checkout (invariant 7).
func TestCheckoutRefusalSaysWhy(t *testing.T) {
	t.Run("dates gone by", func(t *testing.T) {
		s, c, _ := cartWithOne(t, "Drill")
		tok := c.checkoutToken()
		s.advance(3 * 24 * time.Hour)
		res := c.post("/checkout", url.Values{"token": {tok}}).expectStatus(t, http.StatusUnprocessableEntity)
		if got := res.cartProblems(); !strings.Contains(got, "The start is in the past.") {
			t.Fatalf("checkout refusal shows %q, want the reason", got)
		}
		cart := c.get("/cart").expectStatus(t, http.StatusOK)
		if got := cart.cartProblems(); !strings.Contains(got, "The start is in the past.") {
			t.Errorf("cart shows %q, want the reason", got)
		}
		if cart.Doc.Find(`[data-testid="to-checkout"]`).Length() != 0 {
			t.Error("the cart offers checkout for dates gone by")
		}
		if n := s.id(`SELECT count(*) FROM bookings`); n != 0 {
			t.Fatalf("%d bookings written", n)
		}
	})
	t.Run("no price", func(t *testing.T) {
		s, c, item := cartWithOne(t, "Lamp")
		// The shop takes the price off after the item went into the cart.
		s.id(`UPDATE items SET rate_day = NULL WHERE id = $1 RETURNING id`, item)
		res := c.post("/checkout", url.Values{"token": {"t-1"}}).expectStatus(t, http.StatusUnprocessableEntity)
		if got := res.Doc.Find(`[data-testid="form-error"]`).Text(); !strings.Contains(got, "has no price") {
			t.Fatalf("checkout refusal shows %q, want the price problem", got)
		}
	})
	t.Run("cart from before the limits", func(t *testing.T) {
		s, c, item := cartWithOne(t, "Drill")
		var lines []cartLine
		for i := range booking.MaxLines + 1 {
			lines = append(lines, cartLine{ItemID: item + int64(i), Quantity: 1})
		}
		lines[0].Quantity = booking.MaxQuantity + 1
		s.setSessionCart(t, c, lines)
		res := c.post("/checkout", url.Values{"token": {"t-2"}}).expectStatus(t, http.StatusUnprocessableEntity)
		if got := res.cartProblems(); !strings.Contains(got, fmt.Sprintf("at most %d lines", booking.MaxLines)) {
			t.Errorf("refusal shows %q, want the line limit", got)
		}
		if got := res.Doc.Find(fmt.Sprintf(`[data-testid="cart-line-%d"] [data-testid="cart-problem"]`, item)).Text(); !strings.Contains(got, "At most 100") {
			t.Errorf("line problem %q, want the quantity limit", got)
		}
	})
}

// The cart never holds more than a booking may: adding to an item already in
// the cart checks the merged quantity, and the number of lines is capped.
func TestCartAddKeepsLimits(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	bulk := s.id(`INSERT INTO items (name, slug, tracking, rate_day) VALUES ('Chair', 'chair', 'bulk', 100) RETURNING id`)
	s.id(`INSERT INTO bulk_stock (item_id, location_id, quantity) VALUES ($1, $2, 500) RETURNING item_id`, bulk, s.loc)
	c, _ := s.customer("ann@example.com")
	c.choose(s.loc, s.local(1, 10), s.local(2, 10)).expectStatus(t, http.StatusSeeOther)
	c.add(bulk, booking.MaxQuantity).expectStatus(t, http.StatusSeeOther)
	res := c.add(bulk, booking.MaxQuantity).expectStatus(t, http.StatusUnprocessableEntity)
	if got := res.fieldError("quantity"); !strings.Contains(got, "already") {
		t.Errorf("merged quantity message %q", got)
	}
	if got := c.getCartQuantity(t, bulk); got != booking.MaxQuantity {
		t.Fatalf("cart holds %d, want %d", got, booking.MaxQuantity)
	}

	for i := range booking.MaxLines - 1 {
		c.add(s.item(fmt.Sprintf("Tool%d", i), 1), 1).expectStatus(t, http.StatusSeeOther)
	}
	extra := s.item("Extra", 1)
	res = c.add(extra, 1).expectStatus(t, http.StatusUnprocessableEntity)
	if got := res.fieldError("quantity"); !strings.Contains(got, fmt.Sprint(booking.MaxLines)) {
		t.Errorf("line cap message %q", got)
	}
	c.post(fmt.Sprintf("/cart/items/%d", extra), url.Values{"quantity": {"1"}}).expectStatus(t, http.StatusUnprocessableEntity)
	if n := c.cartLines(t); n != booking.MaxLines {
		t.Fatalf("cart has %d lines, want %d", n, booking.MaxLines)
	}
}

// getCartQuantity reads an item's quantity from the cart page.
func (c *testClient) getCartQuantity(t *testing.T, item int64) int {
	t.Helper()
	v, _ := c.get("/cart").Doc.Find(fmt.Sprintf(`#cq-%d`, item)).Attr("value")
	var n int
	fmt.Sscan(v, &n)
	return n
}

// cartLines counts the lines on the cart page.
func (c *testClient) cartLines(t *testing.T) int {
	t.Helper()
	return c.get("/cart").Doc.Find(`[data-testid^="cart-line-"]`).Length()
}

// setSessionCart writes a cart straight into the client's session, as a cart
// kept from before a limit existed would be.
func (s *shop) setSessionCart(t *testing.T, c *testClient, lines []cartLine) {
	t.Helper()
	sm := s.srv.Sessions
	ctx, err := sm.Load(context.Background(), c.cookie(sm.Cookie.Name))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(lines)
	sm.Put(ctx, sessCart, string(raw))
	if _, _, err := sm.Commit(ctx); err != nil {
		t.Fatal(err)
	}
}

// Until online payment exists, a shop set to take payment online does not
// confirm bookings with nothing paid: checkout says online booking is not
// available, writes nothing, and the refusal is logged for the shop.
func TestCheckoutInOnlinePaymentModeIsRefused(t *testing.T) {
	for _, mode := range []string{"online_full", "online_deposit"} {
		t.Run(mode, func(t *testing.T) {
			s, c, _ := cartWithOne(t, "Drill")
			if _, err := s.st.DB().Exec(`UPDATE shop_settings SET payment_mode = $1`, mode); err != nil {
				t.Fatal(err)
			}
			page := c.get("/checkout").expectStatus(t, http.StatusOK)
			if got := page.Doc.Find(`[data-testid="checkout-closed"]`).Text(); !strings.Contains(got, "Online booking is not available") {
				t.Errorf("checkout page says %q", got)
			}
			if page.Doc.Find(`[data-testid="confirm"]`).Length() != 0 {
				t.Error("checkout offers to confirm a booking it cannot take")
			}
			res := c.post("/checkout", url.Values{"token": {"t-online"}}).expectStatus(t, http.StatusUnprocessableEntity)
			if got := res.Doc.Find(`[data-testid="form-error"]`).Text(); !strings.Contains(got, "please call the shop") {
				t.Errorf("refusal says %q", got)
			}
			if n := s.id(`SELECT count(*) FROM bookings`); n != 0 {
				t.Fatalf("%d bookings written in %s mode", n, mode)
			}
			if !strings.Contains(s.logs.String(), "online payment") {
				t.Error("the refusal is not logged")
			}
		})
	}
}

// Every refusal of a cart change says what was wrong on the page: an item id
// that does not exist, is negative, zero or overflows, junk, and a quantity
// change for an item that is not in the cart.
func TestCartRefusalsHaveAMessage(t *testing.T) {
	s, c, item := cartWithOne(t, "Tent")
	for _, tc := range []struct {
		name, path string
		form       url.Values
		msg        string
	}{
		{"unknown item", "/cart/items", url.Values{"item_id": {"987654"}, "quantity": {"1"}}, "This item is no longer offered."},
		{"negative item", "/cart/items", url.Values{"item_id": {"-3"}, "quantity": {"1"}}, msgNoSuchItem},
		{"zero item", "/cart/items", url.Values{"item_id": {"0"}, "quantity": {"1"}}, msgNoSuchItem},
		{"overflowing item", "/cart/items", url.Values{"item_id": {"99999999999999999999"}, "quantity": {"1"}}, msgNoSuchItem},
		{"junk item", "/cart/items", url.Values{"item_id": {"tent"}, "quantity": {"1"}}, msgNoSuchItem},
		{"bad quantity", "/cart/items", url.Values{"item_id": {fmt.Sprint(item)}, "quantity": {"-1"}}, "Choose a quantity from 1 to 2: 2 are free for these dates."},
		{"not in the cart", "/cart/items/987654", url.Values{"quantity": {"2"}}, "That item is not in your cart"},
		{"overflowing id not in the cart", "/cart/items/99999999999999999999", url.Values{"quantity": {"2"}}, "That item is not in your cart"},
		{"bad quantity in the cart", fmt.Sprintf("/cart/items/%d", item), url.Values{"quantity": {"x"}}, "Choose a quantity from 0"},
	} {
		res := c.post(tc.path, tc.form)
		if res.StatusCode != http.StatusUnprocessableEntity || res.Doc == nil {
			t.Errorf("%s: status %d, want 422", tc.name, res.StatusCode)
			continue
		}
		shown := res.Doc.Find(`.form-errors, .field-error, [role="alert"]`).Text()
		if !strings.Contains(shown, tc.msg) {
			t.Errorf("%s: the page shows %q, want %q", tc.name, strings.TrimSpace(shown), tc.msg)
		}
	}
	if got := c.get("/cart").Doc.Find(`[data-testid^="cart-line"], tbody tr`).Length(); got != 1 {
		t.Errorf("cart has %d lines after refused changes, want 1", got)
	}
	_ = s
}

// A quantity box never offers more than the cart takes: with 500 chairs free
// the catalog, the item page and /book offer at most an order's limit.
func TestQuantityBoxesOfferAtMostAnOrder(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	bulk := s.id(`INSERT INTO items (name, slug, tracking, rate_day) VALUES ('Chair', 'chair', 'bulk', 100) RETURNING id`)
	s.id(`INSERT INTO bulk_stock (item_id, location_id, quantity) VALUES ($1, $2, 500) RETURNING item_id`, bulk, s.loc)
	few := s.id(`INSERT INTO items (name, slug, tracking, rate_day) VALUES ('Table', 'table', 'bulk', 100) RETURNING id`)
	s.id(`INSERT INTO bulk_stock (item_id, location_id, quantity) VALUES ($1, $2, 7) RETURNING item_id`, few, s.loc)
	c, _ := s.customer("ann@example.com")
	c.choose(s.loc, s.local(1, 10), s.local(2, 10)).expectStatus(t, http.StatusSeeOther)
	boxes := regexp.MustCompile(`<input id="qty-[^"]*" type="number" name="quantity"[^>]*max="(\d+)"`)
	for _, page := range []string{"/catalog", "/items/chair", "/items/table", "/book"} {
		body := c.get(page).expectStatus(t, http.StatusOK).Body
		found := boxes.FindAllStringSubmatch(body, -1)
		if len(found) == 0 {
			t.Fatalf("%s shows no quantity box", page)
		}
		var offered []string
		for _, m := range found {
			offered = append(offered, m[1])
		}
		want := map[string][]string{
			"/catalog": {"100", "7"}, "/items/chair": {"100"}, "/items/table": {"7"}, "/book": {"100", "7"},
		}[page]
		if !slices.Equal(offered, want) {
			t.Errorf("%s offers at most %v, want %v", page, offered, want)
		}
	}
}

// A quantity the cart cannot take (junk, none, too many for one booking) is
// answered with the range the quantity box itself allows: from 1 (0 in the
// cart, to remove) to what is free for the chosen dates, not the most one
// booking may hold.
func TestCartQuantityMessageGivesTheBoxRange(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 4)
	lamp := s.item("Lamp", 1)
	_, other := s.customer("bob@example.com")
	s.deskBook(other.ID, tent, s.instant(1, 10), s.instant(2, 10)) // 3 of 4 free then
	c, _ := s.customer("ann@example.com")
	c.choose(s.loc, s.local(1, 10), s.local(2, 10)).expectStatus(t, http.StatusSeeOther)
	page := c.get("/book").expectStatus(t, http.StatusOK)
	if max, _ := page.Doc.Find(`[data-testid="add-` + itoa(tent) + `"] input[name="quantity"]`).Attr("max"); max != "3" {
		t.Fatalf("the add box allows up to %q, want 3", max)
	}
	for _, q := range []string{"abc", "", "-1", "0", "101", "99999999999999999999"} {
		res := c.post("/cart/items", url.Values{"item_id": {itoa(tent)}, "quantity": {q}}).expectStatus(t, http.StatusUnprocessableEntity)
		if got := res.Doc.Find(`.field-error, .form-errors, [role="alert"]`).Text(); !strings.Contains(got, "Choose a quantity from 1 to 3: 3 are free for these dates.") {
			t.Errorf("add %q: the page says %q", q, strings.TrimSpace(got))
		}
	}
	res := c.post("/cart/items", url.Values{"item_id": {itoa(lamp)}, "quantity": {"x"}}).expectStatus(t, http.StatusUnprocessableEntity)
	if got := res.Doc.Find(`.field-error, .form-errors, [role="alert"]`).Text(); !strings.Contains(got, "Enter 1: only 1 is free for these dates.") {
		t.Errorf("add junk of an item with 1 free: the page says %q", strings.TrimSpace(got))
	}

	c.add(tent, 2).expectStatus(t, http.StatusSeeOther)
	for _, q := range []string{"x", "-1", "101"} {
		res := c.post("/cart/items/"+itoa(tent), url.Values{"quantity": {q}}).expectStatus(t, http.StatusUnprocessableEntity)
		if got := res.Doc.Find(`.field-error, .form-errors, [role="alert"]`).Text(); !strings.Contains(got, "Choose a quantity from 0 (remove) to 3: 3 are free for these dates.") {
			t.Errorf("cart quantity %q: the page says %q", q, strings.TrimSpace(got))
		}
	}
}
