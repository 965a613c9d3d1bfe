package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/desk"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// DeskShow is the counter's board for one location and local day (default:
// the first location, today in its zone): pickups, returns, overdue lines and
// endangered next bookings, plus a booking search (whose results take the
// board's place).
func (s *Server) DeskShow(c echo.Context) error {
	ctx := c.Request().Context()
	locs, err := s.Store.ListBookingLocations(ctx)
	if err != nil {
		return err
	}
	loc, err := chooseLocation(c, locs)
	if err != nil {
		return err
	}
	zone := period.Zone(loc.TimeZone)
	day, err := deskDay(c.QueryParam("date"), s.Now(), zone)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(c.QueryParam("q"))
	if utf8.RuneCountInString(q) > 100 {
		return echo.NewHTTPError(http.StatusBadRequest, "The search is too long.")
	}
	pagesOf, err := deskPages(c)
	if err != nil {
		return err
	}
	v := pages.DeskView{Page: s.page(c, "Desk"), Location: fmt.Sprint(loc.ID), Zone: loc.TimeZone, Query: q,
		Date: day.Format(period.DateLayout), DayChosen: c.QueryParam("date") != "", DateLabel: day.Format("Monday 2 January 2006"),
		PrevDate: period.AddDays(day, -1, zone).In(zone).Format(period.DateLayout),
		NextDate: period.AddDays(day, 1, zone).In(zone).Format(period.DateLayout)}
	for _, l := range locs {
		v.Locations = append(v.Locations, components.Option{Value: fmt.Sprint(l.ID), Label: l.Name})
	}
	if q != "" {
		// A search shows its results and a link back to the board, not the
		// board: the clerk looks for one booking, and the board's sections
		// cost more than the search itself on a busy day.
		v.Searched = true
		back := url.Values{"location": {v.Location}}
		if v.DayChosen {
			back.Set("date", v.Date)
		}
		v.BoardHref = "/desk?" + back.Encode()
		found, err := s.Store.SearchBookings(ctx, q, 50)
		if err != nil {
			return err
		}
		v.Results = bookingRows(found)
	} else if loc.ID != 0 {
		if err := s.fillDesk(ctx, &v, loc.ID, day, zone, pagesOf); err != nil {
			return err
		}
	}
	return s.render(c, http.StatusOK, pages.DeskPage(v))
}

// chooseLocation reads the location parameter: none is the first location;
// one that does not exist is a 400.
func chooseLocation(c echo.Context, locs []store.BookingLocation) (store.BookingLocation, error) {
	id, err := queryInt64(c, "location")
	if err != nil {
		return store.BookingLocation{}, err
	}
	for _, l := range locs {
		if l.ID == id || id == 0 {
			return l, nil
		}
	}
	if id == 0 {
		return store.BookingLocation{TimeZone: "UTC"}, nil // no locations yet
	}
	return store.BookingLocation{}, echo.NewHTTPError(http.StatusBadRequest, "The location parameter is not valid.")
}

// deskDay is local midnight of the chosen day ("" = today) in the zone.
func deskDay(raw string, now time.Time, zone *time.Location) (time.Time, error) {
	if raw == "" {
		n := now.In(zone)
		return period.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, zone).In(zone), nil
	}
	d, err := time.Parse(period.DateLayout, raw)
	if err != nil || d.Year() < 2000 || d.Year() > 2200 {
		return time.Time{}, echo.NewHTTPError(http.StatusBadRequest, "The date parameter is not valid.")
	}
	return period.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, zone).In(zone), nil
}

// deskSections are the board's paged sections: their kind is also the name
// of their page parameter ("pickups_page=2").
var deskSections = []struct{ kind, param string }{
	{store.DeskPickup, "pickups_page"}, {store.DeskReturn, "returns_page"}, {store.DeskOverdue, "overdue_page"},
}

