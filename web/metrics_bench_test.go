package web

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/metrics"
)

// BenchmarkRequestMetrics measures what observeRequests adds to a request:
// the same trivial handler behind Echo's router with and without it. The
// handler does nothing, so the difference is the whole cost; a real page
// (a millisecond or more) makes it far smaller in proportion.
func BenchmarkRequestMetrics(b *testing.B) {
	for _, withMetrics := range []bool{false, true} {
		name := "bare"
		if withMetrics {
			name = "observed"
		}
		b.Run(name, func(b *testing.B) {
			e := echo.New()
			s := &Server{Deps: Deps{Metrics: metrics.New(metrics.Options{Version: "bench"})}, echo: e}
			if withMetrics {
				e.Use(s.observeRequests)
			}
			e.GET("/items/:slug", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
			s.registerRouteMetrics()
			req := httptest.NewRequest(http.MethodGet, "/items/canon-eos-r6", nil)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
			}
		})
	}
}
