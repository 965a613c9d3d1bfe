package bench

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rentdesk/rentdesk/internal/jobs"
)

// The soak run: a mix of browsing, booking, desk and dashboard views for a
// bounded time on one server, then the invariants (no unit promised twice,
// no line short of its units, no bulk stock over capacity), the job queue
// (nothing stuck, nothing discarded without a reason) and the server's
// memory and goroutines before and after.

// Bounds of growth over a soak: goroutines may grow by at most
// soakGoroutineSlack plus a tenth, the heap in use by at most half plus
// soakHeapSlack (one GC cycle's garbage is not a leak).
const (
	soakGoroutineSlack = 20
	soakHeapSlack      = 32 << 20
)

// ProcessSample is what the server's /metrics says about itself.
type ProcessSample struct {
	Goroutines float64 `json:"goroutines"`
	HeapInuse  float64 `json:"heap_inuse_bytes"`
	RSS        float64 `json:"resident_bytes"`
}

// SoakResult is what the soak found.
type SoakResult struct {
	Duration   string         `json:"duration"`
	Requests   int            `json:"requests"`
	Errors     int            `json:"errors"`
	RPS        float64        `json:"req_per_s"`
	Outcomes   map[string]int `json:"outcomes"`
	Start      ProcessSample  `json:"start"`
	End        ProcessSample  `json:"end"`
	Invariants map[string]int `json:"invariants"`
	Jobs       map[string]int `json:"jobs"`
	Failures   []string       `json:"failures"`
}

// parseProcessSample reads the Go runtime's gauges from a Prometheus text
// exposition.
func parseProcessSample(text string) (ProcessSample, error) {
	var s ProcessSample
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		var dst *float64
		switch name {
		case "go_goroutines":
			dst = &s.Goroutines
		case "go_memstats_heap_inuse_bytes":
			dst = &s.HeapInuse
		case "process_resident_memory_bytes":
			dst = &s.RSS
		default:
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			return s, fmt.Errorf("bench: metric %s: %w", name, err)
		}
		*dst = v
	}
	if s.Goroutines == 0 || s.HeapInuse == 0 {
		return s, fmt.Errorf("bench: /metrics has no go_goroutines or go_memstats_heap_inuse_bytes")
	}
	return s, sc.Err()
}

// lowestOf takes the lowest of a few samples: garbage not yet collected and
// requests still finishing are not growth.
func lowestOf(xs []ProcessSample) ProcessSample {
	out := xs[0]
	for _, x := range xs[1:] {
		out.Goroutines = min(out.Goroutines, x.Goroutines)
		out.HeapInuse = min(out.HeapInuse, x.HeapInuse)
		out.RSS = min(out.RSS, x.RSS)
	}
	return out
}

// growthFailures says which of goroutines and heap grew beyond the bounds.
func growthFailures(start, end ProcessSample) []string {
	var out []string
	if end.Goroutines > start.Goroutines*1.1+soakGoroutineSlack {
		out = append(out, fmt.Sprintf("goroutines grew from %.0f to %.0f (bound: +10%% +%d)", start.Goroutines, end.Goroutines, soakGoroutineSlack))
	}
	if end.HeapInuse > start.HeapInuse*1.5+soakHeapSlack {
		out = append(out, fmt.Sprintf("heap in use grew from %.1f to %.1f MiB (bound: +50%% +%d MiB)",
			start.HeapInuse/(1<<20), end.HeapInuse/(1<<20), soakHeapSlack>>20))
	}
	return out
}

// invariantFailures lists every invariant and job count that is not 0.
func invariantFailures(inv, jobs map[string]int) []string {
	var out []string
	for _, k := range sortedKeys(inv) {
		if inv[k] != 0 {
			out = append(out, fmt.Sprintf("%s: %d", k, inv[k]))
		}
	}
	for _, k := range []string{"stuck", "discarded without a reason"} {
		if jobs[k] != 0 {
			out = append(out, fmt.Sprintf("jobs %s: %d", k, jobs[k]))
		}
	}
	return out
}

// sampleProcess scrapes /metrics a few times, a second apart.
func sampleProcess(ctx context.Context, base, token string) (ProcessSample, error) {
	var xs []ProcessSample
	for i := 0; i < 3; i++ {
		if i > 0 {
			time.Sleep(time.Second)
		}
		req, err := http.NewRequestWithContext(ctx, "GET", base+"/metrics", nil)
		if err != nil {
			return ProcessSample{}, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return ProcessSample{}, err
		}
		var b strings.Builder
		_, err = bufio.NewReader(res.Body).WriteTo(&b)
		res.Body.Close()
		if err != nil {
			return ProcessSample{}, err
		}
		if res.StatusCode != http.StatusOK {
			return ProcessSample{}, fmt.Errorf("bench: /metrics: status %d", res.StatusCode)
		}
		x, err := parseProcessSample(b.String())
		if err != nil {
			return ProcessSample{}, err
		}
		xs = append(xs, x)
	}
	return lowestOf(xs), nil
}

