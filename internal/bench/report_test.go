package bench

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestRatiosToCeilingsAndInstrumentationCost(t *testing.T) {
	r := &Report{Scenarios: []ScenarioResult{
		{Name: BareName, RPS: 10000, P99: 2},
		{Name: OneQueryName, RPS: 5000, P99: 4},
		{Name: InstrumentedName, RPS: 9600},
		{Name: "catalog", RPS: 2500, P99: 20},
	}}
	r.ratios()
	c := r.Scenarios[3]
	if !near(c.VsBare, 0.25) || !near(c.VsOneQ, 0.5) || !near(c.P99VsOne, 5) {
		t.Fatalf("catalog ratios: %+v", c)
	}
	if !near(r.Instrumentation, 0.04) {
		t.Fatalf("instrumentation cost %v, want 0.04", r.Instrumentation)
	}
}

func TestRatiosWithoutCeilingsStayZero(t *testing.T) {
	r := &Report{Scenarios: []ScenarioResult{{Name: BareName, RPS: 0}, {Name: "catalog", RPS: 2500}}}
	r.ratios()
	if s := r.Scenarios[1]; s.VsBare != 0 || s.VsOneQ != 0 || r.Instrumentation != 0 {
		t.Fatalf("ratios without ceilings: %+v, instrumentation %v", s, r.Instrumentation)
	}
}

func TestGrowthPairsEachScenarioWithItsShortHistoryRun(t *testing.T) {
	r := &Report{Scenarios: []ScenarioResult{
		{Name: BareName, RPS: 10000},
		{Name: "catalog", RPS: 300},
		{Name: "catalog" + ShortSuffix, RPS: 400},
		{Name: "catalog" + SmallSuffix, RPS: 600},
		{Name: "desk", RPS: 50},
		{Name: "desk" + ShortSuffix, RPS: 0},
		{Name: HoldName, RPS: 30},
		{Name: "my bookings" + ShortSuffix, RPS: 90},
	}}
	r.ratios()
	want := []Growth{
		{Name: "catalog", LargeRPS: 300, SmallRPS: 400, Ratio: 0.75},
		{Name: "desk", LargeRPS: 50, SmallRPS: 0, Ratio: 0},
	}
	if len(r.Growth) != len(want) {
		t.Fatalf("growth %+v, want %+v", r.Growth, want)
	}
	for i := range want {
		if r.Growth[i] != want[i] {
			t.Fatalf("growth %+v, want %+v", r.Growth, want)
		}
	}
	if len(r.GrowthSmall) != 1 || r.GrowthSmall[0] != (Growth{Name: "catalog", LargeRPS: 300, SmallRPS: 600, Ratio: 0.5}) {
		t.Fatalf("large ÷ small %+v", r.GrowthSmall)
	}
}

