package web

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/pricing"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// quote prices the chosen period for one item. The dates are wall-clock
// times in the location's zone (never the server's or the browser's), and
// days and weeks are counted in that zone, so a week across a DST change is
// still one week. Problems come back as a message, never as an error page.
func (s *Server) quote(ctx context.Context, it catalog.Item, loc catalog.Location, start, end string) pages.PriceView {
	zone, err := loc.Zone()
	if err != nil {
		return pages.PriceView{Error: "This location has no valid time zone; please ask the shop."}
	}
	p, err := period.Parse(start, end, zone)
	var fe period.FieldErrors
	if errors.As(err, &fe) {
		msg := fe[period.FieldStart]
		if msg == "" {
			msg = fe[period.FieldEnd]
		}
		return pages.PriceView{Error: sentenceCase(msg) + "."}
	}
	if err != nil {
		return pages.PriceView{Error: "Choose a start and an end."}
	}
	settings, err := s.Store.GetSettings(ctx)
	if err != nil {
		return pages.PriceView{Error: "Prices cannot be shown right now; please try again."}
	}
	q, err := pricing.Price(pricingInput(it, settings, p, zone))
	switch {
	case errors.Is(err, pricing.ErrTooLong):
		return pages.PriceView{Error: fmt.Sprintf("Choose a period of at most %d months.", pricing.MaxMonths)}
	case err != nil:
		return pages.PriceView{Error: "This item cannot be priced for these dates; please ask the shop."}
	}
	return priceView(q, it, settings.Currency, p, zone)
}

// pricingInput maps an item and the shop settings onto the pricing package.
// The zero tax category is untaxed; the others use the shop rate.
func pricingInput(it catalog.Item, st store.Settings, p period.Period, zone *time.Location) pricing.Input {
	rate := func(v *int64) int64 {
		if v == nil {
			return 0
		}
		return *v
	}
	tax := pricing.Tax{Mode: pricing.TaxInclusive, Rate: int64(st.TaxRateBP)}
	if st.TaxMode == "exclusive" {
		tax.Mode = pricing.TaxExclusive
	}
	if it.TaxCategory == "zero" {
		tax.Rate = 0
	}
	return pricing.Input{Rates: pricing.Rates{Hour: rate(it.RateHour), Day: rate(it.RateDay), Week: rate(it.RateWeek), Month: rate(it.RateMonth)},
		Minimum: time.Duration(it.MinDurationMinutes) * time.Minute, Period: p, Location: zone, Tax: tax, Quantity: 1}
}

// priceView writes a quote the way the page shows it.
func priceView(q pricing.Quote, it catalog.Item, currency string, p period.Period, zone *time.Location) pages.PriceView {
	v := pages.PriceView{Asked: true, Period: period.FormatRange(p, zone), Total: money.Format(q.Total, currency)}
	for _, l := range q.Lines {
		v.Lines = append(v.Lines, pages.PriceLine{Label: fmt.Sprintf("%s × %s", l.Label, money.Format(l.UnitPrice, currency)), Amount: money.Format(l.Amount, currency)})
	}
	if q.Tax > 0 {
		label := "Includes tax"
		if q.TaxMode == pricing.TaxExclusive {
			label = "Tax"
		}
		v.Lines = append(v.Lines, pages.PriceLine{Label: fmt.Sprintf("%s (%s %%)", label, bpPercent(q.TaxRate)), Amount: money.Format(q.Tax, currency)})
	}
	if it.Deposit > 0 {
		v.Deposit = money.Format(it.Deposit, currency)
	}
	if q.MinimumApplied {
		v.Notes = append(v.Notes, "Shorter than the minimum rental of "+pages.Minutes(it.MinDurationMinutes)+", so the minimum is charged.")
	}
	if q.CoveredUntil.After(p.End) {
		v.Notes = append(v.Notes, "The price covers until "+period.FormatDisplay(q.CoveredUntil, zone)+".")
	}
	return v
}

// bpPercent writes basis points as a percentage: 1900 → "19", 825 → "8.25".
func bpPercent(bp int64) string {
	if bp%100 == 0 {
		return fmt.Sprint(bp / 100)
	}
	return fmt.Sprintf("%d.%02d", bp/100, bp%100)
}

// sentenceCase capitalises the first letter of an ASCII message.
func sentenceCase(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
