package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// CartAdd adds an item to the cart after checking it is free for the dates
// and that the cart stays within what one booking may hold. The item page's
// form brings its own dates, which become the visitor's choice. From htmx the
// answer is a short confirmation in place with the header's new count;
// otherwise the cart page.
func (s *Server) CartAdd(c echo.Context) error {
	ch, err := s.getChoice(c)
	if err != nil {
		return err
	}
	if form := (pages.DatesForm{Location: field(c, "location"), Start: field(c, "start"), End: field(c, "end")}); form.Start != "" {
		var errs components.Errors
		var err error
		if ch, errs, err = s.checkChoice(c.Request().Context(), form); err != nil {
			return err
		}
		if errs.Any() {
			return s.cartAddRefused(c, ch, errs)
		}
		if err := s.putChoice(c, ch); err != nil {
			return err
		}
	}
	if !ch.chosen() {
		s.flash(c, "info", "Choose where and when first.")
		return redirect(c, "/book")
	}
	itemID, perr := strconv.ParseInt(field(c, "item_id"), 10, 64)
	if perr != nil || itemID <= 0 {
		return s.cartAddRefused(c, ch, components.Errors{"": msgNoSuchItem})
	}
	cart, errs, err := s.changeCart(c, ch, itemID, c.FormValue("quantity"), true)
	if err != nil {
		return err
	}
	if errs.Any() {
		return s.cartAddRefused(c, ch, errs)
	}
	s.putCart(c, cart)
	if isHTMX(c) {
		return s.render(c, http.StatusOK, pages.CartAdded(pages.CartAddedView{Message: s.addedMessage(c, itemID, c.FormValue("quantity")), Count: cartCount(cart)}))
	}
	return redirect(c, "/cart")
}

// msgNoSuchItem answers an add of an item id that names nothing bookable.
const msgNoSuchItem = "That item does not exist or cannot be booked for these dates."

// cartAddRefused says why an item could not be added: in place for htmx,
// else on the booking page beside the item's row, or at the top when no row
// shows that item.
func (s *Server) cartAddRefused(c echo.Context, ch bookChoice, errs components.Errors) error {
	if isHTMX(c) {
		msg := ""
		for _, m := range errs {
			if msg == "" || m < msg { // one message, the same one every time
				msg = m
			}
		}
		return s.render(c, http.StatusUnprocessableEntity, pages.CartAdded(pages.CartAddedView{Error: msg}))
	}
	v, err := s.bookView(c, ch)
	if err != nil {
		return err
	}
	v.AddErrors = errs
	for key, msg := range errs {
		if !slices.ContainsFunc(v.Items, func(it pages.BookItem) bool { return fmt.Sprint(it.ID) == key }) {
			v.Message = msg
		}
	}
	return s.render(c, http.StatusUnprocessableEntity, pages.BookPage(v))
}

// addedMessage confirms an addition with the item's name.
func (s *Server) addedMessage(c echo.Context, itemID int64, qty string) string {
	it, err := s.Store.GetBookableItem(c.Request().Context(), itemID)
	if err != nil {
		return "Added to your cart."
	}
	return fmt.Sprintf("Added %s × %s.", strings.TrimSpace(qty), it.Name)
}

// CartUpdate changes an item's quantity in the cart (0 removes it). The
// stepper's buttons send step=-1 or step=1 instead: one less or one more than
// the cart holds.
func (s *Server) CartUpdate(c echo.Context) error {
	itemID, err := pathID(c, "id")
	if err != nil || !slices.ContainsFunc(s.getCart(c), func(l cartLine) bool { return l.ItemID == itemID }) {
		return s.renderCart(c, http.StatusUnprocessableEntity, nil, "That item is not in your cart; reload the cart and try again.")
	}
	raw := c.FormValue("quantity")
	if step := field(c, "step"); step == "-1" || step == "1" {
		for _, l := range s.getCart(c) {
			if l.ItemID == itemID {
				n, _ := strconv.Atoi(step)
				raw = strconv.Itoa(l.Quantity + n)
			}
		}
	}
	ch, err := s.getChoice(c)
	if err != nil {
		return err
	}
	cart, errs, err := s.changeCart(c, ch, itemID, raw, false)
	if err != nil {
		return err
	}
	if errs.Any() {
		return s.renderCart(c, http.StatusUnprocessableEntity, errs, "")
	}
	s.putCart(c, cart)
	return redirect(c, "/cart")
}

