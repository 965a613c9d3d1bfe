package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// MaintenanceNew shows the maintenance block form; the query may fill it in
// (a unit's page names the tag; after a swap the values typed come back).
func (s *Server) MaintenanceNew(c echo.Context) error {
	f := pages.MaintenanceForm{Tag: c.QueryParam("tag"), Start: c.QueryParam("start"), End: c.QueryParam("end"), Reason: c.QueryParam("reason")}
	v := pages.MaintenanceView{Page: s.page(c, "Block a unit"), Form: f}
	return s.render(c, http.StatusOK, pages.MaintenancePage(v))
}

// MaintenanceCreate takes a unit out of service for a period, through the
// booking engine (a booked unit is refused with a 409 naming the booking).
func (s *Server) MaintenanceCreate(c echo.Context) error {
	ctx := c.Request().Context()
	f := pages.MaintenanceForm{Tag: field(c, "tag"), Start: field(c, "start"), End: field(c, "end"), Reason: field(c, "reason")}
	rerender := func(fe components.Errors, msg string) error {
		if msg != "" {
			fe = components.Errors{"tag": msg}
		}
		v := pages.MaintenanceView{Page: s.page(c, "Block a unit"), Form: f, Errors: fe}
		return s.render(c, http.StatusUnprocessableEntity, pages.MaintenancePage(v))
	}
	if long := tooLong(c, nil); long.Any() {
		return rerender(long, "")
	}
	unit, err := s.Store.GetBookingUnitByTag(ctx, f.Tag)
	if msg, ok := tagNotFound(err); ok {
		return rerender(components.Errors{"tag": msg}, "")
	}
	if err != nil {
		return err
	}
	loc, err := s.Store.GetBookingLocation(ctx, unit.LocationID)
	if err != nil {
		return err
	}
	start, end, errs := maintenancePeriod(f, period.Zone(loc.TimeZone), s.Now())
	if err := s.checkHorizon(ctx, errs, "start", start); err != nil {
		return err
	}
	if err := s.checkHorizon(ctx, errs, "end", end); err != nil {
		return err
	}
	if errs.Any() {
		return rerender(errs, "")
	}
	_, err = s.Booking.BlockForMaintenance(ctx, booking.MaintenanceRequest{UnitID: unit.ID, Start: start, End: end, Reason: f.Reason, Actor: actor(c)})
	var ce *booking.ConflictError
	if errors.As(err, &ce) {
		return s.maintenanceRefused(c, http.StatusConflict, f, unit.ID, start, end, ce.Message(), ce.Detail)
	}
	if err != nil {
		return s.bookingFailed(c, err, "/staff/maintenance/new", rerender)
	}
	msg := unit.AssetTag + " is blocked for maintenance."
	if end.IsZero() {
		msg = unit.AssetTag + " is out of service until it is saved as available again."
	}
	s.flash(c, "success", msg)
	return redirect(c, "/staff/maintenance/new")
}

// maintenanceRefused shows the form again (409) with what is in the way: each
// booking holding the unit, with the free units of the same item it could be
// swapped to first, as the engine's availability finds them now.
func (s *Server) maintenanceRefused(c echo.Context, status int, f pages.MaintenanceForm, unitID int64, start, end time.Time, msg, detail string) error {
	holders, err := s.Booking.BlockHolders(c.Request().Context(), unitID, start, end)
	if err != nil {
		return err
	}
	v := pages.MaintenanceView{Page: s.page(c, "Block a unit"), Form: f, Refused: true, Refusal: msg, RefusalDetail: detail}
	for _, h := range holders {
		v.Holders = append(v.Holders, pages.MaintenanceHolder{BookingID: h.BookingID, Number: h.Number, Customer: h.CustomerName,
			Period: displayRange(h.StartsAt, h.EndsAt, period.Zone(h.TimeZone)), LineID: h.LineID, Out: h.Out, Substitutes: h.Substitutes})
	}
	return s.render(c, status, pages.MaintenancePage(v))
}

