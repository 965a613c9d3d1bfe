package metrics

import (
	"math"
	"sort"
	"time"
)

// System is what the dashboard's system panel shows: rates over a recent
// window (from the difference of two snapshots, as Prometheus' rate()
// does) and the gauges of the newest snapshot, plus series for charts.
type System struct {
	Latest Snapshot
	Window time.Duration // what the rates cover; 0 until two snapshots exist
	// RequestsPerSecond and ErrorRate (5xx ÷ all, 0..1) over Window.
	RequestsPerSecond, ErrorRate float64
	// CPUPercent is process CPU time over wall time in Window (100 = one core).
	CPUPercent float64
	// P95 is the 95th percentile latency of all requests in Window (seconds).
	P95    float64
	Groups []GroupLatency
	Pools  []PoolStats
	// Per pair of consecutive snapshots, for the charts.
	Times      []time.Time
	RateSeries []float64
	P95Series  []float64 // seconds, all groups together
	ErrSeries  []float64 // 0..1
	HeapSeries []float64 // bytes at each snapshot after the first
}

// GroupLatency is the latency of one route group over the window, in seconds
// (NaN without requests).
type GroupLatency struct {
	Group         string
	Requests      float64
	P50, P95, P99 float64
}

// PoolStats is one pool now, with the waits counted in the window.
type PoolStats struct {
	Name string
	Pool
	Waits       float64
	WaitSeconds float64
}

// Summarize works out the panel from the history (oldest first): rates from
// the newest snapshot against the newest one at least window older (or the
// oldest kept).
func Summarize(snaps []Snapshot, window time.Duration) System {
	var sys System
	if len(snaps) == 0 {
		return sys
	}
	last := snaps[len(snaps)-1]
	sys.Latest = last
	base := snaps[0]
	for i := len(snaps) - 2; i >= 0; i-- {
		base = snaps[i]
		if last.At.Sub(snaps[i].At) >= window {
			break
		}
	}
	sys.Window = last.At.Sub(base.At)
	names := make([]string, 0, len(last.Groups))
	for g := range last.Groups {
		names = append(names, g)
	}
	sort.Strings(names)
	overall := Histogram{}
	for _, g := range names {
		d := last.Groups[g].Sub(base.Groups[g])
		if sys.Window <= 0 {
			d = Histogram{}
		}
		overall = overall.Add(d)
		sys.Groups = append(sys.Groups, GroupLatency{Group: g, Requests: d.Count,
			P50: d.Quantile(.5), P95: d.Quantile(.95), P99: d.Quantile(.99)})
	}
	sys.P95 = overall.Quantile(.95)
	pools := make([]string, 0, len(last.Pools))
	for p := range last.Pools {
		pools = append(pools, p)
	}
	sort.Strings(pools)
	for _, p := range pools {
		now, then := last.Pools[p], base.Pools[p]
		sys.Pools = append(sys.Pools, PoolStats{Name: p, Pool: now, Waits: now.WaitCount - then.WaitCount,
			WaitSeconds: now.WaitSeconds - then.WaitSeconds})
	}
	if secs := sys.Window.Seconds(); secs > 0 {
		sys.RequestsPerSecond, sys.ErrorRate = rates(base, last)
		sys.CPUPercent = 100 * (last.CPUSeconds - base.CPUSeconds) / secs
	}
	for i := 1; i < len(snaps); i++ {
		a, b := snaps[i-1], snaps[i]
		rps, errs := rates(a, b)
		all := Histogram{}
		for g, h := range b.Groups {
			all = all.Add(h.Sub(a.Groups[g]))
		}
		sys.Times = append(sys.Times, b.At)
		sys.RateSeries = append(sys.RateSeries, rps)
		sys.ErrSeries = append(sys.ErrSeries, errs)
		sys.P95Series = append(sys.P95Series, all.Quantile(.95))
		sys.HeapSeries = append(sys.HeapSeries, b.HeapBytes)
	}
	return sys
}

// rates is requests per second and the 5xx share between two snapshots.
func rates(a, b Snapshot) (rps, errRate float64) {
	secs := b.At.Sub(a.At).Seconds()
	n := b.Requests - a.Requests
	if secs <= 0 || n < 0 {
		return math.NaN(), math.NaN()
	}
	if n > 0 {
		errRate = (b.Errors - a.Errors) / n
	}
	return n / secs, errRate
}
