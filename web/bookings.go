package web

import (
	"fmt"
	"net/http"
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

// BookingsList shows the customer's own bookings.
func (s *Server) BookingsList(c echo.Context) error {
	u := currentUser(c)
	bs, err := s.Store.ListCustomerBookings(c.Request().Context(), u.ID, 0, 100)
	if err != nil {
		return err
	}
	v := pages.BookingsView{Page: s.page(c, "My bookings")}
	for _, b := range bs {
		zone := period.Zone(b.TimeZone)
		row := pages.BookingRow{ID: b.ID, Number: b.Number, Status: b.Status, Location: b.LocationName, Total: money.Format(b.Total, b.Currency)}
		var names []string
		for i, l := range b.Lines {
			if i == 0 {
				row.Period = displayRange(l.StartsAt, l.EndsAt, zone)
			}
			names = append(names, fmt.Sprintf("%d × %s", l.Quantity, l.ItemName))
		}
		row.Items = strings.Join(names, ", ")
		v.Bookings = append(v.Bookings, row)
	}
	return s.render(c, http.StatusOK, pages.BookingsPage(v))
}

// ownBooking loads a booking of the current customer; anyone else's is a 404,
// exactly as if it did not exist.
func (s *Server) ownBooking(c echo.Context) (store.Booking, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return store.Booking{}, err
	}
	b, err := s.Store.GetBooking(c.Request().Context(), id)
	if err != nil {
		return b, err
	}
	if b.CustomerID != currentUser(c).ID {
		return store.Booking{}, echo.NewHTTPError(http.StatusNotFound)
	}
	return b, nil
}

// BookingShow shows one of the customer's bookings.
func (s *Server) BookingShow(c echo.Context) error {
	b, err := s.ownBooking(c)
	if err != nil {
		return err
	}
	v, err := s.bookingView(c, b)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, pages.BookingPage(v))
}

// bookingView builds a booking's page: dates in the location's zone, prices.
func (s *Server) bookingView(c echo.Context, b store.Booking) (pages.BookingView, error) {
	st, err := s.Store.GetSettings(c.Request().Context())
	if err != nil {
		return pages.BookingView{}, err
	}
	zone, now := period.Zone(b.TimeZone), s.Now()
	v := pages.BookingView{Page: s.page(c, "Booking "+b.Number), ID: b.ID, Number: b.Number, Status: b.Status,
		Location: b.LocationName, Zone: b.TimeZone,
		Totals:    totalRows(store.Totals{Subtotal: b.Subtotal, Tax: b.Tax, Total: b.Total}, st, b.Currency),
		CanCancel: booking.CanCancel(b, st, now, true), Errors: components.Errors{}}
	v.CancelDeadline = booking.CancelDeadline(b, st).In(zone).Format("Mon 2 Jan 2006, 15:04")
	if err := s.bookingMoney(c, &v, b, st); err != nil {
		return v, err
	}
	if b.Deposit > 0 {
		v.Deposit = money.Format(b.Deposit, b.Currency)
	}
	changeable := b.Status == store.BookingConfirmed || b.Status == store.BookingOut || b.Status == store.BookingHold
	for _, l := range b.Lines {
		lv := pages.BookingLineView{ID: l.ID, Item: l.ItemName, Quantity: l.Quantity, Period: displayRange(l.StartsAt, l.EndsAt, zone),
			Total: money.Format(l.LineTotal, b.Currency), Breakdown: priceRows(booking.ParseBreakdown(l.PriceBreakdown), b.Currency),
			CanExtend: changeable && l.ReturnedAt == nil, ExtendEnd: formatLocal(l.EndsAt.Add(24*time.Hour), zone), Status: lineStatus(l)}
		for _, u := range l.Units {
			lv.Units = append(lv.Units, u.AssetTag)
		}
		v.Lines = append(v.Lines, lv)
	}
	v.Invoices, err = s.invoiceLinks(c.Request().Context(), b.ID, false)
	return v, err
}

func lineStatus(l store.BookingLine) string {
	switch {
	case l.ReturnedAt != nil:
		return "back"
	case l.PickedUpAt != nil:
		return "out"
	}
	return "waiting"
}

// BookingCancel cancels one of the customer's bookings within the free window.
func (s *Server) BookingCancel(c echo.Context) error {
	b, err := s.ownBooking(c)
	if err != nil {
		return err
	}
	err = s.Booking.Cancel(c.Request().Context(), b.ID, booking.Owner(b.CustomerID), actor(c))
	if err != nil {
		return s.bookingFailed(c, err, fmt.Sprintf("/bookings/%d", b.ID), nil)
	}
	s.flash(c, "success", "Booking "+b.Number+" is cancelled.")
	return redirect(c, fmt.Sprintf("/bookings/%d", b.ID))
}

// BookingExtend moves a line's end later when the stock is free, re-priced.
func (s *Server) BookingExtend(c echo.Context) error {
	b, err := s.ownBooking(c)
	if err != nil {
		return err
	}
	lineID, err := pathID(c, "line")
	if err != nil {
		return err
	}
	line, ok := b.Line(lineID)
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	endRaw := field(c, "end")
	errs := components.Errors{}
	end := parseLocal(errs, "end", endRaw, period.Zone(b.TimeZone))
	if errs.Any() {
		return s.extendForm(c, b, lineID, endRaw, errs, "")
	}
	before := b.Total
	err = s.Booking.ChangeLinePeriod(c.Request().Context(), booking.PeriodChange{BookingID: b.ID, LineID: line.ID,
		Start: line.StartsAt, End: end, Owner: booking.Owner(b.CustomerID), Actor: actor(c)})
	if err != nil {
		return s.bookingFailed(c, err, fmt.Sprintf("/bookings/%d", b.ID), func(fe components.Errors, msg string) error {
			return s.extendForm(c, b, lineID, endRaw, fe, msg)
		})
	}
	s.flash(c, "success", s.extendMessage(c, b, before))
	return redirect(c, fmt.Sprintf("/bookings/%d", b.ID))
}

// extendForm re-shows a booking with a refused extend form, input kept.
func (s *Server) extendForm(c echo.Context, b store.Booking, lineID int64, endRaw string, fe components.Errors, msg string) error {
	v, err := s.bookingView(c, b)
	if err != nil {
		return err
	}
	if msg != "" {
		fe = components.Errors{"end": msg}
	}
	v.ExtendLine, v.Errors = lineID, fe
	for i := range v.Lines {
		if v.Lines[i].ID == lineID {
			v.Lines[i].ExtendEnd = endRaw
		}
	}
	return s.render(c, http.StatusUnprocessableEntity, pages.BookingPage(v))
}

// extendMessage says how the amount due at pickup changed.
func (s *Server) extendMessage(c echo.Context, b store.Booking, before int64) string {
	after, err := s.Store.GetBooking(c.Request().Context(), b.ID)
	if err != nil {
		return "Your booking is changed."
	}
	diff := after.Total - before
	if diff > 0 {
		return "Extended. " + money.Format(diff, b.Currency) + " more is due at pickup."
	}
	return "Your booking is changed."
}
