package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// StaffBookingNew shows the walk-in booking form, starting at the next
// quarter hour the first location is open, for a day (to its next opening
// then): values that pass the form's own validation.
func (s *Server) StaffBookingNew(c echo.Context) error {
	f := pages.WalkInForm{Quantity: "1"}
	locs, err := s.Store.ListBookingLocations(c.Request().Context())
	if err != nil {
		return err
	}
	if len(locs) > 0 {
		zone := period.Zone(locs[0].TimeZone)
		start := booking.NextOpen(locs[0], s.Now().Truncate(15*time.Minute).Add(15*time.Minute))
		end := booking.NextOpen(locs[0], period.AddDays(start, 1, zone))
		f.Location, f.Start, f.End = fmt.Sprint(locs[0].ID), formatLocal(start, zone), formatLocal(end, zone)
	}
	return s.walkInForm(c, http.StatusOK, f, nil, nil, nil)
}

// walkInForm renders the form. Items are picked by a search (no menu of the
// whole catalog); picks says what each picker of a checked form found.
// Availability and price are computed only for the items chosen, once the
// form comes back with them and a period (req is nil on a fresh form).
func (s *Server) walkInForm(c echo.Context, status int, f pages.WalkInForm, errs components.Errors, req *walkInChoice, picks map[string]itemPick) error {
	ctx := c.Request().Context()
	v := pages.WalkInView{Page: s.page(c, "New booking"), Form: f, Errors: errs}
	locs, err := s.Store.ListBookingLocations(ctx)
	if err != nil {
		return err
	}
	for _, l := range locs {
		v.Locations = append(v.Locations, components.Option{Value: fmt.Sprint(l.ID), Label: l.Name})
	}
	queries := []string{f.ItemQ, f.ItemQ2, f.ItemQ3}
	for i, sl := range walkInSlots {
		slot := pages.WalkInItemSlot{Suffix: sl.suffix, Label: sl.label, Query: queries[i], Optional: sl.suffix != "",
			Error: errs["item"+sl.suffix]}
		if p, ok := picks[sl.suffix]; ok {
			if p.id != 0 {
				slot.Selected = fmt.Sprint(p.id)
				slot.Choices = []pages.ItemChoice{{ID: slot.Selected, Name: p.name}}
			} else {
				slot.Choices = p.choices
			}
		}
		v.Items = append(v.Items, slot)
	}
	if req != nil {
		if v.Chosen, v.Period, err = s.walkInChosen(ctx, *req); err != nil {
			return err
		}
	}
	return s.render(c, status, pages.WalkInPage(v))
}

// walkInChoice is what the chosen-items summary needs from a checked form:
// the request, and whether its location and period were read without fault
// (only then is there a period to count and price).
type walkInChoice struct {
	booking.Request
	PeriodOK bool
}

// walkInChosen counts what is free of each chosen item at the location for
// the period, in one query for the chosen items only, and prices each line.
func (s *Server) walkInChosen(ctx context.Context, r walkInChoice) ([]pages.WalkInChosen, string, error) {
	var ids []int64
	for _, l := range r.Lines {
		if l.ItemID > 0 {
			ids = append(ids, l.ItemID)
		}
	}
	if !r.PeriodOK || len(ids) == 0 {
		return nil, "", nil
	}
	loc, err := s.Store.GetBookingLocation(ctx, r.LocationID)
	if err != nil {
		return nil, "", err
	}
	start, end := r.Lines[0].Start, r.Lines[0].End
	avail, err := s.Booking.StaffAvailabilityOf(ctx, loc.ID, start, end, ids)
	if err != nil {
		return nil, "", err
	}
	st, err := s.Store.GetSettings(ctx)
	if err != nil {
		return nil, "", err
	}
	byID := make(map[int64]store.ItemAvailability, len(avail))
	for _, a := range avail {
		byID[a.ID] = a
	}
	zone := period.Zone(loc.TimeZone)
	var out []pages.WalkInChosen
	for _, l := range r.Lines {
		a, ok := byID[l.ItemID]
		if !ok {
			continue
		}
		qty := max(l.Quantity, 1)
		ch := pages.WalkInChosen{ItemID: a.ID, Name: a.Name, Quantity: qty, Free: a.Free, Capacity: a.Capacity}
		switch {
		case a.Capacity == 0:
			ch.Problem = "None at this location."
		case a.Free < qty:
			ch.Problem = fmt.Sprintf("Only %d free for this period.", a.Free)
		}
		if q, err := s.Booking.Price(a.BookableItem, start, end, zone, qty, st); err == nil {
			ch.Price = money.Format(q.Total, st.Currency)
		}
		out = append(out, ch)
	}
	return out, displayRange(start, end, zone), nil
}

