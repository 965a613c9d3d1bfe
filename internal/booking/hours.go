package booking

import (
	"strconv"
	"strings"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Pickups and returns happen at the desk, so both ends of a period fall in
// the location's opening hours (start and close included) on a day it is
// open, in its own zone. A location without any opening hours set has not
// said when it is open and takes bookings at any time; its closed dates
// still apply.

// CheckHours checks a period's pickup (start) and return (end) against the
// location's hours. Field keys: "start", "end".
func CheckHours(loc store.BookingLocation, start, end time.Time) FieldErrors {
	fe := FieldErrors{}
	checkHours(fe, loc, start, end, true, true)
	if len(fe) == 0 {
		return nil
	}
	return fe
}

func checkHours(fe FieldErrors, loc store.BookingLocation, start, end time.Time, checkStart, checkEnd bool) {
	if checkStart && fe["start"] == "" {
		if msg := closedMessage(loc, start, "Pick up"); msg != "" {
			fe["start"] = msg
		}
	}
	if checkEnd && fe["end"] == "" {
		if msg := closedMessage(loc, end, "Return"); msg != "" {
			fe["end"] = msg
		}
	}
}

// closedMessage says why the desk is not open at t ("" when it is).
func closedMessage(loc store.BookingLocation, t time.Time, verb string) string {
	zone := period.Zone(loc.TimeZone)
	lt := t.In(zone)
	if loc.ClosedDates.Contains(lt) {
		return "The shop is closed on " + lt.Format("Mon 2 Jan 2006") + "."
	}
	if len(loc.OpeningHours) == 0 {
		return ""
	}
	ivs := loc.OpeningHours.On(lt.Weekday())
	if len(ivs) == 0 {
		return "The shop is closed on " + lt.Weekday().String() + "s."
	}
	sec := lt.Hour()*3600 + lt.Minute()*60 + lt.Second()
	spans := make([]string, len(ivs))
	for i, iv := range ivs {
		if sec >= clockMinutes(iv.Open)*60 && sec <= clockMinutes(iv.Close)*60 {
			return ""
		}
		spans[i] = iv.Open + " and " + iv.Close
	}
	return verb + " between " + strings.Join(spans, " or ") + "."
}

// clockMinutes reads a stored "HH:MM" as minutes after midnight.
func clockMinutes(s string) int {
	hh, mm, _ := strings.Cut(s, ":")
	h, _ := strconv.Atoi(hh)
	m, _ := strconv.Atoi(mm)
	return h*60 + m
}

// NextOpen is the first quarter hour at or after t when the location is
// open, so forms can propose times that pass their own validation. It looks
// two weeks ahead; a location closed all that time gets t back.
func NextOpen(loc store.BookingLocation, t time.Time) time.Time {
	if r := t.Truncate(15 * time.Minute); r.Before(t) {
		t = r.Add(15 * time.Minute)
	}
	zone := period.Zone(loc.TimeZone)
	lt := t.In(zone)
	for d := range 15 {
		day := period.Date(lt.Year(), lt.Month(), lt.Day()+d, 0, 0, 0, 0, zone)
		if loc.ClosedDates.Contains(day) {
			continue
		}
		ivs := loc.OpeningHours.On(day.Weekday())
		if len(loc.OpeningHours) == 0 {
			ivs = []catalog.Interval{{Open: "00:00", Close: "24:00"}}
		}
		for _, iv := range ivs {
			o, c := clockMinutes(iv.Open), clockMinutes(iv.Close)
			open := period.Date(day.Year(), day.Month(), day.Day(), o/60, o%60, 0, 0, zone)
			shut := period.Date(day.Year(), day.Month(), day.Day(), c/60, c%60, 0, 0, zone)
			cand := t
			if open.After(cand) {
				cand = open
			}
			if !cand.After(shut) {
				return cand
			}
		}
	}
	return t
}