// changeCart reads a quantity for an item and applies it to the session's
// cart (add: on top of what is there); the errors, keyed by item id, say what
// the form, the booking limits or availability refuse.
func (s *Server) changeCart(c echo.Context, ch bookChoice, itemID int64, raw string, add bool) ([]cartLine, components.Errors, error) {
	key, errs := fmt.Sprint(itemID), components.Errors{}
	low := 0
	if add {
		low = 1
	}
	qty := formInt(errs, key, raw, low, booking.MaxQuantity, "")
	if errs.Any() {
		msg, err := s.quantityRange(c, ch, itemID, low)
		errs[key] = msg
		return nil, errs, err
	}
	cart, refused := cartWith(s.getCart(c), itemID, qty, add)
	if refused != "" {
		errs[key] = refused
		return nil, errs, nil
	}
	if qty > 0 {
		problem, err := s.checkCartLine(c, ch, cart, itemID)
		if err != nil {
			return nil, nil, err
		}
		if problem != "" {
			errs[key] = problem
		}
	}
	return cart, errs, nil
}

// quantityRange says which quantities of an item the cart takes for the
// chosen dates, as its box allows them: from low (0 removes) to what is
// free, at most what one booking may hold. Read only for a refused quantity.
func (s *Server) quantityRange(c echo.Context, ch bookChoice, itemID int64, low int) (string, error) {
	free := booking.MaxQuantity
	if ch.chosen() {
		counts, err := s.Booking.FreeOf(c.Request().Context(), ch.LocationID, ch.Start, ch.End, []int64{itemID})
		if err != nil {
			return "", err
		}
		if len(counts) == 1 {
			free = counts[0].Free
		}
	}
	return quantityRangeMessage(low, free), nil
}

// quantityRangeMessage words the quantities from low (0 or 1) to what is
// free (and at most booking.MaxQuantity).
func quantityRangeMessage(low, free int) string {
	from := "1"
	if low == 0 {
		from = "0 (remove)"
	}
	switch {
	case free <= 0 && low == 0:
		return "None is free for these dates: enter 0 to remove it."
	case free <= 0:
		return "None is free for these dates."
	case free >= booking.MaxQuantity:
		return fmt.Sprintf("Choose a quantity from %s to %d.", from, booking.MaxQuantity)
	case free == 1 && low == 0:
		return "Enter 1, or 0 to remove it: only 1 is free for these dates."
	case free == 1:
		return "Enter 1: only 1 is free for these dates."
	}
	return fmt.Sprintf("Choose a quantity from %s to %d: %d are free for these dates.", from, free, free)
}

// checkCartLine says what is wrong with one item of the cart, or with the
// cart as a whole ("" = fine).
func (s *Server) checkCartLine(c echo.Context, ch bookChoice, cart []cartLine, itemID int64) (string, error) {
	sum, _, err := s.cartSummary(c, ch, cart)
	if err != nil {
		return "", err
	}
	for _, l := range sum.Lines {
		if l.ItemID != itemID {
			continue
		}
		if l.Problem == "" && len(sum.Problems) > 0 {
			return sum.Problems[0], nil
		}
		return l.Problem, nil
	}
	return "That item cannot be booked.", nil
}

// CartShow shows the cart, re-checked: it says exactly what became unavailable.
func (s *Server) CartShow(c echo.Context) error {
	return s.renderCart(c, http.StatusOK, nil, "")
}

// renderCart shows the re-checked cart with the quantity errors (keyed by
// item id) and the reason a checkout was refused ("" = none).
func (s *Server) renderCart(c echo.Context, status int, errs components.Errors, refusal string) error {
	ch, err := s.getChoice(c)
	if err != nil {
		return err
	}
	sum, _, err := s.cartSummary(c, ch, s.getCart(c))
	if err != nil {
		return err
	}
	return s.render(c, status, pages.CartPage(pages.CartView{Page: s.page(c, "Your cart"), Cart: sum, Errors: errs, Message: refusal}))
}

