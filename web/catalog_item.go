package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// CatalogItem shows an item with its one date form: filled with the
// visitor's chosen dates (and then already answered), or proposed ones.
func (s *Server) CatalogItem(c echo.Context) error {
	v, locs, st, err := s.itemView(c)
	if err != nil {
		return err
	}
	ch, err := s.getChoice(c)
	if err != nil {
		return err
	}
	if ch.chosen() && ch.Start.After(s.Now()) {
		for i := range locs {
			if locs[i].ID == ch.LocationID {
				zone := period.Zone(locs[i].TimeZone)
				v.LocationID, v.Start, v.End = idOf(locs[i].ID), period.FormatLocal(ch.Start, zone), period.FormatLocal(ch.End, zone)
				v.Price = s.itemPrice(c, v.Item, locs[i], st, v.Start, v.End)
				return s.render(c, http.StatusOK, pages.ItemPage(v))
			}
		}
	}
	// Default: the date forms' usual period, in the first location's zone.
	if len(locs) > 0 {
		l := locs[0]
		zone := period.Zone(l.TimeZone)
		start, end := defaultPeriod(s.Now(), bookingLocationOf(l))
		v.Start, v.End = period.FormatLocal(start, zone), period.FormatLocal(end, zone)
	}
	return s.render(c, http.StatusOK, pages.ItemPage(v))
}

// CatalogItemPrice answers the item page's date form: for htmx the answer is
// the fragment, for a plain GET (no JavaScript) the whole item page. Bad
// dates are a message in the answer, never an error page.
func (s *Server) CatalogItemPrice(c echo.Context) error {
	v, locs, st, err := s.itemView(c)
	if err != nil {
		return err
	}
	v.Start, v.End, v.LocationID = c.QueryParam("start"), c.QueryParam("end"), c.QueryParam("location")
	var loc *catalog.Location
	for i := range locs {
		if strconv.FormatInt(locs[i].ID, 10) == v.LocationID || (v.LocationID == "" && i == 0) {
			loc = &locs[i]
		}
	}
	if loc == nil {
		v.Price = pages.PriceView{Error: "Choose where you pick it up."}
	} else {
		v.Price = s.itemPrice(c, v.Item, *loc, st, v.Start, v.End)
	}
	if isHTMX(c) {
		return s.render(c, http.StatusOK, pages.PriceFragment(v.Price))
	}
	return s.render(c, http.StatusOK, pages.ItemPage(v))
}

// itemPrice is the answer for an item and dates: the price, how many are
// free, and the Add to cart form's values; fully booked, when it is next free
// for as long and which similar items are free instead. st is the shop's
// settings the page already read.
func (s *Server) itemPrice(c echo.Context, it catalog.Item, loc catalog.Location, st store.Settings, start, end string) pages.PriceView {
	ctx := c.Request().Context()
	pv, p := s.quote(it, loc, st, start, end)
	if pv.Error != "" {
		return pv
	}
	a, err := s.Booking.ItemAvailability(ctx, it.ID, loc.ID, p.Start, p.End)
	if err != nil {
		return pages.PriceView{Error: "Availability cannot be shown right now; please try again."}
	}
	pv.Free, pv.Capacity = a.Free, a.Capacity
	pv.ItemID, pv.Location, pv.Start, pv.End = it.ID, idOf(loc.ID), start, end
	pv.CSRFToken, _ = c.Get(ctxCSRF).(string)
	if pv.Capacity > 0 && pv.Free == 0 {
		s.instead(ctx, &pv, it, loc, st, p)
	}
	return pv
}

// nextFreeDays is how far ahead a fully booked item's next free period is
// looked for, a day at a time.
const nextFreeDays = 28

