package web

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/booking"
)

// Session keys of the customer's booking choices. They live in the session,
// which survives logging in (RenewToken keeps its data), so a cart is never
// lost at checkout. The chosen dates live in a signed cookie instead
// (book_choice.go); sessBookChoice is where earlier versions kept them.
const (
	sessBookChoice = "book.choice"
	sessCart       = "book.cart"
	sessCheckout   = "book.checkout_token"
)

// bookChoice is where and when the customer wants to rent: chosen once, used
// by every page until changed.
type bookChoice struct {
	LocationID int64     `json:"location_id"`
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
}

func (b bookChoice) chosen() bool { return b.LocationID != 0 && !b.Start.IsZero() }

// cartLine is one item and quantity in the cart.
type cartLine struct {
	ItemID   int64 `json:"item_id"`
	Quantity int   `json:"quantity"`
}

func (s *Server) getCart(c echo.Context) []cartLine {
	var lines []cartLine
	if raw := s.Sessions.GetString(c.Request().Context(), sessCart); raw != "" {
		_ = json.Unmarshal([]byte(raw), &lines)
	}
	return lines
}

// putCart stores the cart. A cart with something in it gets its checkout
// form's token here when it has none yet (checkoutToken), in the same save
// of the session: opening the checkout page then reads the session and
// writes nothing.
func (s *Server) putCart(c echo.Context, lines []cartLine) {
	raw, _ := json.Marshal(lines)
	s.Sessions.Put(c.Request().Context(), sessCart, string(raw))
	if len(lines) > 0 {
		s.checkoutToken(c)
	}
}

// cartWith puts qty of an item into the cart (add: on top of what is there,
// else instead of it; 0 removes it) unless the result would be more than one
// booking may hold, so the cart never keeps what checkout must refuse; the
// message says why ("" = done).
func cartWith(lines []cartLine, itemID int64, qty int, add bool) ([]cartLine, string) {
	have, found := 0, false
	for _, l := range lines {
		if l.ItemID == itemID {
			have, found = l.Quantity, true
		}
	}
	switch {
	case add && have+qty > booking.MaxQuantity:
		return lines, fmt.Sprintf("You already have %d in the cart; at most %d at a time, call the shop for more.", have, booking.MaxQuantity)
	case !found && qty > 0 && len(lines) >= booking.MaxLines:
		return lines, fmt.Sprintf("A booking can have at most %d lines; book the rest separately.", booking.MaxLines)
	}
	return setCartQuantity(lines, itemID, qty, add), ""
}

// setCartQuantity sets an item's quantity in the cart (0 removes it).
func setCartQuantity(lines []cartLine, itemID int64, qty int, add bool) []cartLine {
	out := lines[:0:0]
	found := false
	for _, l := range lines {
		if l.ItemID == itemID {
			found = true
			if add {
				l.Quantity += qty
			} else {
				l.Quantity = qty
			}
		}
		if l.Quantity > 0 {
			out = append(out, l)
		}
	}
	if !found && qty > 0 {
		out = append(out, cartLine{ItemID: itemID, Quantity: qty})
	}
	return out
}

// cartCount is the number of things in the cart, as the header shows it.
func cartCount(lines []cartLine) int {
	n := 0
	for _, l := range lines {
		n += l.Quantity
	}
	return n
}

// checkoutToken returns the idempotency token of the checkout form, making
// one when the cart has none (putCart makes it with the cart's first line;
// a session saved before that keeps its cart and gets its token here). The
// same token in two submits makes one booking.
func (s *Server) checkoutToken(c echo.Context) string {
	ctx := c.Request().Context()
	if tok := s.Sessions.GetString(ctx, sessCheckout); tok != "" {
		return tok
	}
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	s.Sessions.Put(ctx, sessCheckout, tok)
	return tok
}

// clearCart empties the cart after a booking, and forgets the form token so
// the next checkout is a new booking.
func (s *Server) clearCart(c echo.Context) {
	ctx := c.Request().Context()
	s.Sessions.Remove(ctx, sessCart)
	s.Sessions.Remove(ctx, sessCheckout)
}