// MaintenanceSwap moves a booking in the way of a maintenance block to a free
// unit of the same item, through the engine's change of unit (the one the
// booking page uses: re-checked inside its own transaction), then shows the
// block form again as typed, to block once more. An offer taken meanwhile
// shows the refusal again with what is free now.
func (s *Server) MaintenanceSwap(c echo.Context) error {
	ctx := c.Request().Context()
	f := pages.MaintenanceForm{Tag: field(c, "tag"), Start: field(c, "start"), End: field(c, "end"), Reason: field(c, "reason")}
	if long := tooLong(c, nil); long.Any() {
		v := pages.MaintenanceView{Page: s.page(c, "Block a unit"), Form: f, Errors: long}
		return s.render(c, http.StatusUnprocessableEntity, pages.MaintenancePage(v))
	}
	unit, err := s.Store.GetBookingUnitByTag(ctx, f.Tag)
	if msg, ok := tagNotFound(err); ok {
		v := pages.MaintenanceView{Page: s.page(c, "Block a unit"), Form: f, Errors: components.Errors{"tag": msg}}
		return s.render(c, http.StatusUnprocessableEntity, pages.MaintenancePage(v))
	}
	if err != nil {
		return err
	}
	bookingID, err := formID(c, "booking")
	if err != nil {
		return err
	}
	lineID, err := formID(c, "line")
	if err != nil {
		return err
	}
	to := field(c, "to")
	b, err := s.Store.GetBooking(ctx, bookingID)
	if err != nil {
		return err
	}
	err = s.changeUnit(c, bookingID, lineID, to, unit.AssetTag)
	if err == nil {
		s.flash(c, "success", fmt.Sprintf("Booking %s now has %s instead of %s. Block %s again.", b.Number, to, unit.AssetTag, unit.AssetTag))
		q := url.Values{"tag": {f.Tag}, "start": {f.Start}, "end": {f.End}, "reason": {f.Reason}}
		return redirect(c, "/staff/maintenance/new?"+q.Encode())
	}
	if errors.Is(err, store.ErrNotFound) {
		return err
	}
	msg, status := "The swap was refused.", http.StatusUnprocessableEntity
	var fe booking.FieldErrors
	var ce *booking.ConflictError
	var re *booking.RuleError
	switch {
	case errors.As(err, &ce):
		msg, status = fmt.Sprintf("%s was taken meanwhile (%s), so booking %s keeps %s. Choose another unit.", to, ce.Detail, b.Number, unit.AssetTag), http.StatusConflict
	case errors.As(err, &fe):
		for _, m := range fe {
			msg = m
		}
	case errors.As(err, &re):
		msg = re.Msg
	case errors.Is(err, store.ErrConflict):
		msg, status = fmt.Sprintf("%s was taken at the same moment, so booking %s keeps %s. Choose another unit.", to, b.Number, unit.AssetTag), http.StatusConflict
	default:
		return err
	}
	loc, err := s.Store.GetBookingLocation(ctx, unit.LocationID)
	if err != nil {
		return err
	}
	start, end, errs := maintenancePeriod(f, period.Zone(loc.TimeZone), s.Now())
	if errs.Any() {
		v := pages.MaintenanceView{Page: s.page(c, "Block a unit"), Form: f, Errors: errs}
		return s.render(c, http.StatusUnprocessableEntity, pages.MaintenancePage(v))
	}
	return s.maintenanceRefused(c, status, f, unit.ID, start, end, msg, "")
}

// maintenancePeriod reads the block's period; an empty "until" is an
// open-ended block (until the unit is put back in service).
func maintenancePeriod(f pages.MaintenanceForm, zone *time.Location, now time.Time) (time.Time, time.Time, components.Errors) {
	if f.End != "" {
		return parsePeriodForm(f.Start, f.End, zone, now)
	}
	errs := components.Errors{}
	return parseLocal(errs, "start", f.Start, zone), time.Time{}, errs
}

