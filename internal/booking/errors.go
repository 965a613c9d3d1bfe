package booking

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
)

// FieldErrors maps a form field to a message for the person who filled it in.
// The engine returns it before touching the database, so bad input is a 422
// with messages beside the fields, never a conflict or a 500.
type FieldErrors map[string]string

// Error joins the messages in field order, for logs.
func (fe FieldErrors) Error() string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + fe[k]
	}
	return "booking: invalid input: " + strings.Join(parts, "; ")
}

// ConflictError says what could not be had: an item (or a unit) for a period.
// It wraps store.ErrConflict, so pages that do not know it still answer 409.
type ConflictError struct {
	ItemName   string
	AssetTag   string // set when one unit was asked for (change unit, scan, maintenance)
	Start, End time.Time
	// Zone shows Start and End in the location's zone ("" = UTC).
	Zone string
	// Detail says what is in the way, in words (for staff pages and logs).
	Detail string
	Err    error
}

func (e *ConflictError) Error() string {
	msg := e.Message()
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Message names what could not be had and when, without saying who holds it
// (customers see this; staff also see Detail).
func (e *ConflictError) Message() string {
	what := e.ItemName
	if e.AssetTag != "" {
		what += " (" + e.AssetTag + ")"
	}
	return fmt.Sprintf("%s is no longer available for %s.", what, e.PeriodText())
}

// StaffMessage is Message with what is in the way (Detail), as one
// sentence, for the desk's pages.
func (e *ConflictError) StaffMessage() string {
	if e.Detail == "" {
		return e.Message()
	}
	return strings.TrimSuffix(e.Message(), ".") + ": " + e.Detail + "."
}

// PeriodText is the period in the location's local time.
func (e *ConflictError) PeriodText() string {
	loc := period.Zone(e.Zone)
	const layout = "Mon 2 Jan 2006 15:04"
	if e.End.IsZero() {
		return "from " + e.Start.In(loc).Format(layout)
	}
	return e.Start.In(loc).Format(layout) + " – " + e.End.In(loc).Format(layout)
}

// Unwrap makes errors.Is(err, store.ErrConflict) true.
func (e *ConflictError) Unwrap() error {
	if e.Err == nil {
		return store.ErrConflict
	}
	return e.Err
}

// Is lets the conflict match store.ErrConflict even when Err is another error.
func (e *ConflictError) Is(target error) bool { return target == store.ErrConflict }

// RuleError is a request the booking rules refuse (cancelling after the free
// window, checking in a unit that is not out); the message says why.
type RuleError struct{ Msg string }

func (e *RuleError) Error() string { return e.Msg }

// DuplicateError answers a form submitted twice: the booking it already made.
type DuplicateError struct{ BookingID int64 }

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("booking: form already submitted: booking %d", e.BookingID)
}

// ErrNotFound is returned for bookings, lines and units that do not exist or
// that the customer may not see; the web layer answers 404 either way.
var ErrNotFound = store.ErrNotFound

func isConflict(err error) bool { return errors.Is(err, store.ErrConflict) }

// unitTaken says an allocation was refused because its unit is held over the
// range (store.ErrUnitTaken): the transaction is still usable, so another
// unit can be tried. Other conflicts (a deadlock) leave it failed.
func unitTaken(err error) bool { return errors.Is(err, store.ErrUnitTaken) }
