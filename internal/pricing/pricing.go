// Package pricing computes what renting an item for a period costs: the
// cheapest combination of the item's rate tiers (hour, day, week, month)
// that covers the period, the minimum duration, quantity and tax, with a
// line-by-line breakdown that pages, emails and invoices show alike.
//
// Days, weeks and months are calendar units in the location's zone, not
// multiples of 24 hours: Friday 10:00 to Saturday 10:00 is one day even when
// a DST change makes it 23 or 25 hours long. All amounts are int64 minor
// units of the shop's currency; nothing here uses floats.
//
// Rounding rules, in one place:
//   - Time is billed in whole units. Whole calendar days are counted from
//     the start; whatever is left after the last whole day is billed in
//     hours, and a partial hour counts as a full hour (rounded UP: 61
//     minutes are 2 hours). A leftover may instead be covered by a whole day
//     or week when that is cheaper.
//   - A period shorter than the minimum duration is billed as if it lasted
//     the minimum, counted from its start.
//   - Tax is computed once, on the subtotal (all lines × quantity), and
//     rounded half up to a whole minor unit.
package pricing

import (
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/rentdesk/rentdesk/internal/period"
)

// Rates are an item's prices per tier in minor units. Zero means the tier
// is not offered; a period is then covered with the other tiers.
type Rates struct {
	// Hour is the price of one hour.
	Hour int64
	// Day is the price of one calendar day in the location's zone.
	Day int64
	// Week is the price of seven calendar days.
	Week int64
	// Month is the price of one calendar month counted from the start.
	Month int64
}

// TaxMode says whether prices already include tax.
type TaxMode int

// Tax modes. The zero value is deliberately not a mode, so a shop that
// charges tax must say which; with a zero rate the mode is ignored.
const (
	// TaxExclusive prices are net; tax is added on top.
	TaxExclusive TaxMode = iota + 1
	// TaxInclusive prices are gross; the tax inside them is shown.
	TaxInclusive
)

// String names the mode for logs and settings pages.
func (m TaxMode) String() string {
	switch m {
	case TaxExclusive:
		return "exclusive"
	case TaxInclusive:
		return "inclusive"
	default:
		return fmt.Sprintf("TaxMode(%d)", int(m))
	}
}

// Tax is a shop's (or tax category's) tax setting.
type Tax struct {
	// Mode says whether rates include the tax.
	Mode TaxMode
	// Rate is in basis points: 1900 is 19 %, 825 is 8.25 %.
	Rate int64
}

// MaxTaxRate is the highest accepted tax rate (100 %), in basis points; a
// larger value is almost certainly a typo such as 19000 for 19 %.
const MaxTaxRate = 10_000

// MaxMonths bounds the billed length of one period. It keeps a mistyped
// year (2062 for 2026) from making the price computation walk decades of
// days, and no rental runs this long.
const MaxMonths = 120

// Input is everything Price needs.
type Input struct {
	// Rates are the item's tier prices.
	Rates Rates
	// Minimum is the shortest billed duration. Whole multiples of 24 hours
	// are calendar days (a 1-day minimum is one local day even on a 23-hour
	// DST day); the rest is elapsed time. Zero means no minimum.
	Minimum time.Duration
	// Period is what the customer asked for.
	Period period.Period
	// Location is the IANA zone of the rental location; calendar units are
	// counted in it.
	Location *time.Location
	// Tax is the tax setting applied to the subtotal.
	Tax Tax
	// Quantity is how many of the item are rented (at least 1).
	Quantity int
}

// Tier names a rate tier in a breakdown line.
type Tier string

// The tiers, largest first, the order lines appear in.
const (
	TierMonth Tier = "month" // a calendar month from the start
	TierWeek  Tier = "week"  // seven calendar days
	TierDay   Tier = "day"   // one calendar day in the location's zone
	TierHour  Tier = "hour"  // sixty elapsed minutes
)

// Line is one row of the breakdown, for one item: Units × UnitPrice = Amount.
type Line struct {
	// Label reads "1 week", "2 days", "3 hours".
	Label string
	// Tier is the rate tier the line bills.
	Tier Tier
	// Units is how many of the tier are billed.
	Units int
	// UnitPrice is the tier's rate.
	UnitPrice int64
	// Amount is Units × UnitPrice.
	Amount int64
}