// AvailabilityWhy explains, for staff, what keeps an item from being free at
// a location for a period: bookings (and their buffers), maintenance, overdue
// units and units out of service. Bad dates show the form again (422) with
// the input kept.
func (s *Server) AvailabilityWhy(c echo.Context) error {
	v, itemID, loc, err := s.whyForm(c)
	if err != nil {
		return err
	}
	zone := period.Zone(loc.TimeZone)
	if v.Form.Start == "" && v.Form.End == "" {
		// Opened from a link: propose a period, explain nothing yet.
		start, end := defaultPeriod(s.Now(), loc)
		v.Form.Start, v.Form.End = formatLocal(start, zone), formatLocal(end, zone)
		it, err := s.Store.GetBookableItem(c.Request().Context(), itemID)
		if err != nil {
			return err
		}
		v.Item = it.Name
		return s.render(c, http.StatusOK, pages.WhyPage(v))
	}
	start, end := parseLocal(v.Errors, "start", v.Form.Start, zone), parseLocal(v.Errors, "end", v.Form.End, zone)
	if !v.Errors.Any() && !end.After(start) {
		v.Errors["end"] = "The end must be after the start."
	}
	if err := s.checkHorizon(c.Request().Context(), v.Errors, "end", end); err != nil {
		return err
	}
	if v.Errors.Any() {
		it, err := s.Store.GetBookableItem(c.Request().Context(), itemID)
		if err != nil {
			return err
		}
		v.Item = it.Name
		return s.render(c, http.StatusUnprocessableEntity, pages.WhyPage(v))
	}
	if err := s.explain(c, &v, itemID, loc.ID, start, end, zone); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, pages.WhyPage(v))
}

// whyForm reads the item and location (junk is a 400, an unknown location a
// 404) and the period as typed.
func (s *Server) whyForm(c echo.Context) (pages.WhyView, int64, store.BookingLocation, error) {
	v := pages.WhyView{Page: s.page(c, "Why unavailable"), Errors: components.Errors{},
		Form: pages.WhyForm{Item: c.QueryParam("item"), Location: c.QueryParam("location"), Start: c.QueryParam("start"), End: c.QueryParam("end")}}
	itemID, err := queryInt64(c, "item")
	if err != nil {
		return v, 0, store.BookingLocation{}, err
	}
	locID, err := queryInt64(c, "location")
	if err != nil {
		return v, 0, store.BookingLocation{}, err
	}
	loc, err := s.Store.GetBookingLocation(c.Request().Context(), locID)
	return v, itemID, loc, err
}

// explain fills the view with the item's availability and what is in the way.
func (s *Server) explain(c echo.Context, v *pages.WhyView, itemID, locID int64, start, end time.Time, zone *time.Location) error {
	ctx := c.Request().Context()
	ia, err := s.Booking.ItemAvailability(ctx, itemID, locID, start, end)
	if err != nil {
		return err
	}
	blockers, err := s.Booking.Explain(ctx, itemID, locID, start, end)
	if err != nil {
		return err
	}
	v.Asked, v.Item, v.Period, v.Free, v.Capacity = true, ia.Name, displayRange(start, end, zone), ia.Free, ia.Capacity
	for _, b := range blockers {
		v.Rows = append(v.Rows, blockerRow(b, start, end, zone))
	}
	return nil
}

func blockerRow(b store.Blocker, start, end time.Time, zone *time.Location) pages.BlockerRow {
	r := pages.BlockerRow{Unit: b.AssetTag}
	switch b.Kind {
	case "status":
		r.What = "unit is " + b.UnitStatus
	case "maintenance":
		r.What = "maintenance: " + b.Reason
	case "overdue":
		r.What = fmt.Sprintf("overdue on booking %s (%s) — not checked in", b.BookingNumber, b.CustomerName)
	default:
		r.What = fmt.Sprintf("booking %s (%s, %s, %d ×)", b.BookingNumber, b.BookingStatus, b.CustomerName, b.Quantity)
		r.Buffer = b.InBufferOnly(start, end)
	}
	switch {
	case b.LineStart != nil && b.LineEnd != nil:
		r.When = displayRange(*b.LineStart, *b.LineEnd, zone)
	case b.From != nil && b.To != nil:
		r.When = displayRange(*b.From, *b.To, zone)
	case b.From != nil:
		r.When = "from " + b.From.In(zone).Format("Mon 2 Jan 2006, 15:04")
	}
	return r
}

// tagNotFound says why a typed tag found no unit: none has it, or several
// have it but for letter case.
func tagNotFound(err error) (string, bool) {
	var amb *store.AmbiguousTagError
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "No unit has this tag.", true
	case errors.As(err, &amb):
		return amb.Message(), true
	}
	return "", false
}
