package web

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/metrics"
)

// observeRequests counts every request by the pattern of the route that
// answered it (never the raw path or Host, so clients cannot create series)
// and times it per route group. It sits outside logRequests, which renders
// errors, so the status it records is the one sent.
func (s *Server) observeRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return ObserveRequests(s.Metrics)(next)
}

// ObserveRequests is the request-counting middleware on its own, so the load
// benchmark measures its cost on a bare handler with the very same code.
func ObserveRequests(m *metrics.Metrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			m.ObserveRequest(c.Request().Method, c.Path(), c.Response().Status, time.Since(start))
			return err
		}
	}
}

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
