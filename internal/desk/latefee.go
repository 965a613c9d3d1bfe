package desk

import (
	"fmt"
	"math"
	"time"

	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/period"
)

// Late fee units: how a late return is counted.
const (
	PerNone = "none"
	PerHour = "hour"
	PerDay  = "day"
)

// LateFeeRule is an item's price of a late return: Amount per started hour or
// local day late, nothing within the grace period, at most Cap (0 = no cap)
// per unit or piece.
type LateFeeRule struct {
	Per          string // PerNone, PerHour or PerDay
	Amount       int64  // minor units per started hour or day
	GraceMinutes int
	Cap          int64
}

// LateReturn is one unit (or Quantity bulk pieces) coming back: when it was
// due, when it came back, and the location's zone and closed days.
type LateReturn struct {
	Due, Returned time.Time
	Zone          *time.Location
	// Closed says whether the location is closed on the local day starting at
	// midnight day (a time in Zone); nil means open every day. Closed days are not charged:
	// nobody could have brought the unit back then.
	Closed   func(day time.Time) bool
	Quantity int
}

// LateFee is the computed fee with what it was made of, so the ledger entry,
// the page and the invoice can all show the same breakdown.
type LateFee struct {
	Late        time.Duration // from due to return, closed days left out
	ClosedDays  int           // closed local days not charged
	WithinGrace bool
	Units       int    // started hours or days charged
	Per         string // hour or day
	Rate        int64
	Quantity    int
	Uncapped    int64 // Units × Rate × Quantity
	Capped      bool
	Total       int64
}

// ComputeLateFee applies a rule to a return. Past the grace period the whole
// lateness counts from the due time (grace forgives a short delay, it is not
// a discount on a long one). Hours are elapsed hours; days are local days of
// the location, so a late day across a DST change is still one day; a closed
// day is skipped.
func ComputeLateFee(r LateFeeRule, ret LateReturn) LateFee {
	qty := max(ret.Quantity, 1)
	f := LateFee{Per: r.Per, Rate: r.Amount, Quantity: qty}
	if !ret.Returned.After(ret.Due) {
		return f
	}
	zone := ret.Zone
	if zone == nil {
		zone = time.UTC
	}
	closed := ret.Closed
	if closed == nil {
		closed = func(time.Time) bool { return false }
	}
	f.Late, f.ClosedDays = openLateness(ret.Due, ret.Returned, zone, closed)
	if f.Late <= time.Duration(r.GraceMinutes)*time.Minute {
		f.WithinGrace = f.Late > 0
		return f
	}
	switch r.Per {
	case PerHour:
		f.Units = int((f.Late + time.Hour - 1) / time.Hour)
	case PerDay:
		f.Units = lateDays(ret.Due, ret.Returned, zone, closed)
	default:
		return f
	}
	f.Uncapped = product(int64(f.Units), r.Amount, int64(qty))
	f.Total = f.Uncapped
	if r.Cap > 0 && f.Total > product(r.Cap, int64(qty)) {
		f.Total, f.Capped = product(r.Cap, int64(qty)), true
	}
	// The ledger takes at most money.MaxEntry in one charge: a fee past it
	// (a large rate, long late, many pieces) is capped there, so the
	// return's charge cannot be refused for it.
	if f.Total > money.MaxEntry {
		f.Total, f.Capped = money.MaxEntry, true
	}
	return f
}

// product multiplies non-negative factors, saturating at math.MaxInt64
// instead of overflowing.
func product(factors ...int64) int64 {
	p := int64(1)
	for _, f := range factors {
		if f <= 0 {
			return 0
		}
		if p > math.MaxInt64/f {
			return math.MaxInt64
		}
		p *= f
	}
	return p
}

// openLateness is the part of [due, returned) that falls on open local days.
func openLateness(due, returned time.Time, zone *time.Location, closed func(time.Time) bool) (time.Duration, int) {
	var late time.Duration
	days := 0
	d := due.In(zone)
	day := period.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, zone).In(zone)
	for day.Before(returned) {
		next := period.AddDays(day, 1, zone).In(zone)
		from, to := later(day, due), earlier(next, returned)
		if closed(day) {
			days++
		} else if to.After(from) {
			late += to.Sub(from)
		}
		day = next
	}
	return late, days
}

// lateDays counts started late days: day k is [due + k days, due + k+1 days)
// on the local calendar; a day starting on a closed date is not charged.
func lateDays(due, returned time.Time, zone *time.Location, closed func(time.Time) bool) int {
	n := 0
	for k := 0; ; k++ {
		start := period.AddDays(due, k, zone)
		if !start.Before(returned) {
			return n
		}
		s := start.In(zone)
		if !closed(period.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, zone).In(zone)) {
			n++
		}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Breakdown writes the fee as lines for people, amounts in currency.
func (f LateFee) Breakdown(currency string) []string {
	if f.Late <= 0 {
		return []string{"Returned on time."}
	}
	out := []string{"Late by " + FormatLate(f.Late) + "."}
	if f.ClosedDays > 0 {
		out[0] = fmt.Sprintf("Late by %s (%s closed not counted).", FormatLate(f.Late), plural(f.ClosedDays, "day"))
	}
	switch {
	case f.WithinGrace:
		return append(out, "Within the grace period: no fee.")
	case f.Units == 0:
		return append(out, "This item has no late fee.")
	}
	line := fmt.Sprintf("%s × %s", plural(f.Units, f.Per), money.Format(f.Rate, currency))
	if f.Quantity > 1 {
		line += fmt.Sprintf(" × %d", f.Quantity)
	}
	out = append(out, line+" = "+money.Format(f.Uncapped, currency))
	if f.Capped {
		out = append(out, "Capped at "+money.Format(f.Total, currency)+".")
	}
	return out
}
