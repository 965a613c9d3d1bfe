package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/desk"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/layout"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// StaffHandoverShow shows what is out on a booking, ready to be recorded as
// handed over, and the hand-overs already recorded.
func (s *Server) StaffHandoverShow(c echo.Context) error {
	return s.handoverPage(c, http.StatusOK, "")
}

func (s *Server) handoverPage(c echo.Context, status int, formErr string) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	b, err := s.Store.GetBooking(ctx, id)
	if err != nil {
		return err
	}
	v := handoverHead(s.page(c, "Hand-over "+b.Number), b)
	v.FormError = formErr
	zone := period.Zone(b.TimeZone)
	for _, l := range b.Lines {
		hl := pages.HandoverLineView{Item: l.ItemName, Period: displayRange(l.StartsAt, l.EndsAt, zone)}
		var tags []string
		for _, u := range l.Units {
			if u.PickedUpAt != nil && u.ReturnedAt == nil {
				tags = append(tags, u.AssetTag)
			}
		}
		switch {
		case l.Tracking == "bulk" && l.PickedUpAt != nil && l.ReturnedAt == nil:
			hl.Quantity = l.Quantity
		case len(tags) > 0:
			hl.Quantity, hl.Tags = len(tags), strings.Join(tags, ", ")
		default:
			continue
		}
		v.Lines = append(v.Lines, hl)
	}
	if len(v.Lines) == 0 && formErr == "" {
		// No form that could only be refused: say why instead.
		v.NothingOut = desk.NothingOut(b)
	}
	if err := s.previousHandovers(c, &v, b); err != nil {
		return err
	}
	return s.render(c, status, pages.HandoverPage(v))
}

func handoverHead(p layout.Page, b store.Booking) pages.HandoverView {
	return pages.HandoverView{Page: p, BookingID: b.ID, Number: b.Number, Customer: b.CustomerName, Email: b.CustomerEmail,
		Phone: b.CustomerPhone, Location: b.LocationName, Zone: b.TimeZone, Deposit: money.Format(b.Deposit, b.Currency)}
}

func (s *Server) previousHandovers(c echo.Context, v *pages.HandoverView, b store.Booking) error {
	hs, err := s.Store.ListHandovers(c.Request().Context(), b.ID)
	if err != nil {
		return err
	}
	for _, h := range hs {
		v.Previous = append(v.Previous, pages.HandoverRef{Href: fmt.Sprintf("/staff/bookings/%d/handovers/%d", b.ID, h.ID),
			When: period.FormatDisplay(h.HandedAt, period.Zone(b.TimeZone)), By: h.HandedBy})
	}
	return nil
}

// StaffHandover records the hand-over of what is out and opens its sheet.
func (s *Server) StaffHandover(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	hid, err := s.Desk.HandOver(c.Request().Context(), id, actor(c))
	if err != nil {
		return s.bookingFailed(c, err, fmt.Sprintf("/staff/bookings/%d/handover", id), func(_ components.Errors, msg string) error {
			return s.handoverPage(c, http.StatusUnprocessableEntity, msg)
		})
	}
	s.flash(c, "success", "Hand-over recorded.")
	return redirect(c, fmt.Sprintf("/staff/bookings/%d/handovers/%d", id, hid))
}

// StaffHandoverSheet is the printable sheet of one recorded hand-over.
func (s *Server) StaffHandoverSheet(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	hid, err := pathID(c, "hid")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	b, err := s.Store.GetBooking(ctx, id)
	if err != nil {
		return err
	}
	h, err := s.Store.GetHandover(ctx, b.ID, hid)
	if err != nil {
		return err
	}
	zone := period.Zone(b.TimeZone)
	v := handoverHead(s.page(c, "Hand-over "+b.Number), b)
	v.Recorded, v.HandedBy, v.HandedAt = true, h.HandedBy, h.HandedAt.In(zone).Format("Mon 2 Jan 2006 at 15:04")
	v.Deposit = money.Format(h.Deposit, h.Currency)
	for _, l := range h.Lines {
		v.Lines = append(v.Lines, pages.HandoverLineView{Item: l.Item, Quantity: l.Quantity, Tags: strings.Join(l.Tags, ", "),
			Period: displayRange(l.Start, l.End, zone)})
	}
	return s.render(c, http.StatusOK, pages.HandoverPage(v))
}
