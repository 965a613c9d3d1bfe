package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// BookShow shows the where-and-when form and, once chosen, every item's
// availability and price for those dates.
func (s *Server) BookShow(c echo.Context) error {
	ch, err := s.getChoice(c)
	if err != nil {
		return err
	}
	v, err := s.bookView(c, ch)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, pages.BookPage(v))
}

// BookDates keeps the chosen location and dates in the session.
func (s *Server) BookDates(c echo.Context) error {
	form := pages.DatesForm{Location: field(c, "location"), Start: field(c, "start"), End: field(c, "end")}
	ch, errs, err := s.checkChoice(c.Request().Context(), form)
	if err != nil {
		return err
	}
	if errs.Any() {
		v, err := s.bookView(c, bookChoice{})
		if err != nil {
			return err
		}
		v.Form, v.Errors = form, errs
		return s.render(c, http.StatusUnprocessableEntity, pages.BookPage(v))
	}
	if err := s.putChoice(c, ch); err != nil {
		return err
	}
	// The catalog's chooser comes back to the page it was on.
	if next := field(c, "next"); next != "" {
		return redirect(c, auth.SafeReturnPath(next))
	}
	return redirect(c, "/book")
}

// bookPageSize is how many items /book lists at once.
const bookPageSize = 50

// checkChoice validates a where-and-when form: a location that takes
// bookings, a period that parses in its zone and lies in its opening hours.
func (s *Server) checkChoice(ctx context.Context, form pages.DatesForm) (bookChoice, components.Errors, error) {
	errs := components.Errors{}
	locID, _ := strconv.ParseInt(form.Location, 10, 64)
	loc, err := s.Store.GetBookingLocation(ctx, locID)
	if errors.Is(err, store.ErrNotFound) {
		errs["location"] = "Choose a location."
	} else if err != nil {
		return bookChoice{}, nil, err
	}
	start, end, perr := parsePeriodForm(form.Start, form.End, period.Zone(loc.TimeZone), s.Now())
	for k, m := range perr {
		errs[k] = m
	}
	if err := s.checkHorizon(ctx, errs, "end", end); err != nil {
		return bookChoice{}, nil, err
	}
	if !errs.Any() {
		for k, m := range booking.CheckHours(loc, start, end) {
			errs[k] = m
		}
	}
	return bookChoice{LocationID: loc.ID, Start: start, End: end}, errs, nil
}

// bookView builds the booking start page for a choice.
func (s *Server) bookView(c echo.Context, ch bookChoice) (pages.BookView, error) {
	ctx := c.Request().Context()
	v := pages.BookView{Page: s.page(c, "Book equipment"), Errors: components.Errors{}, CartCount: len(s.getCart(c))}
	locs, err := s.Store.ListBookingLocations(ctx)
	if err != nil {
		return v, err
	}
	for _, l := range locs {
		v.Locations = append(v.Locations, components.Option{Value: strconv.FormatInt(l.ID, 10), Label: l.Name})
	}
	if !ch.chosen() {
		v.Form = s.defaultDates(locs)
		return v, nil
	}
	loc, err := s.Store.GetBookingLocation(ctx, ch.LocationID)
	if err != nil {
		return v, err
	}
	zone := period.Zone(loc.TimeZone)
	v.Form = pages.DatesForm{Location: strconv.FormatInt(loc.ID, 10), Start: formatLocal(ch.Start, zone), End: formatLocal(ch.End, zone)}
	v.Chosen, v.Period, v.Zone = true, displayRange(ch.Start, ch.End, zone), loc.TimeZone
	// One page of the catalog at a time (keyset by name): pricing and
	// counting a whole catalog for one screen is most of the work.
	after, _ := strconv.ParseInt(c.FormValue("after"), 10, 64)
	v.After = max(after, 0)
	items, err := s.bookItems(ctx, v.After)
	if err != nil {
		return v, err
	}
	if len(items) > bookPageSize {
		items = items[:bookPageSize]
		v.NextAfter = items[bookPageSize-1].ID
	}
	free, err := s.Booking.FreeOf(ctx, loc.ID, ch.Start, ch.End, itemIDs(items))
	if err != nil {
		return v, err
	}
	st, err := s.Store.GetSettings(ctx)
	if err != nil {
		return v, err
	}
	v.Items = make([]pages.BookItem, 0, len(items))
	counts := make(map[int64]store.ItemFree, len(free))
	for _, f := range free {
		counts[f.ID] = f
	}
	prices := s.Booking.Prices(ch.Start, ch.End, zone, st)
	for _, it := range items {
		f, ok := counts[it.ID]
		if !ok { // no longer offered since the list was read
			continue
		}
		price := ""
		if q, err := prices(store.BookableOf(it.Item), 1); err == nil {
			price = money.Format(q.Total, st.Currency)
		}
		v.Items = append(v.Items, pages.BookItem{ID: it.ID, Name: it.Name, Free: f.Free, Capacity: f.Capacity, Price: price, Available: f.Free > 0})
	}
	return v, nil
}

