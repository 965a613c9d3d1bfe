package pricing

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the machine's zoneinfo

	"github.com/rentdesk/rentdesk/internal/period"
)

// std are the rates most golden cases use: €5/hour, €20/day, €100/week,
// €300/month.
var std = Rates{Hour: 500, Day: 2000, Week: 10000, Month: 30000}

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

// input builds an Input for a period given as local datetime-local values.
func input(t testing.TB, r Rates, zone, start, end string) Input {
	t.Helper()
	loc := mustLoad(t, zone)
	p, err := period.Parse(start, end, loc)
	if err != nil {
		t.Fatalf("period %s–%s: %v", start, end, err)
	}
	return Input{Rates: r, Period: p, Location: loc, Quantity: 1}
}

// l is shorthand for an expected line.
func l(units int, tier Tier, price int64) Line {
	return Line{Label: label(units, tier), Tier: tier, Units: units, UnitPrice: price, Amount: int64(units) * price}
}

func TestPriceGolden(t *testing.T) {
	const berlin = "Europe/Berlin"
	tests := []struct {
		name       string
		rates      Rates
		zone       string
		start, end string
		minimum    time.Duration
		want       []Line
		covered    time.Duration
	}{
		{name: "1 hour", rates: std, zone: berlin, start: "2026-05-04T10:00", end: "2026-05-04T11:00",
			want: []Line{l(1, TierHour, 500)}, covered: time.Hour},
		{name: "61 minutes round up to 2 hours", rates: std, zone: berlin, start: "2026-05-04T10:00", end: "2026-05-04T11:01",
			want: []Line{l(2, TierHour, 500)}, covered: 2 * time.Hour},
		{name: "one second is a started hour", rates: std, zone: berlin, start: "2026-05-04T10:00", end: "2026-05-04T10:00:01",
			want: []Line{l(1, TierHour, 500)}, covered: time.Hour},
		{name: "3 hours below the day rate", rates: std, zone: berlin, start: "2026-05-04T10:00", end: "2026-05-04T13:00",
			want: []Line{l(3, TierHour, 500)}, covered: 3 * time.Hour},
		{name: "3 hours capped by the day rate", rates: Rates{Hour: 500, Day: 1200}, zone: berlin,
			start: "2026-05-04T10:00", end: "2026-05-04T13:00",
			want: []Line{l(1, TierDay, 1200)}, covered: 24 * time.Hour},
		{name: "20 hours billed as a day", rates: Rates{Hour: 150, Day: 2000}, zone: berlin,
			start: "2026-05-04T10:00", end: "2026-05-05T06:00",
			want: []Line{l(1, TierDay, 2000)}, covered: 24 * time.Hour},
		{name: "20 hours billed as hours", rates: Rates{Hour: 90, Day: 2000}, zone: berlin,
			start: "2026-05-04T10:00", end: "2026-05-05T06:00",
			want: []Line{l(20, TierHour, 90)}, covered: 20 * time.Hour},
		{name: "exactly 1 day", rates: std, zone: berlin, start: "2026-05-04T10:00", end: "2026-05-05T10:00",
			want: []Line{l(1, TierDay, 2000)}, covered: 24 * time.Hour},
		{name: "1 day + 2 hours", rates: std, zone: berlin, start: "2026-05-04T10:00", end: "2026-05-05T12:00",
			want: []Line{l(1, TierDay, 2000), l(2, TierHour, 500)}, covered: 26 * time.Hour},
		{name: "1 day + 5 hours becomes 2 days", rates: std, zone: berlin, start: "2026-05-04T10:00", end: "2026-05-05T15:00",
			want: []Line{l(2, TierDay, 2000)}, covered: 48 * time.Hour},
		{name: "4 days", rates: std, zone: berlin, start: "2026-05-04T10:00", end: "2026-05-08T10:00",
			want: []Line{l(4, TierDay, 2000)}, covered: 96 * time.Hour},
		{name: "5 days tie goes to the week", rates: Rates{Day: 2000, Week: 10000}, zone: berlin,
			start: "2026-05-04T10:00", end: "2026-05-09T10:00",
			want: []Line{l(1, TierWeek, 10000)}, covered: 7 * 24 * time.Hour},
		{name: "6 days cost a week", rates: std, zone: berlin, start: "2026-05-04T10:00", end: "2026-05-10T10:00",
			want: []Line{l(1, TierWeek, 10000)}, covered: 7 * 24 * time.Hour},
		{name: "8 days are a week and a day", rates: std, zone: berlin, start: "2026-05-04T10:00", end: "2026-05-12T10:00",
			want: []Line{l(1, TierWeek, 10000), l(1, TierDay, 2000)}, covered: 8 * 24 * time.Hour},
		{name: "13 days are 2 weeks", rates: std, zone: berlin, start: "2026-05-04T10:00", end: "2026-05-17T10:00",
			want: []Line{l(2, TierWeek, 10000)}, covered: 14 * 24 * time.Hour},
		{name: "30 days of April are a month", rates: std, zone: berlin, start: "2026-04-01T10:00", end: "2026-05-01T10:00",
			want: []Line{l(1, TierMonth, 30000)}, covered: 30 * 24 * time.Hour},
		{name: "30 days from 1 January fit in a month", rates: std, zone: berlin, start: "2026-01-01T10:00", end: "2026-01-31T10:00",
			want: []Line{l(1, TierMonth, 30000)}, covered: 31 * 24 * time.Hour},
		{name: "31 days of January are a month", rates: std, zone: berlin, start: "2026-01-01T10:00", end: "2026-02-01T10:00",
			want: []Line{l(1, TierMonth, 30000)}, covered: 31 * 24 * time.Hour},
		{name: "31 days from 1 April are a month and a day", rates: std, zone: berlin, start: "2026-04-01T10:00", end: "2026-05-02T10:00",
			want: []Line{l(1, TierMonth, 30000), l(1, TierDay, 2000)}, covered: 31 * 24 * time.Hour},
		{name: "weeks beat a dear month", rates: Rates{Day: 1000, Week: 5000, Month: 30000}, zone: berlin,
			start: "2026-04-01T10:00", end: "2026-05-01T10:00",
			want: []Line{l(4, TierWeek, 5000), l(2, TierDay, 1000)}, covered: 30 * 24 * time.Hour},
		{name: "31 January plus a month ends 28 February", rates: Rates{Day: 2000, Month: 30000}, zone: berlin,
			start: "2026-01-31T10:00", end: "2026-02-28T10:00",
			want: []Line{l(1, TierMonth, 30000)}, covered: 28 * 24 * time.Hour},
		{name: "month over a spring DST change", rates: std, zone: berlin, start: "2026-03-15T10:00", end: "2026-04-15T10:00",
			want: []Line{l(1, TierMonth, 30000)}, covered: 31*24*time.Hour - time.Hour},
		{name: "no hourly rate rounds hours to a day", rates: Rates{Day: 2000, Week: 10000}, zone: berlin,
			start: "2026-05-04T10:00", end: "2026-05-05T12:00",
			want: []Line{l(2, TierDay, 2000)}, covered: 48 * time.Hour},
		{name: "only hours", rates: Rates{Hour: 500}, zone: berlin, start: "2026-05-04T10:00", end: "2026-05-06T10:00",
			want: []Line{l(48, TierHour, 500)}, covered: 48 * time.Hour},
		{name: "only weeks", rates: Rates{Week: 10000}, zone: berlin, start: "2026-05-04T10:00", end: "2026-05-12T10:00",
			want: []Line{l(2, TierWeek, 10000)}, covered: 14 * 24 * time.Hour},
		{name: "only months", rates: Rates{Month: 30000}, zone: berlin, start: "2026-05-04T10:00", end: "2026-06-13T10:00",
			want: []Line{l(2, TierMonth, 30000)}, covered: 61 * 24 * time.Hour},
		{name: "minimum of a day", rates: std, zone: berlin, start: "2026-05-04T10:00", end: "2026-05-04T13:00",
			minimum: 24 * time.Hour, want: []Line{l(1, TierDay, 2000)}, covered: 24 * time.Hour},
		{name: "minimum of 3 hours", rates: std, zone: berlin, start: "2026-05-04T10:00", end: "2026-05-04T11:00",
			minimum: 3 * time.Hour, want: []Line{l(3, TierHour, 500)}, covered: 3 * time.Hour},
		{name: "minimum met", rates: std, zone: berlin, start: "2026-05-04T10:00", end: "2026-05-06T10:00",
			minimum: 24 * time.Hour, want: []Line{l(2, TierDay, 2000)}, covered: 48 * time.Hour},
		{name: "minimum day on a 23-hour day is one day", rates: std, zone: berlin,
			start: "2026-03-28T10:00", end: "2026-03-28T12:00", minimum: 24 * time.Hour,
			want: []Line{l(1, TierDay, 2000)}, covered: 23 * time.Hour},

		// B13: Fri 10:00 → Mon 10:00 local is 3 days across both changes.
		{name: "Berlin spring: 3 days in 71 hours", rates: std, zone: berlin, start: "2026-03-27T10:00", end: "2026-03-30T10:00",
			want: []Line{l(3, TierDay, 2000)}, covered: 71 * time.Hour},
		{name: "Berlin autumn: 3 days in 73 hours", rates: std, zone: berlin, start: "2026-10-23T10:00", end: "2026-10-26T10:00",
			want: []Line{l(3, TierDay, 2000)}, covered: 73 * time.Hour},
		{name: "Los Angeles spring: 3 days in 71 hours", rates: std, zone: "America/Los_Angeles",
			start: "2026-03-06T10:00", end: "2026-03-09T10:00",
			want: []Line{l(3, TierDay, 2000)}, covered: 71 * time.Hour},
		{name: "Los Angeles autumn: 3 days in 73 hours", rates: std, zone: "America/Los_Angeles",
			start: "2026-10-30T10:00", end: "2026-11-02T10:00",
			want: []Line{l(3, TierDay, 2000)}, covered: 73 * time.Hour},
		{name: "Berlin autumn: 3 days and 2 hours", rates: std, zone: berlin, start: "2026-10-23T10:00", end: "2026-10-26T12:00",
			want: []Line{l(3, TierDay, 2000), l(2, TierHour, 500)}, covered: 75 * time.Hour},
		{name: "Berlin spring by the hour bills real hours", rates: Rates{Hour: 500}, zone: berlin,
			start: "2026-03-27T10:00", end: "2026-03-30T10:00",
			want: []Line{l(71, TierHour, 500)}, covered: 71 * time.Hour},
		{name: "Los Angeles autumn by the hour bills real hours", rates: Rates{Hour: 500}, zone: "America/Los_Angeles",
			start: "2026-10-30T10:00", end: "2026-11-02T10:00",
			want: []Line{l(73, TierHour, 500)}, covered: 73 * time.Hour},
		{name: "overnight across spring change: 5 real hours", rates: Rates{Hour: 300, Day: 2000}, zone: berlin,
			start: "2026-03-28T22:00", end: "2026-03-29T04:00",
			want: []Line{l(5, TierHour, 300)}, covered: 5 * time.Hour},
		{name: "Berlin autumn week", rates: std, zone: berlin, start: "2026-10-20T10:00", end: "2026-10-27T10:00",
			want: []Line{l(1, TierWeek, 10000)}, covered: 7*24*time.Hour + time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input(t, tt.rates, tt.zone, tt.start, tt.end)
			in.Minimum = tt.minimum
			q, err := Price(in)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if !reflect.DeepEqual(q.Lines, want) {
				t.Errorf("lines = %+v\nwant    %+v", q.Lines, want)
			}
			var sum int64
			for _, line := range want {
				sum += line.Amount
			}
			if q.PerItem != sum || q.Subtotal != sum || q.Total != sum || q.Net != sum || q.Tax != 0 {
				t.Errorf("amounts = %+v; want %d throughout", q, sum)
			}
			if q.Covered != tt.covered || !q.CoveredUntil.Equal(in.Period.Start.Add(tt.covered)) {
				t.Errorf("covered = %v until %v; want %v", q.Covered, q.CoveredUntil, tt.covered)
			}
			if q.CoveredUntil.Before(in.Period.End) {
				t.Errorf("covered until %v is before the end %v", q.CoveredUntil, in.Period.End)
			}
			if q.MinimumApplied != (tt.minimum > in.Period.Duration()) {
				t.Errorf("MinimumApplied = %v", q.MinimumApplied)
			}
		})
	}
}

