package pricing

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/period"
)

// priceResult is a quote or the text of its error, to compare paths.
type priceResult struct {
	q   Quote
	err string
}

func resultOf(q Quote, err error) priceResult {
	if err != nil {
		return priceResult{err: err.Error()}
	}
	return priceResult{q: q}
}

// overlapStart is 02:30 CET on 2026-10-25, the second 02:30 in Berlin.
var overlapStart = time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC)

// spanPeriods are periods of every shape a page prices: an hour to months,
// starts on the second reading of an autumn overlap, across DST changes and
// month ends, and longer than MaxMonths.
func spanPeriods(t *testing.T, rng *rand.Rand, locs []*time.Location, n int) []Input {
	berlin := mustLoad(t, "Europe/Berlin")
	overlap := overlapStart
	ins := []Input{
		{Period: period.Period{Start: overlap, End: overlap.Add(7 * 24 * time.Hour)}, Location: berlin},
		{Period: period.Period{Start: overlap, End: overlap.Add(90 * time.Minute)}, Location: berlin},
		{Period: period.Period{Start: overlap, End: overlap.AddDate(11, 0, 0)}, Location: berlin},
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for range n {
		start := base.Add(time.Duration(rng.IntN(3*365*24*60)) * time.Minute)
		if rng.IntN(10) == 0 {
			start = start.Add(time.Duration(rng.IntN(60)) * time.Second)
		}
		var length time.Duration
		switch rng.IntN(5) {
		case 0:
			length = time.Duration(1+rng.IntN(36*60)) * time.Minute
		case 1, 2:
			length = time.Duration(1+rng.IntN(10))*24*time.Hour + time.Duration(rng.IntN(3)-1)*time.Hour
		case 3:
			length = time.Duration(1+rng.IntN(120*24*60)) * time.Minute
		default:
			length = time.Duration(rng.IntN(125*31)) * 24 * time.Hour
		}
		ins = append(ins, Input{Period: period.Period{Start: start, End: start.Add(max(length, time.Minute))}, Location: locs[rng.IntN(len(locs))]})
	}
	return ins
}

// spanTerms are one page's items: rates with tiers left out, minimum
// durations shorter and longer than the period, tax modes, quantities, and
// now and then terms Price refuses or cannot fit in int64.
func spanTerms(rng *rand.Rand, n int) []Terms {
	rate := func(max int) int64 {
		if rng.IntN(4) == 0 {
			return 0
		}
		return int64(1 + rng.IntN(max))
	}
	out := make([]Terms, n)
	for i := range out {
		t := Terms{Rates: Rates{Hour: rate(900), Day: rate(6000), Week: rate(30000), Month: rate(90000)},
			Tax: Tax{Mode: TaxMode(1 + rng.IntN(2)), Rate: int64(rng.IntN(3) * 950)}, Quantity: 1 + rng.IntN(3)}
		switch rng.IntN(8) {
		case 0:
			t.Minimum = time.Duration(1+rng.IntN(23*60)) * time.Minute
		case 1:
			t.Minimum = time.Duration(1+rng.IntN(14))*24*time.Hour + time.Duration(rng.IntN(3))*time.Hour
		case 2:
			t.Minimum = time.Duration(20+rng.IntN(80)) * 24 * time.Hour
		}
		switch rng.IntN(40) {
		case 0:
			t.Quantity = 0
		case 1:
			t.Rates.Day = -1
		case 2:
			t.Rates = Rates{}
		case 3:
			t.Rates.Hour = 1 << 60
		case 4:
			t.Quantity = 1 << 40
		case 5:
			t.Tax = Tax{Rate: 1900}
		}
		out[i] = t
	}
	return out
}

// TestSpanAgreesWithReference prices many items over many periods through
// one Span per period and through Price, and holds both to the pricing as
// it was (refPrice, each price finding its own days): the same quote to
// the cent and to the breakdown, or the same error.
func TestSpanAgreesWithReference(t *testing.T) {
	locs := loadAll(t, bruteZones)
	rng := rand.New(rand.NewPCG(11, 12))
	periods, items := 300, 30
	if testing.Short() {
		periods = 60
	}
	checked := 0
	for _, p := range spanPeriods(t, rng, locs, periods) {
		sp, err := NewSpan(p.Period, p.Location)
		if err != nil {
			t.Fatalf("NewSpan(%v): %v", p.Period, err)
		}
		terms := spanTerms(rng, items)
		if p.Period.Start.Equal(overlapStart) {
			// Minimums of less than a day count from the start's first
			// reading, an hour before the start itself here.
			for h := range 24 {
				terms = append(terms, Terms{Rates: std, Minimum: time.Duration(h)*time.Hour + 30*time.Minute, Quantity: 1})
			}
		}
		for _, tm := range terms {
			in := Input{Rates: tm.Rates, Minimum: tm.Minimum, Period: p.Period, Location: p.Location, Tax: tm.Tax, Quantity: tm.Quantity}
			want := resultOf(refPrice(in))
			if got := resultOf(sp.Price(tm)); !reflect.DeepEqual(got, want) {
				t.Fatalf("span %v in %v, terms %+v:\n got %+v\nwant %+v", p.Period, p.Location, tm, got, want)
			}
			if got := resultOf(Price(in)); !reflect.DeepEqual(got, want) {
				t.Fatalf("Price %v in %v, terms %+v:\n got %+v\nwant %+v", p.Period, p.Location, tm, got, want)
			}
			want.q.Lines = nil
			if got := resultOf(sp.Amounts(tm)); !reflect.DeepEqual(got, want) {
				t.Fatalf("amounts %v in %v, terms %+v:\n got %+v\nwant %+v", p.Period, p.Location, tm, got, want)
			}
			checked++
		}
	}
	t.Logf("%d prices agree", checked)
}

// NewSpan refuses what Price refuses of a period alone.
func TestNewSpanErrors(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	at := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		p   period.Period
		loc *time.Location
	}{
		{period.Period{Start: at, End: at.Add(time.Hour)}, nil},
		{period.Period{Start: at, End: at}, berlin},
		{period.Period{Start: at, End: at.Add(-time.Hour)}, berlin},
	} {
		_, err := NewSpan(c.p, c.loc)
		_, want := refPrice(Input{Rates: std, Period: c.p, Location: c.loc, Quantity: 1})
		if err == nil || want == nil || err.Error() != want.Error() {
			t.Errorf("NewSpan(%v, %v) = %v, Price says %v", c.p, c.loc, err, want)
		}
	}
}

