package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Report is what one run of the benchmark measured.
type Report struct {
	At          time.Time        `json:"at"`
	Commit      string           `json:"commit"`
	Machine     string           `json:"machine"`
	Cores       int              `json:"cores"`
	Go          string           `json:"go"`
	PostgreSQL  string           `json:"postgresql"`
	Dataset     map[string]int64 `json:"dataset"`
	Size        string           `json:"size"`
	Concurrency int              `json:"concurrency"`
	Duration    string           `json:"duration_per_round"`
	Rounds      int              `json:"rounds"`
	Scenarios   []ScenarioResult `json:"scenarios"`
	Plans       []Plan           `json:"plans"`
	// Instrumentation is 1 − (bare handler with the app's metrics and
	// logging middleware ÷ bare handler): the share of the rate they cost.
	Instrumentation float64 `json:"instrumentation_cost"`
	// InstrumentationPaired: when set, Instrumentation was measured in
	// alternating slices of the two (see paired) as the share of the
	// server's CPU per request, not from the table's two rows.
	InstrumentationPaired *PairedCost    `json:"instrumentation_paired,omitempty"`
	Overbooking           map[string]int `json:"overbooking"`
	Outcomes              map[string]int `json:"hold_outcomes,omitempty"`
	Soak                  *SoakResult    `json:"soak,omitempty"`
	// ShortDataset and Growth: the same shop with a short history
	// (large-short) served beside the large one; Growth is large ÷
	// large-short (its small_req_per_s is large-short's rate), the ratio the
	// growth target is judged on.
	ShortDataset map[string]int64 `json:"short_dataset,omitempty"`
	Growth       []Growth         `json:"growth,omitempty"`
	// SmallDataset and GrowthSmall: the small data set served beside the
	// large one; large ÷ small mixes a 16 times bigger catalog into the
	// history's growth, shown for comparison only.
	SmallDataset map[string]int64 `json:"small_dataset,omitempty"`
	GrowthSmall  []Growth         `json:"growth_catalog_and_history,omitempty"`
	// Driver: lib/pq (large_req_per_s) against pgx (small_req_per_s).
	Driver []Growth          `json:"driver_libpq_vs_pgx,omitempty"`
	Notes  []string          `json:"notes"`
	Extra  map[string]string `json:"extra,omitempty"`
}

// ScenarioResult is one scenario over all rounds: the median rate of the
// rounds, latency percentiles over every request.
type ScenarioResult struct {
	Name     string  `json:"name"`
	Who      string  `json:"who"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	RPS      float64 `json:"req_per_s"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
	VsBare   float64 `json:"ratio_to_bare"`
	VsOneQ   float64 `json:"ratio_to_one_query"`
	P99VsOne float64 `json:"p99_ratio_to_one_query"`
	// Steps: a flow's requests by step (hold creation), in flow order.
	Steps []StepResult `json:"steps,omitempty"`
	// HoldsMade is the median of the rounds' bookings made per second (a
	// POST /checkout answered with a redirect to the booking or payment).
	HoldsMade float64 `json:"holds_made_per_s,omitempty"`
}

// StepResult is one step of a flow over all rounds: its requests, their
// rate (median of the rounds) and their mean latency.
type StepResult struct {
	Name     string  `json:"name"`
	Requests int     `json:"requests"`
	RPS      float64 `json:"req_per_s"`
	Mean     float64 `json:"mean_ms"`
}

// stepResults sums the rounds' step counts, in flow order.
func stepResults(rs []roundResult) []StepResult {
	var out []StepResult
	for _, name := range holdSteps {
		st := StepResult{Name: name}
		var rates []float64
		var lat time.Duration
		for _, x := range rs {
			c := x.steps[name]
			st.Requests += c.n
			lat += c.lat
			rates = append(rates, float64(c.n)/x.elapsed.Seconds())
		}
		if st.Requests == 0 {
			continue
		}
		st.RPS, st.Mean = median(rates), ms(lat/time.Duration(st.Requests))
		out = append(out, st)
	}
	return out
}

