package period

import (
	"errors"
	"strings"
	"time"
)

// ErrMissing and ErrNotDate are what ParseLocal returns; Parse turns them
// into FieldErrors messages.
var (
	// ErrMissing means the field was left blank.
	ErrMissing = errors.New("period: missing date")
	// ErrNotDate means the text is not a date or date-time we accept.
	ErrNotDate = errors.New("period: not a date")
	// ErrSkipped means the time does not exist in the zone that day: the
	// clocks jumped over it (a DST gap). ParseLocal returns it as a
	// *SkippedError, which says where the clocks jumped.
	ErrSkipped = errors.New("period: time skipped by the clocks")
)

// SkippedError is a wall-clock time the clocks jumped over: on the night
// Berlin goes from 02:00 to 03:00, 02:30 is no time at all. Date would read it
// as 03:30; a person who typed 02:30 is told instead, and chooses.
type SkippedError struct {
	Wall     time.Time // the time as typed, read as if UTC
	From, To string    // the wall clock before and after the jump, "02:00" and "03:00"
}

func (e *SkippedError) Error() string {
	return "period: " + e.Wall.Format("2006-01-02 15:04") + " skipped by the clocks (" + e.From + " to " + e.To + ")"
}

// Unwrap makes errors.Is(err, ErrSkipped) hold.
func (e *SkippedError) Unwrap() error { return ErrSkipped }

// Message says it for the field: "There is no 02:30 on Sun 29 Mar 2026 here:
// the clocks go forward from 02:00 to 03:00 that night. Choose another time."
func (e *SkippedError) Message() string {
	return "there is no " + e.Wall.Format("15:04") + " on " + e.Wall.Format("Mon 2 Jan 2006") +
		" here: the clocks go forward from " + e.From + " to " + e.To + " that night. Choose another time"
}

// skipped reports whether the wall clock (read as UTC) resolved to t in loc
// shows another time than typed, the sign of a DST gap, and where the clocks
// jumped.
func skipped(wall, t time.Time, loc *time.Location) *SkippedError {
	l := t.In(loc)
	if l.Year() == wall.Year() && l.YearDay() == wall.YearDay() && l.Hour() == wall.Hour() && l.Minute() == wall.Minute() {
		return nil
	}
	jump, _ := l.ZoneBounds()
	_, before := jump.Add(-time.Nanosecond).In(loc).Zone()
	from, to := jump.In(time.FixedZone("", before)), jump.In(loc)
	layout := "15:04"
	if from.YearDay() != to.YearDay() {
		layout = "Mon 2 Jan 15:04" // a skipped day
	}
	return &SkippedError{Wall: wall, From: from.Format(layout), To: to.Format(layout)}
}

// localLayouts are the forms ParseLocal accepts, tried in order. The first
// is what an HTML datetime-local input submits; with step="1" it adds
// seconds (and time.Parse accepts a fraction after the seconds). The space
// variants are what people type into a plain text fallback; a bare date is
// what a date input submits.
var localLayouts = []string{
	"2006-01-02T15:04",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// ParseLocal reads one wall-clock value ("2026-03-07T15:00",
// "2026-03-07T15:00:30", "2026-03-07 15:00" or a plain date "2026-03-07",
// meaning 00:00) as a time in loc and returns the instant in UTC. A time in
// a DST overlap is resolved as in Date; a time the clocks skip is a
// *SkippedError (a plain date whose midnight is skipped means the first
// moment of that day). Errors are ErrMissing, ErrNotDate, *SkippedError or
// ErrNoLocation.
//
// Seconds and a fraction are kept as written: FormatLocal writes them for a
// time the app made (a unit free from its return, a block started now), and
// a form or link carrying such a value must read back to the same instant.
func ParseLocal(value string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		return time.Time{}, ErrNoLocation
	}
	value = strings.TrimSpace(value)
	if value == "" {
		return time.Time{}, ErrMissing
	}
	for _, layout := range localLayouts {
		// Parsing in UTC only splits the text into calendar fields; the
		// zone is applied by Date, never by time.Parse.
		w, err := time.Parse(layout, value)
		if err == nil {
			t := Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
			// A plain date means the day's first moment, which a skipped
			// midnight moves without changing the day chosen.
			if layout != DateLayout {
				if se := skipped(w, t, loc); se != nil {
					return time.Time{}, se
				}
			}
			return t, nil
		}
	}
	return time.Time{}, ErrNotDate
}

// Parse reads the start and end fields of a form, each a datetime-local
// value or a plain date, as wall-clock times in loc (the location's IANA
// zone, never the process zone), and returns the period in UTC.
//
// A plain date means 00:00 on that day for both fields, so an end of
// "2026-03-09" is the start of 9 March: "7 March to 9 March" as dates is two
// days, 7 and 8 March. Forms that mean "through the 9th" must add a day.
//
// Problems come back as FieldErrors, one message per field, so both fields
// can be marked at once: a missing or unreadable value, or an end that is not
// after the start (reported on "end"). A nil loc returns ErrNoLocation.
func Parse(startLocal, endLocal string, loc *time.Location) (Period, error) {
	if loc == nil {
		return Period{}, ErrNoLocation
	}
	start, serr := ParseLocal(startLocal, loc)
	end, eerr := ParseLocal(endLocal, loc)
	fe := FieldErrors{}
	if serr != nil {
		fe[FieldStart] = message(serr, msgStartMissing)
	}
	if eerr != nil {
		fe[FieldEnd] = message(eerr, msgEndMissing)
	}
	if len(fe) == 0 && !end.After(start) {
		fe[FieldEnd] = msgEndNotAfter
	}
	if len(fe) > 0 {
		return Period{}, fe
	}
	return Period{Start: start, End: end}, nil
}

// message picks the field message for a ParseLocal error.
func message(err error, missing string) string {
	switch {
	case errors.Is(err, ErrMissing):
		return missing
	}
	var se *SkippedError
	if errors.As(err, &se) {
		return se.Message()
	}
	return msgNotDate
}