// pageTerms are a catalog page's 24 items, each with its own rates (some
// without a week or month tier) and now and then a minimum duration.
func pageTerms() []Terms {
	out := make([]Terms, 24)
	for i := range out {
		r := Rates{Hour: int64(300 + 10*i), Day: int64(2000 + 100*i), Week: int64(9000 + 300*i), Month: int64(30000 + 700*i)}
		if i%3 == 0 {
			r.Week = 0
		}
		if i%4 == 0 {
			r.Month = 0
		}
		out[i] = Terms{Rates: r, Tax: Tax{Mode: TaxInclusive, Rate: 1900}, Quantity: 1}
		if i%5 == 0 {
			out[i].Minimum = 24 * time.Hour
		}
	}
	return out
}

// BenchmarkPricePage prices a catalog page (24 items, a week in Berlin):
// each item afresh with Price, and once with a Span and Amounts per item,
// as the pages do.
func BenchmarkPricePage(b *testing.B) {
	in := input(b, std, "Europe/Berlin", "2026-12-14T09:00", "2026-12-21T09:00")
	terms := pageTerms()
	b.Run("each", func(b *testing.B) {
		for b.Loop() {
			for _, t := range terms {
				in.Rates, in.Minimum, in.Tax, in.Quantity = t.Rates, t.Minimum, t.Tax, t.Quantity
				if _, err := Price(in); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("span", func(b *testing.B) {
		for b.Loop() {
			sp, err := NewSpan(in.Period, in.Location)
			if err != nil {
				b.Fatal(err)
			}
			for _, t := range terms {
				if _, err := sp.Amounts(t); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