// holdsMade is the median of the rounds' successful checkouts per second.
func holdsMade(rs []roundResult) float64 {
	var rates []float64
	for _, x := range rs {
		rates = append(rates, float64(x.other["booked"]+x.other["conflict booked"])/x.elapsed.Seconds())
	}
	return median(rates)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func buildReport(ctx context.Context, db *sql.DB, o Options, sz Size, dataNow time.Time, plans []Plan,
	scs []scenario, runs map[string][]roundResult, over map[string]int) *Report {
	r := &Report{At: time.Now().UTC(), Cores: runtime.NumCPU(), Go: runtime.Version(), Size: sz.Name,
		Concurrency: o.Concurrency, Duration: o.Duration.String(), Rounds: o.Rounds, Plans: plans,
		Overbooking: over, Outcomes: map[string]int{}, Dataset: map[string]int64{}}
	if out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		r.Commit = strings.TrimSpace(string(out))
	}
	r.Machine = cpuModel()
	db.QueryRowContext(ctx, `SELECT current_setting('server_version')`).Scan(&r.PostgreSQL)
	r.Dataset = datasetCounts(ctx, db)
	for _, sc := range scs {
		rs := runs[sc.Name]
		if len(rs) == 0 {
			continue
		}
		res := ScenarioResult{Name: sc.Name, Who: sc.Who}
		var rates []float64
		var lat []time.Duration
		for _, x := range rs {
			rates = append(rates, float64(x.n)/x.elapsed.Seconds())
			res.Requests += x.n
			res.Errors += x.errs
			lat = append(lat, x.lat...)
			for k, v := range x.other {
				r.Outcomes[k] += v
			}
		}
		slices.Sort(lat)
		res.RPS = median(rates)
		res.P50, res.P95, res.P99 = ms(percentile(lat, .50)), ms(percentile(lat, .95)), ms(percentile(lat, .99))
		if rs[0].steps != nil {
			res.Steps, res.HoldsMade = stepResults(rs), holdsMade(rs)
		}
		r.Scenarios = append(r.Scenarios, res)
	}
	r.ratios()
	r.Notes = append(r.Notes,
		fmt.Sprintf("data set generated for %s (seed %d); the app, PostgreSQL and the load generator share the machine's cores", dataNow.Format(time.RFC3339), Seed),
		"hold creation: one request = one whole flow (choose dates, add to cart, open checkout, confirm); its table by request gives the holds asked for (POST /checkout) and made per second",
		"desk scans: one request = one whole flow (a customer books a unit from the next hour, staff scan it out and check it in)",
		"signed webhook deliveries go to a second `rentdesk serve` on the same database with a Stripe webhook secret (Checkout Session events that call no Stripe API)")
	return r
}

// Names the report's ratios look for.
const (
	BareName         = "ceiling: bare handler"
	OneQueryName     = "ceiling: one-query page"
	InstrumentedName = "instrumentation: bare handler + metrics + request log"
)

// ratios fills each scenario's ratios to the two ceilings and the cost of
// instrumentation; a missing or zero ceiling leaves its ratios at 0.
func (r *Report) ratios() {
	var bare, one, instr *ScenarioResult
	for i := range r.Scenarios {
		switch r.Scenarios[i].Name {
		case BareName:
			bare = &r.Scenarios[i]
		case OneQueryName:
			one = &r.Scenarios[i]
		case InstrumentedName:
			instr = &r.Scenarios[i]
		}
	}
	r.Growth = growthPairs(r.Scenarios)
	r.GrowthSmall = pairs(r.Scenarios, SmallSuffix)
	r.Driver = driverPairs(r.Scenarios)
	if bare != nil && instr != nil && bare.RPS > 0 {
		r.Instrumentation = 1 - instr.RPS/bare.RPS
	}
	for i := range r.Scenarios {
		s := &r.Scenarios[i]
		if bare != nil && bare.RPS > 0 {
			s.VsBare = s.RPS / bare.RPS
		}
		if one != nil && one.RPS > 0 {
			s.VsOneQ = s.RPS / one.RPS
			if one.P99 > 0 {
				s.P99VsOne = s.P99 / one.P99
			}
		}
	}
}

// PairedCost is the instrumentation's cost measured in alternating slices
// of the bare and the instrumented handler (see paired).
type PairedCost struct {
	Slices int `json:"slices"`
	// CPU time (user and system) per request of the ceiling process and the
	// load generator together, as they share the machine's cores.
	BareCPUMicros         float64 `json:"bare_cpu_us_per_request"`
	InstrumentedCPUMicros float64 `json:"instrumented_cpu_us_per_request"`
	// The ceiling process's alone.
	BareServerCPUMicros         float64 `json:"bare_server_cpu_us_per_request"`
	InstrumentedServerCPUMicros float64 `json:"instrumented_server_cpu_us_per_request"`
	// CPUCost is 1 − bare ÷ instrumented CPU per request: the share of the
	// rate the instrumentation costs when the cores are the limit, as in
	// the table's rows. RateCost is 1 − instrumented ÷ bare req/s in the
	// same slices, which other work on the machine moves.
	CPUCost         float64 `json:"cpu_cost"`
	BareRPS         float64 `json:"bare_req_per_s"`
	InstrumentedRPS float64 `json:"instrumented_req_per_s"`
	RateCost        float64 `json:"rate_cost"`
}