// deskPages reads the page of each board section (1 when absent); anything
// but a page number is a 400.
func deskPages(c echo.Context) (map[string]int, error) {
	out := map[string]int{}
	for _, sec := range deskSections {
		n, err := queryPage(c, sec.param)
		if err != nil {
			return nil, err
		}
		out[sec.kind] = n
	}
	return out, nil
}

// fillDesk loads the board of one local day: a page of each section with
// its count, so a busy day costs about what a quiet one does.
func (s *Server) fillDesk(ctx context.Context, v *pages.DeskView, locID int64, day time.Time, zone *time.Location, page map[string]int) error {
	now := s.Now()
	dayEnd := period.AddDays(day, 1, zone)
	skip := map[string]int{}
	for k, p := range page {
		skip[k] = (p - 1) * store.DeskPerPage
	}
	reads, err := s.Store.ReadDesk(ctx, store.DeskQuery{LocationID: locID, DayStart: day, DayEnd: dayEnd, Now: now,
		PerPage: store.DeskPerPage, Skip: skip},
		store.EndangeredQuery{LocationID: locID, Now: now, Until: now.Add(endangeredAhead), DayStart: day, DayEnd: dayEnd},
		now.Add(holdWarning))
	if err != nil {
		return err
	}
	board, endangered, holds, lines := reads.Board, reads.Endangered, reads.Holds, reads.Board.Lines
	// Each section's links keep the location, the day and the other
	// sections' pages.
	link := func(kind string, p int) string {
		q := url.Values{"location": {v.Location}, "date": {v.Date}}
		for _, sec := range deskSections {
			n := page[sec.kind]
			if sec.kind == kind {
				n = p
			}
			if n > 1 {
				q.Set(sec.param, strconv.Itoa(n))
			}
		}
		return "/desk?" + q.Encode()
	}
	v.BoardHref = link("", 0)
	sections := map[string]*pages.DeskSectionPage{store.DeskPickup: &v.PickupPage, store.DeskReturn: &v.ReturnPage, store.DeskOverdue: &v.OverduePage}
	for _, sec := range deskSections {
		p, total, sp := page[sec.kind], board.Counts[sec.kind], sections[sec.kind]
		sp.Total = total
		sp.From, sp.To = (p-1)*store.DeskPerPage+1, min(p*store.DeskPerPage, total)
		if p > 1 {
			sp.PrevHref = link(sec.kind, min(p-1, max(1, (total+store.DeskPerPage-1)/store.DeskPerPage)))
		}
		if p*store.DeskPerPage < total {
			sp.NextHref = link(sec.kind, p+1)
		}
	}
	for _, h := range holds {
		v.Holds = append(v.Holds, pages.DeskHold{BookingID: h.BookingID, Number: h.Number, Customer: h.CustomerName,
			Email: h.CustomerEmail, Phone: h.CustomerPhone, Expires: deskTime(h.ExpiresAt, day, zone),
			In: desk.FormatLate(h.ExpiresAt.Sub(now)), Total: money.Format(h.Total, h.Currency)})
	}
	blockedBy := map[int64]string{}
	for _, e := range endangered {
		blockedBy[e.LineID] = e.BlockedBy
		dl := pages.DeskLine{BookingID: e.BookingID, LineID: e.LineID, Number: e.Number,
			Customer: e.CustomerName, Item: e.ItemName, Quantity: e.Quantity, Units: e.AssetTag,
			When: period.FormatDisplay(e.StartsAt, zone), Endangered: true, Note: e.BlockedBy, Substitute: e.Substitute}
		if e.Short > 0 {
			dl.Short = fmt.Sprintf("%d short", e.Short)
		}
		v.Endangered = append(v.Endangered, dl)
	}
	for _, l := range lines {
		dl := pages.DeskLine{BookingID: l.BookingID, LineID: l.LineID, Number: l.Number, Customer: l.CustomerName,
			Item: l.ItemName, Quantity: l.Quantity, Units: l.Units}
		switch l.Kind {
		case store.DeskPickup:
			dl.When, dl.Note = deskTime(l.StartsAt, day, zone), blockedBy[l.LineID]
			dl.Endangered = dl.Note != ""
			v.Pickups = append(v.Pickups, dl)
		case store.DeskReturn:
			dl.When = deskTime(l.EndsAt, day, zone)
			v.Returns = append(v.Returns, dl)
		default:
			dl.When = period.FormatDisplay(l.EndsAt, zone)
			dl.Late, dl.Email, dl.Phone = desk.FormatLate(now.Sub(l.EndsAt)), l.CustomerEmail, l.CustomerPhone
			v.Overdue = append(v.Overdue, dl)
		}
	}
	return nil
}