func TestPriceQuantity(t *testing.T) {
	in := input(t, std, "Europe/Berlin", "2026-05-04T10:00", "2026-05-12T10:00")
	in.Quantity = 3
	q, err := Price(in)
	if err != nil {
		t.Fatal(err)
	}
	if q.PerItem != 12000 || q.Quantity != 3 || q.Subtotal != 36000 || q.Total != 36000 {
		t.Errorf("quote = %+v; want 12000 per item, 36000 for 3", q)
	}
	if !reflect.DeepEqual(q.Lines, []Line{l(1, TierWeek, 10000), l(1, TierDay, 2000)}) {
		t.Errorf("lines are per item; got %+v", q.Lines)
	}
}

func TestPriceTax(t *testing.T) {
	tests := []struct {
		name                     string
		hourly                   int64
		quantity                 int
		tax                      Tax
		subtotal, net, tx, total int64
	}{
		{"no tax", 1999, 1, Tax{}, 1999, 1999, 0, 1999},
		{"zero rate ignores mode", 1999, 1, Tax{Mode: TaxInclusive}, 1999, 1999, 0, 1999},
		// 1999 × 19 % = 379.81 → 380.
		{"exclusive 19 %", 1999, 1, Tax{Mode: TaxExclusive, Rate: 1900}, 1999, 1999, 380, 2379},
		// 1999 × 19/119 = 319.16 → 319.
		{"inclusive 19 %", 1999, 1, Tax{Mode: TaxInclusive, Rate: 1900}, 1999, 1680, 319, 1999},
		// 5 × 10 % = 0.5 → 1: half rounds up.
		{"exclusive half rounds up", 5, 1, Tax{Mode: TaxExclusive, Rate: 1000}, 5, 5, 1, 6},
		// 4 × 10 % = 0.4 → 0.
		{"exclusive below half rounds down", 4, 1, Tax{Mode: TaxExclusive, Rate: 1000}, 4, 4, 0, 4},
		// 5 × 100/200 = 2.5 → 3.
		{"inclusive half rounds up", 5, 1, Tax{Mode: TaxInclusive, Rate: 10000}, 5, 2, 3, 5},
		// 3 × 1999 = 5997 × 8.25 % = 494.75 → 495.
		{"exclusive 8.25 % with quantity", 1999, 3, Tax{Mode: TaxExclusive, Rate: 825}, 5997, 5997, 495, 6492},
		// Rounded once on the total: 3 × 5 = 15 × 10 % = 1.5 → 2, where
		// rounding per item (0.5 → 1) would charge 3.
		{"tax rounded once", 5, 3, Tax{Mode: TaxExclusive, Rate: 1000}, 15, 15, 2, 17},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input(t, Rates{Hour: tt.hourly}, "Europe/Berlin", "2026-05-04T10:00", "2026-05-04T11:00")
			in.Quantity, in.Tax = tt.quantity, tt.tax
			q, err := Price(in)
			if err != nil {
				t.Fatal(err)
			}
			if q.Subtotal != tt.subtotal || q.Net != tt.net || q.Tax != tt.tx || q.Total != tt.total {
				t.Errorf("subtotal/net/tax/total = %d/%d/%d/%d; want %d/%d/%d/%d",
					q.Subtotal, q.Net, q.Tax, q.Total, tt.subtotal, tt.net, tt.tx, tt.total)
			}
			if q.Net+q.Tax != q.Total || q.TaxMode != tt.tax.Mode || q.TaxRate != tt.tax.Rate {
				t.Errorf("inconsistent quote %+v", q)
			}
		})
	}
}