// Quote is a priced period.
type Quote struct {
	// Lines break down the price of one item, largest tier first.
	Lines []Line
	// PerItem is the sum of Lines: the price of one item.
	PerItem int64
	// Quantity is the number of items.
	Quantity int
	// Subtotal is PerItem × Quantity, as the rates are stated (gross for
	// TaxInclusive, net for TaxExclusive).
	Subtotal int64
	// Net is the amount before tax.
	Net int64
	// Tax is the tax on Subtotal, rounded half up.
	Tax int64
	// Total is what the customer pays: Net + Tax.
	Total int64
	// TaxMode and TaxRate echo the tax setting used.
	TaxMode TaxMode
	// TaxRate is in basis points.
	TaxRate int64
	// CoveredUntil is where the billed units end: at or after the period's
	// end, since units are whole and the minimum may apply.
	CoveredUntil time.Time
	// Covered is the elapsed time the billed units cover, from the start.
	Covered time.Duration
	// MinimumApplied reports that the period was shorter than the minimum
	// and was billed as the minimum.
	MinimumApplied bool
}

// Errors returned by Price, wrapped with details; test with errors.Is.
var (
	// ErrNoRates means the item has no rate tier at all.
	ErrNoRates = errors.New("pricing: no rates offered")
	// ErrInvalid means the input is malformed (empty period, negative rate,
	// quantity below 1, missing location, bad tax setting).
	ErrInvalid = errors.New("pricing: invalid input")
	// ErrTooLong means the billed period exceeds MaxMonths.
	ErrTooLong = errors.New("pricing: period too long")
	// ErrOverflow means the price does not fit in int64 minor units.
	ErrOverflow = errors.New("pricing: price too large")
)

