package web

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/metrics"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// Business figures settings.
const (
	noShowGrace     = 2 * time.Hour  // confirmed, nothing picked up this long after the start
	upcomingHorizon = 48 * time.Hour // pickups and returns "coming up"
	topItems        = 5
	idleItems       = 10
)

// businessPanel gathers the business figures of the filter's period and
// location. Revenue, bookings and the funnel come from indexed ranges of
// bookings; utilization from the daily rollup. They are read in one
// transaction without parallel workers, which the heavier of them each
// began for themselves: one begin, setting and commit instead of one per
// figure (nine), and one snapshot for the whole panel.
func (s *Server) businessPanel(c echo.Context, f metricsFilter) (pages.BusinessPanel, error) {
	ctx := c.Request().Context()
	now := s.Now()
	settings, err := s.Store.GetSettings(ctx)
	if err != nil {
		return pages.BusinessPanel{}, err
	}
	cur := settings.Currency
	v := pages.BusinessPanel{Query: f.view.Query, PeriodLabel: periodLabel(f.view.Period),
		ExportBookings:    "/admin/metrics/export/bookings.csv?" + f.view.Query,
		ExportUtilization: "/admin/metrics/export/utilization.csv?" + f.view.Query,
		ExportPayments:    "/admin/metrics/export/payments.csv?" + f.view.Query}
	var a store.Attention
	err = s.Store.WithoutParallel(ctx, func(st *store.Store) error {
		var err error
		if v.Revenue, err = revenueStats(ctx, st, now, f, cur); err != nil {
			return err
		}
		today := localMidnight(now, f.zone)
		from := today.AddDate(0, 0, 1-f.days)
		if err := periodFigures(ctx, st, &v, f, from, now, cur); err != nil {
			return err
		}
		if err := utilizationFigures(ctx, st, &v, f, from, today, now, cur); err != nil {
			return err
		}
		a, err = st.GetAttention(ctx, now, noShowGrace, upcomingHorizon, f.locationID)
		return err
	})
	if err != nil {
		return v, err
	}
	oldest := "–"
	if a.OldestDue != nil {
		oldest = fmtWindow(now.Sub(*a.OldestDue))
	}
	v.Attention = []pages.Stat{
		{Label: "Overdue units", Value: fmt.Sprint(a.Overdue), TestID: "overdue-count", DeltaClass: warnIf(a.Overdue > 0)},
		{Label: "Overdue value", Value: money.Format(a.OverdueValue, cur), Delta: "replacement value", TestID: "overdue-value"},
		{Label: "Longest overdue", Value: oldest, TestID: "overdue-age"},
		{Label: "No-shows", Value: fmt.Sprint(a.NoShows), Delta: "nothing picked up 2 h after start", TestID: "no-shows"},
		{Label: "Pickups, next 48 h", Value: fmt.Sprint(a.PickupsComing), TestID: "pickups-coming"},
		{Label: "Returns, next 48 h", Value: fmt.Sprint(a.ReturnsComing), TestID: "returns-coming"},
	}
	return v, nil
}

func warnIf(b bool) string {
	if b {
		return "stat-down"
	}
	return ""
}

func periodLabel(key string) string {
	for _, p := range metricsPeriods {
		if p.key == key {
			return p.label
		}
	}
	return key
}

// localMidnight is the start of now's day in zone.
func localMidnight(now time.Time, zone *time.Location) time.Time {
	y, m, d := now.In(zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, zone)
}

// revenueStats compares today, 7 and 30 days with the period before each
// (today: yesterday up to the same time of day).
func revenueStats(ctx context.Context, st *store.Store, now time.Time, f metricsFilter, cur string) ([]pages.Stat, error) {
	today := localMidnight(now, f.zone)
	windows := []struct {
		label, id          string
		from, prev, prevTo time.Time
	}{
		{"Revenue today", "revenue-today", today, today.AddDate(0, 0, -1), now.AddDate(0, 0, -1)},
		{"Revenue, 7 days", "revenue-7d", today.AddDate(0, 0, -6), today.AddDate(0, 0, -13), today.AddDate(0, 0, -6)},
		{"Revenue, 30 days", "revenue-30d", today.AddDate(0, 0, -29), today.AddDate(0, 0, -59), today.AddDate(0, 0, -29)},
	}
	stats := make([]pages.Stat, 0, len(windows))
	for _, w := range windows {
		cur0, err := st.GetRevenueAmount(ctx, w.from, now, f.locationID)
		if err != nil {
			return nil, err
		}
		prev, err := st.GetRevenueAmount(ctx, w.prev, w.prevTo, f.locationID)
		if err != nil {
			return nil, err
		}
		delta, class := change(float64(cur0), float64(prev))
		stats = append(stats, pages.Stat{Label: w.label, Value: money.Format(cur0, cur), TestID: w.id,
			Delta: delta + " vs " + money.Format(prev, cur) + " before", DeltaClass: class})
	}
	return stats, nil
}

