package metrics

import (
	"math"
	"testing"
	"time"
)

func seriesOf(t *testing.T, m *Metrics, name string) int {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == name {
			return len(f.GetMetric())
		}
	}
	return 0
}

// Each server has a registry of its own, so building several (as tests do)
// never meets "duplicate metrics collector registration".
func TestNewTwiceRegistersAgain(t *testing.T) {
	a, b := New(Options{Version: "a"}), New(Options{Version: "b"})
	if a.Registry() == b.Registry() {
		t.Fatal("registries are shared")
	}
	if n := seriesOf(t, b, "go_goroutines"); n != 1 {
		t.Fatalf("go collector series: %d", n)
	}
}

// Unknown patterns and methods fold into one "unmatched" label set.
func TestObserveRequestLabelsByKnownPatternOnly(t *testing.T) {
	m := New(Options{})
	m.AddRoute("GET", "/items/:slug")
	before := seriesOf(t, m, RequestsTotal)
	for i := range 1000 {
		m.ObserveRequest("GET", "/junk/"+string(rune('a'+i%26))+time.Duration(i).String(), 404, time.Millisecond)
		m.ObserveRequest("BREW", "/items/:slug", 405, time.Millisecond)
	}
	m.ObserveRequest("GET", "/items/:slug", 200, time.Millisecond)
	if after := seriesOf(t, m, RequestsTotal); after != before {
		t.Fatalf("series grew from %d to %d", before, after)
	}
	s, err := m.Sample()
	if err != nil {
		t.Fatal(err)
	}
	if s.Requests != 2001 || s.Errors != 0 {
		t.Fatalf("requests %v errors %v", s.Requests, s.Errors)
	}
	if got := s.Groups["unmatched"].Count; got != 2000 {
		t.Fatalf("unmatched observations %v", got)
	}
	if got := s.Groups["public"].Count; got != 1 {
		t.Fatalf("public observations %v", got)
	}
}

func TestQuantileInterpolatesInsideTheBucket(t *testing.T) {
	h := Histogram{Bounds: []float64{0.1, 0.2, 0.4}, Counts: []float64{50, 90, 100}, Count: 100}
	for _, c := range []struct{ q, want float64 }{{0.5, 0.1}, {0.25, 0.05}, {0.7, 0.15}, {0.95, 0.3}, {1, 0.4}} {
		if got := h.Quantile(c.q); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("q%.2f = %v, want %v", c.q, got, c.want)
		}
	}
	if !math.IsNaN((Histogram{}).Quantile(0.5)) {
		t.Error("empty histogram has a quantile")
	}
	over := Histogram{Bounds: []float64{0.1}, Counts: []float64{1}, Count: 10}
	if got := over.Quantile(0.99); got != 0.1 {
		t.Errorf("past the last bound: %v", got)
	}
}

func TestHistoryKeepsTheNewestInOrder(t *testing.T) {
	h := newHistory(3)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		h.add(Snapshot{At: base.Add(time.Duration(i) * time.Second)})
	}
	all := h.All()
	if len(all) != 3 || all[0].At.Second() != 2 || all[2].At.Second() != 4 {
		t.Fatalf("history %v", all)
	}
}

func TestRouteGroup(t *testing.T) {
	for pattern, want := range map[string]string{"/": "public", "/items/:slug": "public", "/admin/users": "admin",
		"/desk": "staff", "/staff/items/:id": "staff", "/bookings/:id": "account", "/static/*": "assets", "/healthz": "probe"} {
		if got := RouteGroup(pattern); got != want {
			t.Errorf("%s: %s, want %s", pattern, got, want)
		}
	}
}

// BenchmarkObserveRequest is the whole per-request work of the request
// metrics: a map lookup and three atomic adds, without allocation.
func BenchmarkObserveRequest(b *testing.B) {
	m := New(Options{Version: "bench"})
	m.AddRoute("GET", "/items/:slug")
	b.ReportAllocs()
	for b.Loop() {
		m.ObserveRequest("GET", "/items/:slug", 200, 1500*time.Microsecond)
	}
}

func TestRateCardValue(t *testing.T) {
	p := func(v int64) *int64 { return &v }
	for _, c := range []struct {
		hours           float64
		hour, day, week *int64
		want            float64
	}{
		{48, p(500), p(4000), p(20000), 8000},
		{3, p(500), nil, nil, 1500},
		{84, nil, nil, p(14000), 7000},
		{10, nil, nil, nil, 0},
	} {
		if got := RateCardValue(c.hours, c.hour, c.day, c.week); got != c.want {
			t.Errorf("%v h: %v, want %v", c.hours, got, c.want)
		}
	}
}

// Rates and percentiles come from the difference of two snapshots a window apart.
func TestSummarize(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	bounds := []float64{0.1, 0.2, 0.4}
	snap := func(at time.Time, reqs, errs float64, counts []float64, cpu, waits float64) Snapshot {
		return Snapshot{At: at, Requests: reqs, Errors: errs, CPUSeconds: cpu,
			Groups: map[string]Histogram{"public": {Bounds: bounds, Counts: counts, Count: counts[2]}},
			Pools:  map[string]Pool{"app": {Open: 3, WaitCount: waits}}}
	}
	snaps := []Snapshot{
		snap(t0, 100, 1, []float64{50, 90, 100}, 10, 2),
		snap(t0.Add(30*time.Second), 150, 1, []float64{80, 140, 150}, 11, 2),
		snap(t0.Add(60*time.Second), 300, 7, []float64{130, 240, 300}, 13, 5),
	}
	s := Summarize(snaps, time.Minute)
	if s.Window != time.Minute || s.RequestsPerSecond != 200.0/60 || s.ErrorRate != 6.0/200 || s.CPUPercent != 5 {
		t.Errorf("window %v rps %v err %v cpu %v", s.Window, s.RequestsPerSecond, s.ErrorRate, s.CPUPercent)
	}
	// 200 requests in the minute: 80 ≤ 0.1 s, 150 ≤ 0.2 s, 200 ≤ 0.4 s; p95 is rank 190 → 0.2 + 0.2 × 40/50.
	if g := s.Groups[0]; g.Requests != 200 || math.Abs(g.P95-0.36) > 1e-9 || math.Abs(s.P95-0.36) > 1e-9 {
		t.Errorf("group %+v p95 %v", g, s.P95)
	}
	if p := s.Pools[0]; p.Name != "app" || p.Waits != 3 || p.Open != 3 {
		t.Errorf("pool %+v", p)
	}
	if len(s.RateSeries) != 2 || s.RateSeries[1] != 5 || s.ErrSeries[1] != 0.04 {
		t.Errorf("series %v %v", s.RateSeries, s.ErrSeries)
	}
}
