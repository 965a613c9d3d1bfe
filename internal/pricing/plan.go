package pricing

import (
	"fmt"
	"math"
	"sync/atomic"
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
// tiers. Units are laid out from the start in a fixed order: months first
// (calendar months from the start, so every month boundary has the start's
// wall-clock time), then weeks and days (calendar days, in any order, since
// each only moves to a later day boundary), then hours for the remainder.
//
// The day boundaries b(j) = start + j calendar days are the states of a
// small dynamic program: f(j) is the cheapest way to cover [b(j), end) with
// weeks, days and hours, f(j) = min(Week + f(j+7), Day + f(j+1),
// Hour × ceil((end − b(j)) / 1h)), and 0 once b(j) ≥ end. Each month count m
// lands on a day boundary j(m), so the answer is the minimum over m of
// m × Month + f(j(m)). Greedy choices go wrong here (6 days may cost less as
// a week, 20 hours as a day), the program does not. Ties go to the larger
// tier, which gives the shorter breakdown.
func cheapest(r Rates, start, end time.Time, loc *time.Location) (plan, error) {
	s := start.In(loc)
	var cache []time.Time // boundaries already computed, by index
	memo := lastBounds.Load()
	if memo != nil && (memo.loc != loc || !memo.start.Equal(start)) {
		memo = nil
	}
	bound := func(j int) time.Time {
		if j == 0 {
			// The start itself, even when its wall clock is the second of
			// two identical readings in a DST overlap.
			return start
		}
		if j < len(cache) {
			return cache[j]
		}
		if memo != nil && j < len(memo.bounds) {
			return memo.bounds[j]
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

	if memo != nil && len(memo.bounds) >= last+2 {
		// The memo has them all (a page prices every item for one period):
		// read them there, never changed once stored.
		cache = memo.bounds[:last+2]
	} else {
		bounds := make([]time.Time, last+2)
		for j := range bounds {
			bounds[j] = bound(j)
		}
		cache = bounds
		lastBounds.Store(&dayBounds{start: start, loc: loc, bounds: bounds})
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
			best.walk(jm, choice, last, bound, hoursFrom)
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

// dayBounds are the day boundaries of the last period priced: bounds[j] is
// start + j calendar days in loc (bounds[0] is not used: the start itself
// is). A page prices every item for one period, and finding each local day
// (period.Date walks the zone's offsets) was most of each price; the
// boundaries depend on the start and the zone only. One entry is enough for
// that, and a miss costs what no memo would.
type dayBounds struct {
	start  time.Time
	loc    *time.Location
	bounds []time.Time // never changed once stored
}

var lastBounds atomic.Pointer[dayBounds]

// smallDays is how many day boundaries cheapest's tables hold without
// allocating.
const smallDays = 64

// walk follows the program's choices from day boundary j, counting units
// and setting where the plan ends.
func (p *plan) walk(j int, choice []step, last int, bound func(int) time.Time, hoursFrom func(int) int) {
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
