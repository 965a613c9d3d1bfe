package pricing

import (
	"fmt"
	"math"
	"time"

	"github.com/rentdesk/rentdesk/internal/period"
)

// plan is a combination of tier units covering [start, until).
type plan struct {
	months, weeks, days, hours int
	cost                       int64
	until                      time.Time
}

// lines turns the plan into breakdown lines, largest tier first, leaving
// out tiers with no units.
func (p plan) lines(r Rates) []Line {
	tiers := [...]struct {
		tier  Tier
		units int
		price int64
	}{{TierMonth, p.months, r.Month}, {TierWeek, p.weeks, r.Week}, {TierDay, p.days, r.Day}, {TierHour, p.hours, r.Hour}}
	n := 0
	for _, t := range tiers {
		if t.units > 0 {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Line, 0, n) // one allocation, not one per line
	for _, t := range tiers {
		if t.units > 0 {
			out = append(out, Line{Label: label(t.units, t.tier), Tier: t.tier, Units: t.units,
				UnitPrice: t.price, Amount: int64(t.units) * t.price})
		}
	}
	return out
}

// amount is what the plan costs: the sum of its lines' amounts.
func (p plan) amount(r Rates) int64 {
	return int64(p.months)*r.Month + int64(p.weeks)*r.Week + int64(p.days)*r.Day + int64(p.hours)*r.Hour
}

// step is the choice the dynamic program makes at a day boundary.
type step uint8

const (
	stepNone  step = iota // nothing offered can continue from here
	stepDone              // the boundary is at or after the end
	stepWeek              // bill a week, move 7 days on
	stepDay               // bill a day, move 1 day on
	stepHours             // bill the rest in hours, rounded up
)

// infinite marks an impossible or overflowing cost.
const infinite = math.MaxInt64

// cheapest finds the cheapest plan covering [start, end) with the offered
// tiers, start being the calendar's start. Units are laid out from the
// start in a fixed order: months first (calendar months from the start, so
// every month boundary has the start's wall-clock time), then weeks and days
// (calendar days, in any order, since each only moves to a later day
// boundary), then hours for the remainder.
//
// The day boundaries b(j) = start + j calendar days are the states of a
// small dynamic program: f(j) is the cheapest way to cover [b(j), end) with
// weeks, days and hours, f(j) = min(Week + f(j+7), Day + f(j+1),
// Hour × ceil((end − b(j)) / 1h)), and 0 once b(j) ≥ end. Each month count m
// lands on a day boundary j(m), so the answer is the minimum over m of
// m × Month + f(j(m)). Greedy choices go wrong here (6 days may cost less as
// a week, 20 hours as a day), the program does not. Ties go to the larger
// tier, which gives the shorter breakdown.
func cheapest(r Rates, c *calendar, end time.Time) (plan, error) {
	last := c.lastDay(end)
	if len(c.bounds) < last+2 {
		// An item's minimum took the end past the days the calendar holds.
		c = c.upTo(last + 2)
	}

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
		if !c.bounds[j].Before(end) {
			choice[j] = stepDone
			continue
		}
		best, how := int64(infinite), stepNone
		if r.Week > 0 {
			if v := add(r.Week, at(j+7)); v < best {
				best, how = v, stepWeek
			}
		}
		if r.Day > 0 {
			if v := add(r.Day, at(j+1)); v < best {
				best, how = v, stepDay
			}
		}
		if r.Hour > 0 {
			if v, ok := mul(int64(hoursFrom(c.bounds[j], end)), r.Hour); ok && v < best {
				best, how = v, stepHours
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
		jm := c.monthDay(m)
		monthCost, ok := mul(int64(m), r.Month)
		if !ok {
			break
		}
		v := add(monthCost, at(jm))
		// <= prefers more months on a tie: "1 month" over "4 weeks, 2 days".
		if v < infinite && (v < best.cost || (v == best.cost && m > 0)) {
			best = plan{months: m, cost: v}
			best.walk(jm, choice, last, c, end)
		}
		if jm > last || !c.bounds[jm].Before(end) {
			break // m months cover everything; more cannot be cheaper
		}
	}
	if best.cost == infinite {
		return plan{}, fmt.Errorf("%w: rates %+v over %v", ErrOverflow, r, end.Sub(c.start))
	}
	return best, nil
}

// hoursFrom is how many hours bill [from, end): a started hour is billed.
func hoursFrom(from, end time.Time) int {
	return int((end.Sub(from) + time.Hour - 1) / time.Hour)
}

// calendar is a period's start in its zone with the day boundaries and
// month lengths the program reads: bounds[j] is start + j calendar days
// (bounds[0] the start itself), months[m] the day boundary m calendar months
// on. Finding each local day (period.Date walks the zone's offsets) was most
// of a price, and they depend on the start, the zone and how far the period
// reaches, not on the item: a page prices every item for one period, so a
// Span makes one calendar for all of them. Never changed once made.
type calendar struct {
	start time.Time
	loc   *time.Location
	local time.Time // the start in loc
	// The start's local date and wall clock, and its civilDays.
	year                int
	month               time.Month
	day, hour, min, sec int
	nsec, startDay      int
	end                 time.Time // the end bounds and last were made for
	last                int       // the whole days in [start, end)
	bounds              []time.Time
	months              []int // may be shorter than asked: see monthDay
}

// newCalendar makes the calendar of [start, end) in loc: the day boundaries
// up to the first after end, and with months the month boundaries up to
// the first past it.
func newCalendar(start, end time.Time, loc *time.Location, months bool) *calendar {
	s := start.In(loc)
	c := &calendar{start: start, loc: loc, local: s, year: s.Year(), month: s.Month(), day: s.Day(),
		hour: s.Hour(), min: s.Minute(), sec: s.Second(), nsec: s.Nanosecond(), startDay: civilDays(s), end: end}
	c.last = c.lastDay(end)
	c.bounds = c.dayBounds(c.last + 2)
	if months {
		for m := 0; ; m++ {
			jm := monthDays(s, m)
			c.months = append(c.months, jm)
			if jm > c.last {
				break
			}
		}
	}
	return c
}

// dayBounds returns the first n day boundaries.
func (c *calendar) dayBounds(n int) []time.Time {
	bounds := make([]time.Time, n)
	for j := range bounds {
		bounds[j] = c.bound(j)
	}
	return bounds
}

// upTo is a copy of the calendar holding at least n day boundaries.
func (c *calendar) upTo(n int) *calendar {
	d := *c
	d.bounds = c.dayBounds(n)
	return &d
}

// bound is day boundary j.
func (c *calendar) bound(j int) time.Time {
	if j < len(c.bounds) {
		return c.bounds[j]
	}
	if j == 0 {
		// The start itself, even when its wall clock is the second of
		// two identical readings in a DST overlap.
		return c.start
	}
	return c.dayAt(j)
}

// dayAt is the first instant the wall clock in the zone reads the start's
// time j calendar days on: period.AddDays(start, j, loc).
func (c *calendar) dayAt(j int) time.Time {
	return period.Date(c.year, c.month, c.day+j, c.hour, c.min, c.sec, c.nsec, c.loc)
}

// lastDay is the number of whole days in [start, end): the last boundary at
// or before end. It starts from the difference of local dates and corrects
// for the time of day.
func (c *calendar) lastDay(end time.Time) int {
	if c.bounds != nil && end.Equal(c.end) {
		return c.last
	}
	last := civilDays(end.In(c.loc)) - c.startDay
	for last > 0 && c.bound(last).After(end) {
		last--
	}
	for !c.bound(last + 1).After(end) {
		last++
	}
	return last
}

// monthDay is the day boundary m calendar months after the start.
func (c *calendar) monthDay(m int) int {
	if m < len(c.months) {
		return c.months[m]
	}
	return monthDays(c.local, m)
}

// smallDays is how many day boundaries cheapest's tables hold without
// allocating.
const smallDays = 64

// walk follows the program's choices from day boundary j, counting units
// and setting where the plan ends.
func (p *plan) walk(j int, choice []step, last int, c *calendar, end time.Time) {
	for j <= last {
		switch choice[j] {
		case stepWeek:
			p.weeks++
			j += 7
		case stepDay:
			p.days++
			j++
		case stepHours:
			p.hours = hoursFrom(c.bound(j), end)
			p.until = c.bound(j).Add(time.Duration(p.hours) * time.Hour)
			return
		default: // stepDone; stepNone cannot be reached with a finite cost
			p.until = c.bound(j)
			return
		}
	}
	p.until = c.bound(j)
}

// civilDays numbers the local calendar date of t (days since 1970-01-01),
// so subtracting two gives the number of calendar days between them.
func civilDays(t time.Time) int {
	return int(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// monthDays returns the day boundary m calendar months after the local
// start s, with the day clamped to the target month's length the same way
// period.AddMonths clamps it (31 January + 1 month = 28/29 February).
func monthDays(s time.Time, m int) int {
	first := time.Date(s.Year(), s.Month()+time.Month(m), 1, 0, 0, 0, 0, time.UTC)
	day := min(s.Day(), period.DaysIn(first.Year(), first.Month()))
	target := time.Date(first.Year(), first.Month(), day, 0, 0, 0, 0, time.UTC)
	return civilDays(target) - civilDays(s)
}

// add returns a+b for non-negative costs, saturating at infinite.
func add(a, b int64) int64 {
	if a >= infinite-b {
		return infinite
	}
	return a + b
}

// mul returns n×p for non-negative n and p, and false when it would reach
// infinite.
func mul(n, p int64) (int64, bool) {
	if n == 0 || p == 0 {
		return 0, true
	}
	if p >= infinite/n {
		return 0, false
	}
	return n * p, true
}