// instrumentationCost reads paired's measurement of the bare (a) and the
// instrumented (b) handler.
func instrumentationCost(p pairedResult, slices int) PairedCost {
	c := PairedCost{Slices: slices}
	c.BareRPS, c.InstrumentedRPS = p.rates()
	if c.BareRPS > 0 {
		c.RateCost = 1 - c.InstrumentedRPS/c.BareRPS
	}
	if p.aN > 0 && p.bN > 0 {
		per := func(d time.Duration, n int) float64 { return float64(d.Nanoseconds()) / 1000 / float64(n) }
		c.BareServerCPUMicros, c.InstrumentedServerCPUMicros = per(p.aCPU, p.aN), per(p.bCPU, p.bN)
		c.BareCPUMicros, c.InstrumentedCPUMicros = per(p.aCPU+p.aClient, p.aN), per(p.bCPU+p.bClient, p.bN)
	}
	if c.InstrumentedCPUMicros > 0 {
		c.CPUCost = 1 - c.BareCPUMicros/c.InstrumentedCPUMicros
	}
	return c
}

// datasetCounts counts the rows of the tables that describe a data set.
func datasetCounts(ctx context.Context, db *sql.DB) map[string]int64 {
	out := map[string]int64{}
	for _, t := range []string{"locations", "items", "units", "users", "bookings", "booking_lines", "unit_allocations", "audit_log"} {
		var n int64
		db.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&n)
		out[t] = n
	}
	return out
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOOS + "/" + runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOOS + "/" + runtime.GOARCH
}

// Markdown renders the report's tables.
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s at commit %s: %s, %d cores; %s; PostgreSQL %s.\n",
		r.At.Format("2006-01-02 15:04 MST"), r.Commit, r.Machine, r.Cores, r.Go, r.PostgreSQL)
	fmt.Fprintf(&b, "Data set %q: %d items, %d units, %d customers and staff, %d bookings with %d lines, %d audit rows.\n",
		r.Size, r.Dataset["items"], r.Dataset["units"], r.Dataset["users"], r.Dataset["bookings"], r.Dataset["booking_lines"], r.Dataset["audit_log"])
	fmt.Fprintf(&b, "%d concurrent clients, %d interleaved rounds of %s per scenario; req/s is the median of the rounds.\n\n",
		r.Concurrency, r.Rounds, r.Duration)
	b.WriteString("| scenario | who | req/s | p50 ms | p95 ms | p99 ms | errors | × bare | × one-query | p99 × one-query |\n")
	b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, s := range r.Scenarios {
		fmt.Fprintf(&b, "| %s | %s | %.0f | %.1f | %.1f | %.1f | %d | %.3f | %.2f | %.1f |\n",
			s.Name, s.Who, s.RPS, s.P50, s.P95, s.P99, s.Errors, s.VsBare, s.VsOneQ, s.P99VsOne)
	}
	r.growthMarkdown(&b)
	if len(r.Driver) > 0 {
		b.WriteString("\nDriver: the parameterised scenarios on the same server built with lib/pq (shipped) and with pgx's database/sql driver (benchmark build), same data, same rounds (target lib/pq ÷ pgx ≥ 0.9):\n\n")
		b.WriteString("| scenario | lib/pq req/s | pgx req/s | lib/pq ÷ pgx |\n| --- | ---: | ---: | ---: |\n")
		for _, g := range r.Driver {
			fmt.Fprintf(&b, "| %s | %.0f | %.0f | %.2f |\n", g.Name, g.LargeRPS, g.SmallRPS, g.Ratio)
		}
	}
	how := "from the two rows above"
	if p := r.InstrumentationPaired; p != nil {
		how = fmt.Sprintf("measured as the CPU time per request of the serving process and the load generator in %d alternating slices of the two"+
			" (%.1f µs bare, %.1f µs instrumented; the server's alone %.1f and %.1f µs), which other work on the machine moves far less than the rates;"+
			" their rates in the same slices, %.0f and %.0f req/s, differ by %.1f%%",
			p.Slices, p.BareCPUMicros, p.InstrumentedCPUMicros, p.BareServerCPUMicros, p.InstrumentedServerCPUMicros, p.BareRPS, p.InstrumentedRPS, 100*p.RateCost)
	}
	fmt.Fprintf(&b, "\nInstrumentation (the app's request metrics and request log on the bare handler) costs %.1f%% of its rate, %s (target < 5%%).\n",
		100*r.Instrumentation, how)
	for _, s := range r.Scenarios {
		if len(s.Steps) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s, one flow per row above (%.0f flows/s), by request (req/s the median of the rounds; bookings made %.0f/s):\n\n", s.Name, s.RPS, s.HoldsMade)
		b.WriteString("| request | requests | req/s | mean ms |\n| --- | ---: | ---: | ---: |\n")
		for _, st := range s.Steps {
			fmt.Fprintf(&b, "| %s | %d | %.0f | %.1f |\n", st.Name, st.Requests, st.RPS, st.Mean)
		}
	}
	if len(r.Outcomes) > 0 {
		var keys []string
		for k := range r.Outcomes {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteString("\nOutcomes of the flows (holds, desk scans, webhooks):")
		for _, k := range keys {
			fmt.Fprintf(&b, " %s %d;", k, r.Outcomes[k])
		}
		b.WriteString("\n")
	}
	b.WriteString("Checks afterwards (each must be 0):")
	for _, k := range sortedKeys(r.Overbooking) {
		fmt.Fprintf(&b, " %s %d;", k, r.Overbooking[k])
	}
	if r.Soak != nil {
		b.WriteString("\n\n" + r.Soak.Markdown())
	}
	b.WriteString("\n\nPlans of the hot queries on this data (EXPLAIN ANALYZE, a sequential scan of a big table fails the run, and so does a prepared one planned again on every call):\n\n")
	b.WriteString("| query | ms | plan |\n| --- | ---: | --- |\n")
	for _, p := range r.Plans {
		fmt.Fprintf(&b, "| %s | %.2f | %s |\n", p.Name, p.Millis, p.Verdict())
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "\nNote: %s.", n)
	}
	b.WriteString("\n")
	return b.String()
}

