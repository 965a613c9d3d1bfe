package booking

import (
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