// change is the relative change from prev to now, and its colour.
func change(now, prev float64) (string, string) {
	switch {
	case prev == 0 && now == 0:
		return "±0 %", ""
	case prev == 0:
		return "new", "stat-up"
	}
	d := (now - prev) / prev * 100
	class := "stat-up"
	if d < 0 {
		class = "stat-down"
	}
	return fmt.Sprintf("%+.0f %%", d), class
}

// periodFigures fills bookings made, average value, cancellation rate, the
// funnel and revenue per day.
func periodFigures(ctx context.Context, st *store.Store, v *pages.BusinessPanel, f metricsFilter, from, now time.Time, cur string) error {
	funnel, err := st.ListFunnel(ctx, from, now, f.locationID)
	if err != nil {
		return err
	}
	var made, confirmed, cancelled, value int64
	for _, r := range funnel {
		made += r.Made
		confirmed += r.Confirmed
		cancelled += r.Cancelled
		value += r.Value
		v.Funnel = append(v.Funnel, pages.FunnelRow{Channel: r.Channel, Made: fmt.Sprint(r.Made), Holding: fmt.Sprint(r.Holding),
			Confirmed: fmt.Sprint(r.Confirmed), Expired: fmt.Sprint(r.Expired), Cancelled: fmt.Sprint(r.Cancelled),
			Value: money.Format(r.Value, cur)})
	}
	avg, rate := "–", "–"
	if kept := confirmed - cancelled; kept > 0 {
		avg = money.Format(value/kept, cur)
	}
	if confirmed > 0 {
		rate = fmtPercent(float64(cancelled) / float64(confirmed))
	}
	v.Period = []pages.Stat{
		{Label: "Bookings made", Value: fmt.Sprint(made), Delta: fmt.Sprintf("%d confirmed", confirmed), TestID: "bookings-made"},
		{Label: "Average booking", Value: avg, TestID: "avg-booking"},
		{Label: "Cancellation rate", Value: rate, Delta: "of confirmed bookings", TestID: "cancel-rate"},
	}
	days, err := st.ListRevenueByDay(ctx, from, now, f.locationID)
	if err != nil {
		return err
	}
	byDay := map[string]float64{}
	for _, d := range days {
		byDay[d.Day.Format(time.DateOnly)] = float64(d.Amount)
	}
	labels, vals := dailySeries(from, now, f.zone, byDay, 0)
	v.RevenueChart = components.ChartData{ID: "chart-revenue", Title: "Revenue per day", Desc: "Payments taken less refunds per day of the period.",
		Labels: labels, Series: []components.Series{{Name: "Revenue", Values: vals}},
		Format: func(x float64) string { return money.Format(int64(math.Round(x)), cur) }}
	return nil
}

// dailySeries lays values keyed by date over every local day from..to; a
// day without a value gets missing (0 for money, NaN "no data" for ratios).
func dailySeries(from, to time.Time, zone *time.Location, byDay map[string]float64, missing float64) ([]string, []float64) {
	var labels []string
	var vals []float64
	for d := from.In(zone); d.Before(to); d = d.AddDate(0, 0, 1) {
		labels = append(labels, d.Format("Jan 2"))
		v, ok := byDay[d.Format(time.DateOnly)]
		if !ok {
			v = missing
		}
		vals = append(vals, v)
	}
	return labels, vals
}

