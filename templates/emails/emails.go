// Package emails writes Rentdesk's emails: an HTML part (templ) and a plain
// text part for each kind, from the data structs of internal/mail. Dates are
// shown in the zone of the booking's location, never the server's.
package emails

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/rentdesk/rentdesk/internal/mail"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/period"
)

// Render writes one email.
func Render(ctx context.Context, c mail.Content, shop mail.Shop) (mail.Rendered, error) {
	shop.BaseURL = strings.TrimSuffix(shop.BaseURL, "/")
	if shop.Name == "" {
		shop.Name = "Rentdesk"
	}
	var (
		subject, text string
		html          templ.Component
		files         []mail.Attachment
	)
	switch v := c.(type) {
	case mail.Welcome:
		subject = "Welcome to " + shop.Name
		text, html = welcomeText(shop, v), welcomeHTML(shop, v)
	case mail.AccountExists:
		subject = "You already have a " + shop.Name + " account"
		text, html = accountExistsText(shop, v), accountExistsHTML(shop, v)
	case mail.PasswordReset:
		subject = "Reset your " + shop.Name + " password"
		text, html = resetText(shop, v), resetHTML(shop, v)
	case mail.EmailChange:
		subject = "Confirm your new email for " + shop.Name
		text, html = emailChangeText(shop, v), emailChangeHTML(shop, v)
	case mail.EmailInUse:
		subject = "Someone tried to use your email at " + shop.Name
		text, html = emailInUseText(shop, v), emailInUseHTML(shop, v)
	case mail.EmailChanged:
		subject = "Your " + shop.Name + " email was changed"
		text, html = emailChangedText(shop, v), emailChangedHTML(shop, v)
	case mail.BookingConfirmed:
		subject = fmt.Sprintf("Booking %s confirmed – %s", v.Booking.Number, shop.Name)
		text, html = bookingParts(shop, v.Booking, v.Booking.Customer.Name, confirmedIntro(v.Booking), bookingURL(shop, v.Booking))
		files = []mail.Attachment{{Name: "booking-" + v.Booking.Number + ".ics", ContentType: "text/calendar",
			Data: mail.ICS(shop.Name, time.Now(), mail.BookingEvents(shop, v.Booking, host(shop))...)}}
	case mail.HoldExpired:
		subject = fmt.Sprintf("Your reservation %s has expired – %s", v.Booking.Number, shop.Name)
		intro := "We held these items for you, but the booking was not completed in time, so the hold has expired and the items are free again. You are welcome to book again."
		text, html = bookingParts(shop, ended(v.Booking), v.Booking.Customer.Name, intro, bookingURL(shop, v.Booking))
	case mail.PickupReminder:
		b := v.Booking
		subject = fmt.Sprintf("Reminder: pick up %s on %s – %s", b.Number, LocalDate(b.FirstPickup(), b.Location.TimeZone), shop.Name)
		intro := fmt.Sprintf("See you soon: your rental is ready for pickup at %s on %s.", b.Location.Name, LocalTime(b.FirstPickup(), b.Location.TimeZone))
		text, html = bookingParts(shop, b, b.Customer.Name, intro, bookingURL(shop, b))
	case mail.ReturnReminder:
		b := v.Booking
		subject = fmt.Sprintf("Reminder: return %s by %s – %s", b.Number, LocalTime(b.LastReturn(), b.Location.TimeZone), shop.Name)
		intro := fmt.Sprintf("Please bring your rental back to %s by %s.", b.Location.Name, LocalTime(b.LastReturn(), b.Location.TimeZone))
		text, html = bookingParts(shop, b, b.Customer.Name, intro, bookingURL(shop, b))
	case mail.OverdueNotice:
		b := v.Booking
		subject = fmt.Sprintf("Overdue: please return %s – %s", b.Number, shop.Name)
		text, html = bookingParts(shop, b, b.Customer.Name, overdueIntro(v), bookingURL(shop, b))
	case mail.BookingCancelled:
		subject = fmt.Sprintf("Booking %s cancelled – %s", v.Booking.Number, shop.Name)
		intro := "Your booking has been cancelled."
		if v.Reason != "" {
			intro += " " + v.Reason
		}
		text, html = bookingParts(shop, ended(v.Booking), v.Booking.Customer.Name, intro, bookingURL(shop, v.Booking))
	case mail.StaffNewBooking:
		b := v.Booking
		subject = fmt.Sprintf("New online booking %s from %s", b.Number, b.Customer.Name)
		intro := fmt.Sprintf("%s (%s) booked online; first pickup %s at %s.", b.Customer.Name, b.Customer.Email,
			LocalTime(b.FirstPickup(), b.Location.TimeZone), b.Location.Name)
		text, html = bookingParts(shop, b, v.To.Name, intro, staffBookingURL(shop, b.ID))
	case mail.StaffPaymentAlert:
		subject = fmt.Sprintf("Payment needs attention: booking %s", v.Booking.Number)
		text, html = bookingParts(shop, v.Booking, v.To.Name, v.Message, staffBookingURL(shop, v.Booking.ID))
	case mail.StaffOverdueDigest:
		subject = fmt.Sprintf("Overdue rentals on %s: %d – %s", v.Date, len(v.Items), shop.Name)
		text, html = digestText(shop, v), digestHTML(shop, v)
	case mail.AdminDeadJobs:
		subject = fmt.Sprintf("%d background job(s) gave up – %s", len(v.Jobs), shop.Name)
		text, html = deadJobsText(shop, v), deadJobsHTML(shop, v)
	case mail.AdminAlert:
		subject = fmt.Sprintf("Alert: %s at %s (threshold %s) – %s", v.Rule, v.Value, v.Threshold, shop.Name)
		text, html = alertText(shop, v), alertHTML(shop, v)
	default:
		return mail.Rendered{}, fmt.Errorf("emails: no template for %T", c)
	}
	var buf bytes.Buffer
	if err := layout(shop, subject, html).Render(ctx, &buf); err != nil {
		return mail.Rendered{}, fmt.Errorf("emails: render %s: %w", c.Kind(), err)
	}
	return mail.Rendered{Subject: subject, Text: text + textFooter(shop), HTML: buf.String(), Attachments: files}, nil
}