// Price returns the quote for renting in.Quantity items for in.Period.
// To price many items for one period, NewSpan and Span.Price give the same
// quotes and find the period's calendar once.
func Price(in Input) (Quote, error) {
	if err := validatePeriod(in.Period, in.Location); err != nil {
		return Quote{}, err
	}
	t := Terms{Rates: in.Rates, Minimum: in.Minimum, Tax: in.Tax, Quantity: in.Quantity}
	if err := t.validate(); err != nil {
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
	c := lastCalendar.Load()
	if c == nil || c.loc != loc || !c.start.Equal(start) || !c.bounds[len(c.bounds)-1].After(end) {
		c = newCalendar(start, end, loc, true)
		lastCalendar.Store(c)
	}
	p, err := cheapest(in.Rates, c, end)
	if err != nil {
		return Quote{}, err
	}
	return t.quote(p, start, minApplied, true)
}

// lastCalendar is the calendar of the last period Price was asked for
// without a Span. Pages that price one item (the item page with dates, a
// cart line) mostly ask for the period every other visitor asks for; the
// calendar depends on the start and the zone only, and one entry is enough
// for that (a miss costs what no memo would).
var lastCalendar atomic.Pointer[calendar]

// Terms are what an item's price depends on besides the period: its rates,
// minimum duration and tax, and how many are rented.
type Terms struct {
	// Rates are the item's tier prices.
	Rates Rates
	// Minimum is the shortest billed duration, as in Input.
	Minimum time.Duration
	// Tax is the tax setting applied to the subtotal.
	Tax Tax
	// Quantity is how many of the item are rented (at least 1).
	Quantity int
}

// Span is a period in a location's zone made ready to price many items
// over it (a catalog page prices every item it shows for the visitor's
// dates): the period's local day boundaries and month lengths, the
// billing limit, are found once, and each item's price is the program over
// them. Span.Price gives what Price gives for the same input. A Span is
// never changed once made, so it may be shared.
type Span struct {
	period period.Period
	loc    *time.Location
	first  time.Time // the start's wall clock read as its first instant (minimumEnd of less than a day)
	limit  time.Time // MaxMonths after the start
	cal    *calendar // nil when the period itself is longer than MaxMonths
}

// NewSpan prepares p in zone loc for pricing. It refuses what Price refuses
// of a period alone (no location, an empty period), with the same errors.
func NewSpan(p period.Period, loc *time.Location) (*Span, error) {
	if err := validatePeriod(p, loc); err != nil {
		return nil, err
	}
	sp := &Span{period: p, loc: loc, first: period.AddDays(p.Start, 0, loc), limit: period.AddMonths(p.Start, MaxMonths, loc)}
	if !p.End.After(sp.limit) {
		sp.cal = newCalendar(p.Start, p.End, loc, true)
	}
	return sp, nil
}

// Price returns the quote for renting t.Quantity items with terms t over
// the span: Price of the same input.
func (sp *Span) Price(t Terms) (Quote, error) {
	return sp.price(t, true)
}

// Amounts is Price without the breakdown lines (Lines is nil; PerItem and
// the totals are the same), for pages that show only what it costs.
func (sp *Span) Amounts(t Terms) (Quote, error) {
	return sp.price(t, false)
}

func (sp *Span) price(t Terms, lines bool) (Quote, error) {
	if err := t.validate(); err != nil {
		return Quote{}, err
	}
	start, end, minApplied := sp.period.Start, sp.period.End, false
	if minEnd := sp.minimumEnd(t.Minimum); minEnd.After(end) {
		end, minApplied = minEnd, true
	}
	if sp.cal == nil || end.After(sp.limit) {
		return Quote{}, fmt.Errorf("%w: over %d months", ErrTooLong, MaxMonths)
	}
	p, err := cheapest(t.Rates, sp.cal, end)
	if err != nil {
		return Quote{}, err
	}
	return t.quote(p, start, minApplied, lines)
}

// minimumEnd is minimumEnd(start, min, loc) from the span's days.
func (sp *Span) minimumEnd(min time.Duration) time.Time {
	const day = 24 * time.Hour
	days := int(min / day)
	switch {
	case days == 0:
		return sp.first.Add(min % day)
	case sp.cal != nil && days < len(sp.cal.bounds):
		return sp.cal.bounds[days].Add(min % day)
	}
	return minimumEnd(sp.period.Start, min, sp.loc)
}

// quote is the priced plan p with the terms' quantity and tax.
func (t Terms) quote(p plan, start time.Time, minApplied, lines bool) (Quote, error) {
	q := Quote{
		Quantity:       t.Quantity,
		TaxMode:        t.Tax.Mode,
		TaxRate:        t.Tax.Rate,
		CoveredUntil:   p.until,
		Covered:        p.until.Sub(start),
		MinimumApplied: minApplied,
		PerItem:        p.amount(t.Rates), // cannot overflow: the plan's cost fitted
	}
	if lines {
		q.Lines = p.lines(t.Rates)
	}
	var ok bool
	if q.Subtotal, ok = mul(int64(t.Quantity), q.PerItem); !ok {
		return Quote{}, fmt.Errorf("%w: %d × %d", ErrOverflow, t.Quantity, q.PerItem)
	}
	if err := applyTax(&q); err != nil {
		return Quote{}, err
	}
	return q, nil
}

// validatePeriod rejects a period Price cannot give a meaningful answer for.
func validatePeriod(p period.Period, loc *time.Location) error {
	switch {
	case loc == nil:
		return fmt.Errorf("%w: no location", ErrInvalid)
	case p.IsEmpty():
		return fmt.Errorf("%w: empty period %v", ErrInvalid, p)
	}
	return nil
}

// validate rejects terms Price cannot give a meaningful answer for.
func (t Terms) validate() error {
	r := t.Rates
	switch {
	case t.Quantity < 1:
		return fmt.Errorf("%w: quantity %d", ErrInvalid, t.Quantity)
	case r.Hour < 0 || r.Day < 0 || r.Week < 0 || r.Month < 0:
		return fmt.Errorf("%w: negative rate %+v", ErrInvalid, r)
	case t.Minimum < 0:
		return fmt.Errorf("%w: negative minimum %v", ErrInvalid, t.Minimum)
	case t.Tax.Rate < 0 || t.Tax.Rate > MaxTaxRate:
		return fmt.Errorf("%w: tax rate %d basis points", ErrInvalid, t.Tax.Rate)
	case t.Tax.Rate > 0 && t.Tax.Mode != TaxExclusive && t.Tax.Mode != TaxInclusive:
		return fmt.Errorf("%w: tax mode %v", ErrInvalid, t.Tax.Mode)
	case r == Rates{}:
		return ErrNoRates
	}
	return nil
}

// minimumEnd is where a period starting at start must at least be billed
// to: whole 24-hour multiples of min as calendar days, the rest as elapsed
// time, so a "1 day" minimum means one local day on DST days too.
func minimumEnd(start time.Time, min time.Duration, loc *time.Location) time.Time {
	const day = 24 * time.Hour
	days := int(min / day)
	return period.AddDays(start, days, loc).Add(min % day)
}

// label writes "1 week", "3 weeks". Every priced item of a catalog page has
// its lines, so the label of one unit is a constant and the others take one
// allocation (fmt took three).
func label(n int, t Tier) string {
	if n == 1 {
		switch t {
		case TierMonth:
			return "1 month"
		case TierWeek:
			return "1 week"
		case TierDay:
			return "1 day"
		case TierHour:
			return "1 hour"
		}
		return "1 " + string(t)
	}
	return strconv.Itoa(n) + " " + string(t) + "s"
}