func (r *Report) write(dir string) error {
	j, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "bench-report.json"), j, 0o644); err != nil {
		return err
	}
	md := "# Rentdesk benchmark\n\n" + r.Markdown()
	if err := os.WriteFile(filepath.Join(dir, "bench-report.md"), []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Print(md)
	return nil
}

// Markdown renders the soak's findings.
func (s *SoakResult) Markdown() string {
	var b strings.Builder
	verdict := "passed"
	if len(s.Failures) > 0 {
		verdict = "FAILED: " + strings.Join(s.Failures, "; ")
	}
	fmt.Fprintf(&b, "Soak (%s of mixed browsing, booking, desk and dashboard views): %s.\n", s.Duration, verdict)
	fmt.Fprintf(&b, "%d requests (%.0f/s), %d errors. Mix:", s.Requests, s.RPS, s.Errors)
	for _, k := range sortedKeys(s.Outcomes) {
		fmt.Fprintf(&b, " %s %d;", k, s.Outcomes[k])
	}
	fmt.Fprintf(&b, "\nServer before → after: goroutines %.0f → %.0f, heap in use %.1f → %.1f MiB, resident %.1f → %.1f MiB"+
		" (bounds: goroutines +10%% +%d, heap +50%% +%d MiB).\n",
		s.Start.Goroutines, s.End.Goroutines, s.Start.HeapInuse/(1<<20), s.End.HeapInuse/(1<<20),
		s.Start.RSS/(1<<20), s.End.RSS/(1<<20), soakGoroutineSlack, soakHeapSlack>>20)
	b.WriteString("Invariants afterwards:")
	for _, k := range sortedKeys(s.Invariants) {
		fmt.Fprintf(&b, " %s %d;", k, s.Invariants[k])
	}
	b.WriteString("\nJobs queued during the soak, by state:")
	for _, k := range sortedKeys(s.Jobs) {
		fmt.Fprintf(&b, " %s %d;", k, s.Jobs[k])
	}
	return b.String()
}

// Growth is one read scenario's rate on the large data set against the
// small one, measured in the same rounds.
type Growth struct {
	Name     string  `json:"name"`
	LargeRPS float64 `json:"large_req_per_s"`
	SmallRPS float64 `json:"small_req_per_s"`
	Ratio    float64 `json:"large_over_small"`
}

