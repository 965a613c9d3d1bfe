package web

import (
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// metricsPeriods are the periods the business figures can cover, in days.
var metricsPeriods = []struct {
	key   string
	days  int
	label string
}{{"7d", 7, "Last 7 days"}, {"30d", 30, "Last 30 days"}, {"90d", 90, "Last 90 days"}, {"365d", 365, "Last 365 days"}}

// metricsFilter is the checked period and location of the dashboard.
type metricsFilter struct {
	days       int
	locationID int64 // 0: every location
	// zone decides where "today" starts: the chosen location's, or the
	// first location's when all are shown.
	zone *time.Location
	view pages.MetricsFilter
}

// metricsFilterOf reads ?period=&location=; junk in either is a 400, an
// unknown location a 404.
func (s *Server) metricsFilterOf(c echo.Context) (metricsFilter, error) {
	f := metricsFilter{view: pages.MetricsFilter{Period: c.QueryParam("period")}}
	if f.view.Period == "" {
		f.view.Period = "30d"
	}
	keys := make([]string, 0, len(metricsPeriods))
	for _, p := range metricsPeriods {
		keys = append(keys, p.key)
		f.view.Periods = append(f.view.Periods, components.Option{Value: p.key, Label: p.label})
		if p.key == f.view.Period {
			f.days = p.days
		}
	}
	if err := oneOf(f.view.Period, keys...); err != nil {
		return f, err
	}
	var err error
	if f.locationID, err = queryInt64(c, "location"); err != nil {
		return f, err
	}
	locs, err := s.Store.ListLocations(c.Request().Context())
	if err != nil {
		return f, err
	}
	f.view.Locations = []components.Option{{Value: "", Label: "All locations"}}
	found := f.locationID == 0
	f.zone = time.UTC
	for i, l := range locs {
		if z, err := l.Zone(); err == nil && (i == 0 || l.ID == f.locationID) {
			f.zone = z
		}
		f.view.Locations = append(f.view.Locations, components.Option{Value: strconv.FormatInt(l.ID, 10), Label: l.Name})
		found = found || l.ID == f.locationID
	}
	if !found {
		return f, echo.ErrNotFound
	}
	q := url.Values{"period": {f.view.Period}}
	if f.locationID != 0 {
		f.view.Location = strconv.FormatInt(f.locationID, 10)
		q.Set("location", f.view.Location)
	}
	f.view.Query = q.Encode()
	return f, nil
}
