// Package mail is Rentdesk's outgoing mail: the message model, the SMTP
// sender (with timeouts and a permanent/temporary verdict on failures), the
// data each kind of email is written from, and calendar attachments.
//
// Rendering the messages lives in templates/emails; queueing and retrying them
// lives in internal/jobs.
package mail

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
)

// Address is a mailbox with an optional display name.
type Address struct {
	Name  string
	Email string
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Message is one email ready to send.
type Message struct {
	// ID is the Message-ID without angle brackets. It is derived from the
	// email's row, so every retry of the same email carries the same ID and
	// receiving servers (and tests) can recognise a duplicate.
	ID          string
	To          Address
	Subject     string
	Text        string
	HTML        string
	Attachments []Attachment
}

// MessageID builds the stable Message-ID of an email row: unique per row and
// per install (the host of the base URL), the same on every retry.
func MessageID(emailID int64, host string) string {
	prefix, suffix := MessageIDParts(host)
	return fmt.Sprintf("%s%d%s", prefix, emailID, suffix)
}

// MessageIDParts are what comes before and after the email's id in its
// Message-ID, for a writer that knows the id only in the database.
func MessageIDParts(host string) (prefix, suffix string) {
	host = strings.TrimSpace(host)
	if i := strings.LastIndexByte(host, ':'); i > 0 && !strings.Contains(host[i:], "]") {
		host = host[:i] // no port in a Message-ID
	}
	if host == "" {
		host = "rentdesk.invalid"
	}
	return "email-", "@" + host
}

// HeaderText makes user-supplied text (a name, a subject) safe to put in a
// header: line breaks and other control characters would let it start new
// headers or a body (header injection), so each run of them becomes one space.
// Bidirectional controls (a right-to-left override in a customer's name) are
// left out: in a one-line header they would carry on past the name and make
// the rest of a subject read backwards. The result is also trimmed and
// capped, since no header needs to be long.
func HeaderText(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.Is(unicode.Bidi_Control, r) {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		space = r == ' '
		b.WriteRune(r)
	}
	out := strings.TrimSpace(b.String())
	if r := []rune(out); len(r) > 200 {
		out = string(r[:200])
	}
	return out
}

// CheckAddress accepts a bare email address (no name, no line breaks); it is
// what every recipient and sender goes through before reaching SMTP.
func CheckAddress(addr string) error {
	if strings.ContainsAny(addr, "\r\n<>,;\"") {
		return fmt.Errorf("mail: address %q has characters an address may not have", addr)
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr {
		return fmt.Errorf("mail: %q is not an email address", addr)
	}
	return nil
}

// ParseFrom reads a sender like "Bike Hire <hello@bikehire.example>" or a bare
// address.
func ParseFrom(s string) (Address, error) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return Address{}, fmt.Errorf("mail: sender %q: %w", s, err)
	}
	return Address{Name: HeaderText(a.Name), Email: a.Address}, nil
}
