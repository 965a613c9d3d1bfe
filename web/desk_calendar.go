package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/desk"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// calendarDays is the default window of the units calendar;
// calendarPageRows the units (and bulk items) on one page of it.
const (
	calendarDays     = 14
	calendarPageRows = 200
)

// StaffCalendar shows units × days for a location (an item or a category of
// it, or everything), default two weeks from today in the location's zone.
func (s *Server) StaffCalendar(c echo.Context) error {
	ctx := c.Request().Context()
	locs, err := s.Store.ListBookingLocations(ctx)
	if err != nil {
		return err
	}
	loc, err := chooseLocation(c, locs)
	if err != nil {
		return err
	}
	item, err := queryInt64(c, "item")
	if err != nil {
		return err
	}
	cat, err := queryInt64(c, "category")
	if err != nil {
		return err
	}
	zone := period.Zone(loc.TimeZone)
	from, err := deskDay(c.QueryParam("from"), s.Now(), zone)
	if err != nil {
		return err
	}
	n := calendarDays
	if raw := c.QueryParam("days"); raw != "" {
		if n, err = strconv.Atoi(raw); err != nil || n < 1 || n > 62 {
			return echo.NewHTTPError(http.StatusBadRequest, "The days parameter is not valid.")
		}
	}
	page, err := queryPage(c, "page")
	if err != nil {
		return err
	}
	v := pages.CalendarView{Page: s.page(c, "Units calendar"), Location: fmt.Sprint(loc.ID), Item: queryOr(item), Category: queryOr(cat),
		From: from.Format(period.DateLayout), Days: strconv.Itoa(n)}
	if err := s.calendarMenus(ctx, &v, locs); err != nil {
		return err
	}
	days := make([]time.Time, n)
	for i := range days {
		days[i] = period.AddDays(from, i, zone).In(zone)
	}
	end := period.AddDays(from, n, zone)
	// Links keep every filter: earlier and later days keep the page of
	// units, the pages of units keep the days.
	link := func(d time.Time, page int) string {
		q := url.Values{"location": {v.Location}, "item": {v.Item}, "category": {v.Category}, "from": {d.In(zone).Format(period.DateLayout)}, "days": {v.Days}}
		if page > 1 {
			q.Set("page", strconv.Itoa(page))
		}
		return "/staff/calendar?" + q.Encode()
	}
	v.PrevHref, v.NextHref = link(period.AddDays(from, -n, zone), page), link(end, page)
	today := s.Now().In(zone).Format(period.DateLayout)
	for _, d := range days {
		v.Heads = append(v.Heads, pages.UnitsCalendarDay{Label: d.Format("Mon 2 Jan"), Today: d.Format(period.DateLayout) == today})
	}
	if loc.ID != 0 {
		q := store.CalendarQuery{LocationID: loc.ID, ItemID: item, CategoryID: cat, Limit: calendarPageRows, Offset: (page - 1) * calendarPageRows}
		total, err := s.Store.CountCalendarRows(ctx, q)
		if err != nil {
			return err
		}
		if err := s.calendarRows(ctx, &v, q, days, end, today); err != nil {
			return err
		}
		if len(v.Rows) > 0 {
			v.Showing = fmt.Sprintf("Showing %d–%d of %d units", q.Offset+1, q.Offset+len(v.Rows), total)
		}
		if page > 1 {
			v.PrevPageHref = link(from, page-1)
		}
		if q.Offset+calendarPageRows < total {
			v.NextPageHref = link(from, page+1)
		}
	}
	return s.render(c, http.StatusOK, pages.CalendarPage(v))
}

func queryOr(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// calendarRows fills the grid: two queries for the units, one peak per day
// for each bulk item.
func (s *Server) calendarRows(ctx context.Context, v *pages.CalendarView, q store.CalendarQuery, days []time.Time, end time.Time, today string) error {
	rows, err := s.Store.ListCalendarRows(ctx, q)
	if err != nil {
		return err
	}
	var unitIDs []int64
	for _, r := range rows {
		if r.UnitID != 0 {
			unitIDs = append(unitIDs, r.UnitID)
		}
	}
	now := s.Now()
	blocks, err := s.Store.ListCalendarBlocks(ctx, unitIDs, days[0], end, now)
	if err != nil {
		return err
	}
	byUnit := map[int64][]store.CalendarBlock{}
	for _, b := range blocks {
		byUnit[b.UnitID] = append(byUnit[b.UnitID], b)
	}
	isToday := func(i int) bool { return days[i].Format(period.DateLayout) == today }
	for _, r := range rows {
		if r.UnitID == 0 {
			row, err := s.bulkCalendarRow(ctx, r, q.LocationID, days, end, now, isToday)
			if err != nil {
				return err
			}
			v.Rows = append(v.Rows, row)
			continue
		}
		row := pages.CalendarRowView{Label: r.AssetTag, Item: r.ItemName, Href: fmt.Sprintf("/staff/units/%d/edit", r.UnitID)}
		for i, cell := range desk.UnitDays(byUnit[r.UnitID], days, end, now) {
			cc := pages.CalendarCell{Kind: cell.Kind, Title: cell.Title, Today: isToday(i)}
			if cell.BookingID != 0 {
				cc.Text, cc.Href = cell.Number, fmt.Sprintf("/staff/bookings/%d", cell.BookingID)
			}
			if cell.Kind == desk.CellMaintenance {
				cc.Text = "maint."
			}
			row.Cells = append(row.Cells, cc)
		}
		v.Rows = append(v.Rows, row)
	}
	return nil
}

// bulkCalendarRow is a bulk item's free/total per day: the day's peak use.
func (s *Server) bulkCalendarRow(ctx context.Context, r store.CalendarRow, locID int64, days []time.Time, end, now time.Time, isToday func(int) bool) (pages.CalendarRowView, error) {
	row := pages.CalendarRowView{Label: r.ItemName, Item: "bulk", Href: fmt.Sprintf("/staff/items/%d", r.ItemID)}
	for i, d0 := range days {
		d1 := end
		if i+1 < len(days) {
			d1 = days[i+1]
		}
		used, err := s.Store.BulkPeak(ctx, r.ItemID, locID, store.Span{From: d0, To: d1}, now, 0)
		if err != nil {
			return row, err
		}
		kind := "free"
		if used >= r.Stock {
			kind = "short"
		}
		row.Cells = append(row.Cells, pages.CalendarCell{Kind: kind, Text: fmt.Sprintf("%d/%d", max(r.Stock-used, 0), r.Stock), Today: isToday(i)})
	}
	return row, nil
}

// calendarMenus fills the location, category and item menus.
func (s *Server) calendarMenus(ctx context.Context, v *pages.CalendarView, locs []store.BookingLocation) error {
	for _, l := range locs {
		v.Locations = append(v.Locations, components.Option{Value: fmt.Sprint(l.ID), Label: l.Name})
	}
	var err error
	if v.Categories, _, err = s.categoryOptions(ctx, "Every category"); err != nil {
		return err
	}
	// Every item, by name alone: one read of the name index, however large
	// the catalog (no counts per item, nothing left out).
	items, err := s.Store.ListItemNames(ctx)
	if err != nil {
		return err
	}
	v.Items = []components.Option{{Value: "", Label: "Every item"}}
	for _, it := range items {
		v.Items = append(v.Items, components.Option{Value: fmt.Sprint(it.ID), Label: it.Name})
	}
	return nil
}
