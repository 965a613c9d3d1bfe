// Package desk holds the rules of the rental counter that are not the booking
// engine's: what staff may do with a booking in each state, how late a
// booking is, and what a late return costs.
package desk

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rentdesk/rentdesk/internal/mail"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Actions are the desk actions a booking's state allows. The handlers still
// re-check each one (through the engine); these decide what the page offers.
type Actions struct {
	ScanOut    bool // units or bulk lines are still waiting to go out
	ScanIn     bool // something is out
	ChangeUnit bool // a unit not yet out may be swapped
	HandOver   bool // something went out that no hand-over sheet lists yet (or any did)
	Confirm    bool // a hold, or a cancelled or expired booking to confirm again
	Cancel     bool
}

// Allowed says which actions fit the booking as it is now.
func Allowed(b store.Booking) Actions {
	var a Actions
	waiting, out, anyOut := false, false, false
	for _, l := range b.Lines {
		if l.Tracking == "bulk" {
			waiting = waiting || l.PickedUpAt == nil
			out = out || l.PickedUpAt != nil && l.ReturnedAt == nil
			anyOut = anyOut || l.PickedUpAt != nil
			continue
		}
		for _, u := range l.Units {
			waiting = waiting || u.PickedUpAt == nil
			out = out || u.PickedUpAt != nil && u.ReturnedAt == nil
			anyOut = anyOut || u.PickedUpAt != nil
		}
	}
	switch b.Status {
	case store.BookingHold:
		a.Confirm, a.Cancel = true, true
	case store.BookingConfirmed:
		a.ScanOut, a.ChangeUnit, a.Cancel = waiting, waiting, true
	case store.BookingOut:
		a.ScanOut, a.ChangeUnit, a.ScanIn, a.HandOver = waiting, waiting, out, anyOut
	case store.BookingReturned:
		a.HandOver = anyOut
	case store.BookingCancelled, store.BookingExpired:
		a.Confirm = true
	}
	return a
}

// Overdue is how long the latest-due thing still out is past its end at now;
// zero when nothing out is late.
func Overdue(b store.Booking, now time.Time) time.Duration {
	var late time.Duration
	for _, l := range b.Lines {
		if d := LineOverdue(l, now); d > late {
			late = d
		}
	}
	return late
}

// LateDue groups the lines out past their end at now (by LineOverdue) by the
// time they were due back, earliest first: what a customer reading "it was
// due back …" expects, each late line's own due time.
func LateDue(b store.Booking, now time.Time) []mail.Due {
	var out []mail.Due
	for _, l := range b.Lines {
		if LineOverdue(l, now) <= 0 {
			continue
		}
		name := l.ItemName
		if l.Quantity > 1 {
			name = fmt.Sprintf("%d × %s", l.Quantity, l.ItemName)
		}
		i := sort.Search(len(out), func(i int) bool { return !out[i].At.Before(l.EndsAt) })
		if i < len(out) && out[i].At.Equal(l.EndsAt) {
			out[i].Items = append(out[i].Items, name)
			continue
		}
		out = slices.Insert(out, i, mail.Due{At: l.EndsAt, Items: []string{name}})
	}
	return out
}

// LineOverdue is how long a line is past its end at now while something of
// it (a unit, or the bulk line) is still out; zero when it is not late. The
// staff and the customer booking pages both mark a line late by it.
func LineOverdue(l store.BookingLine, now time.Time) time.Duration {
	if !now.After(l.EndsAt) {
		return 0
	}
	out := l.Tracking == "bulk" && l.PickedUpAt != nil && l.ReturnedAt == nil
	for _, u := range l.Units {
		out = out || u.PickedUpAt != nil && u.ReturnedAt == nil
	}
	if !out {
		return 0
	}
	return now.Sub(l.EndsAt)
}

// Banner is the one-line state of a booking at the top of its desk page.
type Banner struct {
	Kind string // ok, info, warn, danger, muted
	Text string
}

// StatusBanner says where a booking stands, in the location's zone: what
// comes next, or how late it is.
func StatusBanner(b store.Booking, now time.Time, zone *time.Location) Banner {
	first, last := span(b)
	at := func(t time.Time) string { return t.In(zone).Format("Mon 2 Jan 15:04") }
	switch b.Status {
	case store.BookingHold:
		if b.ExpiresAt != nil {
			return Banner{"warn", "On hold until " + at(*b.ExpiresAt) + ": not confirmed yet."}
		}
		return Banner{"warn", "On hold: not confirmed yet."}
	case store.BookingConfirmed:
		if now.After(first) {
			return Banner{"warn", "Pickup was due " + at(first) + " (" + FormatLate(now.Sub(first)) + " ago)."}
		}
		return Banner{"info", "Confirmed: pickup " + at(first) + "."}
	case store.BookingOut:
		if late := Overdue(b, now); late > 0 {
			return Banner{"danger", "Overdue by " + FormatLate(late) + ": was due back " + mail.DueBackText(LateDue(b, now), at) + "."}
		}
		return Banner{"info", "Out: due back " + at(last) + "."}
	case store.BookingReturned:
		return Banner{"ok", "Everything is back; the booking closes when its balance is settled."}
	case store.BookingClosed:
		return Banner{"muted", "Closed: everything is back and settled."}
	case store.BookingCancelled:
		return Banner{"muted", "Cancelled."}
	case store.BookingExpired:
		return Banner{"muted", "Expired: the hold ran out before it was confirmed."}
	}
	return Banner{"muted", b.Status}
}

func span(b store.Booking) (first, last time.Time) {
	for _, l := range b.Lines {
		if first.IsZero() || l.StartsAt.Before(first) {
			first = l.StartsAt
		}
		if l.EndsAt.After(last) {
			last = l.EndsAt
		}
	}
	return first, last
}

// FormatLate writes a lateness for people: "25 min", "3 h 10 min", "2 days 4 h".
func FormatLate(d time.Duration) string {
	if d < time.Minute {
		return "less than a minute"
	}
	d = d.Truncate(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, plural(days, "day"))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf("%d h", hours))
	}
	if mins > 0 && days == 0 {
		parts = append(parts, fmt.Sprintf("%d min", mins))
	}
	if len(parts) == 0 {
		return plural(days, "day")
	}
	return strings.Join(parts, " ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
