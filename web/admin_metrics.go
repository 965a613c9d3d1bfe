package web

import (
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/metrics"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// rateWindow is what the system panel's rates and percentiles cover.
const rateWindow = time.Minute

// AdminMetrics is the metrics dashboard: business figures for a period and
// location, then the system.
func (s *Server) AdminMetrics(c echo.Context) error {
	return s.renderMetrics(c, http.StatusOK, nil)
}

// renderMetrics renders the whole dashboard; typed holds the thresholds
// form as submitted when it is shown again with errors.
func (s *Server) renderMetrics(c echo.Context, status int, typed map[string]pages.AlertRuleRow) error {
	f, err := s.metricsFilterOf(c)
	if err != nil {
		return err
	}
	biz, err := s.businessPanel(c, f)
	if err != nil {
		return err
	}
	alerts, err := s.alertsPanel(c, typed)
	if err != nil {
		return err
	}
	v := pages.AdminMetricsView{Page: s.page(c, "Metrics"), Filter: f.view, Business: biz, System: s.systemPanel(), Alerts: alerts}
	return s.render(c, status, pages.AdminMetricsPage(v))
}

// AdminMetricsSystem is the system panel alone, for its refresh.
func (s *Server) AdminMetricsSystem(c echo.Context) error {
	return s.render(c, http.StatusOK, pages.AdminMetricsSystem(s.systemPanel()))
}

// systemPanel samples the registry (at most once every few seconds) and
// turns the history into the panel.
func (s *Server) systemPanel() pages.SystemPanel {
	_, _ = s.Metrics.Sample() // a failed collector leaves its figures empty
	sys := metrics.Summarize(s.Metrics.History().All(), rateWindow)
	l := sys.Latest
	v := pages.SystemPanel{UpdatedAt: l.At.UTC().Format("15:04:05 UTC"), Window: fmtWindow(sys.Window)}
	labels := make([]string, len(sys.Times))
	for i, t := range sys.Times {
		labels[i] = t.UTC().Format("15:04:05")
	}
	chart := func(id, title, desc string, vals []float64, format func(float64) string) components.ChartData {
		return components.ChartData{ID: id, Title: title, Desc: desc, Labels: labels, Format: format,
			Series: []components.Series{{Name: title, Class: "chart-s1", Values: vals}}}
	}
	rate := chart("chart-rate", "Requests per second", "Requests answered per second by this instance.", sys.RateSeries, fmtNum)
	p95 := chart("chart-p95", "Latency p95", "95th percentile of request latency, all route groups.", sys.P95Series, fmtSeconds)
	errs := chart("chart-errors", "Error rate", "Share of requests answered with a 5xx status.", sys.ErrSeries, fmtPercent)
	heap := chart("chart-heap", "Heap in use", "Bytes of Go heap in use.", sys.HeapSeries, fmtBytes)
	v.Charts = []components.ChartData{rate, p95, errs, heap}
	for _, g := range sys.Groups {
		v.Groups = append(v.Groups, pages.GroupRow{Group: g.Group, Requests: fmtNum(g.Requests),
			P50: fmtSeconds(g.P50), P95: fmtSeconds(g.P95), P99: fmtSeconds(g.P99)})
	}
	v.Stats = []pages.Stat{
		{Label: "Requests/s", Value: fmtNum(sys.RequestsPerSecond), TestID: "stat-rps", Spark: &rate},
		{Label: "Latency p95", Value: fmtSeconds(sys.P95), TestID: "stat-p95", Spark: &p95},
		{Label: "Errors (5xx)", Value: fmtPercent(sys.ErrorRate), TestID: "stat-errors", Spark: &errs},
		{Label: "Uptime", Value: fmtWindow(time.Duration(l.UptimeSeconds) * time.Second), TestID: "stat-uptime"},
		{Label: "Version", Value: s.Metrics.Version(), TestID: "stat-version"},
	}
	for _, p := range sys.Pools {
		v.Pools = append(v.Pools, pages.PoolRow{Name: p.Name, Open: fmtNum(p.Open), InUse: fmtNum(p.InUse), Idle: fmtNum(p.Idle),
			Max: fmtNum(p.MaxOpen), Waits: fmtNum(p.Waits), WaitTime: fmtSeconds(p.WaitSeconds)})
	}
	v.Jobs = []pages.Stat{
		{Label: "Queued", Value: fmtNum(l.Jobs["queued"]), TestID: "jobs-queued"},
		{Label: "Running", Value: fmtNum(l.Jobs["running"]), TestID: "jobs-running"},
		{Label: "Retrying", Value: fmtNum(l.Jobs["retrying"]), TestID: "jobs-retrying"},
		{Label: "Dead", Value: fmtNum(l.Jobs["dead"]), TestID: "jobs-dead"},
		{Label: "Oldest queued", Value: fmtWindow(time.Duration(l.OldestQueuedSeconds) * time.Second), TestID: "jobs-oldest"},
	}
	v.Runtime = []pages.Stat{
		{Label: "Goroutines", Value: fmtNum(l.Goroutines)},
		{Label: "Heap", Value: fmtBytes(l.HeapBytes), Spark: &heap},
		{Label: "GC runs", Value: fmtNum(l.GCCount)},
		{Label: "Process CPU", Value: fmtNum(math.Round(sys.CPUPercent)) + " %"},
		{Label: "Resident memory", Value: fmtBytes(l.RSSBytes)},
		{Label: "Database size", Value: fmtBytes(l.DatabaseBytes), TestID: "db-size"},
	}
	return v
}

func fmtNum(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "–"
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 100:
		return fmt.Sprintf("%.0f", v)
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func fmtSeconds(v float64) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case v >= 1:
		return fmt.Sprintf("%.2f s", v)
	}
	return fmt.Sprintf("%.1f ms", v*1000)
}

func fmtPercent(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.1f %%", v*100)
}

func fmtBytes(v float64) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case v >= 1<<30:
		return fmt.Sprintf("%.1f GiB", v/(1<<30))
	case v >= 1<<20:
		return fmt.Sprintf("%.1f MiB", v/(1<<20))
	case v >= 1<<10:
		return fmt.Sprintf("%.0f KiB", v/(1<<10))
	}
	return fmt.Sprintf("%.0f B", v)
}

func fmtWindow(d time.Duration) string {
	switch {
	case d <= 0:
		return "–"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm %ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}

// AdminMetricsBusiness is the business panel alone, for its refresh.
func (s *Server) AdminMetricsBusiness(c echo.Context) error {
	f, err := s.metricsFilterOf(c)
	if err != nil {
		return err
	}
	v, err := s.businessPanel(c, f)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, pages.AdminMetricsBusiness(v))
}
