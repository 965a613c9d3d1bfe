package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/booking"
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
	return s.walkInForm(c, http.StatusOK, f, nil)
}

func (s *Server) walkInForm(c echo.Context, status int, f pages.WalkInForm, errs components.Errors) error {
	ctx := c.Request().Context()
	v := pages.WalkInView{Page: s.page(c, "New booking"), Form: f, Errors: errs}
	locs, err := s.Store.ListBookingLocations(ctx)
	if err != nil {
		return err
	}
	for _, l := range locs {
		v.Locations = append(v.Locations, components.Option{Value: fmt.Sprint(l.ID), Label: l.Name})
	}
	if len(locs) > 0 {
		items, err := s.Store.ListAvailability(ctx, store.AvailabilityQuery{LocationID: locs[0].ID, From: s.Now(), To: s.Now().Add(1), Now: s.Now(), Hidden: true})
		if err != nil {
			return err
		}
		for _, it := range items {
			v.Items = append(v.Items, components.Option{Value: fmt.Sprint(it.ID), Label: it.Name})
		}
	}
	return s.render(c, status, pages.WalkInPage(v))
}

// StaffBookingCreate books for a customer at the desk, confirmed at once.
func (s *Server) StaffBookingCreate(c echo.Context) error {
	f := pages.WalkInForm{Email: strings.ToLower(field(c, "email")), Item: field(c, "item"), Quantity: field(c, "quantity"),
		Location: field(c, "location"), Start: field(c, "start"), End: field(c, "end")}
	rerender := func(fe components.Errors, msg string) error {
		if msg != "" {
			fe = components.Errors{"item": msg}
		}
		return s.walkInForm(c, http.StatusUnprocessableEntity, f, fe)
	}
	req, errs, err := s.walkInRequest(c, f)
	if err != nil {
		return err
	}
	if errs.Any() {
		return rerender(errs, "")
	}
	res, err := s.Booking.Book(c.Request().Context(), req)
	if err != nil {
		return s.bookingFailed(c, err, "/staff/bookings/new", rerender)
	}
	s.flash(c, "success", "Booked.")
	return redirect(c, fmt.Sprintf("/staff/bookings/%d", res.BookingID))
}

// walkInRequest checks the walk-in form and makes it a booking request; the
// errors are the form's, keyed by field. Only a failure to read the database
// is an error.
func (s *Server) walkInRequest(c echo.Context, f pages.WalkInForm) (booking.Request, components.Errors, error) {
	ctx := c.Request().Context()
	errs := components.Errors{}
	cust, err := s.Store.GetUserByEmail(ctx, f.Email)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && cust.Role != store.RoleCustomer):
		errs["email"] = "No customer has this email; ask them to sign up first."
	case err != nil:
		return booking.Request{}, nil, err
	}
	qty := formInt(errs, "quantity", f.Quantity, 1, booking.MaxQuantity, quantityMessage())
	itemID, _ := strconv.ParseInt(f.Item, 10, 64)
	locID, _ := strconv.ParseInt(f.Location, 10, 64)
	loc, err := s.Store.GetBookingLocation(ctx, locID)
	if errors.Is(err, store.ErrNotFound) {
		errs["location"] = "Choose a location."
	} else if err != nil {
		return booking.Request{}, nil, err
	}
	start, end, perr := parsePeriodForm(f.Start, f.End, period.Zone(loc.TimeZone), s.Now())
	for k, m := range perr {
		errs[k] = m
	}
	if err := s.checkHorizon(ctx, errs, "end", end); err != nil {
		return booking.Request{}, nil, err
	}
	return booking.Request{CustomerID: cust.ID, LocationID: loc.ID, Actor: actor(c),
		Lines: []booking.LineRequest{{ItemID: itemID, Quantity: qty, Start: start, End: end}}}, errs, nil
}

// StaffBookingShow shows a booking at the desk.
func (s *Server) StaffBookingShow(c echo.Context) error {
	return s.staffBookingPage(c, http.StatusOK, nil, "", "")
}

func (s *Server) staffBookingPage(c echo.Context, status int, errs components.Errors, formErr, tag string) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v, err := s.staffBookingView(c, id)
	if err != nil {
		return err
	}
	v.Errors, v.FormError, v.Tag = errs, formErr, tag
	return s.render(c, status, pages.StaffBookingPage(v))
}

// staffScan runs one desk action on a booking and answers like a form: field
// problems and refused rules re-show the page (422), conflicts are a 409.
func (s *Server) staffScan(c echo.Context, done string, act func(id int64, tag string) error) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	tag := field(c, "tag")
	if err := act(id, tag); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return err
		}
		return s.bookingFailed(c, err, fmt.Sprintf("/staff/bookings/%d", id), func(fe components.Errors, msg string) error {
			return s.staffBookingPage(c, http.StatusUnprocessableEntity, fe, msg, tag)
		})
	}
	s.flash(c, "success", done)
	return redirect(c, fmt.Sprintf("/staff/bookings/%d", id))
}

// StaffCheckout hands out the scanned unit (assigning it to the booking).
func (s *Server) StaffCheckout(c echo.Context) error {
	return s.staffScan(c, "Checked out.", func(id int64, tag string) error {
		return s.Booking.CheckOut(c.Request().Context(), id, tag, actor(c))
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
	return s.staffScan(c, "Unit changed.", func(id int64, tag string) error {
		return s.Booking.ChangeUnit(c.Request().Context(), booking.UnitChange{BookingID: id, LineID: line, ToTag: tag,
			FromTag: field(c, "from"), Actor: actor(c)})
	})
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
