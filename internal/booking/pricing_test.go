package booking

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// Each tax category is priced with its own rate; the breakdown keeps the rate.
func TestPricingTaxByCategory(t *testing.T) {
	day := int64(10000)
	st := store.Settings{TaxMode: "inclusive", TaxRateBP: 1900, ReducedTaxRateBP: 700}
	start := time.Date(2030, 3, 4, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		category string
		rate     int64
		tax      int64
	}{{"standard", 1900, 1597}, {"reduced", 700, 654}, {"zero", 0, 0}} {
		it := store.BookableItem{Name: "Lamp", RateDay: &day, TaxCategory: tc.category}
		q, err := Pricing{}.Quote(it, start, start.Add(24*time.Hour), time.UTC, 1, st)
		if err != nil {
			t.Fatal(err)
		}
		bd := ParseBreakdown(q.Breakdown)
		if q.Tax != tc.tax || q.Due != 10000 || bd.TaxRate == nil || *bd.TaxRate != tc.rate {
			t.Errorf("%s: tax %d due %d rate %v, want tax %d rate %d", tc.category, q.Tax, q.Due, bd.TaxRate, tc.tax, tc.rate)
		}
	}
}

// Price, the pages' price-only path, gives Quote's amounts without the
// breakdown, for any mix of tiers, quantity, tax mode and minimum; an item
// that cannot be priced is refused by both alike.
func TestPricingPriceMatchesQuote(t *testing.T) {
	hour, day, week := int64(900), int64(5000), int64(22000)
	zone, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2030, 3, 27, 9, 30, 0, 0, zone) // across the DST change
	items := []store.BookableItem{
		{Name: "Drill", RateHour: &hour, RateDay: &day, RateWeek: &week, TaxCategory: "standard"},
		{Name: "Tent", RateDay: &day, TaxCategory: "reduced", MinDurationMinutes: 3 * 24 * 60},
		{Name: "Van", RateHour: &hour, TaxCategory: "zero"},
	}
	eng := New(nil, nil, Pricing{})
	for _, mode := range []string{"inclusive", "exclusive"} {
		st := store.Settings{TaxMode: mode, TaxRateBP: 1900, ReducedTaxRateBP: 700}
		for _, it := range items {
			for _, d := range []time.Duration{90 * time.Minute, 26 * time.Hour, 9 * 24 * time.Hour} {
				for _, qty := range []int{1, 3} {
					q, qerr := eng.Quote(it, start, start.Add(d), zone, qty, st)
					p, perr := eng.Price(it, start, start.Add(d), zone, qty, st)
					if (qerr == nil) != (perr == nil) {
						t.Fatalf("%s %v ×%d: Quote error %v, Price error %v", it.Name, d, qty, qerr, perr)
					}
					if q.UnitPrice != p.UnitPrice || q.Total != p.Total || q.Tax != p.Tax || q.Due != p.Due || p.Breakdown != nil {
						t.Errorf("%s %s %v ×%d: Quote %+v, Price %+v", it.Name, mode, d, qty, q, p)
					}
				}
			}
		}
	}
	if _, err := eng.Price(store.BookableItem{Name: "Nothing"}, start, start.Add(time.Hour), zone, 1, store.Settings{}); err == nil {
		t.Fatal("an item without rates was priced")
	}
}

// Prices, the pricing of a page's items over one period, gives what Price
// gives for each of them: the same amounts for any mix of tiers, quantity,
// tax mode and minimum, and the same refusal in the same words (an item
// without rates, a period too long, an empty one).
func TestPricingPricesMatchesPrice(t *testing.T) {
	hour, day, week, month := int64(900), int64(5000), int64(22000), int64(61000)
	zone, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2030, 3, 27, 9, 30, 0, 0, zone) // across the DST change
	items := []store.BookableItem{
		{Name: "Drill", RateHour: &hour, RateDay: &day, RateWeek: &week, TaxCategory: "standard"},
		{Name: "Tent", RateDay: &day, TaxCategory: "reduced", MinDurationMinutes: 3 * 24 * 60},
		{Name: "Van", RateHour: &hour, TaxCategory: "zero", MinDurationMinutes: 150},
		{Name: "Boat", RateDay: &day, RateMonth: &month, MinDurationMinutes: 40 * 24 * 60},
		{Name: "Nothing"},
	}
	eng := New(nil, nil, Pricing{})
	for _, mode := range []string{"inclusive", "exclusive"} {
		st := store.Settings{TaxMode: mode, TaxRateBP: 1900, ReducedTaxRateBP: 700}
		for _, d := range []time.Duration{0, 90 * time.Minute, 26 * time.Hour, 9 * 24 * time.Hour, 50 * 24 * time.Hour, 11 * 366 * 24 * time.Hour} {
			prices := eng.Prices(start, start.Add(d), zone, st)
			for _, it := range items {
				for _, qty := range []int{1, 3} {
					want, werr := eng.Price(it, start, start.Add(d), zone, qty, st)
					got, err := prices(it, qty)
					if fmt.Sprintf("%#v", err) != fmt.Sprintf("%#v", werr) || !reflect.DeepEqual(got, want) {
						t.Errorf("%s %s %v ×%d: Prices %+v %#v, Price %+v %#v", it.Name, mode, d, qty, got, err, want, werr)
					}
				}
			}
		}
	}
}
