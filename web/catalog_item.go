package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// CatalogItem shows an item to customers with a price calculator.
func (s *Server) CatalogItem(c echo.Context) error {
	v, locs, st, err := s.itemView(c)
	if err != nil {
		return err
	}
	// Default: the date forms' usual period, in the first location's zone.
	if len(locs) > 0 {
		l := locs[0]
		zone := period.Zone(l.TimeZone)
		start, end := defaultPeriod(s.Now(), bookingLocation(l))
		v.Start, v.End = period.FormatLocal(start, zone), period.FormatLocal(end, zone)
	}
	if v.Offers, err = s.itemOffers(c, v.Item.ID, st, locs); err != nil {
		return err
	}
	if v.Offers.Chosen { // the calculator starts from the chosen dates
		v.LocationID, v.Start, v.End = v.Offers.Form.Location, v.Offers.Form.Start, v.Offers.Form.End
	}
	return s.render(c, http.StatusOK, pages.ItemPage(v))
}

// CatalogItemPrice prices the chosen dates: for htmx the answer is the
// fragment, for a plain GET (no JavaScript) the whole item page. Bad dates
// are a message in the answer, never an error page.
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
		v.Price = s.quote(c.Request().Context(), v.Item, *loc, v.Start, v.End)
	}
	if isHTMX(c) {
		return s.render(c, http.StatusOK, pages.PriceFragment(v.Price))
	}
	if v.Offers, err = s.itemOffers(c, v.Item.ID, st, locs); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, pages.ItemPage(v))
}

// itemOffers is the item's availability and price for the chosen dates,
// with the settings and locations the page has loaded already.
func (s *Server) itemOffers(c echo.Context, itemID int64, st store.Settings, locs []catalog.Location) (pages.Offers, error) {
	bl := make([]store.BookingLocation, len(locs))
	for i, l := range locs {
		bl[i] = bookingLocation(l)
	}
	return s.catalogOffersIn(c, []int64{itemID}, st, bl)
}

// bookingLocation is a location as the booking rules see it.
func bookingLocation(l catalog.Location) store.BookingLocation {
	return store.BookingLocation{ID: l.ID, Name: l.Name, TimeZone: l.TimeZone, OpeningHours: l.OpeningHours, ClosedDates: l.ClosedDates}
}

// itemView loads what every item page shows, and the settings and
// locations it used, so the rest of the page does not load them again;
// hidden items are a 404.
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
	if v.Photos, err = s.Store.ListPhotos(ctx, it.ID); err != nil {
		return v, nil, st, err
	}
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