func TestMulDivHalfUp(t *testing.T) {
	tests := []struct {
		x, num, den, want int64
		ok                bool
	}{
		{1999, 1900, 10000, 380, true},
		{1999, 1900, 11900, 319, true},
		{5, 1, 2, 3, true},
		{3, 1, 2, 2, true},
		{1, 1, 3, 0, true},
		{2, 1, 3, 1, true},
		{math.MaxInt64, 10000, 10000, math.MaxInt64, true},
		{math.MaxInt64, 10000, 20000, math.MaxInt64/2 + 1, true},
		{math.MaxInt64, 10000, 9999, 0, false},
	}
	for _, tt := range tests {
		got, ok := mulDivHalfUp(tt.x, tt.num, tt.den)
		if got != tt.want || ok != tt.ok {
			t.Errorf("mulDivHalfUp(%d, %d, %d) = %d, %v; want %d, %v", tt.x, tt.num, tt.den, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPriceErrors(t *testing.T) {
	valid := func() Input { return input(t, std, "Europe/Berlin", "2026-05-04T10:00", "2026-05-06T10:00") }
	tests := []struct {
		name   string
		change func(*Input)
		want   error
	}{
		{"no rates", func(in *Input) { in.Rates = Rates{} }, ErrNoRates},
		{"no location", func(in *Input) { in.Location = nil }, ErrInvalid},
		{"empty period", func(in *Input) { in.Period.End = in.Period.Start }, ErrInvalid},
		{"reversed period", func(in *Input) { in.Period.Start, in.Period.End = in.Period.End, in.Period.Start }, ErrInvalid},
		{"zero period", func(in *Input) { in.Period = period.Period{} }, ErrInvalid},
		{"quantity 0", func(in *Input) { in.Quantity = 0 }, ErrInvalid},
		{"negative rate", func(in *Input) { in.Rates.Day = -1 }, ErrInvalid},
		{"negative minimum", func(in *Input) { in.Minimum = -time.Hour }, ErrInvalid},
		{"negative tax", func(in *Input) { in.Tax = Tax{Mode: TaxExclusive, Rate: -1} }, ErrInvalid},
		{"tax over 100 %", func(in *Input) { in.Tax = Tax{Mode: TaxExclusive, Rate: 19000} }, ErrInvalid},
		{"tax without mode", func(in *Input) { in.Tax = Tax{Rate: 1900} }, ErrInvalid},
		{"over ten years", func(in *Input) { in.Period.End = in.Period.Start.AddDate(11, 0, 0) }, ErrTooLong},
		{"minimum over ten years", func(in *Input) { in.Minimum = 4000 * 24 * time.Hour }, ErrTooLong},
		{"rates overflow", func(in *Input) { in.Rates = Rates{Day: math.MaxInt64/2 + 1} }, ErrOverflow},
		{"quantity overflows", func(in *Input) { in.Rates = Rates{Day: 1 << 60}; in.Quantity = 4 }, ErrOverflow},
		{"tax overflows", func(in *Input) {
			in.Rates = Rates{Month: math.MaxInt64 - 10}
			in.Tax = Tax{Mode: TaxExclusive, Rate: 100}
		}, ErrOverflow},
	}
	for _, tt := range tests {
		in := valid()
		tt.change(&in)
		if _, err := Price(in); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v; want %v", tt.name, err, tt.want)
		}
	}
	// The largest period allowed still prices, quickly.
	in := valid()
	in.Period.End = period.AddMonths(in.Period.Start, MaxMonths, in.Location)
	if q, err := Price(in); err != nil || q.Lines[0] != l(MaxMonths, TierMonth, std.Month) {
		t.Errorf("ten years: %+v, %v", q.Lines, err)
	}
}

// TestPriceIgnoresProcessZone prices the same periods under different
// process zones (B13): only the location's zone may matter.
func TestPriceIgnoresProcessZone(t *testing.T) {
	saved := time.Local
	t.Cleanup(func() { time.Local = saved })
	cases := [][3]string{
		{"Europe/Berlin", "2026-03-27T10:00", "2026-03-30T10:00"},
		{"America/Los_Angeles", "2026-10-30T10:00", "2026-11-02T12:00"},
		{"Europe/Berlin", "2026-01-31T10:00", "2026-03-05T09:00"},
	}
	var want []Quote
	for i, zone := range []string{"UTC", "Pacific/Auckland", "America/Los_Angeles"} {
		time.Local = mustLoad(t, zone)
		for j, c := range cases {
			q, err := Price(input(t, std, c[0], c[1], c[2]))
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				want = append(want, q)
				continue
			}
			if !reflect.DeepEqual(q, want[j]) {
				t.Errorf("process zone %s, %v: %+v; want %+v", zone, c, q, want[j])
			}
		}
	}
	if got := want[0].Lines; !reflect.DeepEqual(got, []Line{l(3, TierDay, 2000)}) {
		t.Errorf("Berlin spring weekend = %+v", got)
	}
}

func TestTaxModeString(t *testing.T) {
	if TaxExclusive.String() != "exclusive" || TaxInclusive.String() != "inclusive" || TaxMode(0).String() != "TaxMode(0)" {
		t.Error("TaxMode.String")
	}
}

// BenchmarkPrice measures a catalog-page price (a week) and the longest
// periods, to keep the day-by-day program cheap enough to run per item.
func BenchmarkPrice(b *testing.B) {
	for _, bc := range []struct{ name, end string }{
		{"week", "2026-05-11T10:00"},
		{"year", "2027-05-04T10:00"},
		{"ten-years", "2036-05-04T10:00"},
	} {
		in := input(b, std, "Europe/Berlin", "2026-05-04T10:00", bc.end)
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Price(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The calendar kept from the last period priced, and a span prepared once,
// give the same plans as a calendar made afresh, whichever periods came
// before (longer, shorter, another zone, the same instant in another zone's
// clock).
func TestPriceWithRememberedDays(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	auckland, _ := time.LoadLocation("Pacific/Auckland")
	start := time.Date(2030, 3, 20, 10, 0, 0, 0, berlin) // spans the spring DST change
	rates := Rates{Hour: 700, Day: 4000, Week: 19000, Month: 60000}
	var want []Quote
	var ins []Input
	for _, loc := range []*time.Location{berlin, auckland} {
		for _, days := range []int{40, 1, 9, 3, 70, 2} {
			in := Input{Rates: rates, Period: period.Period{Start: start, End: start.AddDate(0, 0, days).Add(5 * time.Hour)},
				Location: loc, Tax: Tax{Mode: TaxInclusive, Rate: 1900}, Quantity: 1}
			lastCalendar.Store(nil)
			q, err := Price(in)
			if err != nil {
				t.Fatal(err)
			}
			ins, want = append(ins, in), append(want, q)
		}
	}
	lastCalendar.Store(nil)
	spans := make([]*Span, len(ins))
	for round := range 2 {
		for i, in := range ins {
			if spans[i] == nil {
				sp, err := NewSpan(in.Period, in.Location)
				if err != nil {
					t.Fatal(err)
				}
				spans[i] = sp
			}
			got, err := spans[i].Price(Terms{Rates: in.Rates, Minimum: in.Minimum, Tax: in.Tax, Quantity: in.Quantity})
			if err != nil || !reflect.DeepEqual(got, want[i]) {
				t.Fatalf("round %d, period %d: %v\n%+v\nwant %+v", round, i, err, got, want[i])
			}
			if got, err = Price(in); err != nil || !reflect.DeepEqual(got, want[i]) {
				t.Fatalf("round %d, period %d, afresh: %v\n%+v\nwant %+v", round, i, err, got, want[i])
			}
		}
	}
}

// A line's label reads as fmt wrote it ("1 week", "3 weeks") for every tier
// and any count of units.
func TestLabel(t *testing.T) {
	for _, tier := range []Tier{TierMonth, TierWeek, TierDay, TierHour} {
		for n := 1; n <= 1000; n++ {
			want := fmt.Sprintf("%d %ss", n, tier)
			if n == 1 {
				want = "1 " + string(tier)
			}
			if got := label(n, tier); got != want {
				t.Fatalf("label(%d, %s) = %q, want %q", n, tier, got, want)
			}
		}
	}
}