// StaffBookingCreate books for a customer at the desk, confirmed at once: a
// customer found, or a new one made on the spot (who gets an email to set a
// password), several items, one period.
func (s *Server) StaffBookingCreate(c echo.Context) error {
	f := walkInFormOf(c)
	req, errs, picks, err := s.walkInRequest(c, f)
	if err != nil {
		return err
	}
	// Whether the location and period read well is the form's own verdict,
	// before the engine's rules (opening hours, stock) add theirs.
	chosen := walkInChoice{PeriodOK: errs["location"] == "" && errs["start"] == "" && errs["end"] == ""}
	rerender := func(fe components.Errors, msg string) error {
		if msg != "" {
			fe = components.Errors{"item": msg}
		}
		chosen.Request = req
		return s.walkInForm(c, http.StatusUnprocessableEntity, f, fe, &chosen, picks)
	}
	if errs.Any() {
		return rerender(errs, "")
	}
	if req.CustomerID == 0 {
		u, err := s.createWalkInCustomer(c, f)
		if err != nil {
			return err
		}
		// From here on the form names the customer made, so a refused
		// booking shown again cannot make them twice.
		req.CustomerID, f.CustomerID, f.CustomerLabel = u.ID, fmt.Sprint(u.ID), u.Name+" · "+u.Email
		f.NewName, f.NewEmail, f.NewPhone = "", "", ""
	}
	res, err := s.Booking.Book(c.Request().Context(), req)
	if err != nil {
		return s.bookingFailed(c, err, "/staff/bookings/new", rerender)
	}
	s.flash(c, "success", "Booked. Take the payment and scan the units to hand them out.")
	return redirect(c, fmt.Sprintf("/staff/bookings/%d", res.BookingID))
}

func walkInFormOf(c echo.Context) pages.WalkInForm {
	return pages.WalkInForm{Email: strings.ToLower(field(c, "email")), Item: field(c, "item"), Quantity: field(c, "quantity"),
		Location: field(c, "location"), Start: field(c, "start"), End: field(c, "end"), CustomerID: field(c, "customer_id"),
		NewName: field(c, "new_name"), NewEmail: strings.ToLower(field(c, "new_email")), NewPhone: field(c, "new_phone"),
		Item2: field(c, "item_2"), Quantity2: field(c, "quantity_2"), Item3: field(c, "item_3"), Quantity3: field(c, "quantity_3"),
		ItemQ: field(c, "item_q"), ItemQ2: field(c, "item_q_2"), ItemQ3: field(c, "item_q_3")}
}

// walkInRequest checks the walk-in form and makes it a booking request; the
// errors are the form's, keyed by field. A new customer is checked here and
// made only once everything else is right (CustomerID stays 0). picks says
// what each item picker found, by its suffix. Only a failure to read the
// database is an error.
func (s *Server) walkInRequest(c echo.Context, f pages.WalkInForm) (booking.Request, components.Errors, map[string]itemPick, error) {
	ctx := c.Request().Context()
	errs := components.Errors{}
	custID, err := s.walkInCustomer(c, &f, errs)
	if err != nil {
		return booking.Request{}, nil, nil, err
	}
	locID, _ := strconv.ParseInt(f.Location, 10, 64)
	loc, err := s.Store.GetBookingLocation(ctx, locID)
	if errors.Is(err, store.ErrNotFound) {
		errs["location"] = "Choose a location."
	} else if err != nil {
		return booking.Request{}, nil, nil, err
	}
	start, end, perr := parsePeriodForm(f.Start, f.End, period.Zone(loc.TimeZone), s.Now())
	for k, m := range perr {
		errs[k] = m
	}
	if err := s.checkHorizon(ctx, errs, "end", end); err != nil {
		return booking.Request{}, nil, nil, err
	}
	req := booking.Request{CustomerID: custID, LocationID: loc.ID, Actor: actor(c)}
	picks := map[string]itemPick{}
	for i, l := range [][4]string{{"", f.Item, f.Quantity, f.ItemQ}, {"_2", f.Item2, f.Quantity2, f.ItemQ2}, {"_3", f.Item3, f.Quantity3, f.ItemQ3}} {
		// Another item is left out when nothing was chosen nor typed, or
		// "None" was chosen whatever the search.
		if raw := strings.TrimSpace(l[1]); i > 0 && (raw == "none" || raw == "" && strings.TrimSpace(l[3]) == "") {
			continue
		}
		qty := formInt(errs, "quantity"+l[0], l[2], 1, booking.MaxQuantity, quantityMessage())
		p, err := s.walkInItem(ctx, errs, "item"+l[0], l[1], l[3])
		if err != nil {
			return booking.Request{}, nil, nil, err
		}
		picks[l[0]] = p
		req.Lines = append(req.Lines, booking.LineRequest{ItemID: p.id, Quantity: qty, Start: start, End: end})
	}
	return req, tooLong(c, errs), picks, nil
}

