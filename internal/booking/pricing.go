package booking

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/pricing"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Pricing prices booking lines with the shop's rules (internal/pricing): the
// cheapest combination of the item's tiers, counted in the location's zone,
// the item's minimum duration, and the shop's tax setting.
type Pricing struct{}

// Quote prices qty of an item for [start, end) at a location in zone loc.
func (Pricing) Quote(it store.BookableItem, start, end time.Time, loc *time.Location, qty int, st store.Settings) (Quote, error) {
	q, err := PriceItem(it, st, start, end, loc, qty)
	if err != nil {
		return Quote{}, err
	}
	out := amountsOf(q)
	rate := q.TaxRate
	bd := Breakdown{Quantity: q.Quantity, Tax: q.Tax, Due: q.Total, TaxRate: &rate, MinimumApplied: q.MinimumApplied}
	for _, l := range q.Lines {
		bd.Lines = append(bd.Lines, PriceLine{Label: l.Label, Amount: l.Amount})
	}
	if out.Breakdown, err = json.Marshal(bd); err != nil {
		return Quote{}, err
	}
	return out, nil
}

// Price is Quote without the breakdown (Breakdown stays nil), for pages
// that show only the amounts: the same rules, the same figures.
func (Pricing) Price(it store.BookableItem, start, end time.Time, loc *time.Location, qty int, st store.Settings) (Quote, error) {
	q, err := PriceItem(it, st, start, end, loc, qty)
	if err != nil {
		return Quote{}, err
	}
	return amountsOf(q), nil
}

// amountsOf is a priced period's amounts as a line quote.
func amountsOf(q pricing.Quote) Quote {
	return Quote{UnitPrice: q.PerItem, Total: q.Subtotal, Tax: q.Tax, Due: q.Total}
}

// PriceItem prices qty of an item for [start, end) in zone loc with the
// shop's rules, and says in words what cannot be priced (*FieldErrors for a
// period too long, *RuleError for an item without rates). It is the one
// function behind booking lines (Quote) and the catalog's price calculator,
// so a page never shows a price the booking would not charge.
func PriceItem(it store.BookableItem, st store.Settings, start, end time.Time, loc *time.Location, qty int) (pricing.Quote, error) {
	q, err := pricing.Price(PricingInput(it, st, start, end, loc, qty))
	return q, priceError(it, err)
}

// priceError says in words what cannot be priced.
func priceError(it store.BookableItem, err error) error {
	switch {
	case errors.Is(err, pricing.ErrTooLong):
		return FieldErrors{"end": fmt.Sprintf("Choose a period of at most %d months.", pricing.MaxMonths)}
	case errors.Is(err, pricing.ErrNoRates):
		return &RuleError{Msg: it.Name + " has no price yet; please ask the shop."}
	}
	return err
}

// PriceFunc prices qty of an item for the period it was made for.
type PriceFunc func(it store.BookableItem, qty int) (Quote, error)

// Prices is Price for many items over one period (a page of the catalog or
// of /book): the period's calendar in the zone is worked out once
// (pricing.Span), not once per item. The same rules, the same figures.
func (Pricing) Prices(start, end time.Time, loc *time.Location, st store.Settings) PriceFunc {
	sp, spanErr := pricing.NewSpan(period.Period{Start: start, End: end}, loc)
	return func(it store.BookableItem, qty int) (Quote, error) {
		if spanErr != nil {
			return Quote{}, spanErr
		}
		q, err := sp.Amounts(termsOf(it, st, qty))
		if err != nil {
			return Quote{}, priceError(it, err)
		}
		return amountsOf(q), nil
	}
}

// PricingInput maps an item, the shop settings and a period onto the pricing
// package. The item's tax category picks the rate (Settings.TaxRateFor).
func PricingInput(it store.BookableItem, st store.Settings, start, end time.Time, loc *time.Location, qty int) pricing.Input {
	t := termsOf(it, st, qty)
	return pricing.Input{Rates: t.Rates, Minimum: t.Minimum, Period: period.Period{Start: start, End: end},
		Location: loc, Tax: t.Tax, Quantity: qty}
}

// termsOf is what an item's price depends on besides the period.
func termsOf(it store.BookableItem, st store.Settings, qty int) pricing.Terms {
	rate := func(v *int64) int64 {
		if v == nil {
			return 0
		}
		return *v
	}
	tax := pricing.Tax{Mode: pricing.TaxInclusive, Rate: int64(st.TaxRateFor(it.TaxCategory))}
	if st.TaxMode == "exclusive" {
		tax.Mode = pricing.TaxExclusive
	}
	return pricing.Terms{
		Rates:   pricing.Rates{Hour: rate(it.RateHour), Day: rate(it.RateDay), Week: rate(it.RateWeek), Month: rate(it.RateMonth)},
		Minimum: time.Duration(it.MinDurationMinutes) * time.Minute,
		Tax:     tax, Quantity: qty,
	}
}
