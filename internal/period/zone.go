package period

import (
	"sync"
	"time"
)

// searchWindow bounds where the instant for a wall-clock reading can be:
// UTC offsets in the tz database stay within about ±16 hours (historical
// local mean times included), so any solution lies within this of the wall
// clock read as if it were UTC.
const searchWindow = 17 * time.Hour

// Date returns the instant at which the wall clock in loc reads the given
// date and time, in UTC. Out-of-range fields are normalised as by time.Date
// (day 32 of January is 1 February), which is what makes AddDays simple.
//
// time.Date leaves DST edge cases unspecified ("correct in one of the two
// zones involved, but it does not guarantee which"); Date settles them so the
// same input always means the same instant:
//   - a time skipped by a spring-forward gap moves forward by the length of
//     the gap: 02:30 on the night Berlin jumps from 02:00 to 03:00 is 03:30
//     summer time (the offset from before the gap is applied, the rule RFC
//     5545 and java.time use);
//   - a time that occurs twice in an autumn overlap means the first of the
//     two instants (02:30 summer time, not the 02:30 winter time an hour later).
//
// Date panics if loc is nil, like time.Date.
func Date(year int, month time.Month, day, hour, min, sec, nsec int, loc *time.Location) time.Time {
	if loc == nil {
		panic("period.Date: nil location")
	}
	wall := time.Date(year, month, day, hour, min, sec, nsec, time.UTC)

	// Walk the zone segments (stretches of constant offset) around the wall
	// clock in time order. The first segment whose offset maps the wall clock
	// into itself gives the earliest solution; a wall clock that falls
	// between two segments is in a gap.
	t := wall.Add(-searchWindow).In(loc)
	limit := wall.Add(searchWindow)
	prevOffset, first := 0, true
	for {
		_, offset := t.Zone()
		start, end := t.ZoneBounds()
		if !first && offset > prevOffset {
			gapStart := start.Add(time.Duration(prevOffset) * time.Second)
			gapEnd := start.Add(time.Duration(offset) * time.Second)
			// wall is compared as if UTC: [gapStart, gapEnd) are the wall
			// readings the clock skipped at the transition.
			if !wall.Before(gapStart) && wall.Before(gapEnd) {
				return wall.Add(-time.Duration(prevOffset) * time.Second)
			}
		}
		u := wall.Add(-time.Duration(offset) * time.Second)
		if (start.IsZero() || !u.Before(start)) && (end.IsZero() || u.Before(end)) {
			return u
		}
		if end.IsZero() || end.After(limit) {
			break
		}
		if !end.After(t) {
			// Beyond a zone's table of transitions, ZoneBounds derives
			// bounds from the zone's rule per calendar year and, on the last
			// day of a leap year, reports an end that is not after t (Go 1.26,
			// e.g. 9912-12-31 in Pacific/Auckland). Walking on
			// would loop forever (golang/go#81583); the neighbouring offsets
			// settle it.
			return byNeighbourOffsets(wall, loc)
		}
		prevOffset, first, t = offset, false, end.In(loc)
	}
	// Not reached with real zone data.
	return byNeighbourOffsets(wall, loc)
}

// byNeighbourOffsets resolves the wall clock (read as UTC) from the offsets
// in effect a day before and a day after it, with the same rules as Date. It
// is exact whenever at most one transition lies within that day on either
// side, which holds for every zone's rules in the tz database; Date prefers
// the segment walk, which does not need that assumption.
func byNeighbourOffsets(wall time.Time, loc *time.Location) time.Time {
	_, before := wall.Add(-24 * time.Hour).In(loc).Zone()
	_, after := wall.Add(24 * time.Hour).In(loc).Zone()
	// The larger offset gives the earlier instant, so try it first: in an
	// overlap both are valid and the first instant wins.
	for _, offset := range []int{max(before, after), min(before, after)} {
		u := wall.Add(-time.Duration(offset) * time.Second)
		if _, got := u.In(loc).Zone(); got == offset {
			return u
		}
	}
	// A gap: apply the offset from before it, which moves forward.
	return wall.Add(-time.Duration(before) * time.Second)
}

// AddDays moves t by n calendar days in loc, keeping its wall-clock time:
// Friday 10:00 plus one day is Saturday 10:00 even when a DST change makes
// that 23 or 25 hours later. The result is in UTC; DST gaps and overlaps are
// resolved as in Date.
func AddDays(t time.Time, n int, loc *time.Location) time.Time {
	l := t.In(loc)
	return Date(l.Year(), l.Month(), l.Day()+n, l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), loc)
}

// AddMonths moves t by n calendar months in loc, keeping its wall-clock time.
// Unlike time.AddDate, a day that the target month lacks is clamped to that
// month's last day: 31 January plus one month is 28 (or 29) February, not
// 3 March, because "one month from the 31st" should never skip a month.
// Counting from the same start (AddMonths(t, 2) rather than twice
// AddMonths(t, 1)) keeps the 31st: 31 January plus two months is 31 March.
func AddMonths(t time.Time, n int, loc *time.Location) time.Time {
	l := t.In(loc)
	y, m := addMonth(l.Year(), l.Month(), n)
	d := min(l.Day(), DaysIn(y, m))
	return Date(y, m, d, l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), loc)
}

// addMonth returns the year and month n months after (year, month).
func addMonth(year int, month time.Month, n int) (int, time.Month) {
	total := year*12 + int(month) - 1 + n
	y, m := total/12, total%12
	if m < 0 { // floor division for negative totals
		y, m = y-1, m+12
	}
	return y, time.Month(m + 1)
}

// DaysIn returns the number of days in the given month of the proleptic
// Gregorian calendar.
func DaysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// Zone loads a location's IANA zone. A name the server does not know (or "")
// is UTC rather than a failure: locations are validated when saved, and one
// bad row must not stop a page, a mail or a scan. Every package loads zones
// through here, so they all fall back the same way.
func Zone(name string) *time.Location {
	if loc, err := LoadZone(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
}

// zones caches loaded zones by name: time.LoadLocation reads and parses the
// zone file on every call, and pages load a location's zone many times.
var zones sync.Map // string → *time.Location

// LoadZone is time.LoadLocation with a cache of the zones found (names it
// does not know are asked again, so a zone installed later is found).
func LoadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}
