package web

import (
	"errors"
	"fmt"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// catalogOffers is what the catalog shows of the customer's chosen dates for
// the items of a page: how many are free and the price of one, from a single
// query for the counts of all of them; prices are computed in memory from
// the items the page shows (the query answers no item columns). With no
// dates chosen (or only stale ones) it is the compact chooser instead.
func (s *Server) catalogOffers(c echo.Context, items []store.ItemListRow, st store.Settings) (pages.Offers, error) {
	return s.catalogOffersIn(c, items, st, nil)
}

// catalogOffersIn is catalogOffers with the locations when the caller has
// them (nil: loaded when needed).
func (s *Server) catalogOffersIn(c echo.Context, items []store.ItemListRow, st store.Settings, locs []store.BookingLocation) (pages.Offers, error) {
	ctx := c.Request().Context()
	o := pages.Offers{Next: c.Request().URL.RequestURI()}
	o.CSRFToken, _ = c.Get(ctxCSRF).(string)
	ch, err := s.getChoice(c)
	if err != nil {
		return o, err
	}
	var loc store.BookingLocation
	err = store.ErrNotFound
	if ch.chosen() && ch.Start.After(s.Now()) {
		loc, err = s.Store.GetBookingLocation(ctx, ch.LocationID)
	}
	if errors.Is(err, store.ErrNotFound) {
		return s.dateChooser(c, o, locs)
	}
	if err != nil {
		return o, err
	}
	free, err := s.Booking.FreeOf(ctx, loc.ID, ch.Start, ch.End, itemIDs(items))
	if err != nil {
		return o, err
	}
	zone := period.Zone(loc.TimeZone)
	o.Chosen, o.Period, o.Location, o.Zone = true, displayRange(ch.Start, ch.End, zone), loc.Name, loc.TimeZone
	o.Form = pages.DatesForm{Location: fmt.Sprint(loc.ID), Start: formatLocal(ch.Start, zone), End: formatLocal(ch.End, zone)}
	byID := make(map[int64]*store.ItemListRow, len(items))
	for i := range items {
		byID[items[i].ID] = &items[i]
	}
	o.ByID = make(map[int64]pages.Offer, len(free))
	price := s.Booking.Prices(ch.Start, ch.End, zone, st)
	for _, f := range free {
		it, ok := byID[f.ID]
		if !ok {
			continue
		}
		of := pages.Offer{Free: f.Free, Capacity: f.Capacity}
		if q, err := price(store.BookableOf(it.Item), 1); err == nil {
			of.Price = money.Format(q.Due, st.Currency)
		}
		o.ByID[f.ID] = of
	}
	return o, nil
}

// dateChooser fills the compact where-and-when form with proposed dates that
// pass its own validation.
func (s *Server) dateChooser(c echo.Context, o pages.Offers, locs []store.BookingLocation) (pages.Offers, error) {
	if locs == nil {
		var err error
		if locs, err = s.Store.ListBookingLocations(c.Request().Context()); err != nil {
			return o, err
		}
	}
	for _, l := range locs {
		o.Locations = append(o.Locations, components.Option{Value: fmt.Sprint(l.ID), Label: l.Name})
	}
	o.Form = s.defaultDates(locs)
	return o, nil
}
