package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// registerRouteMetrics makes the request instruments of every route in the
// table, so the first request of each costs no more than the rest.
func (s *Server) registerRouteMetrics() {
	for _, r := range s.echo.Routes() {
		s.Metrics.AddRoute(r.Method, r.Path)
	}
}

// MetricsScrape serves the Prometheus registry to a scraper holding the
// bearer token. Without a configured token the route does not exist here
// (RENTDESK_METRICS_ADDR may serve it on a private listener instead).
func (s *Server) MetricsScrape(c echo.Context) error {
	// Live figures, and the refusals too: nothing here is for a cache.
	c.Response().Header().Set("Cache-Control", "no-store")
	if s.Config.MetricsToken == "" {
		return echo.ErrNotFound
	}
	if !s.validBearer(c) {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
		return echo.NewHTTPError(http.StatusUnauthorized, "A valid bearer token is required.")
	}
	s.Metrics.Handler().ServeHTTP(c.Response(), c.Request())
	return nil
}
