package period

import "time"

// Layouts for the wall-clock formats Rentdesk shows and submits.
const (
	// InputLayout is the value format of an HTML datetime-local input.
	InputLayout = "2006-01-02T15:04"
	// DateLayout is the value format of an HTML date input.
	DateLayout = "2006-01-02"
	// DisplayLayout is how pages, emails and invoices write a moment:
	// "Sat 7 Mar 2026, 15:00". Day before month and a 24-hour clock read the
	// same in every English-speaking country.
	DisplayLayout = "Mon 2 Jan 2006, 15:04"
)

// FormatLocal writes t as a datetime-local input value in loc:
// "2026-03-07T15:00". Seconds (and a fraction) are added only when not zero,
// so the value parses back to exactly t while ordinary values stay in the
// minute precision inputs show.
func FormatLocal(t time.Time, loc *time.Location) string {
	l := t.In(loc)
	if l.Second() == 0 && l.Nanosecond() == 0 {
		return l.Format(InputLayout)
	}
	return l.Format("2006-01-02T15:04:05.999999999")
}

// FormatDate writes the calendar date of t in loc as a date input value:
// "2026-03-07".
func FormatDate(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(DateLayout)
}

// FormatDisplay writes t in loc for people to read: "Sat 7 Mar 2026, 15:00".
// Pages, emails and invoices all use it so they show the same local date.
func FormatDisplay(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(DisplayLayout)
}

// FormatRange writes p in loc for people to read, leaving out the repeated
// date when the period starts and ends on the same local day:
// "Sat 7 Mar 2026, 15:00 – 18:00" or
// "Sat 7 Mar 2026, 15:00 – Mon 9 Mar 2026, 10:00".
func FormatRange(p Period, loc *time.Location) string {
	s, e := p.Start.In(loc), p.End.In(loc)
	if s.Year() == e.Year() && s.YearDay() == e.YearDay() {
		return FormatDisplay(s, loc) + " – " + e.Format("15:04")
	}
	return FormatDisplay(s, loc) + " – " + FormatDisplay(e, loc)
}
