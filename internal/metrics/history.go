package metrics

import (
	"context"
	"math"
	"sort"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// historySize is how many snapshots the dashboard keeps: ten minutes at one
// every five seconds. The history lives in this process only; Prometheus is
// the place for anything longer.
const historySize = 120

// minSampleGap keeps page loads and the ticker from sampling twice in a row.
const minSampleGap = 4 * time.Second

// Histogram is one cumulative latency histogram as gathered.
type Histogram struct {
	Bounds []float64 // upper bounds, ascending, without +Inf
	Counts []float64 // cumulative count per bound
	Count  float64
	Sum    float64
}

// Pool is one connection pool as database/sql reports it.
type Pool struct {
	MaxOpen, Open, InUse, Idle float64
	WaitCount, WaitSeconds     float64 // cumulative
}

// Snapshot is the registry read at one instant: cumulative counters as they
// are, gauges as they were.
type Snapshot struct {
	At                      time.Time
	Requests, Errors        float64 // all requests and 5xx answers, cumulative
	Groups                  map[string]Histogram
	Goroutines, HeapBytes   float64
	GCCount, GCPauseSeconds float64 // cumulative
	CPUSeconds, RSSBytes    float64
	Pools                   map[string]Pool
	Jobs                    map[string]float64 // queued, running, retrying, dead
	OldestQueuedSeconds     float64
	DatabaseBytes           float64
	UptimeSeconds           float64
}

// History is a ring of snapshots.
type History struct {
	mu   sync.Mutex
	ring []Snapshot
	next int
	full bool
}

func newHistory(n int) *History { return &History{ring: make([]Snapshot, n)} }

func (h *History) add(s Snapshot) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ring[h.next] = s
	h.next = (h.next + 1) % len(h.ring)
	h.full = h.full || h.next == 0
}

// All returns the snapshots, oldest first.
func (h *History) All() []Snapshot {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.full {
		return append([]Snapshot(nil), h.ring[:h.next]...)
	}
	return append(append([]Snapshot(nil), h.ring[h.next:]...), h.ring[:h.next]...)
}

func (h *History) last() (Snapshot, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.full && h.next == 0 {
		return Snapshot{}, false
	}
	return h.ring[(h.next-1+len(h.ring))%len(h.ring)], true
}

// History is the snapshots taken so far.
func (m *Metrics) History() *History { return m.history }

// Sample reads the registry and keeps the snapshot, unless one was taken in
// the last few seconds; it returns the newest snapshot either way.
func (m *Metrics) Sample() (Snapshot, error) {
	now := m.now()
	if s, ok := m.history.last(); ok && now.Sub(s.At) < minSampleGap && !now.Before(s.At) {
		return s, nil
	}
	families, err := m.reg.Gather()
	// Gather reports a failed collector (the database being down) and still
	// returns everything else; the snapshot keeps what it got.
	s := snapshotOf(now, families)
	m.history.add(s)
	return s, err
}

func snapshotOf(at time.Time, families []*dto.MetricFamily) Snapshot {
	s := Snapshot{At: at, Groups: map[string]Histogram{}, Pools: map[string]Pool{}, Jobs: map[string]float64{}}
	for _, f := range families {
		for _, mt := range f.GetMetric() {
			s.read(f.GetName(), mt)
		}
	}
	return s
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Untyped != nil:
		return m.Untyped.GetValue()
	}
	return 0
}

func (s *Snapshot) read(name string, m *dto.Metric) {
	v := value(m)
	switch name {
	case RequestsTotal:
		s.Requests += v
		if label(m, "code") == "5xx" {
			s.Errors += v
		}
	case RequestDuration:
		s.Groups[label(m, "group")] = histogramOf(m.GetHistogram())
	case "go_goroutines":
		s.Goroutines = v
	case "go_memstats_heap_alloc_bytes":
		s.HeapBytes = v
	case "go_gc_duration_seconds":
		s.GCCount, s.GCPauseSeconds = float64(m.GetSummary().GetSampleCount()), m.GetSummary().GetSampleSum()
	case "process_cpu_seconds_total":
		s.CPUSeconds = v
	case "process_resident_memory_bytes":
		s.RSSBytes = v
	case JobsGauge:
		s.Jobs[label(m, "state")] = v
	case OldestQueuedAge:
		s.OldestQueuedSeconds = v
	case DatabaseSize:
		s.DatabaseBytes = v
	case Uptime:
		s.UptimeSeconds = v
	default:
		s.readPool(name, m, v)
	}
}

func (s *Snapshot) readPool(name string, m *dto.Metric, v float64) {
	db := label(m, "db_name")
	if db == "" {
		return
	}
	p := s.Pools[db]
	switch name {
	case "go_sql_max_open_connections":
		p.MaxOpen = v
	case "go_sql_open_connections":
		p.Open = v
	case "go_sql_in_use_connections":
		p.InUse = v
	case "go_sql_idle_connections":
		p.Idle = v
	case "go_sql_wait_count_total":
		p.WaitCount = v
	case "go_sql_wait_duration_seconds_total":
		p.WaitSeconds = v
	default:
		return
	}
	s.Pools[db] = p
}

func histogramOf(h *dto.Histogram) Histogram {
	out := Histogram{Count: float64(h.GetSampleCount()), Sum: h.GetSampleSum()}
	for _, b := range h.GetBucket() {
		if math.IsInf(b.GetUpperBound(), 1) {
			continue
		}
		out.Bounds = append(out.Bounds, b.GetUpperBound())
		out.Counts = append(out.Counts, float64(b.GetCumulativeCount()))
	}
	return out
}

// Sub is the histogram of the observations made between old and h.
func (h Histogram) Sub(old Histogram) Histogram {
	out := Histogram{Bounds: h.Bounds, Counts: make([]float64, len(h.Counts)), Count: h.Count - old.Count, Sum: h.Sum - old.Sum}
	for i := range h.Counts {
		out.Counts[i] = h.Counts[i]
		if i < len(old.Counts) {
			out.Counts[i] -= old.Counts[i]
		}
	}
	return out
}

// Add merges two histograms with the same bounds.
func (h Histogram) Add(o Histogram) Histogram {
	if h.Bounds == nil {
		return o
	}
	out := Histogram{Bounds: h.Bounds, Counts: make([]float64, len(h.Counts)), Count: h.Count + o.Count, Sum: h.Sum + o.Sum}
	for i := range h.Counts {
		out.Counts[i] = h.Counts[i]
		if i < len(o.Counts) {
			out.Counts[i] += o.Counts[i]
		}
	}
	return out
}

// Quantile estimates the q-quantile (0..1) as Prometheus' histogram_quantile
// does: linear within the bucket that holds it. It returns NaN without data;
// past the last finite bound it returns that bound.
func (h Histogram) Quantile(q float64) float64 {
	if h.Count <= 0 || len(h.Bounds) == 0 {
		return math.NaN()
	}
	rank := q * h.Count
	i := sort.Search(len(h.Counts), func(i int) bool { return h.Counts[i] >= rank })
	if i == len(h.Counts) {
		return h.Bounds[len(h.Bounds)-1]
	}
	lower, below := 0.0, 0.0
	if i > 0 {
		lower, below = h.Bounds[i-1], h.Counts[i-1]
	}
	in := h.Counts[i] - below
	if in <= 0 {
		return h.Bounds[i]
	}
	return lower + (h.Bounds[i]-lower)*(rank-below)/in
}

// Run samples the registry every interval until ctx ends, so the dashboard
// has a history of the last minutes when an admin opens it.
func (m *Metrics) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_, _ = m.Sample() // a failed collector shows on the dashboard, not here
		}
	}
}