// checkoutRefused shows the cart with what the engine refused at checkout:
// its field errors join the cart's problems (each said once), a rule's
// message leads the page.
func (s *Server) checkoutRefused(c echo.Context, fe components.Errors, msg string) error {
	ch, err := s.getChoice(c)
	if err != nil {
		return err
	}
	sum, _, err := s.cartSummary(c, ch, s.getCart(c))
	if err != nil {
		return err
	}
	for _, k := range problemKeys {
		if m := fe[k]; m != "" && !slices.Contains(sum.Problems, m) {
			sum.Problems = append(sum.Problems, m)
		}
	}
	sum.OK = false
	return s.render(c, http.StatusUnprocessableEntity, pages.CartPage(pages.CartView{Page: s.page(c, "Your cart"), Cart: sum, Message: msg}))
}

// problemKeys are the booking rules' field keys, in the order the cart shows
// their messages.
var problemKeys = []string{"start", "end", "lines", "quantity"}

// cartSummary re-checks and prices the cart with one availability query.
func (s *Server) cartSummary(c echo.Context, ch bookChoice, cart []cartLine) (pages.CartSummary, store.Totals, error) {
	ctx := c.Request().Context()
	var sum pages.CartSummary
	var totals store.Totals
	if !ch.chosen() || len(cart) == 0 {
		return sum, totals, nil
	}
	loc, err := s.Store.GetBookingLocation(ctx, ch.LocationID)
	if err != nil {
		return sum, totals, err
	}
	st, err := s.Store.GetSettings(ctx)
	if err != nil {
		return sum, totals, err
	}
	zone := period.Zone(loc.TimeZone)
	sum.Location, sum.Zone, sum.Period = loc.Name, loc.TimeZone, displayRange(ch.Start, ch.End, zone)
	sum.Problems = cartProblems(ch, cart, s.Now())
	if m := booking.CheckHorizon(ch.End, st, s.Now()); m != "" {
		sum.Problems = append(sum.Problems, m)
	}
	// Only the cart's items: the rest of the catalog does not change its price.
	ids := make([]int64, 0, len(cart))
	for _, l := range cart {
		ids = append(ids, l.ItemID)
	}
	avail, err := s.Booking.AvailabilityOf(ctx, loc.ID, ch.Start, ch.End, ids)
	if err != nil {
		return sum, totals, err
	}
	totals = s.priceCart(&sum, avail, ch, cart, zone, st)
	return sum, totals, nil
}

// cartProblems runs the engine's own rules over the whole cart, so the cart
// shows what checkout would refuse: dates gone by, too many lines. Quantity
// problems belong to their line (cartLine).
func cartProblems(ch bookChoice, cart []cartLine, now time.Time) []string {
	fe := booking.Validate(linesOf(ch, cart), now)
	var out []string
	for _, k := range problemKeys[:3] {
		if m := fe[k]; m != "" {
			out = append(out, m)
		}
	}
	return out
}

// priceCart re-checks and prices every line against the availability of
// the chosen period and fills the summary's lines and totals.
func (s *Server) priceCart(sum *pages.CartSummary, avail []store.ItemAvailability, ch bookChoice, cart []cartLine, zone *time.Location, st store.Settings) store.Totals {
	byID := map[int64]store.ItemAvailability{}
	for _, a := range avail {
		byID[a.ID] = a
	}
	sum.OK = len(sum.Problems) == 0
	var quotes []booking.Quote
	var deposit int64
	for _, l := range cart {
		line, q, dep := s.cartLine(l, byID[l.ItemID], ch, zone, st)
		sum.OK = sum.OK && line.Problem == ""
		sum.Lines = append(sum.Lines, line)
		quotes = append(quotes, q)
		deposit += dep
	}
	totals := booking.SumQuotes(quotes, deposit)
	sum.Totals = totalRows(totals, st, st.Currency)
	if totals.Deposit > 0 {
		sum.Deposit = money.Format(totals.Deposit, st.Currency)
	}
	return totals
}