// The growth verdict reads large ÷ large-short; large ÷ small stands beside
// it, labelled as the catalog growing too, and judges nothing.
func TestReportJudgesGrowthOnTheSameShop(t *testing.T) {
	r := &Report{
		Dataset:      map[string]int64{"booking_lines": 1_000_000, "audit_log": 200_000},
		ShortDataset: map[string]int64{"items": 5000, "units": 20000, "booking_lines": 78_100, "audit_log": 2000},
		SmallDataset: map[string]int64{"items": 300, "booking_lines": 10_000},
		Scenarios: []ScenarioResult{
			{Name: "dashboard", RPS: 40},
			{Name: "dashboard" + ShortSuffix, RPS: 50},
			{Name: "dashboard" + SmallSuffix, RPS: 100},
			{Name: "desk", RPS: 60},
			{Name: "desk" + ShortSuffix, RPS: 100},
			{Name: "desk" + SmallSuffix, RPS: 80},
		},
	}
	r.ratios()
	md := r.Markdown()
	for _, want := range []string{
		"large-short (the same locations, 5000 items, 20000 units and accounts; large's bookings under way from a week before the data set's now to a month after it," +
			" 78100 booking lines, the same desk board, open check-outs and month ahead; 2000 audit rows)",
		"the target (large ÷ large-short ≥ 0.67) is judged on this ratio",
		"| large ÷ large-short | target | small req/s | large ÷ small (catalog and history grow) |",
		"| dashboard | 40 | 50 | 0.80 | met | 100 | 0.40 |",
		"| desk | 60 | 100 | 0.60 | BELOW | 80 | 0.75 |",
	} {
		if !strings.Contains(md, want) {
			t.Fatalf("report lacks %q:\n%s", want, md)
		}
	}
	// Without the short-history runs there is no verdict, only the
	// labelled comparison.
	r = &Report{SmallDataset: map[string]int64{"items": 300}, Scenarios: []ScenarioResult{
		{Name: "desk", RPS: 60}, {Name: "desk" + SmallSuffix, RPS: 80}}}
	r.ratios()
	md = r.Markdown()
	if strings.Contains(md, "judged on this ratio") || strings.Contains(md, "BELOW") || !strings.Contains(md, "not the growth measure") ||
		!strings.Contains(md, "| desk | 60 | 80 | 0.75 |") {
		t.Fatalf("report without short-history runs:\n%s", md)
	}
}

func TestDriverPairsLibpqOverPgx(t *testing.T) {
	r := &Report{Scenarios: []ScenarioResult{
		{Name: "desk search", RPS: 180},
		{Name: "desk search" + PgxSuffix, RPS: 200},
		{Name: "desk search" + ShortSuffix, RPS: 400},
	}}
	r.ratios()
	if len(r.Driver) != 1 || r.Driver[0] != (Growth{Name: "desk search", LargeRPS: 180, SmallRPS: 200, Ratio: 0.9}) {
		t.Fatalf("driver pairs %+v", r.Driver)
	}
	if len(r.Growth) != 1 || !near(r.Growth[0].Ratio, 0.45) {
		t.Fatalf("growth pairs %+v", r.Growth)
	}
}

// The paired measurement runs both steps in every slice, a first in even
// slices and b first in odd ones, counts only their successes, and charges
// each slice the CPU time the server used during it.
func TestPairedAlternatesAndCountsSuccesses(t *testing.T) {
	var mu sync.Mutex
	var seq []string
	var used time.Duration // the fake server's CPU clock: 1 ms per a, 3 ms per b
	mark := func(label string, fail bool, cost time.Duration) step {
		return func(w, i int) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			if len(seq) == 0 || seq[len(seq)-1] != label {
				seq = append(seq, label)
			}
			used += cost
			if fail {
				return "", errors.New("refused")
			}
			return "", nil
		}
	}
	cpu := func() (time.Duration, error) { mu.Lock(); defer mu.Unlock(); return used, nil }
	p, err := paired(context.Background(), 1, 40*time.Millisecond, 4, mark("a", false, time.Millisecond), mark("b", true, 3*time.Millisecond), cpu)
	if err != nil {
		t.Fatal(err)
	}
	// a b | b a | a b | b a, with adjacent runs of one step merged.
	if got := strings.Join(seq, ""); got != "ababa" {
		t.Fatalf("order of the slices: %q, want ababa", got)
	}
	a, b := p.rates()
	if a <= 0 || b != 0 || p.aN == 0 || p.bN != 0 {
		t.Fatalf("paired rates: a %v (all succeed), b %v (all fail, want 0); %+v", a, b, p)
	}
	if p.aCPU != time.Duration(p.aN)*time.Millisecond || p.bCPU == 0 || p.bCPU%(3*time.Millisecond) != 0 {
		t.Fatalf("CPU charged: a %s for %d requests, b %s", p.aCPU, p.aN, p.bCPU)
	}
}

