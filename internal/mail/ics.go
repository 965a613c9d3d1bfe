package mail

import (
	"fmt"
	"strings"
	"time"
)

// Event is one entry of a calendar file.
type Event struct {
	UID         string
	Summary     string
	Description string
	Location    string
	Start, End  time.Time
}

// ICS writes an iCalendar (RFC 5545) file with the events, times in UTC so
// every calendar shows them in its own zone correctly. stamp is the creation
// time (injected, so the file is reproducible).
func ICS(prodID string, stamp time.Time, events ...Event) []byte {
	var b strings.Builder
	line := func(s string) { b.WriteString(foldICS(s)); b.WriteString("\r\n") }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//" + icsText(prodID) + "//Rentdesk//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	for _, e := range events {
		line("BEGIN:VEVENT")
		line("UID:" + icsText(e.UID))
		line("DTSTAMP:" + icsTime(stamp))
		line("DTSTART:" + icsTime(e.Start))
		line("DTEND:" + icsTime(e.End))
		line("SUMMARY:" + icsText(e.Summary))
		if e.Location != "" {
			line("LOCATION:" + icsText(e.Location))
		}
		if e.Description != "" {
			line("DESCRIPTION:" + icsText(e.Description))
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return []byte(b.String())
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsText escapes a TEXT value: backslash, semicolon, comma and newlines.
func icsText(s string) string {
	s = strings.NewReplacer(`\`, `\\`, `;`, `\;`, `,`, `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
	return s
}

// foldICS splits lines longer than 75 octets, as RFC 5545 requires, without
// cutting a UTF-8 character in two.
func foldICS(s string) string {
	if len(s) <= 75 {
		return s
	}
	var b strings.Builder
	n := 0
	for _, r := range s {
		l := len(string(r))
		if n+l > 75 {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += l
	}
	return b.String()
}

// BookingEvents are the calendar entries of a booking: one for the pickup and
// one for the return, each half an hour long at the location.
func BookingEvents(shop Shop, b Booking, host string) []Event {
	where := b.Location.Name
	if b.Location.Address != "" {
		where += ", " + b.Location.Address
	}
	link := fmt.Sprintf("%s/bookings/%d", shop.BaseURL, b.ID)
	return []Event{
		{UID: fmt.Sprintf("booking-%d-pickup@%s", b.ID, host), Summary: fmt.Sprintf("Pick up rental %s (%s)", b.Number, shop.Name),
			Location: where, Description: link, Start: b.FirstPickup(), End: b.FirstPickup().Add(30 * time.Minute)},
		{UID: fmt.Sprintf("booking-%d-return@%s", b.ID, host), Summary: fmt.Sprintf("Return rental %s (%s)", b.Number, shop.Name),
			Location: where, Description: link, Start: b.LastReturn().Add(-30 * time.Minute), End: b.LastReturn()},
	}
}
