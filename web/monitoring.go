package web

import (
	"context"
	"crypto/subtle"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/metrics"
	"github.com/rentdesk/rentdesk/internal/store"
)

// The /monitoring routes answer JSON for tools: the same figures as the
// dashboard, for an admin's session or the scrape token.

// validBearer reports whether the request carries the configured token.
func (s *Server) validBearer(c echo.Context) bool {
	token := s.Config.MetricsToken
	got, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
	return token != "" && ok && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}

// requireAdminOrToken lets in the token or an admin; anyone else without a
// session gets 401 (a tool has nowhere to log in), other users 403.
func (s *Server) requireAdminOrToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.validBearer(c) {
			return next(c)
		}
		u := currentUser(c)
		switch {
		case u == nil:
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="monitoring"`)
			return echo.NewHTTPError(http.StatusUnauthorized, "Log in as an admin or send the bearer token.")
		case u.Role != store.RoleAdmin:
			return echo.NewHTTPError(http.StatusForbidden, "This page is for admins only.")
		}
		return next(c)
	}
}

// num turns "no data" (NaN) into null in JSON.
func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// MonitoringHealth reports the database, the job queue and whether mail and
// Stripe are configured; 503 when the database does not answer.
func (s *Server) MonitoringHealth(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	start := time.Now()
	dbErr := s.Store.Ping(ctx)
	out := map[string]any{
		"database": map[string]any{"ok": dbErr == nil, "latency_ms": float64(time.Since(start).Microseconds()) / 1000},
		"smtp":     map[string]any{"configured": s.Config.SMTP.Host != ""},
		"stripe":   map[string]any{"configured": s.Config.Stripe.SecretKey != ""},
		"version":  s.Metrics.Version(),
		"uptime_s": math.Round(time.Since(s.Metrics.Started()).Seconds()),
	}
	status, code := "ok", http.StatusOK
	if dbErr != nil {
		status, code = "down", http.StatusServiceUnavailable
	} else if q, err := s.Store.GetQueueStats(ctx); err == nil {
		oldest := 0.0
		if q.OldestQueued != nil {
			oldest = math.Max(0, time.Since(*q.OldestQueued).Seconds())
		}
		out["jobs"] = map[string]any{"queued": q.Queued, "running": q.Running, "retrying": q.Retrying, "dead": q.Dead,
			"oldest_queued_s": math.Round(oldest)}
		if q.Dead > 0 {
			status = "degraded"
		}
	}
	out["status"] = status
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(code, out)
}

// MonitoringSystem is the system panel's figures.
func (s *Server) MonitoringSystem(c echo.Context) error {
	_, _ = s.Metrics.Sample()
	sys := metrics.Summarize(s.Metrics.History().All(), rateWindow)
	l := sys.Latest
	groups := []map[string]any{}
	for _, g := range sys.Groups {
		groups = append(groups, map[string]any{"group": g.Group, "requests": g.Requests,
			"p50_s": num(g.P50), "p95_s": num(g.P95), "p99_s": num(g.P99)})
	}
	pools := []map[string]any{}
	for _, p := range sys.Pools {
		pools = append(pools, map[string]any{"pool": p.Name, "open": p.Open, "in_use": p.InUse, "idle": p.Idle,
			"max_open": p.MaxOpen, "waits": p.Waits, "wait_s": p.WaitSeconds})
	}
	return c.JSON(http.StatusOK, map[string]any{
		"at": l.At.UTC(), "window_s": sys.Window.Seconds(), "requests_per_s": num(sys.RequestsPerSecond),
		"error_rate": num(sys.ErrorRate), "latency": groups, "pools": pools, "jobs": l.Jobs,
		"oldest_queued_s": l.OldestQueuedSeconds, "goroutines": l.Goroutines, "heap_bytes": l.HeapBytes,
		"gc_runs": l.GCCount, "cpu_percent": num(sys.CPUPercent), "rss_bytes": l.RSSBytes,
		"database_bytes": l.DatabaseBytes, "uptime_s": l.UptimeSeconds, "version": s.Metrics.Version(),
	})
}

// MonitoringAlerts lists the firing alerts and the recent history.
func (s *Server) MonitoringAlerts(c echo.Context) error {
	history, err := s.Store.ListAlerts(c.Request().Context(), alertHistoryRows)
	if err != nil {
		return err
	}
	firing, past := []map[string]any{}, []map[string]any{}
	for _, a := range history {
		r, _ := metrics.RuleByKey(a.Rule)
		row := map[string]any{"rule": a.Rule, "label": r.Label, "unit": r.Unit, "value": a.Value,
			"threshold": a.Threshold, "started_at": a.StartedAt.UTC(), "ended_at": a.EndedAt}
		if a.EndedAt == nil {
			firing = append(firing, row)
		} else {
			past = append(past, row)
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"firing": firing, "history": past})
}

// MonitoringMetrics is the business figures of a period and location
// (?period=&location= as on the dashboard), money in minor units.
func (s *Server) MonitoringMetrics(c echo.Context) error {
	f, err := s.metricsFilterOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	now := s.Now()
	today := localMidnight(now, f.zone)
	from := today.AddDate(0, 0, 1-f.days)
	rev, err := s.Store.GetRevenue(ctx, from, now, f.locationID)
	if err != nil {
		return err
	}
	funnel, err := s.Store.ListFunnel(ctx, from, now, f.locationID)
	if err != nil {
		return err
	}
	days, err := s.Store.ListUtilizationByDay(ctx, dateOf(from), dateOf(today).AddDate(0, 0, 1), f.locationID)
	if err != nil {
		return err
	}
	att, err := s.Store.GetAttention(ctx, now, noShowGrace, upcomingHorizon, f.locationID)
	if err != nil {
		return err
	}
	var avail, out float64
	channels := []map[string]any{}
	for _, d := range days {
		avail += d.HoursAvailable
		out += d.HoursOut
	}
	for _, r := range funnel {
		channels = append(channels, map[string]any{"channel": r.Channel, "made": r.Made, "holding": r.Holding,
			"confirmed": r.Confirmed, "expired": r.Expired, "cancelled": r.Cancelled, "value": r.Value})
	}
	return c.JSON(http.StatusOK, map[string]any{
		"period": f.view.Period, "location_id": f.locationID, "from": from.UTC(), "to": now.UTC(),
		"revenue": rev.Amount, "revenue_bookings": rev.Bookings, "funnel": channels,
		"unit_hours_available": avail, "unit_hours_out": out, "utilization": num(ratio(out, avail)),
		"overdue_units": att.Overdue, "overdue_value": att.OverdueValue, "oldest_due": att.OldestDue,
		"no_shows": att.NoShows, "pickups_next_48h": att.PickupsComing, "returns_next_48h": att.ReturnsComing,
	})
}
