package metrics

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// The alert check must see the traffic of every instance, not only its own:
// each instance writes its request counts, 5xx counts and latency buckets per
// minute and route group to the database every few seconds (the Reporter),
// and the check adds up every instance's rows of its window. Counting a
// request stays what it was (the Prometheus instruments, in memory); the
// reporter reads the instruments' totals and writes what changed.

// reportKeep is how long request minutes are kept, well past alertWindow.
const reportKeep = 2 * time.Hour

// newInstanceID names this process: host, pid and random bytes, so a
// restarted process is a new instance and two containers with the same host
// name and pid are told apart.
func newInstanceID() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// groupTotals are one route group's requests: totals since the start, or
// those of one minute.
type groupTotals struct {
	requests, errors float64
	bounds           []float64
	buckets          []float64 // per bucket, not cumulative; len(bounds)+1
}

func newGroupTotals() groupTotals {
	return groupTotals{bounds: latencyBounds, buckets: make([]float64, len(latencyBounds)+1)}
}

// add adds (sign 1) or takes away (sign -1) o; both have latencyBounds.
func (g *groupTotals) add(o groupTotals, sign float64) {
	g.requests += sign * o.requests
	g.errors += sign * o.errors
	for i := range g.buckets {
		if i < len(o.buckets) {
			g.buckets[i] += sign * o.buckets[i]
		}
	}
}

// minuteTotals is what one minute of this instance holds so far.
type minuteTotals struct {
	groups    map[string]*groupTotals
	poolWaits float64
}

// Reporter writes this instance's request figures to the database.
type Reporter struct {
	m      *Metrics
	st     *store.Store
	logger *slog.Logger

	mu        sync.Mutex // the ticker and the flush at shutdown
	last      map[string]groupTotals
	lastWaits float64
	minutes   map[time.Time]*minuteTotals // not yet written in full
}

// NewReporter builds the reporter of m's instance; logger may be nil.
func NewReporter(m *Metrics, st *store.Store, logger *slog.Logger) *Reporter {
	if logger == nil {
		logger = slog.Default()
	}
	return &Reporter{m: m, st: st, logger: logger, last: map[string]groupTotals{},
		minutes: map[time.Time]*minuteTotals{}}
}

// Run flushes every interval until ctx ends. The caller flushes once more
// after the server has drained (Flush), so the last requests count too.
func (r *Reporter) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.Flush(ctx, r.m.now()); err != nil && ctx.Err() == nil {
				r.logger.Warn("metrics: writing request minutes", "err", err)
			}
		}
	}
}

// Flush adds what the instruments counted since the last flush to the
// minute of now, and writes the minutes not yet written in full (the
// current one, and an earlier one if the last write failed). A minute before
// now's is complete once written; older unwritten ones are dropped after
// reportKeep.
func (r *Reporter) Flush(ctx context.Context, now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	minute := now.UTC().Truncate(time.Minute)
	totals, err := r.read()
	if err != nil {
		return err
	}
	cur := r.minutes[minute]
	if cur == nil {
		cur = &minuteTotals{groups: map[string]*groupTotals{}}
		r.minutes[minute] = cur
	}
	for g, t := range totals {
		d := newGroupTotals()
		d.add(t, 1)
		if old, ok := r.last[g]; ok {
			d.add(old, -1)
		}
		if d.requests == 0 && sum(d.buckets) == 0 {
			continue
		}
		acc := cur.groups[g]
		if acc == nil {
			t := newGroupTotals()
			acc = &t
			cur.groups[g] = acc
		}
		acc.add(d, 1)
	}
	r.last = totals
	waits := r.poolWaits()
	cur.poolWaits += max(0, waits-r.lastWaits)
	r.lastWaits = waits

	var reqs []store.RequestMinute
	var pools []store.PoolWaitMinute
	for at, mt := range r.minutes {
		for g, t := range mt.groups {
			row := store.RequestMinute{Minute: at, Instance: r.m.instance, RouteGroup: g,
				Requests: int64(t.requests), Errors: int64(t.errors), Bounds: t.bounds}
			for _, b := range t.buckets {
				row.Buckets = append(row.Buckets, int64(b))
			}
			reqs = append(reqs, row)
		}
		if mt.poolWaits > 0 {
			pools = append(pools, store.PoolWaitMinute{Minute: at, Instance: r.m.instance, Waits: int64(mt.poolWaits)})
		}
	}
	err = r.st.SaveInstanceMinutes(ctx, reqs, pools, now.Add(-reportKeep))
	for at := range r.minutes {
		if (err == nil && at.Before(minute)) || at.Before(now.Add(-reportKeep)) {
			delete(r.minutes, at)
		}
	}
	return err
}

// read is the totals since the start per route group: requests and 5xx from
// the request counter (labelled by pattern, grouped here as the histogram
// is), latency buckets from the histogram.
func (r *Reporter) read() (map[string]groupTotals, error) {
	families, err := r.m.reqReg.Gather()
	if err != nil {
		return nil, fmt.Errorf("metrics: gather request instruments: %w", err)
	}
	out := map[string]groupTotals{}
	group := func(g string) groupTotals {
		if t, ok := out[g]; ok {
			return t
		}
		return newGroupTotals()
	}
	for _, f := range families {
		for _, mt := range f.GetMetric() {
			switch f.GetName() {
			case RequestsTotal:
				route := label(mt, "route")
				g := RouteGroup(route)
				if route == "unmatched" {
					g = "unmatched"
				}
				t := group(g)
				v := mt.GetCounter().GetValue()
				t.requests += v
				if label(mt, "code") == "5xx" {
					t.errors += v
				}
				out[g] = t
			case RequestDuration:
				h := histogramOf(mt.GetHistogram())
				t := group(label(mt, "group"))
				below := 0.0
				for i, c := range h.Counts {
					t.buckets[i] = c - below
					below = c
				}
				t.buckets[len(h.Bounds)] = h.Count - below
				out[label(mt, "group")] = t
			}
		}
	}
	return out, nil
}

// poolWaits is how often the instance's pools made a query wait, in total.
func (r *Reporter) poolWaits() float64 {
	var n float64
	for _, db := range r.m.pools {
		n += float64(db.Stats().WaitCount)
	}
	return n
}

func sum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}

// mergeMinutes adds up request rows of any instances and groups: a latency
// histogram summed by bound (as Prometheus' sum by (le)), requests and 5xx.
func mergeMinutes(rows []store.RequestMinute) (h Histogram, requests, errors float64) {
	byBound := map[float64]float64{}
	var past float64 // requests past every bound of their row
	for _, r := range rows {
		requests += float64(r.Requests)
		errors += float64(r.Errors)
		for i, n := range r.Buckets {
			if i < len(r.Bounds) {
				byBound[r.Bounds[i]] += float64(n)
			} else {
				past += float64(n)
			}
		}
	}
	for b := range byBound {
		h.Bounds = append(h.Bounds, b)
	}
	sort.Float64s(h.Bounds)
	var cum float64
	for _, b := range h.Bounds {
		cum += byBound[b]
		h.Counts = append(h.Counts, cum)
	}
	h.Count = cum + past
	if h.Count == 0 {
		h = Histogram{}
	}
	return h, requests, errors
}