// holdWarning is how far ahead the board lists holds about to lapse.
const holdWarning = 2 * time.Hour

// endangeredAhead is how far ahead the board lists the bookings an overdue
// return endangers (besides the shown day's pickups, which it flags): a week
// covers a closed weekend before the next pickup, and keeps the list to what
// staff can act on instead of every booking of the unit months ahead.
const endangeredAhead = 7 * 24 * time.Hour

// deskTime writes an instant of the board's day as the local hour, and any
// other as a full local date.
func deskTime(t, day time.Time, zone *time.Location) string {
	l := t.In(zone)
	if y, m, d := l.Date(); y == day.Year() && m == day.Month() && d == day.Day() {
		return l.Format("15:04")
	}
	return period.FormatDisplay(t, zone)
}

// bookingRows writes bookings for the staff tables, dates in each booking's
// location zone.
func bookingRows(bs []store.BookingSummary) []pages.BookingListRow {
	rows := make([]pages.BookingListRow, 0, len(bs))
	for _, b := range bs {
		r := pages.BookingListRow{ID: b.ID, Number: b.Number, Status: b.Status, Customer: b.CustomerName,
			Email: b.CustomerEmail, Location: b.LocationName, Total: money.Format(b.Total, b.Currency)}
		if b.FirstStart != nil && b.LastEnd != nil {
			r.Period = displayRange(*b.FirstStart, *b.LastEnd, period.Zone(b.TimeZone))
		}
		rows = append(rows, r)
	}
	return rows
}

const staffBookingsPerPage = 50

// balanceDueFilter is the bookings list's filter value for "the customer
// still owes money", offered beside the statuses.
const balanceDueFilter = "balance_due"

// StaffBookingsList lists every booking, newest first, by status (from an
// allowlist: junk is a 400) with keyset pagination.
func (s *Server) StaffBookingsList(c echo.Context) error {
	status := c.QueryParam("status")
	if err := oneOf(status, append([]string{"", balanceDueFilter}, store.BookingStatuses...)...); err != nil {
		return err
	}
	before, err := queryInt64(c, "before")
	if err != nil {
		return err
	}
	f := store.BookingFilter{Status: status, BeforeID: before, Limit: staffBookingsPerPage + 1}
	if status == balanceDueFilter {
		f.Status, f.BalanceDue = "", true
	}
	bs, err := s.Store.ListBookings(c.Request().Context(), f)
	if err != nil {
		return err
	}
	v := pages.StaffBookingsView{Page: s.page(c, "Bookings"), Status: status, Statuses: []components.Option{{Value: "", Label: "Any status"}}}
	for _, st := range store.BookingStatuses {
		v.Statuses = append(v.Statuses, components.Option{Value: st, Label: st})
	}
	v.Statuses = append(v.Statuses, components.Option{Value: balanceDueFilter, Label: "balance due"})
	if len(bs) > staffBookingsPerPage {
		bs = bs[:staffBookingsPerPage]
		v.NextHref = fmt.Sprintf("/staff/bookings?status=%s&before=%d", status, bs[len(bs)-1].ID)
	}
	v.Rows = bookingRows(bs)
	return s.render(c, http.StatusOK, pages.StaffBookingsPage(v))
}
