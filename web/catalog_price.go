package web

import (
	"errors"
	"fmt"
	"time"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/pricing"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// quote prices the chosen period for one item with the booking's own
// pricing (booking.PriceItem), so the calculator shows what a booking would
// charge. The dates are wall-clock times in the location's zone (never the
// server's or the browser's), and days and weeks are counted in that zone, so
// a week across a DST change is still one week. Problems come back as a
// message, never as an error page.
func (s *Server) quote(it catalog.Item, loc catalog.Location, settings store.Settings, start, end string) (pages.PriceView, period.Period) {
	zone, err := loc.Zone()
	if err != nil {
		return pages.PriceView{Error: "This location has no valid time zone; please ask the shop."}, period.Period{}
	}
	p, err := period.Parse(start, end, zone)
	var pe period.FieldErrors
	if errors.As(err, &pe) {
		msg := pe[period.FieldStart]
		if msg == "" {
			msg = pe[period.FieldEnd]
		}
		return pages.PriceView{Error: catalog.Sentence(msg)}, p
	}
	if err != nil {
		return pages.PriceView{Error: "Choose a start and an end."}, p
	}
	q, err := booking.PriceItem(store.BookableOf(it), settings, p.Start, p.End, zone, 1)
	var fe booking.FieldErrors
	var re *booking.RuleError
	switch {
	case errors.As(err, &fe):
		return pages.PriceView{Error: fe["end"]}, p
	case errors.As(err, &re):
		return pages.PriceView{Error: re.Msg}, p
	case err != nil:
		return pages.PriceView{Error: "This item cannot be priced for these dates; please ask the shop."}, p
	}
	// The calculator prices only periods that could be booked (the
	// booking's own rules come first, so their message wins).
	if m := booking.CheckHorizon(p.End, settings, s.Now()); m != "" {
		return pages.PriceView{Error: m}, p
	}
	return priceView(q, it, settings.Currency, p, zone), p
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
