package components

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
)

func TestNiceCeil(t *testing.T) {
	for v, want := range map[float64]float64{0: 1, 0.3: 0.5, 1: 1, 1.2: 2, 2.1: 2.5, 7: 10, 130: 200, 0.0042: 0.005} {
		if got := niceCeil(v); math.Abs(got-want) > 1e-12 {
			t.Errorf("niceCeil(%v) = %v, want %v", v, got, want)
		}
	}
}

// A line chart is an SVG with role, title and description; a gap (NaN)
// breaks the line; the numbers are repeated in a table.
func TestLineChartSVG(t *testing.T) {
	c := ChartData{ID: "c1", Title: "Requests per second", Desc: "desc", Labels: []string{"a", "b", "c", "d"},
		Series: []Series{{Name: "rps", Class: "chart-s1", Values: []float64{0, 5, math.NaN(), 10}}}}
	if got := c.Path(c.Series[0]); strings.Count(got, "M") != 2 || !strings.HasPrefix(got, "M64.0 174.0") {
		t.Errorf("path %q", got)
	}
	var buf bytes.Buffer
	if err := LineChart(c).Render(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, want := range []string{`role="img"`, `<title id="c1-t">Requests per second</title>`, `<desc id="c1-d">desc</desc>`,
		`class="visually-hidden"`, `<td>10</td>`, `<td>–</td>`} {
		if !strings.Contains(html, want) {
			t.Errorf("chart lacks %s", want)
		}
	}
	if strings.Contains(html, "style=") {
		t.Error("inline style")
	}
	bars := ChartData{Labels: []string{"x", "y"}, Series: []Series{{Values: []float64{1, 5}}}}.Bars()
	if len(bars) != 2 || bars[1].Y != "10.0" || bars[1].Label != "y: 5" {
		t.Errorf("bars %+v", bars)
	}
}

// A negative value (a day with more refunded than taken) puts the axis's
// zero above the bottom: bars grow up or down from it, never with a
// negative height.
func TestBarsBelowZero(t *testing.T) {
	c := ChartData{Labels: []string{"x", "y"}, Series: []Series{{Values: []float64{-50, 100}}}}
	lo, hi := c.yRange()
	if lo != -50 || hi != 100 {
		t.Fatalf("range %v..%v", lo, hi)
	}
	zero := f1(c.y(0, lo, hi))
	bars := c.Bars()
	if len(bars) != 2 || bars[0].Y != zero || bars[1].Y != "10.0" || strings.HasPrefix(bars[0].H, "-") ||
		bars[0].H == "0.0" || c.y(0, lo, hi) >= chartH-padB {
		t.Errorf("bars %+v, zero at %s", bars, zero)
	}
	if ticks := c.YTicks(); ticks[0].Label != "-50" || ticks[4].Label != "100" {
		t.Errorf("ticks %+v", ticks)
	}
}