// checkInvariants counts, among what was written since since, units promised
// twice, serialized lines short of units and bulk lines over their stock.
func checkInvariants(ctx context.Context, db *sql.DB, since time.Time) (map[string]int, error) {
	out, err := checkOverbooking(ctx, db, since)
	if err != nil {
		return nil, err
	}
	var n int
	err = db.QueryRowContext(ctx, `
SELECT count(*) FROM booking_lines l
JOIN bookings b ON b.id = l.booking_id JOIN items i ON i.id = l.item_id
JOIN bulk_stock bs ON bs.item_id = l.item_id AND bs.location_id = b.location_id
WHERE l.created_at >= $1 AND i.tracking = 'bulk' AND b.status IN ('hold', 'confirmed', 'out')
  AND bulk_peak(l.item_id, b.location_id, tstzrange(l.starts_at, l.ends_at), now(), 0) > bs.quantity`, since).Scan(&n)
	if err != nil {
		return nil, fmt.Errorf("bench: bulk capacity check: %w", err)
	}
	out["bulk lines over stock"] = n
	return out, nil
}

// checkJobs waits up to wait for the queue to settle, then counts jobs by
// state, the stuck ones (due or running for over a minute) and the
// discarded ones without a recorded error.
func checkJobs(ctx context.Context, db *sql.DB, since time.Time, wait time.Duration) (map[string]int, error) {
	// A job is stuck when due for over a minute, or running for a minute
	// past its timeout: a minute for most, longer for the metrics rollup,
	// whose first run on a large data set backfills for minutes.
	const stuckSQL = `
SELECT count(*) FROM river_job
WHERE (state IN ('available', 'retryable') AND scheduled_at < now() - interval '1 minute')
   OR (state = 'running' AND attempted_at < now() - interval '1 minute'
       - CASE WHEN kind = $1 THEN $2 * interval '1 second' ELSE interval '1 minute' END)`
	out := map[string]int{}
	deadline := time.Now().Add(wait)
	for {
		var pending int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE state IN ('available', 'running') AND created_at >= $1`, since).Scan(&pending); err != nil {
			return nil, fmt.Errorf("bench: job check: %w", err)
		}
		if pending == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	rows, err := db.QueryContext(ctx, `SELECT state, count(*) FROM river_job WHERE created_at >= $1 GROUP BY state`, since)
	if err != nil {
		return nil, fmt.Errorf("bench: job check: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, err
		}
		out[state] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var stuck, silent int
	if err := db.QueryRowContext(ctx, stuckSQL, jobs.MetricsRollupArgs{}.Kind(), jobs.MetricsRollupTimeout.Seconds()).Scan(&stuck); err != nil {
		return nil, fmt.Errorf("bench: job check: %w", err)
	}
	if err := db.QueryRowContext(ctx, `
SELECT count(*) FROM river_job WHERE state = 'discarded' AND created_at >= $1 AND coalesce(array_length(errors, 1), 0) = 0`, since).Scan(&silent); err != nil {
		return nil, fmt.Errorf("bench: job check: %w", err)
	}
	out["stuck"] = stuck
	out["discarded without a reason"] = silent
	return out, nil
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// soakStep is one kind of request of the soak's mix.
type soakStep struct {
	kind string
	step step
}

// mixed cycles through the kinds, each worker starting at its own place, so
// every kind runs all the time; a flow's own outcomes keep their name.
func mixed(kinds []soakStep) step {
	return func(w, i int) (string, error) {
		k := kinds[(w+i)%len(kinds)]
		out, err := k.step(w, i/len(kinds))
		if out == "" {
			out = k.kind
		} else {
			out = k.kind + ": " + out
		}
		return out, err
	}
}

// runSoak drives the mix for d and checks what it left behind.
func runSoak(ctx context.Context, db *sql.DB, base, token string, n int, d time.Duration, mix step) (*SoakResult, error) {
	since := time.Now()
	start, err := sampleProcess(ctx, base, token)
	if err != nil {
		return nil, err
	}
	stdLogf("soak for %s: start %.0f goroutines, %.1f MiB heap in use", d, start.Goroutines, start.HeapInuse/(1<<20))
	res := drive(ctx, n, d, mix)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	jobs, err := checkJobs(ctx, db, since, 30*time.Second)
	if err != nil {
		return nil, err
	}
	end, err := sampleProcess(ctx, base, token)
	if err != nil {
		return nil, err
	}
	inv, err := checkInvariants(ctx, db, since)
	if err != nil {
		return nil, err
	}
	r := &SoakResult{Duration: d.String(), Requests: res.n, Errors: res.errs, RPS: float64(res.n) / res.elapsed.Seconds(),
		Outcomes: res.other, Start: start, End: end, Invariants: inv, Jobs: jobs}
	r.Failures = append(invariantFailures(inv, jobs), growthFailures(start, end)...)
	if res.errs > 0 {
		r.Failures = append(r.Failures, fmt.Sprintf("%d requests failed", res.errs))
	}
	stdLogf("soak: %d requests, %d errors; end %.0f goroutines, %.1f MiB heap in use; failures %v",
		res.n, res.errs, end.Goroutines, end.HeapInuse/(1<<20), r.Failures)
	return r, nil
}