// instead fills a fully booked answer with the next period of the same
// length (same times of day, a day later each try, within the opening hours)
// when the item is free, and up to three items of its category free for the
// chosen dates. Failures leave them out: they are suggestions.
func (s *Server) instead(ctx context.Context, pv *pages.PriceView, it catalog.Item, loc catalog.Location, settings store.Settings, p period.Period) {
	bl := bookingLocationOf(loc)
	zone := period.Zone(loc.TimeZone)
	// The candidates in order, asked a window at a time and only until one
	// is free (a query per day was most of a fully booked item's page).
	var spans []store.Span
	for d := 1; d <= nextFreeDays; d++ {
		start, end := p.Start.In(zone).AddDate(0, 0, d), p.End.In(zone).AddDate(0, 0, d)
		if booking.CheckHorizon(end, settings, s.Now()) != "" {
			break // never suggest what could not be booked
		}
		if len(booking.CheckHours(bl, start, end)) > 0 {
			continue
		}
		spans = append(spans, store.Span{From: start, To: end})
	}
	// The category's list is in the availability's order (by name), so the
	// first three free are found asking only as many items as it takes.
	var similar []int64
	byID := map[int64]store.ItemListRow{}
	if it.CategoryID != nil {
		// Without the list, the next free period is still worth showing.
		items, _ := s.Store.ListPublicItems(ctx, store.PublicFilter{CategoryID: *it.CategoryID, Limit: 24})
		for _, o := range items {
			if o.ID != it.ID {
				similar, byID[o.ID] = append(similar, o.ID), o
			}
		}
	}
	// Both in one query (most often; see Alternatives).
	alt, err := s.Booking.Alternatives(ctx, store.AlternativesQuery{ItemID: it.ID, LocationID: loc.ID,
		From: p.Start, To: p.End, Spans: spans, Similar: similar, N: 3})
	if err != nil {
		return
	}
	if alt.NextFree >= 0 {
		sp := spans[alt.NextFree]
		pv.NextFree = displayRange(sp.From, sp.To, zone)
		pv.NextFreeHref = "/items/" + it.Slug + "/price?" + url.Values{"location": {idOf(loc.ID)},
			"start": {period.FormatLocal(sp.From, zone)}, "end": {period.FormatLocal(sp.To, zone)}}.Encode()
	}
	for _, a := range alt.Similar {
		o := byID[a.ID]
		sim := pages.SimilarItem{Name: o.Name, Slug: o.Slug, PhotoID: o.PhotoID}
		if q, err := s.Booking.Price(a.BookableItem, p.Start, p.End, zone, 1, settings); err == nil {
			sim.Price = money.Format(q.Due, settings.Currency)
		}
		pv.Similar = append(pv.Similar, sim)
	}
}

// itemView loads what every item page shows, with the locations and the
// shop's settings that its price answer uses (read once per page); hidden
// items are a 404.
func (s *Server) itemView(c echo.Context) (pages.ItemView, []catalog.Location, store.Settings, error) {
	ctx := c.Request().Context()
	it, err := s.Store.GetPublicItem(ctx, c.Param("slug"))
	if err != nil {
		return pages.ItemView{}, nil, store.Settings{}, err
	}
	st, err := s.Store.GetSettings(ctx)
	if err != nil {
		return pages.ItemView{}, nil, st, err
	}
	p := s.page(c, it.Name)
	p.Description = metaDescription(it)
	v := pages.ItemView{Page: p, Item: it, Currency: st.Currency}
	if it.CategoryID != nil {
		cat, err := s.Store.GetCategory(ctx, *it.CategoryID)
		if err != nil {
			return v, nil, st, err
		}
		v.CategoryName, v.CategorySlug = cat.Name, cat.Slug
	}
	photos, err := s.Store.ListPhotos(ctx, it.ID)
	if err != nil {
		return v, nil, st, err
	}
	v.Photos = photoViews(photos)
	opts, locs, err := s.locationOptions(ctx)
	if err != nil {
		return v, nil, st, err
	}
	v.Locations = opts
	if len(locs) > 0 {
		v.LocationID = idOf(locs[0].ID)
	}
	return v, locs, st, nil
}

// bookingLocationOf is a catalog location as the booking rules see it (the
// item page has read the whole location already).
func bookingLocationOf(l catalog.Location) store.BookingLocation {
	return store.BookingLocation{ID: l.ID, Name: l.Name, TimeZone: l.TimeZone, OpeningHours: l.OpeningHours, ClosedDates: l.ClosedDates}
}

// metaDescription is the item's description cut to what search engines show.
func metaDescription(it catalog.Item) string {
	d := []rune(it.Description)
	if len(d) == 0 {
		return "Rent " + it.Name + " online: see prices and availability."
	}
	if len(d) > 155 {
		return string(d[:154]) + "…"
	}
	return string(d)
}