// walkInSlots are the walk-in form's item pickers, by the suffix of their
// field names.
var walkInSlots = []struct{ suffix, label string }{{"", "Item"}, {"_2", "Another item"}, {"_3", "Another item"}}

// itemSearchLimit is how many matches an item search offers.
const itemSearchLimit = 20

// itemPick is what one item picker of a checked form found: the item
// chosen (id and name), or the matches of its search to choose from.
type itemPick struct {
	id      int64
	name    string
	choices []pages.ItemChoice
}

// walkInItem reads one item picker: the item chosen from the matches (raw, a
// number of an item staff may book, online or not, never archived), or else
// the search typed (q), which must name one item: one match, or one whose
// whole name it is. Anything else is refused beside the picker, with the
// matches to choose from: so the form works without JavaScript. A search
// typed after choosing that the chosen item does not match is the newer
// wish. An id that is no such item is a stale form or a forged one.
func (s *Server) walkInItem(ctx context.Context, errs components.Errors, key, raw, q string) (itemPick, error) {
	raw, q = strings.TrimSpace(raw), strings.TrimSpace(q)
	if raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			errs[key] = "Choose an item."
			return itemPick{}, nil
		}
		it, err := s.Store.GetBookableItem(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && it.Archived) {
			errs[key] = "That item cannot be booked: choose another."
			return itemPick{}, nil
		}
		if err != nil {
			return itemPick{}, err
		}
		if q == "" || strings.Contains(strings.ToLower(it.Name), strings.ToLower(q)) {
			return itemPick{id: id, name: it.Name}, nil
		}
	}
	if q == "" {
		errs[key] = "Choose an item."
		return itemPick{}, nil
	}
	if utf8.RuneCountInString(q) > 100 {
		errs[key] = "Type at most 100 characters of the name."
		return itemPick{}, nil
	}
	found, err := s.Store.SearchItemNames(ctx, q, itemSearchLimit)
	if err != nil {
		return itemPick{}, err
	}
	exact := len(found) > 0 && strings.EqualFold(found[0].Name, q) && (len(found) == 1 || !strings.EqualFold(found[1].Name, q))
	switch {
	case len(found) == 0:
		errs[key] = "No item matches “" + q + "”."
		return itemPick{}, nil
	case len(found) == 1 || exact:
		return itemPick{id: found[0].ID, name: found[0].Name}, nil
	}
	errs[key] = "Several items match: choose one."
	p := itemPick{}
	for _, it := range found {
		p.choices = append(p.choices, pages.ItemChoice{ID: fmt.Sprint(it.ID), Name: it.Name})
	}
	return p, nil
}

// StaffItemSearch finds items for a picker of the walk-in form by a part of
// the name (an htmx fragment of choices).
func (s *Server) StaffItemSearch(c echo.Context) error {
	suffix := c.QueryParam("slot")
	if suffix != "" && suffix != "_2" && suffix != "_3" {
		return echo.NewHTTPError(http.StatusBadRequest, "There is no such item field.")
	}
	q := strings.TrimSpace(c.QueryParam("item_q" + suffix))
	if utf8.RuneCountInString(q) > 100 {
		return echo.NewHTTPError(http.StatusBadRequest, "The search is too long.")
	}
	sl := pages.WalkInItemSlot{Suffix: suffix, Query: q, Optional: suffix != ""}
	if q != "" {
		found, err := s.Store.SearchItemNames(c.Request().Context(), q, itemSearchLimit)
		if err != nil {
			return err
		}
		for _, it := range found {
			sl.Choices = append(sl.Choices, pages.ItemChoice{ID: fmt.Sprint(it.ID), Name: it.Name})
		}
	}
	return s.render(c, http.StatusOK, pages.ItemResults(sl))
}

// StaffBookingShow shows a booking at the desk.
func (s *Server) StaffBookingShow(c echo.Context) error {
	return s.staffBookingPage(c, http.StatusOK, nil, "", "")
}

func (s *Server) staffBookingPage(c echo.Context, status int, errs components.Errors, formErr, tag string) error {
	return s.staffBookingPageAt(c, status, 0, errs, formErr, tag)
}

// staffBookingPageAt is staffBookingPage with the tag and its message in the
// change-unit form of unitLine (0: the check-out scan).
func (s *Server) staffBookingPageAt(c echo.Context, status int, unitLine int64, errs components.Errors, formErr, tag string) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v, err := s.staffBookingView(c, id)
	if err != nil {
		return err
	}
	v.Errors, v.FormError, v.Tag, v.UnitLine = errs, formErr, tag, unitLine
	return s.render(c, status, pages.StaffBookingPage(v))
}

// staffScan runs one desk action on a booking and answers like a form: field
// problems and refused rules re-show the page (422); a conflict over a typed
// tag too (409), the reason beside the tag field.
func (s *Server) staffScan(c echo.Context, done string, act func(id int64, tag string) error) error {
	return s.staffScanAt(c, done, 0, act)
}