// utilizationFigures fills utilization over time, per category, and the
// top, idle and payback tables, from the rollup.
func utilizationFigures(ctx context.Context, st *store.Store, v *pages.BusinessPanel, f metricsFilter, from, today, now time.Time, cur string) error {
	fromDay, toDay := dateOf(from), dateOf(today).AddDate(0, 0, 1)
	days, err := st.ListUtilizationByDay(ctx, fromDay, toDay, f.locationID)
	if err != nil {
		return err
	}
	byDay := map[string]float64{}
	var avail, out float64
	for _, d := range days {
		byDay[d.Day.Format(time.DateOnly)] = ratio(d.HoursOut, d.HoursAvailable)
		avail += d.HoursAvailable
		out += d.HoursOut
	}
	labels, vals := dailySeries(from, now, f.zone, byDay, math.NaN())
	v.UtilizationChart = components.ChartData{ID: "chart-utilization", Title: "Utilization per day",
		Desc:   "Unit-hours out divided by unit-hours available (maintenance excluded), per day.",
		Labels: labels, Series: []components.Series{{Name: "All", Class: "chart-s1", Values: vals}}, Format: fmtPercent}
	if f.locationID == 0 {
		if err := locationSeries(ctx, st, &v.UtilizationChart, from, now, fromDay, toDay, f); err != nil {
			return err
		}
	}
	v.Period = append(v.Period, pages.Stat{Label: "Utilization", Value: fmtPercent(ratio(out, avail)),
		Delta: fmt.Sprintf("%.0f of %.0f unit-hours", out, avail), TestID: "utilization"})
	items, err := st.ListItemFigures(ctx, fromDay, toDay, from, now, f.locationID)
	if err != nil {
		return err
	}
	v.Categories = categoryRows(items, cur)
	var rev, card float64
	for _, it := range items {
		rev += float64(it.Revenue)
		card += rateCard(it)
	}
	v.Period = append(v.Period, pages.Stat{Label: "Utilization by revenue", Value: fmtPercent(ratio(rev, card)),
		Delta: "revenue ÷ what the rate card could earn", TestID: "utilization-revenue"})
	sort.SliceStable(items, func(i, j int) bool { return items[i].Revenue > items[j].Revenue })
	for i, it := range items {
		if i < topItems && it.Revenue > 0 {
			v.Top = append(v.Top, itemRow(it, cur))
		}
		if it.HoursOut == 0 && it.HoursAvailable > 0 && len(v.Idle) < idleItems {
			v.Idle = append(v.Idle, itemRow(it, cur))
		}
	}
	return nil
}

// maxLocationSeries keeps the utilization chart readable.
const maxLocationSeries = 3

// locationSeries adds a line per location (the first few) to the chart.
func locationSeries(ctx context.Context, st *store.Store, chart *components.ChartData, from, now, fromDay, toDay time.Time, f metricsFilter) error {
	rows, err := st.ListUtilizationByLocation(ctx, fromDay, toDay)
	if err != nil {
		return err
	}
	byLoc := map[string]map[string]float64{}
	var names []string
	for _, r := range rows {
		if byLoc[r.Location] == nil {
			byLoc[r.Location] = map[string]float64{}
			names = append(names, r.Location)
		}
		byLoc[r.Location][r.Day.Format(time.DateOnly)] = ratio(r.HoursOut, r.HoursAvailable)
	}
	if len(names) < 2 {
		return nil // one location: its line is the "All" line
	}
	classes := []string{"chart-s2", "chart-s3", "chart-s4"}
	for i, n := range names[:min(len(names), maxLocationSeries)] {
		_, vals := dailySeries(from, now, f.zone, byLoc[n], math.NaN())
		chart.Series = append(chart.Series, components.Series{Name: n, Class: classes[i], Values: vals})
	}
	return nil
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func ratio(a, b float64) float64 {
	if b <= 0 {
		return math.NaN()
	}
	return a / b
}

func itemRow(it store.ItemFigures, cur string) pages.ItemRow {
	return pages.ItemRow{Name: it.Name, Category: it.Category, Utilization: fmtPercent(ratio(it.HoursOut, it.HoursAvailable)),
		ByRevenue: fmtPercent(ratio(float64(it.Revenue), rateCard(it))),
		Revenue:   money.Format(it.Revenue, cur), Payback: fmtPercent(ratio(float64(it.LifetimeRevenue), float64(it.ReplacementValue)))}
}

func rateCard(it store.ItemFigures) float64 {
	return metrics.RateCardValue(it.HoursAvailable, it.RateHour, it.RateDay, it.RateWeek)
}

// categoryRows sums items per category.
func categoryRows(items []store.ItemFigures, cur string) []pages.ItemRow {
	type agg struct{ avail, out, rev, life, repl, card float64 }
	sums := map[string]*agg{}
	var names []string
	for _, it := range items {
		name := it.Category
		if name == "" {
			name = "No category"
		}
		a, ok := sums[name]
		if !ok {
			a = &agg{}
			sums[name] = a
			names = append(names, name)
		}
		a.avail += it.HoursAvailable
		a.out += it.HoursOut
		a.rev += float64(it.Revenue)
		a.life += float64(it.LifetimeRevenue)
		a.repl += float64(it.ReplacementValue)
		a.card += rateCard(it)
	}
	sort.Strings(names)
	rows := make([]pages.ItemRow, 0, len(names))
	for _, n := range names {
		a := sums[n]
		rows = append(rows, pages.ItemRow{Name: n, Utilization: fmtPercent(ratio(a.out, a.avail)), ByRevenue: fmtPercent(ratio(a.rev, a.card)),
			Revenue: money.Format(int64(a.rev), cur), Payback: fmtPercent(ratio(a.life, a.repl))})
	}
	return rows
}
