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

func TestGrowthPairsEachScenarioWithItsSmallRun(t *testing.T) {
	r := &Report{Scenarios: []ScenarioResult{
		{Name: BareName, RPS: 10000},
		{Name: "catalog", RPS: 300},
		{Name: "catalog" + GrowthSuffix, RPS: 400},
		{Name: "desk", RPS: 50},
		{Name: "desk" + GrowthSuffix, RPS: 0},
		{Name: HoldName, RPS: 30},
		{Name: "my bookings" + GrowthSuffix, RPS: 90},
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
}

func TestDriverPairsLibpqOverPgx(t *testing.T) {
	r := &Report{Scenarios: []ScenarioResult{
		{Name: "desk search", RPS: 180},
		{Name: "desk search" + PgxSuffix, RPS: 200},
		{Name: "desk search" + GrowthSuffix, RPS: 400},
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
// slices and b first in odd ones, and counts only their successes.
func TestPairedAlternatesAndCountsSuccesses(t *testing.T) {
	var mu sync.Mutex
	var seq []string
	mark := func(label string, fail bool) step {
		return func(w, i int) (string, error) {
			mu.Lock()
			if len(seq) == 0 || seq[len(seq)-1] != label {
				seq = append(seq, label)
			}
			mu.Unlock()
			if fail {
				return "", errors.New("refused")
			}
			return "", nil
		}
	}
	a, b := paired(context.Background(), 1, 40*time.Millisecond, 4, mark("a", false), mark("b", true))
	// a b | b a | a b | b a, with adjacent runs of one step merged.
	if got := strings.Join(seq, ""); got != "ababa" {
		t.Fatalf("order of the slices: %q, want ababa", got)
	}
	if a <= 0 || b != 0 {
		t.Fatalf("paired rates: a %v (all succeed), b %v (all fail, want 0)", a, b)
	}
}

func TestReportSaysHowInstrumentationWasMeasured(t *testing.T) {
	r := &Report{Instrumentation: 0.031, InstrumentationSlices: 20}
	if md := r.Markdown(); !strings.Contains(md, "costs 3.1% of its rate, measured in 20 alternating slices") {
		t.Fatalf("report:\n%s", md)
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