// staffScanAt is staffScan for the form of unitLine's change-unit (0: the
// check-out scan), where the tag typed and its message go back.
func (s *Server) staffScanAt(c echo.Context, done string, unitLine int64, act func(id int64, tag string) error) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	tag := field(c, "tag")
	page := func(status int, fe components.Errors, msg string) error {
		return s.staffBookingPageAt(c, status, unitLine, fe, msg, tag)
	}
	if long := tooLong(c, nil); long.Any() {
		return page(http.StatusUnprocessableEntity, long, "")
	}
	if err := act(id, tag); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return err
		}
		var held heldElsewhere
		var ce *booking.ConflictError
		switch {
		case errors.As(err, &held):
			return page(http.StatusConflict, components.Errors{"tag": string(held)}, "")
		case errors.As(err, &ce) && strings.TrimSpace(tag) != "":
			// A unit typed in (check-in, change of unit): the desk types another.
			msg := ce.StaffMessage()
			return page(http.StatusConflict, components.Errors{"tag": msg}, "")
		}
		return s.bookingFailed(c, err, fmt.Sprintf("/staff/bookings/%d", id), func(fe components.Errors, msg string) error {
			return page(http.StatusUnprocessableEntity, fe, msg)
		})
	}
	s.flash(c, "success", done)
	return redirect(c, fmt.Sprintf("/staff/bookings/%d", id))
}

// heldElsewhere is a check-out refused because another booking or a
// maintenance block holds the unit, in the scan log's words: the booking page
// answers it (409) beside the scan field, with the tag kept, so the desk
// scans another unit instead of leaving the booking.
type heldElsewhere string

func (h heldElsewhere) Error() string { return string(h) }

// StaffCheckout hands out the scanned unit (assigning it to the booking).
func (s *Server) StaffCheckout(c echo.Context) error {
	return s.staffScan(c, "Checked out.", func(id int64, tag string) error {
		err := s.Booking.CheckOut(c.Request().Context(), id, tag, actor(c))
		var ce *booking.ConflictError
		if errors.As(err, &ce) {
			msg, _ := scanRefusal(tag, err)
			return heldElsewhere(msg)
		}
		return err
	})
}

// StaffCheckin takes the scanned unit back.
func (s *Server) StaffCheckin(c echo.Context) error {
	return s.staffScan(c, "Checked in.", func(id int64, tag string) error {
		return s.Booking.CheckIn(c.Request().Context(), id, tag, actor(c))
	})
}

// StaffChangeUnit gives a line another unit.
func (s *Server) StaffChangeUnit(c echo.Context) error {
	line, err := pathID(c, "line")
	if err != nil {
		return err
	}
	return s.staffScanAt(c, "Unit changed.", line, func(id int64, tag string) error {
		return s.changeUnit(c, id, line, tag, field(c, "from"))
	})
}

// changeUnit gives a booking line the unit tagged to in place of from (""
// = the first not yet out), through the engine's guarded write; the booking
// page and the maintenance form's swaps both come here.
func (s *Server) changeUnit(c echo.Context, bookingID, lineID int64, to, from string) error {
	return s.Booking.ChangeUnit(c.Request().Context(), booking.UnitChange{BookingID: bookingID, LineID: lineID, ToTag: to,
		FromTag: from, Actor: actor(c)})
}

// StaffLinePickup marks a bulk line picked up (its pieces have no tags).
func (s *Server) StaffLinePickup(c echo.Context) error {
	return s.staffLineMark(c, true, "Picked up.")
}

// StaffLineReturn marks a bulk line returned.
func (s *Server) StaffLineReturn(c echo.Context) error {
	return s.staffLineMark(c, false, "Returned.")
}

func (s *Server) staffLineMark(c echo.Context, pickUp bool, done string) error {
	line, err := pathID(c, "line")
	if err != nil {
		return err
	}
	return s.staffScan(c, done, func(id int64, _ string) error {
		return s.Booking.MarkBulkLine(c.Request().Context(), id, line, pickUp, actor(c))
	})
}

// StaffConfirm confirms a hold, or re-confirms a cancelled or expired booking
// when its stock is still free.
func (s *Server) StaffConfirm(c echo.Context) error {
	return s.staffScan(c, "Confirmed.", func(id int64, _ string) error {
		return s.Booking.Confirm(c.Request().Context(), id, actor(c))
	})
}

// StaffCancel cancels a booking (no free-cancellation window for staff).
func (s *Server) StaffCancel(c echo.Context) error {
	return s.staffScan(c, "Cancelled.", func(id int64, _ string) error {
		return s.Booking.Cancel(c.Request().Context(), id, 0, actor(c))
	})
}
