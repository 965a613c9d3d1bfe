package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// AdminLocationsList lists the shop's locations.
func (s *Server) AdminLocationsList(c echo.Context) error {
	ls, err := s.Store.ListLocations(c.Request().Context())
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, pages.AdminLocationsPage(pages.AdminLocationsView{Page: s.page(c, "Locations"), Locations: ls}))
}

// AdminLocationNew shows the form for a new location.
func (s *Server) AdminLocationNew(c echo.Context) error {
	f := pages.LocationForm{TimeZone: "Europe/Berlin", Hours: map[int]string{}}
	for d := 1; d <= 5; d++ {
		f.Hours[d] = "09:00-18:00"
	}
	return s.renderLocationForm(c, http.StatusOK, 0, f, nil)
}

func (s *Server) renderLocationForm(c echo.Context, status int, id int64, f pages.LocationForm, errs components.Errors) error {
	title := "New location"
	if id != 0 {
		title = "Edit " + f.Name
	}
	zones := make([]components.Option, 0, len(catalog.Zones)+1)
	if !slices.Contains(catalog.Zones, f.TimeZone) {
		zones = append(zones, components.Option{Value: f.TimeZone, Label: f.TimeZone})
	}
	for _, z := range catalog.Zones {
		zones = append(zones, components.Option{Value: z, Label: z})
	}
	v := pages.LocationFormView{Page: s.page(c, title), ID: id, Form: f, Zones: zones, Errors: errs}
	return s.render(c, status, pages.LocationFormPage(v))
}

// locationFormOf reads the location form.
func locationFormOf(c echo.Context) pages.LocationForm {
	f := pages.LocationForm{Name: field(c, "name"), Slug: field(c, "slug"), Address: strings.TrimSpace(c.FormValue("address")),
		TimeZone: field(c, "time_zone"), ClosedDates: c.FormValue("closed_dates"), Hours: map[int]string{}}
	for _, d := range catalog.Weekdays {
		f.Hours[d.ISO] = field(c, "hours_"+strconv.Itoa(d.ISO))
	}
	return f
}

// parseLocation validates the form and builds the location.
func parseLocation(f *pages.LocationForm) (catalog.Location, components.Errors) {
	errs := components.Errors{}
	l := catalog.Location{Name: f.Name, Address: f.Address, TimeZone: f.TimeZone, OpeningHours: catalog.OpeningHours{}}
	switch n := utf8.RuneCountInString(f.Name); {
	case n == 0:
		errs["name"] = "Enter the location's name."
	case n > 100:
		errs["name"] = "Use at most 100 characters."
	}
	if f.Slug == "" {
		f.Slug = catalog.Slugify(f.Name)
	}
	l.Slug = f.Slug
	if msg := catalog.CheckLocationSlug(f.Slug); msg != "" && errs["name"] == "" {
		errs["slug"] = msg
	}
	if utf8.RuneCountInString(f.Address) > 500 {
		errs["address"] = "Use at most 500 characters."
	}
	if msg := catalog.CheckZone(f.TimeZone); msg != "" {
		errs["time_zone"] = msg
	}
	for _, d := range catalog.Weekdays {
		ivs, msg := catalog.ParseDay(f.Hours[d.ISO])
		if msg != "" {
			errs["hours_"+strconv.Itoa(d.ISO)] = msg
		}
		if len(ivs) > 0 {
			l.OpeningHours[d.ISO] = ivs
		}
	}
	var msg string
	if l.ClosedDates, msg = catalog.ParseDates(f.ClosedDates); msg != "" {
		errs["closed_dates"] = msg
	}
	return l, errs
}

// AdminLocationCreate adds a location.
func (s *Server) AdminLocationCreate(c echo.Context) error {
	return s.saveLocation(c, 0)
}

// AdminLocationEdit shows the edit form of a location.
func (s *Server) AdminLocationEdit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	l, err := s.Store.GetLocation(c.Request().Context(), id)
	if err != nil {
		return err
	}
	f := pages.LocationForm{Name: l.Name, Slug: l.Slug, Address: l.Address, TimeZone: l.TimeZone, ClosedDates: l.ClosedDates.Format(), Hours: map[int]string{}}
	for _, d := range catalog.Weekdays {
		f.Hours[d.ISO] = l.OpeningHours.FormatDay(d.ISO)
	}
	return s.renderLocationForm(c, http.StatusOK, id, f, nil)
}

// AdminLocationUpdate saves a location.
func (s *Server) AdminLocationUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.saveLocation(c, id)
}

// saveLocation creates (id 0) or updates a location with its audit row.
func (s *Server) saveLocation(c echo.Context, id int64) error {
	ctx := c.Request().Context()
	f := locationFormOf(c)
	l, errs := parseLocation(&f)
	errs = tooLong(c, errs)
	if len(errs) == 0 {
		l.ID = id
		err := s.Store.WithTx(ctx, func(tx *store.Store) error {
			if id == 0 {
				out, err := tx.CreateLocation(ctx, l)
				if err != nil {
					return err
				}
				id = out.ID
				return audit(ctx, c, tx, "location.create", "location", idOf(out.ID), nil, out)
			}
			before, err := tx.GetLocation(ctx, id)
			if err != nil {
				return err
			}
			out, err := tx.UpdateLocation(ctx, l)
			if err != nil {
				return err
			}
			return audit(ctx, c, tx, "location.update", "location", idOf(id), before, out)
		})
		if errors.Is(err, store.ErrConflict) {
			errs["slug"] = "Another location has this slug."
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return s.renderLocationForm(c, http.StatusUnprocessableEntity, l.ID, f, errs)
	}
	s.flash(c, "success", "Location "+f.Name+" saved.")
	return redirect(c, "/admin/locations")
}
