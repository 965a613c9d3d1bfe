package catalog

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Interval is one opening span of a day in local wall-clock time, "09:00" to
// "18:00". Close is exclusive; "24:00" means until midnight.
type Interval struct {
	Open  string `json:"open"`
	Close string `json:"close"`
}

// OpeningHours are the regular hours of a location per ISO weekday (1 =
// Monday … 7 = Sunday). A day without intervals is closed. It is stored as
// jsonb: {"1":[{"open":"09:00","close":"18:00"}]}.
type OpeningHours map[int][]Interval

// Weekdays lists ISO weekdays with their English names, Monday first.
var Weekdays = []struct {
	ISO  int
	Name string
}{{1, "Monday"}, {2, "Tuesday"}, {3, "Wednesday"}, {4, "Thursday"}, {5, "Friday"}, {6, "Saturday"}, {7, "Sunday"}}

// ISOWeekday converts Go's Sunday-first weekday to ISO numbering.
func ISOWeekday(d time.Weekday) int {
	if d == time.Sunday {
		return 7
	}
	return int(d)
}

// On returns the intervals of a local date's weekday.
func (h OpeningHours) On(d time.Weekday) []Interval { return h[ISOWeekday(d)] }

// Scan reads the jsonb column.
func (h *OpeningHours) Scan(src any) error {
	b, err := jsonColumn(src, "opening hours")
	if err != nil || b == nil {
		*h = OpeningHours{}
		return err
	}
	m := map[string][]Interval{}
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("catalog: opening hours: %w", err)
	}
	out := OpeningHours{}
	for k, v := range m {
		d, err := strconv.Atoi(k)
		if err != nil || d < 1 || d > 7 {
			return fmt.Errorf("catalog: opening hours weekday %q", k)
		}
		out[d] = v
	}
	*h = out
	return nil
}

// Value writes the jsonb column.
func (h OpeningHours) Value() (driver.Value, error) {
	m := make(map[string][]Interval, len(h))
	for d, ivs := range h {
		if len(ivs) > 0 {
			m[strconv.Itoa(d)] = ivs
		}
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// FormatDay writes one day's hours the way ParseDay reads them:
// "09:00-12:00, 13:00-18:00", or "" when closed.
func (h OpeningHours) FormatDay(iso int) string {
	parts := make([]string, 0, len(h[iso]))
	for _, iv := range h[iso] {
		parts = append(parts, iv.Open+"-"+iv.Close)
	}
	return strings.Join(parts, ", ")
}

// ParseDay reads a day's hours: empty or "closed" for closed, otherwise
// comma-separated "HH:MM-HH:MM" spans in order, not overlapping. The message
// is for the person who typed it.
func ParseDay(s string) ([]Interval, string) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "closed") {
		return nil, ""
	}
	var out []Interval
	prevClose := -1
	for _, part := range strings.Split(s, ",") {
		part = strings.ReplaceAll(strings.TrimSpace(part), "–", "-")
		open, close, ok := strings.Cut(part, "-")
		o, okO := clockMinutes(strings.TrimSpace(open))
		c, okC := clockMinutes(strings.TrimSpace(close))
		if !ok || !okO || !okC {
			return nil, "Write hours like 09:00-18:00, or 09:00-12:00, 13:00-18:00; leave empty when closed."
		}
		if c <= o {
			return nil, fmt.Sprintf("%s closes before it opens.", part)
		}
		if o < prevClose {
			return nil, "Put the spans in order without overlaps."
		}
		prevClose = c
		out = append(out, Interval{Open: formatClock(o), Close: formatClock(c)})
	}
	return out, ""
}

// clockMinutes parses "H:MM" or "HH:MM" (00:00–24:00) to minutes after midnight.
func clockMinutes(s string) (int, bool) {
	hh, mm, ok := strings.Cut(s, ":")
	if !ok || len(mm) != 2 || len(hh) < 1 || len(hh) > 2 {
		return 0, false
	}
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

func formatClock(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// DateList is a set of local calendar dates ("2025-12-25"), such as the days
// a location is closed. It scans from to_json(date[]).
type DateList []string

// Scan reads a JSON array of dates.
func (d *DateList) Scan(src any) error {
	b, err := jsonColumn(src, "dates")
	if err != nil || b == nil {
		*d = nil
		return err
	}
	var out []string
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("catalog: dates: %w", err)
	}
	*d = out
	return nil
}

// Contains reports whether the list holds the local date of t.
func (d DateList) Contains(t time.Time) bool { return slices.Contains(d, t.Format(time.DateOnly)) }

// Format writes the dates one per line, as ParseDates reads them.
func (d DateList) Format() string { return strings.Join(d, "\n") }

// ParseDates reads dates in YYYY-MM-DD form separated by commas, spaces or
// lines, sorted and without duplicates.
func ParseDates(s string) (DateList, string) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' || r == ';' })
	out := DateList{}
	for _, f := range fields {
		t, err := time.Parse(time.DateOnly, f)
		if err != nil {
			return nil, fmt.Sprintf("%q is not a date like 2025-12-25.", f)
		}
		// A shop closes on days it can meet: 0001-01-01 or 9999-12-31 is a
		// slip, as on the desk's date.
		if t.Year() < 2000 || t.Year() > 2200 {
			return nil, fmt.Sprintf("%q is not a day the shop could be closed: give a year from 2000 to 2200.", f)
		}
		out = append(out, t.Format(time.DateOnly))
	}
	if len(out) > 366 {
		return nil, "List at most 366 dates."
	}
	slices.Sort(out)
	return slices.Compact(out), ""
}

// jsonColumn is the text of a json or jsonb column as the driver hands it
// over, or nil for NULL.
func jsonColumn(src any, what string) ([]byte, error) {
	switch v := src.(type) {
	case []byte:
		return v, nil
	case string:
		return []byte(v), nil
	case nil:
		return nil, nil
	default:
		return nil, fmt.Errorf("catalog: %s from %T", what, src)
	}
}
