// Package metrics is Rentdesk's one source of operational numbers: a
// Prometheus registry per server with the Go, process and database pool
// collectors, the job queue and database size, uptime and version, and the
// HTTP request counters the web layer feeds. /metrics serves the registry;
// the admin dashboard reads the same registry through Gather and keeps a short
// in-process history of it for its charts.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rentdesk/rentdesk/internal/store"
)

// Metric names the dashboard reads back from the registry.
const (
	RequestsTotal   = "rentdesk_http_requests_total"
	RequestDuration = "rentdesk_http_request_duration_seconds"
	JobsGauge       = "rentdesk_jobs"
	OldestQueuedAge = "rentdesk_jobs_oldest_queued_age_seconds"
	DatabaseSize    = "rentdesk_database_size_bytes"
	Uptime          = "rentdesk_uptime_seconds"
	BuildInfo       = "rentdesk_build_info"
)

// latencyBounds are the upper bounds (seconds) of the latency histogram.
var latencyBounds = []float64{.0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Options configures New.
type Options struct {
	// Store feeds the job queue and database size gauges; nil leaves them out.
	Store *store.Store
	// Pools are the connection pools to report, by name ("app", "desk").
	Pools map[string]*sql.DB
	// Version is reported by rentdesk_build_info; empty reads the build's VCS revision.
	Version string
	Now     func() time.Time
}

// Metrics owns a registry and the request instruments.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	routes   map[routeKey]*routeInstruments
	other    *routeInstruments
	now      func() time.Time
	started  time.Time
	version  string
	history  *History
	// reqReg holds the request instruments alone, so the reporter reads
	// them without running the other collectors (the store's queries).
	reqReg   *prometheus.Registry
	pools    map[string]*sql.DB
	instance string
}

// New builds a registry of its own (never the global default, which refuses
// a second registration when tests build many servers) with every collector.
func New(o Options) *Metrics {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Version == "" {
		o.Version = buildVersion()
	}
	m := &Metrics{reg: prometheus.NewRegistry(), now: o.Now, started: o.Now(), version: o.Version,
		routes: map[routeKey]*routeInstruments{}, reqReg: prometheus.NewRegistry(), pools: o.Pools,
		instance: newInstanceID()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: RequestsTotal, Help: "HTTP requests answered, by route pattern, method and status class.",
	}, []string{"route", "method", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: RequestDuration, Help: "Time to answer HTTP requests, by route group.",
		Buckets: latencyBounds,
	}, []string{"group"})
	m.reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: Uptime, Help: "Seconds since this instance started."},
			func() float64 { return m.now().Sub(m.started).Seconds() }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: BuildInfo, Help: "Always 1; the version is a label.",
			ConstLabels: prometheus.Labels{"version": o.Version}}, func() float64 { return 1 }),
	)
	m.reqReg.MustRegister(m.requests, m.duration)
	for name, db := range o.Pools {
		m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
	}
	if o.Store != nil {
		m.reg.MustRegister(&storeCollector{st: o.Store, now: o.Now})
	}
	m.other = m.instruments("unmatched", "unmatched")
	m.history = newHistory(historySize)
	return m
}

// Registry is the registry behind /metrics and the dashboard.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Version is the version this instance reports.
func (m *Metrics) Version() string { return m.version }

// Instance names this process among the instances sharing the database.
func (m *Metrics) Instance() string { return m.instance }

// Started is when this instance started.
func (m *Metrics) Started() time.Time { return m.started }

// Handler serves the registry in the Prometheus text format. It leaves
// compression to the server in front (the app's gzip middleware), which would
// otherwise compress twice.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorHandling: promhttp.ContinueOnError,
		DisableCompression: true})
}

// buildVersion is the module version, or the VCS revision of a development build.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}

// storeCollector reads the job queue and the database size at each scrape.
type storeCollector struct {
	st  *store.Store
	now func() time.Time
}

var (
	jobsDesc   = prometheus.NewDesc(JobsGauge, "Jobs in the queue by state (queued, running, retrying, dead).", []string{"state"}, nil)
	oldestDesc = prometheus.NewDesc(OldestQueuedAge, "How long the oldest runnable job has waited, in seconds (0 when none waits).", nil, nil)
	dbSizeDesc = prometheus.NewDesc(DatabaseSize, "Size of the database on disk.", nil, nil)
)

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- jobsDesc
	ch <- oldestDesc
	ch <- dbSizeDesc
}

// Collect queries with a short deadline: a slow database must not hang a
// scrape, and a failed query reports the metric as invalid instead of zero.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	q, err := c.st.GetQueueStats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(jobsDesc, err)
	} else {
		for state, n := range map[string]int64{"queued": q.Queued, "running": q.Running, "retrying": q.Retrying, "dead": q.Dead} {
			ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(n), state)
		}
		age := 0.0
		if q.OldestQueued != nil {
			age = max(0, c.now().Sub(*q.OldestQueued).Seconds())
		}
		ch <- prometheus.MustNewConstMetric(oldestDesc, prometheus.GaugeValue, age)
	}
	size, err := c.st.GetDatabaseSize(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(dbSizeDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(dbSizeDesc, prometheus.GaugeValue, float64(size))
}

// RouteGroup names the part of the app a route pattern belongs to; latency
// is reported per group.
func RouteGroup(pattern string) string {
	first, _, _ := strings.Cut(strings.TrimPrefix(pattern, "/"), "/")
	switch first {
	case "healthz", "readyz", "metrics":
		return "probe"
	case "static", "photos":
		return "assets"
	case "admin":
		return "admin"
	case "staff", "desk":
		return "staff"
	case "account", "bookings":
		return "account"
	}
	return "public"
}
