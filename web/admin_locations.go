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
	"github.com/rentdesk/rentdesk/internal/period"
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
		TimeZone: field(c, "time_zone"), ClosedDates: c.FormValue("closed_dates"), Hours: map[int]string{},
		ConfirmZone: field(c, "confirm_zone"), ConfirmCount: field(c, "confirm_count")}
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
	if len(errs) == 0 && id != 0 {
		if err := s.checkZoneChange(c, id, &f, errs); err != nil {
			return err
		}
	}
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
		return s.renderLocationForm(c, http.StatusUnprocessableEntity, id, f, errs)
	}
	s.flash(c, "success", "Location "+f.Name+" saved.")
	return redirect(c, "/admin/locations")
}

// checkZoneChange asks before a location's time zone changes while bookings
// there are still to come or under way. Bookings are kept as instants, so
// each of them would show other local times than the customer was given
// (10:00 in Berlin is 04:00 in New York). Refusing outright would leave a
// shop that set up the wrong zone unable to correct it; so the admin is told
// how many bookings it moves and by how much, and saves again with the box
// ticked for that very zone.
func (s *Server) checkZoneChange(c echo.Context, id int64, f *pages.LocationForm, errs components.Errors) error {
	ctx := c.Request().Context()
	before, err := s.Store.GetLocation(ctx, id)
	if err != nil {
		return err
	}
	if before.TimeZone == f.TimeZone {
		return nil
	}
	n, next, err := s.Store.ComingBookings(ctx, id, s.Now())
	if err != nil || n == 0 {
		return err
	}
	// The bookings are counted again as the change is saved: a box ticked
	// for that zone holds for as many bookings as it was told of, and
	// bookings made since it was asked are asked about again.
	confirmed, cerr := strconv.Atoi(f.ConfirmCount)
	if f.ConfirmZone == f.TimeZone && cerr == nil && n <= confirmed {
		return nil
	}
	old, now := period.Zone(before.TimeZone), period.Zone(f.TimeZone)
	what := "1 booking here is"
	if n > 1 {
		what = strconv.Itoa(n) + " bookings here are"
	}
	errs["time_zone"] = what + " still to come or under way. Their times stay the same instants, so they will show other " +
		"local times than the customers were given: " + next.In(old).Format("Mon 2 Jan 15:04") + " in " + before.TimeZone +
		" shows as " + next.In(now).Format("Mon 2 Jan 15:04") + " in " + f.TimeZone + ". Tick the box below to change the zone anyway."
	if f.ConfirmZone == f.TimeZone && cerr == nil {
		errs["time_zone"] = "Bookings were made since you were asked. " + errs["time_zone"]
	}
	f.AskZone, f.AskCount, f.ConfirmZone, f.ConfirmCount = f.TimeZone, strconv.Itoa(n), "", ""
	return nil
}
