package pricing

import (
	"fmt"
	"time"

	"github.com/rentdesk/rentdesk/internal/period"
)

// The pricing of one period as it was before periods were prepared once for
// many items (Span): each price found its own local days and months. Kept
// unchanged as the reference that TestSpanAgreesWithReference holds the
// prepared path to.

// refPrice is Price as it was before a Span: the reference the
// prepared path is checked against, to the cent and to the breakdown.
func refPrice(in Input) (Quote, error) {
	if err := refValidate(in); err != nil {
		return Quote{}, err
	}
	loc, start := in.Location, in.Period.Start
	end, minApplied := in.Period.End, false
	if minEnd := minimumEnd(start, in.Minimum, loc); minEnd.After(end) {
		end, minApplied = minEnd, true
	}
	if end.After(period.AddMonths(start, MaxMonths, loc)) {
		return Quote{}, fmt.Errorf("%w: over %d months", ErrTooLong, MaxMonths)
	}

	p, err := refCheapest(in.Rates, start, end, loc)
	if err != nil {
		return Quote{}, err
	}
	q := Quote{
		Lines:          p.lines(in.Rates),
		Quantity:       in.Quantity,
		TaxMode:        in.Tax.Mode,
		TaxRate:        in.Tax.Rate,
		CoveredUntil:   p.until,
		Covered:        p.until.Sub(start),
		MinimumApplied: minApplied,
	}
	for _, l := range q.Lines {
		q.PerItem += l.Amount // cannot overflow: the plan's cost fitted
	}
	var ok bool
	if q.Subtotal, ok = mul(int64(in.Quantity), q.PerItem); !ok {
		return Quote{}, fmt.Errorf("%w: %d × %d", ErrOverflow, in.Quantity, q.PerItem)
	}
	if err := applyTax(&q); err != nil {
		return Quote{}, err
	}
	return q, nil
}

// refValidate is validate as it was.
func refValidate(in Input) error {
	r := in.Rates
	switch {
	case in.Location == nil:
		return fmt.Errorf("%w: no location", ErrInvalid)
	case in.Period.IsEmpty():
		return fmt.Errorf("%w: empty period %v", ErrInvalid, in.Period)
	case in.Quantity < 1:
		return fmt.Errorf("%w: quantity %d", ErrInvalid, in.Quantity)
	case r.Hour < 0 || r.Day < 0 || r.Week < 0 || r.Month < 0:
		return fmt.Errorf("%w: negative rate %+v", ErrInvalid, r)
	case in.Minimum < 0:
		return fmt.Errorf("%w: negative minimum %v", ErrInvalid, in.Minimum)
	case in.Tax.Rate < 0 || in.Tax.Rate > MaxTaxRate:
		return fmt.Errorf("%w: tax rate %d basis points", ErrInvalid, in.Tax.Rate)
	case in.Tax.Rate > 0 && in.Tax.Mode != TaxExclusive && in.Tax.Mode != TaxInclusive:
		return fmt.Errorf("%w: tax mode %v", ErrInvalid, in.Tax.Mode)
	case r == Rates{}:
		return ErrNoRates
	}
	return nil
}

// refCheapest is cheapest as it was, each period's days found afresh.
func refCheapest(r Rates, start, end time.Time, loc *time.Location) (plan, error) {
	s := start.In(loc)
	var cache []time.Time // boundaries already computed, by index
	bound := func(j int) time.Time {
		if j == 0 {
			// The start itself, even when its wall clock is the second of
			// two identical readings in a DST overlap.
			return start
		}
		if j < len(cache) {
			return cache[j]
		}
		return period.Date(s.Year(), s.Month(), s.Day()+j, s.Hour(), s.Minute(), s.Second(), s.Nanosecond(), loc)
	}
	hoursFrom := func(j int) int {
		// Partial hours round UP: a started hour is billed.
		return int((end.Sub(bound(j)) + time.Hour - 1) / time.Hour)
	}

	// last is the number of whole days in the period: the last boundary at
	// or before end. Start from the difference of local dates and correct
	// for the time of day.
	last := civilDays(end.In(loc)) - civilDays(s)
	for last > 0 && bound(last).After(end) {
		last--
	}
	for !bound(last + 1).After(end) {
		last++
	}

	bounds := make([]time.Time, last+2)
	for j := range bounds {
		bounds[j] = bound(j)
	}
	cache = bounds

	// The program's tables live on the stack for periods of up to
	// smallDays days, the periods nearly everyone books.
	var fSmall [smallDays]int64
	var choiceSmall [smallDays]step
	f, choice := fSmall[:], choiceSmall[:]
	if last+1 > smallDays {
		f, choice = make([]int64, last+1), make([]step, last+1)
	}
	f, choice = f[:last+1], choice[:last+1]
	at := func(j int) int64 {
		if j > last {
			return 0
		}
		return f[j]
	}
	for j := last; j >= 0; j-- {
		if !bound(j).Before(end) {
			choice[j] = stepDone
			continue
		}
		best, how := int64(infinite), stepNone
		if r.Week > 0 {
			if c := add(r.Week, at(j+7)); c < best {
				best, how = c, stepWeek
			}
		}
		if r.Day > 0 {
			if c := add(r.Day, at(j+1)); c < best {
				best, how = c, stepDay
			}
		}
		if r.Hour > 0 {
			if c, ok := mul(int64(hoursFrom(j)), r.Hour); ok && c < best {
				best, how = c, stepHours
			}
		}
		f[j], choice[j] = best, how
	}

	// Months: try every count until months alone cover the period.
	best := plan{cost: infinite}
	for m := 0; ; m++ {
		if m > 0 && r.Month == 0 {
			break
		}
		jm := monthDays(s, m)
		monthCost, ok := mul(int64(m), r.Month)
		if !ok {
			break
		}
		c := add(monthCost, at(jm))
		// <= prefers more months on a tie: "1 month" over "4 weeks, 2 days".
		if c < infinite && (c < best.cost || (c == best.cost && m > 0)) {
			best = plan{months: m, cost: c}
			refWalk(&best, jm, choice, last, bound, hoursFrom)
		}
		if jm > last || !bound(jm).Before(end) {
			break // m months cover everything; more cannot be cheaper
		}
	}
	if best.cost == infinite {
		return plan{}, fmt.Errorf("%w: rates %+v over %v", ErrOverflow, r, end.Sub(start))
	}
	return best, nil
}

// refWalk is plan.walk as it was.
func refWalk(p *plan, j int, choice []step, last int, bound func(int) time.Time, hoursFrom func(int) int) {
	for j <= last {
		switch choice[j] {
		case stepWeek:
			p.weeks++
			j += 7
		case stepDay:
			p.days++
			j++
		case stepHours:
			p.hours = hoursFrom(j)
			p.until = bound(j).Add(time.Duration(p.hours) * time.Hour)
			return
		default: // stepDone; stepNone cannot be reached with a finite cost
			p.until = bound(j)
			return
		}
	}
	p.until = bound(j)
}