// bookItems is the page of /book after item after (0: the first page), one
// item more than the page shows: the catalog's public list by name, which
// the store keeps in memory, so the availability query only counts (its
// rows carried every item's columns, decoded value by value, most of the
// page's allocations). A page after an item that no longer exists is empty.
func (s *Server) bookItems(ctx context.Context, after int64) ([]store.ItemListRow, error) {
	f := store.PublicFilter{Limit: bookPageSize + 1}
	if after > 0 {
		var err error
		if f.After, err = s.Store.ItemCursor(ctx, after); errors.Is(err, store.ErrNotFound) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
	}
	return s.Store.ListPublicItems(ctx, f)
}

// defaultDates proposes tomorrow 10:00 to the day after, in the first
// location's zone, each moved to the next opening time; the values pass the
// form's own validation.
func (s *Server) defaultDates(locs []store.BookingLocation) pages.DatesForm {
	if len(locs) == 0 {
		return pages.DatesForm{}
	}
	zone := period.Zone(locs[0].TimeZone)
	start, end := defaultPeriod(s.Now(), locs[0])
	return pages.DatesForm{Location: fmt.Sprint(locs[0].ID), Start: formatLocal(start, zone), End: formatLocal(end, zone)}
}

// BookItemCalendar shows one item's next four weeks, day by day, in the
// chosen (or first) location's zone.
func (s *Server) BookItemCalendar(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	// Archived and offline items are not found; the item comes from the
	// store's cache of public items, so the page's one query is the calendar.
	it, err := s.Store.GetPublicItemByID(c.Request().Context(), id)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	loc, err := s.choiceLocation(c)
	if err != nil {
		return err
	}
	days, err := s.Booking.Calendar(c.Request().Context(), id, loc.ID, period.Zone(loc.TimeZone), s.Now(), 28)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, pages.ItemCalendarPage(s.calendarView(c, it.Name, loc, days)))
}

// calendarView lays the days out as a month grid starting on Monday.
func (s *Server) calendarView(c echo.Context, name string, loc store.BookingLocation, days []booking.Day) pages.ItemCalendarView {
	v := pages.ItemCalendarView{Page: s.page(c, name+" availability"), ItemName: name, Location: loc.Name, Zone: loc.TimeZone}
	v.Lead = (int(days[0].Date.Weekday()) + 6) % 7
	v.Days = make([]pages.CalendarDay, len(days))
	for i, d := range days {
		// strconv, not fmt: a day of the month costs nothing (small numbers
		// are interned), the note one string, for each of the weeks' days.
		v.Days[i] = pages.CalendarDay{Date: strconv.Itoa(d.Date.Day()), Label: d.Date.Format("Mon 2 Jan 2006"),
			State: d.State, Note: strconv.Itoa(d.Free) + " of " + strconv.Itoa(d.Capacity) + " free"}
	}
	return v
}

// choiceLocation is the location the customer chose, else the first one.
func (s *Server) choiceLocation(c echo.Context) (store.BookingLocation, error) {
	ctx := c.Request().Context()
	ch, err := s.getChoice(c)
	if err != nil {
		return store.BookingLocation{}, err
	}
	if ch.LocationID != 0 {
		if loc, err := s.Store.GetBookingLocation(ctx, ch.LocationID); err == nil {
			return loc, nil
		}
	}
	locs, err := s.Store.ListBookingLocations(ctx)
	if err != nil {
		return store.BookingLocation{}, err
	}
	if len(locs) == 0 {
		return store.BookingLocation{}, echo.NewHTTPError(http.StatusNotFound)
	}
	return locs[0], nil
}

// linesOf turns the cart into the engine's line requests for the choice.
func linesOf(ch bookChoice, cart []cartLine) []booking.LineRequest {
	out := make([]booking.LineRequest, len(cart))
	for i, l := range cart {
		out[i] = booking.LineRequest{ItemID: l.ItemID, Quantity: l.Quantity, Start: ch.Start, End: ch.End}
	}
	return out
}