// LocalTime formats an instant in the location's zone: "Fri 15 May 2026, 09:00 CEST".
func LocalTime(t time.Time, tz string) string {
	return t.In(period.Zone(tz)).Format("Mon 2 Jan 2006, 15:04 MST")
}

// LocalDate formats the local date of an instant: "Fri 15 May 2026".
func LocalDate(t time.Time, tz string) string {
	return t.In(period.Zone(tz)).Format("Mon 2 Jan 2006")
}

// bookingParts writes the text and HTML of a booking email: a greeting, an
// intro, the lines with local times, the totals and a link.
func bookingParts(shop mail.Shop, b mail.Booking, hello, intro, link string) (string, templ.Component) {
	return bookingText(shop, b, hello, intro, link), bookingHTML(shop, b, hello, intro, link)
}

// ended is a booking that will not be picked up (cancelled, or a hold that
// ran out): nothing is due at pickup, whatever its balance.
func ended(b mail.Booking) mail.Booking {
	b.DueAtPickup.Amount = 0
	return b
}

func confirmedIntro(b mail.Booking) string {
	return fmt.Sprintf("Thank you! Your booking is confirmed. Pick up at %s on %s. The attached calendar file holds the pickup and the return.",
		b.Location.Name, LocalTime(b.FirstPickup(), b.Location.TimeZone))
}

// overdueIntro says when the rental was due back (each late line's own time
// where they differ, as the booking page says it) and the late fee run up so
// far, with what makes it up.
func overdueIntro(v mail.OverdueNotice) string {
	b, tz := v.Booking, v.Booking.Location.TimeZone
	due := v.Due
	if len(due) == 0 {
		due = []mail.Due{{At: b.LastReturn()}}
	}
	intro := fmt.Sprintf("Your rental was due back at %s on %s and has not been returned yet. Please return it as soon as you can.",
		b.Location.Name, mail.DueBackText(due, func(t time.Time) string { return LocalTime(t, tz) }))
	var total int64
	var parts []string
	for _, f := range v.LateFees {
		total += f.Amount.Amount
		parts = append(parts, f.Label+": "+f.Amount.String())
	}
	if total > 0 {
		intro += fmt.Sprintf(" The late fee so far (at %s) is %s (%s); it grows until everything is back.",
			LocalTime(v.At, tz), money.Format(total, v.LateFees[0].Amount.Currency), strings.Join(parts, "; "))
	}
	return intro
}

func host(shop mail.Shop) string {
	if u, err := url.Parse(shop.BaseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "rentdesk.invalid"
}

func bookingURL(shop mail.Shop, b mail.Booking) string {
	return fmt.Sprintf("%s/bookings/%d", shop.BaseURL, b.ID)
}

func staffBookingURL(shop mail.Shop, id int64) string {
	return fmt.Sprintf("%s/staff/bookings/%d", shop.BaseURL, id)
}

func resetURL(shop mail.Shop, token string) string {
	return shop.BaseURL + "/password/reset?token=" + url.QueryEscape(token)
}

func emailChangeURL(shop mail.Shop, token string) string {
	return shop.BaseURL + "/account/email?token=" + url.QueryEscape(token)
}

func accountURL(shop mail.Shop) string { return shop.BaseURL + "/account" }

func greeting(name string) string {
	if name = strings.TrimSpace(name); name == "" {
		return "Hello,"
	}
	return "Hello " + name + ","
}
