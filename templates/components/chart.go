package components

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Charts are drawn on the server as SVG: no chart library (they emit inline
// style or script, which the Content-Security-Policy forbids) and no client
// code. Geometry is computed here; chart.templ writes the elements and
// app.css colours them by class.

// Chart sizes in SVG user units; the SVG scales to its container's width.
const (
	chartW, chartH          = 420.0, 200.0
	padL, padR, padT, padB  = 64.0, 10.0, 10.0, 26.0
	sparkW, sparkH, sparkPd = 120.0, 32.0, 2.0
)

// Series is one line of a line chart (or the bars of a bar chart).
type Series struct {
	Name   string
	Class  string // chart-s1 .. chart-s4 colour the line
	Values []float64
}

// ChartData is what every chart takes: a title (also the SVG's <title>), a
// longer description, x labels, series and how to format a value. The same
// numbers are written as a table for screen readers.
type ChartData struct {
	ID     string
	Title  string
	Desc   string
	Labels []string
	Series []Series
	Format func(float64) string
}

func (c ChartData) format(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	if c.Format != nil {
		return c.Format(v)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// Empty reports whether there is nothing to draw.
func (c ChartData) Empty() bool {
	for _, s := range c.Series {
		for _, v := range s.Values {
			if !math.IsNaN(v) {
				return false
			}
		}
	}
	return true
}

// yRange is the y axis: a round top at least the largest value, and 0 at
// the bottom unless a value is negative (a day with more refunded than
// taken), then a round bottom below the smallest.
func (c ChartData) yRange() (lo, hi float64) {
	for _, s := range c.Series {
		for _, v := range s.Values {
			if math.IsNaN(v) {
				continue
			}
			hi, lo = math.Max(hi, v), math.Min(lo, v)
		}
	}
	if lo < 0 {
		lo = -niceCeil(-lo)
	}
	return lo, niceCeil(hi)
}

// niceCeil rounds up to 1, 2, 2.5 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*p*(1+1e-9) {
			return m * p
		}
	}
	return 10 * p
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// Tick is a labelled line across the plot.
type Tick struct {
	X, Y  string
	Label string
}

// YTicks are the horizontal grid lines: 0, a quarter ... the top.
func (c ChartData) YTicks() []Tick {
	lo, hi := c.yRange()
	ticks := make([]Tick, 0, 5)
	for i := 0; i <= 4; i++ {
		v := lo + (hi-lo)*float64(i)/4
		ticks = append(ticks, Tick{Y: f1(c.y(v, lo, hi)), Label: c.format(v)})
	}
	return ticks
}

func (c ChartData) y(v, lo, hi float64) float64 {
	return padT + (chartH-padT-padB)*(hi-v)/(hi-lo)
}

func (c ChartData) x(i, n int) float64 {
	if n <= 1 {
		return padL + (chartW-padL-padR)/2
	}
	return padL + (chartW-padL-padR)*float64(i)/float64(n-1)
}

// XTicks labels at most six evenly spread points.
func (c ChartData) XTicks() []Tick {
	n := len(c.Labels)
	step := max(1, (n+5)/6)
	var ticks []Tick
	for i := 0; i < n; i += step {
		ticks = append(ticks, Tick{X: f1(c.x(i, n)), Label: c.Labels[i]})
	}
	return ticks
}

// Path is the SVG path of series s; gaps (NaN) break the line.
func (c ChartData) Path(s Series) string {
	lo, hi := c.yRange()
	var b strings.Builder
	pen := false
	for i, v := range s.Values {
		if math.IsNaN(v) {
			pen = false
			continue
		}
		cmd := "L"
		if !pen {
			cmd = "M"
		}
		fmt.Fprintf(&b, "%s%s %s ", cmd, f1(c.x(i, len(s.Values))), f1(c.y(v, lo, hi)))
		pen = true
	}
	return strings.TrimSpace(b.String())
}

// Bar is one bar of a bar chart.
type Bar struct {
	X, Y, W, H string
	Label      string // value and x label, for the bar's <title>
}

// Bars lays out the first series as vertical bars.
func (c ChartData) Bars() []Bar {
	if len(c.Series) == 0 {
		return nil
	}
	vals := c.Series[0].Values
	lo, hi := c.yRange()
	base := c.y(0, lo, hi)
	slot := (chartW - padL - padR) / float64(max(1, len(vals)))
	w := math.Max(1, slot*0.7)
	bars := make([]Bar, 0, len(vals))
	for i, v := range vals {
		if math.IsNaN(v) {
			v = 0
		}
		y := c.y(v, lo, hi)
		label := c.format(v)
		if i < len(c.Labels) {
			label = c.Labels[i] + ": " + label
		}
		bars = append(bars, Bar{X: f1(padL + slot*float64(i) + (slot-w)/2), Y: f1(math.Min(y, base)), W: f1(w),
			H: f1(math.Abs(base - y)), Label: label})
	}
	return bars
}

// BarXTicks labels at most eight bars, under their centres.
func (c ChartData) BarXTicks() []Tick {
	n := len(c.Labels)
	slot := (chartW - padL - padR) / float64(max(1, n))
	step := max(1, (n+7)/8)
	var ticks []Tick
	for i := 0; i < n; i += step {
		ticks = append(ticks, Tick{X: f1(padL + slot*(float64(i)+0.5)), Label: c.Labels[i]})
	}
	return ticks
}

// SparkPath is the first series drawn small, without axes.
func (c ChartData) SparkPath() string {
	if len(c.Series) == 0 {
		return ""
	}
	vals := c.Series[0].Values
	lo, hi := c.yRange()
	var b strings.Builder
	pen := false
	for i, v := range vals {
		if math.IsNaN(v) {
			pen = false
			continue
		}
		x := sparkPd + (sparkW-2*sparkPd)*float64(i)/float64(max(1, len(vals)-1))
		y := sparkPd + (sparkH-2*sparkPd)*(hi-v)/(hi-lo)
		cmd := "L"
		if !pen {
			cmd = "M"
		}
		fmt.Fprintf(&b, "%s%s %s ", cmd, f1(x), f1(y))
		pen = true
	}
	return strings.TrimSpace(b.String())
}

// Cell is a formatted value of the screen-reader table.
func (c ChartData) Cell(s Series, i int) string {
	if i >= len(s.Values) {
		return ""
	}
	return c.format(s.Values[i])
}

// Geometry the templates need as strings.
var (
	ChartViewBox = fmt.Sprintf("0 0 %g %g", chartW, chartH)
	SparkViewBox = fmt.Sprintf("0 0 %g %g", sparkW, sparkH)
	PlotLeft     = f1(padL)
	PlotRight    = f1(chartW - padR)
	PlotBottom   = f1(chartH - padB)
	LabelY       = f1(chartH - 8)
	LabelX       = f1(padL - 6)
)
