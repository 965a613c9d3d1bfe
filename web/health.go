package web

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// Healthz answers 200 while the process runs; it touches nothing else.
func (s *Server) Healthz(c echo.Context) error {
	return c.String(http.StatusOK, "ok")
}

// Readyz answers 200 when the database answers within a short timeout and the
// server is not shutting down; otherwise 503, so traffic goes elsewhere.
func (s *Server) Readyz(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	if s.draining.Load() {
		return c.String(http.StatusServiceUnavailable, "shutting down")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), time.Second)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		return c.String(http.StatusServiceUnavailable, "database unavailable")
	}
	return c.String(http.StatusOK, "ready")
}