// cartLine re-checks and prices one cart line.
func (s *Server) cartLine(l cartLine, a store.ItemAvailability, ch bookChoice, zone *time.Location, st store.Settings) (pages.CartLine, booking.Quote, int64) {
	line := pages.CartLine{ItemID: l.ItemID, Name: a.Name, Quantity: l.Quantity, Free: a.Free}
	switch {
	case a.ID == 0:
		line.Name, line.Problem = fmt.Sprintf("Item %d", l.ItemID), "This item is no longer offered."
		return line, booking.Quote{}, 0
	case l.Quantity < 1 || l.Quantity > booking.MaxQuantity:
		line.Problem = booking.Validate(linesOf(ch, []cartLine{l}), ch.Start)["quantity"]
	case a.Free == 0:
		line.Problem = "No longer available for these dates."
	case a.Free < l.Quantity:
		line.Problem = fmt.Sprintf("Only %d of %d still free for these dates.", a.Free, l.Quantity)
	}
	q, err := s.Booking.Quote(a.BookableItem, ch.Start, ch.End, zone, l.Quantity, st)
	if err != nil {
		line.Problem = err.Error()
		return line, booking.Quote{}, 0
	}
	line.Total = money.Format(q.Total, st.Currency)
	line.Breakdown = priceRows(booking.ParseBreakdown(q.Breakdown), st.Currency)
	return line, q, a.Deposit * int64(l.Quantity)
}

// CheckoutShow reviews the cart; anonymous visitors are offered to log in or
// sign up and come back with the same cart.
func (s *Server) CheckoutShow(c echo.Context) error {
	ch, err := s.getChoice(c)
	if err != nil {
		return err
	}
	sum, totals, err := s.cartSummary(c, ch, s.getCart(c))
	if err != nil {
		return err
	}
	if len(sum.Lines) == 0 {
		return redirect(c, "/cart")
	}
	st, err := s.Store.GetSettings(c.Request().Context())
	if err != nil {
		return err
	}
	v := pages.CheckoutView{Page: s.page(c, "Checkout"), Cart: sum, PayAtPickup: st.PaymentMode == booking.PaymentModeAtPickup}
	if !v.PayAtPickup && sum.OK {
		v.PayNow, v.PayLater = onlineSplit(totals.Total, st, st.Currency)
	}
	if err := booking.CheckoutOpen(st, s.Payments.Enabled()); err != nil {
		v.Closed = err.Error()
	}
	if v.Page.User != nil {
		v.Token = s.checkoutToken(c)
	}
	return s.render(c, http.StatusOK, pages.CheckoutPage(v))
}

// maxCheckoutToken bounds the idempotency token before it reaches its indexed
// column; the tokens the checkout page hands out are 24 characters.
const maxCheckoutToken = 64

// CheckoutSubmit turns the whole cart into one booking (all lines or none).
// The form's token makes a double submit answer with the first booking.
func (s *Server) CheckoutSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	token := field(c, "token")
	if len(token) > maxCheckoutToken {
		return echo.NewHTTPError(http.StatusBadRequest, "The checkout form is out of date. Open the checkout page again.")
	}
	ch, err := s.getChoice(c)
	if err != nil {
		return err
	}
	cart := s.getCart(c)
	if !ch.chosen() || len(cart) == 0 {
		// The first submit of this form emptied the cart: answer with its
		// booking. With a cart, the engine finds a used token itself
		// (*DuplicateError below), so a checkout needs no lookup first.
		if id, owner, err := s.Store.BookingByIdempotencyKey(ctx, token); err == nil && owner == u.ID && token != "" {
			return redirect(c, fmt.Sprintf("/bookings/%d", id))
		}
		return redirect(c, "/cart")
	}
	res, err := s.Booking.Book(ctx, booking.Request{CustomerID: u.ID, LocationID: ch.LocationID, Lines: linesOf(ch, cart),
		Actor: actor(c), IdempotencyKey: token, Online: true})
	var dup *booking.DuplicateError
	if errors.As(err, &dup) {
		return redirect(c, fmt.Sprintf("/bookings/%d", dup.BookingID))
	}
	if errors.Is(err, booking.ErrOnlinePaymentUnavailable) {
		s.Logger.Warn("checkout refused: the payment mode needs online payment, which is not set up",
			"request_id", actor(c).RequestID)
	}
	if err != nil {
		return s.bookingFailed(c, err, "/cart", func(fe components.Errors, msg string) error {
			return s.checkoutRefused(c, fe, msg)
		})
	}
	s.clearCart(c)
	if res.Status == store.BookingHold {
		// Online payment: the hold is committed; now to Stripe Checkout.
		return s.toCheckout(c, res.BookingID)
	}
	s.flash(c, "success", "Your booking is confirmed. Pay when you pick it up.")
	return redirect(c, fmt.Sprintf("/bookings/%d", res.BookingID))
}
