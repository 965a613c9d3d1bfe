package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/desk"
	"github.com/rentdesk/rentdesk/internal/jobs"
	"github.com/rentdesk/rentdesk/internal/mail"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// BookingsList shows the customer's own bookings.
func (s *Server) BookingsList(c echo.Context) error {
	u := currentUser(c)
	ctx := c.Request().Context()
	bs, err := s.Store.ListCustomerBookings(ctx, u.ID, 0, 100)
	if err != nil {
		return err
	}
	v := pages.BookingsView{Page: s.page(c, "My bookings")}
	now := s.Now()
	for _, b := range bs {
		zone := period.Zone(b.TimeZone)
		row := pages.BookingRow{ID: b.ID, Number: b.Number, Status: b.Status, Location: b.LocationName, Total: money.Format(b.Total, b.Currency)}
		if mayBeOverdue(b, now) {
			if row.Overdue, err = s.overdueSince(ctx, b.ID, now); err != nil {
				return err
			}
		}
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

// mayBeOverdue says whether a listed booking (its lines without their
// units) may have something out past its end: it is out and a line not back
// ended before now. Only those are loaded whole to be sure.
func mayBeOverdue(b store.Booking, now time.Time) bool {
	if b.Status != store.BookingOut {
		return false
	}
	for _, l := range b.Lines {
		if l.ReturnedAt == nil && now.After(l.EndsAt) {
			return true
		}
	}
	return false
}

// overdueSince loads a booking with its units and says since when it is
// overdue, by the desk's rule ("" when it is not).
func (s *Server) overdueSince(ctx context.Context, id int64, now time.Time) (string, error) {
	b, err := s.Store.GetBooking(ctx, id)
	if err != nil {
		return "", err
	}
	late := desk.Overdue(b, now)
	if late <= 0 {
		return "", nil
	}
	return "overdue since " + period.FormatDisplay(now.Add(-late), period.Zone(b.TimeZone)), nil
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
	// The ledger's totals and the documents' links, in one round trip.
	totals, docs, err := s.Store.GetBookingMoney(c.Request().Context(), b.ID)
	if err != nil {
		return v, err
	}
	s.bookingMoney(&v, b, st, totals)
	if b.Deposit > 0 {
		v.Deposit = money.Format(b.Deposit, b.Currency)
	}
	changeable := b.Status == store.BookingConfirmed || b.Status == store.BookingOut || b.Status == store.BookingHold
	var loc *store.BookingLocation
	for _, l := range b.Lines {
		lv := pages.BookingLineView{ID: l.ID, Item: l.ItemName, Quantity: l.Quantity, Period: displayRange(l.StartsAt, l.EndsAt, zone),
			Total: money.Format(l.LineTotal, b.Currency), Breakdown: priceRows(booking.ParseBreakdown(l.PriceBreakdown), b.Currency),
			// Extending is for a rental under way; before it starts the
			// dates are changed by booking again.
			CanExtend: changeable && l.ReturnedAt == nil && (l.PickedUpAt != nil || !now.Before(l.StartsAt)),
			Status:    lineStatus(l), Progress: lineProgress(l, zone)}
		if lv.CanExtend {
			if loc == nil {
				bl, err := s.Store.GetBookingLocation(c.Request().Context(), b.LocationID)
				if err != nil {
					return v, err
				}
				loc = &bl
			}
			lv.ExtendEnd = formatLocal(extendProposal(*loc, l.EndsAt, now), zone)
		}
		if late := desk.LineOverdue(l, now); late > 0 {
			lv.Overdue = desk.FormatLate(late)
			lv.Progress = "Overdue: it was due back " + period.FormatDisplay(l.EndsAt, zone) + "."
		}
		for _, u := range l.Units {
			lv.Units = append(lv.Units, u.AssetTag)
		}
		v.Lines = append(v.Lines, lv)
	}
	if err := s.pickupView(c, b, &v); err != nil {
		return v, err
	}
	if err := s.overdueView(c, b, &v); err != nil {
		return v, err
	}
	v.Invoices = invoiceLinksOf(docs, false)
	return v, nil
}

// overdueView fills, for a booking with something out past its end, since
// when it is late (as the desk sees it) and the late fee each late unit or
// bulk line has run up so far: the figures the desk's return form shows, by
// the same rule and clock.
func (s *Server) overdueView(c echo.Context, b store.Booking, v *pages.BookingView) error {
	now := s.Now()
	late := desk.Overdue(b, now)
	if late <= 0 {
		return nil
	}
	zone := period.Zone(b.TimeZone)
	due := mail.DueBackText(desk.LateDue(b, now), func(t time.Time) string { return period.FormatDisplay(t, zone) })
	v.Overdue = "Overdue by " + desk.FormatLate(late) + ": it was due back " + due + "."
	items, err := s.Desk.OutItems(c.Request().Context(), b)
	if err != nil {
		return err
	}
	var total int64
	for _, it := range items {
		if it.LateFee.Late <= 0 {
			continue
		}
		v.LateFees = append(v.LateFees, pages.LateFeeRow{Label: it.Label, Lines: it.LateFee.Breakdown(b.Currency)})
		total += it.LateFee.Total
	}
	if len(v.LateFees) > 0 {
		v.LateFeeTotal = money.Format(total, b.Currency)
	}
	return nil
}

// pickupView fills what a customer needs before the rental: the first
// pickup, the shop's address and its opening hours that day, what to bring,
// and where the confirmation went.
func (s *Server) pickupView(c echo.Context, b store.Booking, v *pages.BookingView) error {
	active := b.Status == store.BookingConfirmed || b.Status == store.BookingHold
	var first time.Time
	for _, l := range b.Lines {
		if l.PickedUpAt != nil {
			active = false
		}
		if first.IsZero() || l.StartsAt.Before(first) {
			first = l.StartsAt
		}
	}
	if !active || first.IsZero() {
		return nil
	}
	loc, err := s.Store.GetLocation(c.Request().Context(), b.LocationID)
	if err != nil {
		return err
	}
	zone := period.Zone(b.TimeZone)
	v.Upcoming, v.Address = true, loc.Address
	v.Pickup = period.FormatDisplay(first, zone)
	v.PickupHours = dayHours(loc.OpeningHours, first.In(zone))
	v.Bring = []string{"A photo ID (passport, ID card or driving licence).", "Your booking number, " + b.Number + "."}
	// A hold waits for its online payment (the page offers "Pay now"): what
	// is left to pay at pickup, and the confirmation mail, come once it is in.
	held := b.Status == store.BookingHold
	if b.Total > b.Paid && !held {
		v.Bring = append(v.Bring, "Payment of "+v.Due+" (card or cash).")
	}
	if b.Deposit > 0 {
		v.Bring = append(v.Bring, "The refundable deposit of "+v.Deposit+".")
	}
	if u := currentUser(c); u != nil && u.ID == b.CustomerID && !held {
		v.Email = u.Email
	}
	return nil
}

// dayHours writes a location's opening hours on a day: "09:00–18:00", or
// "" when it has no hours (it takes bookings at any time).
func dayHours(h catalog.OpeningHours, day time.Time) string {
	if len(h) == 0 {
		return ""
	}
	var parts []string
	for _, iv := range h[catalog.ISOWeekday(day.Weekday())] {
		parts = append(parts, iv.Open+"–"+iv.Close)
	}
	if len(parts) == 0 {
		return "Closed"
	}
	return strings.Join(parts, ", ")
}

// lineProgress says where a line stands, in the customer's words.
func lineProgress(l store.BookingLine, zone *time.Location) string {
	switch {
	case l.ReturnedAt != nil:
		return "Returned " + period.FormatDisplay(*l.ReturnedAt, zone) + "."
	case l.PickedUpAt != nil:
		return "With you; due back " + period.FormatDisplay(l.EndsAt, zone) + "."
	}
	return "Ready for you from " + period.FormatDisplay(l.StartsAt, zone) + "."
}

// BookingCalendar is a customer's booking as a calendar file: the pickup
// and the return, the same events the confirmation email carries.
func (s *Server) BookingCalendar(c echo.Context) error {
	b, err := s.ownBooking(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	bs, err := s.Store.ListBookingMail(ctx, []int64{b.ID})
	if err != nil {
		return err
	}
	if len(bs) == 0 {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	st, err := s.Store.GetSettings(ctx)
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(s.Config.BaseURL.String(), "/")
	shop := mail.Shop{Name: st.ShopName, BaseURL: base}
	ics := mail.ICS(st.ShopName, s.Now(), mail.BookingEvents(shop, jobs.MailBooking(bs[0]), s.Config.BaseURL.Hostname())...)
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="booking-`+b.Number+`.ics"`)
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", ics)
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
	var re *booking.RuleError
	if errors.As(err, &re) {
		return s.cancelRefused(c, b.ID, re.Msg)
	}
	if err != nil {
		return s.bookingFailed(c, err, fmt.Sprintf("/bookings/%d", b.ID), nil)
	}
	s.flash(c, "success", "Booking "+b.Number+" is cancelled.")
	return redirect(c, fmt.Sprintf("/bookings/%d", b.ID))
}

// cancelRefused answers a cancel the booking no longer allows: the booking's
// own page with why, above it (a cancel sent twice just goes back to the
// cancelled booking).
func (s *Server) cancelRefused(c echo.Context, id int64, msg string) error {
	b, err := s.Store.GetBooking(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if b.Status == store.BookingCancelled {
		s.flash(c, "info", "Booking "+b.Number+" is cancelled.")
		return redirect(c, fmt.Sprintf("/bookings/%d", b.ID))
	}
	v, err := s.bookingView(c, b)
	if err != nil {
		return err
	}
	switch b.Status {
	case store.BookingOut:
		msg = "This booking can no longer be cancelled: the rental has started and items are out with you. " +
			"To end it, bring them back to the desk at " + b.LocationName + "; if your plans changed, call the shop."
	case store.BookingReturned, store.BookingClosed:
		msg = "This booking can no longer be cancelled: everything has been returned."
	}
	v.CancelRefused = msg
	return s.render(c, http.StatusUnprocessableEntity, pages.BookingPage(v))
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
		return s.extendForm(c, http.StatusUnprocessableEntity, b, lineID, endRaw, errs, "")
	}
	before := b.Total
	err = s.Booking.ChangeLinePeriod(c.Request().Context(), booking.PeriodChange{BookingID: b.ID, LineID: line.ID,
		Start: line.StartsAt, End: end, Owner: booking.Owner(b.CustomerID), Actor: actor(c)})
	var ce *booking.ConflictError
	if errors.As(err, &ce) {
		// The booking stays on screen with the time typed and why it
		// cannot be had beside it, not a page of its own that loses both.
		msg := cannotKeepUntil(line.ItemName, end, b.TimeZone) + ": someone else has booked it in between. Choose an earlier time, or call the shop."
		return s.extendForm(c, http.StatusConflict, b, lineID, endRaw, nil, msg)
	}
	if err != nil {
		return s.bookingFailed(c, err, fmt.Sprintf("/bookings/%d", b.ID), func(fe components.Errors, msg string) error {
			return s.extendForm(c, http.StatusUnprocessableEntity, b, lineID, endRaw, fe, msg)
		})
	}
	s.flash(c, "success", s.extendMessage(c, b, before))
	return redirect(c, fmt.Sprintf("/bookings/%d", b.ID))
}

// cannotKeepUntil starts the message for an end that another booking is in
// the way of, on the location's wall clock: the item cannot be kept until
// the end asked for (what is in the way follows).
func cannotKeepUntil(item string, end time.Time, zone string) string {
	return fmt.Sprintf("%s cannot be kept until %s", item, end.In(period.Zone(zone)).Format("Mon 2 Jan 15:04"))
}

// extendProposal is the end the extend form proposes for a line ending at
// end: a day later on the location's calendar (a day after now when the line
// is already overdue), moved to the desk's next opening, so the value passes
// the form's own checks (B13).
func extendProposal(loc store.BookingLocation, end, now time.Time) time.Time {
	if end.Before(now) {
		end = now
	}
	return booking.NextOpen(loc, period.AddDays(end, 1, period.Zone(loc.TimeZone)))
}

// extendForm re-shows a booking with a refused extend form, input kept:
// status 409 when the time asked for is taken, 422 when it was refused as
// typed.
func (s *Server) extendForm(c echo.Context, status int, b store.Booking, lineID int64, endRaw string, fe components.Errors, msg string) error {
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
	return s.render(c, status, pages.BookingPage(v))
}

// extendMessage says how much more the extension costs: due at pickup
// before the gear leaves the desk, added to the balance once it has.
func (s *Server) extendMessage(c echo.Context, b store.Booking, before int64) string {
	after, err := s.Store.GetBooking(c.Request().Context(), b.ID)
	if err != nil {
		return "Your booking is changed."
	}
	diff := after.Total - before
	if diff > 0 && !beforePickup[after.Status] {
		return "Extended. " + money.Format(diff, b.Currency) + " more is added to the balance due."
	}
	if diff > 0 {
		return "Extended. " + money.Format(diff, b.Currency) + " more is due at pickup."
	}
	return "Your booking is changed."
}