// GrowthTarget: every read scenario keeps at least this share of its rate
// as the history grows from a week behind today to two and a half years (a
// million booking lines), the present staying the same.
const GrowthTarget = 0.67

// growthPairs pairs each scenario with its run on the same shop with a
// short history (the same name with ShortSuffix), in the order of the
// scenarios.
func growthPairs(scs []ScenarioResult) []Growth { return pairs(scs, ShortSuffix) }

// growthMarkdown renders the growth table: large ÷ large-short, judged
// against GrowthTarget, and beside it, labelled, large ÷ small.
func (r *Report) growthMarkdown(b *strings.Builder) {
	small := map[string]Growth{}
	for _, g := range r.GrowthSmall {
		small[g.Name] = g
	}
	if len(r.Growth) > 0 {
		fmt.Fprintf(b, "\nGrowth: each read scenario on the large data set (%d booking lines, %d audit rows) against the same shop with a short history,"+
			" large-short (the same locations, %d items, %d units and accounts; large's bookings under way from a week before the data set's now to a month after it,"+
			" %d booking lines, the same desk board, open check-outs and month ahead; %d audit rows), both servers side by side in the same rounds;"+
			" the target (large ÷ large-short ≥ %.2f) is judged on this ratio.",
			r.Dataset["booking_lines"], r.Dataset["audit_log"], r.ShortDataset["items"], r.ShortDataset["units"],
			r.ShortDataset["booking_lines"], r.ShortDataset["audit_log"], GrowthTarget)
		if len(small) > 0 {
			fmt.Fprintf(b, " For comparison only, large ÷ small (%d items, %d booking lines), where the catalog grows with the history:",
				r.SmallDataset["items"], r.SmallDataset["booking_lines"])
		}
		b.WriteString("\n\n| scenario | large req/s | large-short req/s | large ÷ large-short | target |")
		if len(small) > 0 {
			b.WriteString(" small req/s | large ÷ small (catalog and history grow) |")
		}
		b.WriteString("\n| --- | ---: | ---: | ---: | --- |")
		if len(small) > 0 {
			b.WriteString(" ---: | ---: |")
		}
		b.WriteString("\n")
		for _, g := range r.Growth {
			verdict := "met"
			if g.Ratio < GrowthTarget {
				verdict = "BELOW"
			}
			fmt.Fprintf(b, "| %s | %.0f | %.0f | %.2f | %s |", g.Name, g.LargeRPS, g.SmallRPS, g.Ratio, verdict)
			if len(small) > 0 {
				if sg, ok := small[g.Name]; ok {
					fmt.Fprintf(b, " %.0f | %.2f |", sg.SmallRPS, sg.Ratio)
				} else {
					b.WriteString(" | |")
				}
			}
			b.WriteString("\n")
		}
		return
	}
	if len(r.GrowthSmall) > 0 {
		fmt.Fprintf(b, "\nLarge ÷ small (not the growth measure: the catalog grows with the history): each read scenario on the large data set (%d booking lines) against the small one (%d items, %d lines), side by side in the same rounds:\n\n",
			r.Dataset["booking_lines"], r.SmallDataset["items"], r.SmallDataset["booking_lines"])
		b.WriteString("| scenario | large req/s | small req/s | large ÷ small (catalog and history grow) |\n| --- | ---: | ---: | ---: |\n")
		for _, g := range r.GrowthSmall {
			fmt.Fprintf(b, "| %s | %.0f | %.0f | %.2f |\n", g.Name, g.LargeRPS, g.SmallRPS, g.Ratio)
		}
	}
}

// driverPairs pairs each scenario (lib/pq) with its run on the pgx build:
// LargeRPS is lib/pq's rate, SmallRPS pgx's, Ratio lib/pq ÷ pgx.
func driverPairs(scs []ScenarioResult) []Growth { return pairs(scs, PgxSuffix) }

func pairs(scs []ScenarioResult, suffix string) []Growth {
	small := map[string]float64{}
	for _, s := range scs {
		if name, ok := strings.CutSuffix(s.Name, suffix); ok {
			small[name] = s.RPS
		}
	}
	var out []Growth
	for _, s := range scs {
		sm, ok := small[s.Name]
		if !ok {
			continue
		}
		g := Growth{Name: s.Name, LargeRPS: s.RPS, SmallRPS: sm}
		if sm > 0 {
			g.Ratio = s.RPS / sm
		}
		out = append(out, g)
	}
	return out
}