// The cost is the share of the server's CPU per request; the rate's share
// in the same slices stands beside it.
func TestInstrumentationCostFromCPUPerRequest(t *testing.T) {
	c := instrumentationCost(pairedResult{aN: 10000, bN: 9000, aT: time.Second, bT: time.Second,
		aCPU: 300 * time.Millisecond, bCPU: 320 * time.Millisecond, aClient: 200 * time.Millisecond, bClient: 180 * time.Millisecond}, 20)
	// Server and load generator: 50 µs bare, 55.6 µs instrumented, 10% of
	// the CPU and 10% of the rate; the server alone 30 and 35.6 µs.
	if c.Slices != 20 || !near(c.BareCPUMicros, 50) || !near(c.InstrumentedCPUMicros, 500_000.0/9000) || !near(c.CPUCost, 0.1) ||
		!near(c.BareServerCPUMicros, 30) || !near(c.InstrumentedServerCPUMicros, 320_000.0/9000) ||
		!near(c.BareRPS, 10000) || !near(c.InstrumentedRPS, 9000) || !near(c.RateCost, 0.1) {
		t.Fatalf("cost %+v", c)
	}
	// Other work took the instrumented slices' turns: the rate drops, the
	// CPU per request does not.
	c = instrumentationCost(pairedResult{aN: 10000, bN: 7000, aT: time.Second, bT: time.Second,
		aCPU: 500 * time.Millisecond, bCPU: 360500 * time.Microsecond}, 20)
	if !near(c.RateCost, 0.3) || c.CPUCost < 0.029 || c.CPUCost > 0.031 {
		t.Fatalf("cost under other work %+v", c)
	}
	if c := instrumentationCost(pairedResult{}, 0); c.CPUCost != 0 || c.RateCost != 0 {
		t.Fatalf("nothing measured: %+v", c)
	}
}

func TestReportSaysHowInstrumentationWasMeasured(t *testing.T) {
	r := &Report{Instrumentation: 0.031, InstrumentationPaired: &PairedCost{Slices: 20, BareCPUMicros: 40, InstrumentedCPUMicros: 41.3,
		BareServerCPUMicros: 25, InstrumentedServerCPUMicros: 26.5, CPUCost: 0.031, BareRPS: 15000, InstrumentedRPS: 14000, RateCost: 0.0667}}
	md := r.Markdown()
	for _, want := range []string{
		"costs 3.1% of its rate, measured as the CPU time per request of the serving process and the load generator in 20 alternating slices of the two" +
			" (40.0 µs bare, 41.3 µs instrumented; the server's alone 25.0 and 26.5 µs)",
		"their rates in the same slices, 15000 and 14000 req/s, differ by 6.7%",
	} {
		if !strings.Contains(md, want) {
			t.Fatalf("report lacks %q:\n%s", want, md)
		}
	}
}

// The hold flow's table counts each step's requests and rate over the
// rounds, in flow order, and the bookings made from the outcomes.
func TestReportHoldSteps(t *testing.T) {
	rs := []roundResult{
		{n: 10, elapsed: time.Second, other: map[string]int{"booked": 6, "conflict refused at cart": 4},
			steps: map[string]stepCount{StepBook: {10, 100 * time.Millisecond}, StepHold: {6, 60 * time.Millisecond}}},
		{n: 20, elapsed: 2 * time.Second, other: map[string]int{"booked": 16},
			steps: map[string]stepCount{StepBook: {20, 300 * time.Millisecond}, StepHold: {16, 320 * time.Millisecond}}},
	}
	got := stepResults(rs)
	want := []StepResult{{StepBook, 30, 10, 400.0 / 30}, {StepHold, 22, 7, 380.0 / 22}}
	if len(got) != len(want) {
		t.Fatalf("steps %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Name != want[i].Name || got[i].Requests != want[i].Requests || !near(got[i].RPS, want[i].RPS) ||
			!near(got[i].Mean, float64(int(want[i].Mean*1000))/1000) {
			t.Fatalf("step %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if h := holdsMade(rs); !near(h, 7) {
		t.Fatalf("holds made %v, want 7 (median of 6/s and 8/s)", h)
	}
}
