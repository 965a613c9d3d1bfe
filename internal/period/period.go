// Package period is Rentdesk's model of a rental period: a half-open interval
// of instants [Start, End), stored in UTC, entered and shown in the wall-clock
// time of a location's IANA zone.
//
// Half-open means a booking that ends at 10:00 and one that starts at 10:00
// do not overlap, so a unit can go out again the moment it comes back.
// Every conversion between wall clock and instant takes the location's
// *time.Location explicitly; nothing here reads the process zone (time.Local),
// so the server's TZ setting cannot shift a booking.
package period

import (
	"errors"
	"sort"
	"strings"
	"time"
)

// Period is the half-open interval [Start, End) of instants. Values made by
// Parse and New hold UTC times with End after Start.
type Period struct {
	// Start is the first instant of the period (included).
	Start time.Time
	// End is the first instant after the period (excluded).
	End time.Time
}

// Field names used as keys of FieldErrors; they match the form fields.
const (
	FieldStart = "start" // the period's first instant
	FieldEnd   = "end"   // the instant after the period
)

// FieldErrors maps a form field ("start", "end") to a message for the person
// who filled it in. It is an error so it can travel up like one; handlers
// unwrap it with errors.As and re-render the form with each message beside
// its field.
type FieldErrors map[string]string

// Error joins the messages in field order, for logs; users see the messages
// one by one beside their fields.
func (fe FieldErrors) Error() string {
	fields := make([]string, 0, len(fe))
	for f := range fe {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f + ": " + fe[f]
	}
	return strings.Join(parts, "; ")
}

// ErrNoLocation is returned when a conversion is asked for without a zone.
// It is a programming error, not something to show a user: falling back to
// the process zone is exactly the bug this package exists to prevent.
var ErrNoLocation = errors.New("period: no location given")

// Messages shown beside the form fields.
const (
	msgStartMissing = "choose a start date and time"
	msgEndMissing   = "choose an end date and time"
	msgNotDate      = "enter a date and time like 2026-03-07 15:00"
	msgEndNotAfter  = "the end must be after the start"
	msgStartInPast  = "the start is in the past"
)

// New returns the period [start, end) in UTC, or FieldErrors when end is not
// after start. It is for periods built by code (extensions, imports); forms
// use Parse.
func New(start, end time.Time) (Period, error) {
	if !end.After(start) {
		return Period{}, FieldErrors{FieldEnd: msgEndNotAfter}
	}
	return Period{Start: start.UTC(), End: end.UTC()}, nil
}

// Duration returns the elapsed time from Start to End. Across a DST change it
// is the real length (a local day may be 23 or 25 hours), which is why
// pricing counts calendar days with AddDays instead of dividing this by 24h.
func (p Period) Duration() time.Duration { return p.End.Sub(p.Start) }

// IsEmpty reports whether the period contains no instant (End <= Start),
// including the zero Period.
func (p Period) IsEmpty() bool { return !p.End.After(p.Start) }

// Contains reports whether t lies in [Start, End): the start instant is
// inside the period, the end instant is not.
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.Start) && t.Before(p.End)
}

// Overlaps reports whether p and q share at least one instant. Periods that
// only touch ([Mon, Wed) and [Wed, Fri)) do not overlap, and an empty period
// overlaps nothing. This is the same rule as PostgreSQL's && on '[)' ranges,
// so checks in Go and constraints in the database agree.
func (p Period) Overlaps(q Period) bool {
	if p.IsEmpty() || q.IsEmpty() {
		return false
	}
	return p.Start.Before(q.End) && q.Start.Before(p.End)
}

// CheckNotPast returns FieldErrors for the start field when the period starts
// before now. now is injected so rules and tests control the clock. The start
// may lie within the current minute: a form defaulting to "now" shows minutes
// only, and that default must pass its own validation.
func (p Period) CheckNotPast(now time.Time) error {
	if p.Start.Before(now.Truncate(time.Minute)) {
		return FieldErrors{FieldStart: msgStartInPast}
	}
	return nil
}

// String formats p as "[start, end)" in RFC 3339 UTC, for logs and test
// failures; pages use FormatRange.
func (p Period) String() string {
	return "[" + p.Start.UTC().Format(time.RFC3339Nano) + ", " + p.End.UTC().Format(time.RFC3339Nano) + ")"
}
