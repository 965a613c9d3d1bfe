package mail

import (
	"strings"
	"time"

	"github.com/rentdesk/rentdesk/internal/money"
)

// Kinds of email. They name the email in the mail history, the admin page and
// the dedupe keys.
const (
	KindWelcome            = "welcome"
	KindAccountExists      = "account_exists"
	KindPasswordReset      = "password_reset"
	KindEmailChange        = "email_change"
	KindEmailInUse         = "email_in_use"
	KindEmailChanged       = "email_changed"
	KindBookingConfirmed   = "booking_confirmed"
	KindHoldExpired        = "hold_expired"
	KindPickupReminder     = "pickup_reminder"
	KindReturnReminder     = "return_reminder"
	KindOverdueNotice      = "overdue_notice"
	KindBookingCancelled   = "booking_cancelled"
	KindStaffNewBooking    = "staff_new_booking"
	KindStaffOverdueDigest = "staff_overdue_digest"
	KindAdminDeadJobs      = "admin_dead_jobs"
	KindStaffPaymentAlert  = "staff_payment_alert"
	KindAdminAlert         = "admin_alert"
)

// Optional reports whether a kind is mail a customer may switch off
// (reminders); every other kind is needed to do business and always goes.
func Optional(kind string) bool {
	switch kind {
	case KindPickupReminder, KindReturnReminder:
		return true
	}
	return false
}

// Shop is what every email says about the sender.
type Shop struct {
	Name string
	// BaseURL is the public address links point at, without a trailing slash.
	BaseURL string
}

// Rendered is an email written out: subject, plain text, HTML and files.
type Rendered struct {
	Subject     string
	Text        string
	HTML        string
	Attachments []Attachment
}

// Content is the data of one email. Each kind has its own struct; To is the
// recipient. Templates in templates/emails turn a Content into a Rendered.
type Content interface {
	Kind() string
	Recipient() Recipient
}

// Recipient is who an email goes to; UserID is 0 for a shop address.
type Recipient struct {
	UserID int64
	Name   string
	Email  string
}

// AccountExists answers a sign-up with the address of an existing account:
// the page does not say the account exists (that would tell anyone who has
// one), the owner's mailbox does.
type AccountExists struct {
	To Recipient
}

// Welcome greets a new customer.
type Welcome struct {
	To Recipient
}

// ResetTokenPlaceholder stands for the reset token in a stored reset email;
// the sender replaces it with a token issued at send time.
const ResetTokenPlaceholder = "RESETTOKENISSUEDATSEND"

// PasswordReset carries a one-time link to set a new password.
type PasswordReset struct {
	To        Recipient
	Token     string
	ExpiresAt time.Time
}

// EmailChangeTokenPlaceholder stands for the token in a stored email-change
// email; the sender replaces it with a token issued at send time.
const EmailChangeTokenPlaceholder = "EMAILCHANGETOKENISSUEDATSEND"

// EmailChange asks the owner of a new address to confirm it for their
// account (To is the new address); the change takes effect when the link is
// opened.
type EmailChange struct {
	To        Recipient
	Token     string
	ExpiresAt time.Time
}

// EmailInUse tells the owner of an account that someone tried to move
// another account to their address: the profile form does not say the
// address is taken (that would tell anyone who has an account), the owner's
// mailbox does.
type EmailInUse struct {
	To Recipient
}

// EmailChanged tells the old address of an account that the account's email
// is now NewEmail.
type EmailChanged struct {
	To       Recipient
	NewEmail string
}

// Location is where a booking is picked up and returned; every date in a
// booking email is shown in its time zone.
type Location struct {
	Name     string
	Address  string
	TimeZone string // IANA name, such as Europe/Berlin
}

// BookingLine is one item of a booking.
type BookingLine struct {
	ItemName string
	Quantity int
	PickupAt time.Time
	ReturnAt time.Time
	Price    money.Money
}

// Booking is what every booking email is written from.
type Booking struct {
	ID       int64
	Number   string
	Customer Recipient
	Location Location
	Lines    []BookingLine
	Subtotal money.Money
	Tax      money.Money
	Total    money.Money
	Deposit  money.Money
	// DueAtPickup is what the customer pays at the desk (pay-at-pickup mode).
	DueAtPickup money.Money
	// Paid is what the customer had paid when the email was written (online,
	// for a booking confirmed by its payment); zero in emails kept from
	// before it was recorded.
	Paid money.Money
}

// FirstPickup is the earliest pickup of the booking's lines.
func (b Booking) FirstPickup() time.Time {
	var t time.Time
	for _, l := range b.Lines {
		if t.IsZero() || l.PickupAt.Before(t) {
			t = l.PickupAt
		}
	}
	return t
}

// LastReturn is the latest return of the booking's lines.
func (b Booking) LastReturn() time.Time {
	var t time.Time
	for _, l := range b.Lines {
		if l.ReturnAt.After(t) {
			t = l.ReturnAt
		}
	}
	return t
}

// BookingConfirmed tells the customer their booking stands, with a calendar file.
type BookingConfirmed struct{ Booking Booking }

// HoldExpired tells the customer an unfinished booking lapsed.
type HoldExpired struct{ Booking Booking }

// PickupReminder reminds the customer of tomorrow's pickup.
type PickupReminder struct{ Booking Booking }

// ReturnReminder reminds the customer of an upcoming return.
type ReturnReminder struct{ Booking Booking }

// OverdueNotice tells the customer a return is late. Notice counts from 1.
// Due and LateFees are what the customer's booking page shows at the time of
// the notice: when each late line was due back, and the late fee each late
// unit or bulk line has run up so far.
type OverdueNotice struct {
	Booking  Booking
	Notice   int
	At       time.Time // when the late fees were reckoned
	Due      []Due
	LateFees []LateFee
}

// LateFee is the late fee one thing out has run up so far.
type LateFee struct {
	Label  string
	Amount money.Money
}

// Due is a time late lines were due back, and what they are.
type Due struct {
	At    time.Time
	Items []string
}

// DueBackText says when late things were due back, with times written by
// format: the time alone when they share it, else each time with what was
// due then ("Tent at Mon 10:00; 2 × Chair at Tue 10:00"). The booking pages
// and the overdue email all say it this way.
func DueBackText(due []Due, format func(time.Time) string) string {
	if len(due) == 1 {
		return format(due[0].At)
	}
	parts := make([]string, len(due))
	for i, d := range due {
		parts[i] = strings.Join(d.Items, ", ") + " at " + format(d.At)
	}
	return strings.Join(parts, "; ")
}

// BookingCancelled confirms a cancellation.
type BookingCancelled struct {
	Booking Booking
	Reason  string
}

// StaffNewBooking tells a staff member that a customer booked online.
type StaffNewBooking struct {
	To      Recipient
	Booking Booking
}

// StaffPaymentAlert tells a staff member about money that needs a person:
// a payment that came too late and was refunded.
type StaffPaymentAlert struct {
	To      Recipient
	Booking Booking
	Message string
}

// OverdueItem is one late booking in the staff digest.
type OverdueItem struct {
	BookingID     int64
	BookingNumber string
	Customer      string
	Items         string
	DueAt         time.Time
	TimeZone      string
}

// StaffOverdueDigest lists everything late, once a day.
type StaffOverdueDigest struct {
	To    Recipient
	Date  string // the local date the digest is for, YYYY-MM-DD
	Items []OverdueItem
}

// DeadJob is one job that gave up, as told to admins.
type DeadJob struct {
	ID        int64
	Kind      string
	Attempts  int
	LastError string
	Email     string // the email's subject and recipient, for mail jobs
}

// AdminDeadJobs tells an admin that jobs gave up and need a look.
type AdminDeadJobs struct {
	To   Recipient
	Jobs []DeadJob
}

// AdminAlert tells an admin that a monitoring threshold was crossed.
type AdminAlert struct {
	To Recipient
	// Rule is what is measured ("Latency p95"); Value and Threshold are
	// formatted with their unit.
	Rule, Value, Threshold string
	Started                time.Time
}

// Kind and Recipient implement Content for each kind.

func (c Welcome) Kind() string               { return KindWelcome }
func (c Welcome) Recipient() Recipient       { return c.To }
func (c AccountExists) Kind() string         { return KindAccountExists }
func (c AccountExists) Recipient() Recipient { return c.To }
func (c PasswordReset) Kind() string         { return KindPasswordReset }
func (c PasswordReset) Recipient() Recipient { return c.To }
func (c EmailChange) Kind() string           { return KindEmailChange }
func (c EmailChange) Recipient() Recipient   { return c.To }
func (c EmailInUse) Kind() string            { return KindEmailInUse }
func (c EmailInUse) Recipient() Recipient    { return c.To }
func (c EmailChanged) Kind() string          { return KindEmailChanged }
func (c EmailChanged) Recipient() Recipient  { return c.To }

func (c BookingConfirmed) Kind() string         { return KindBookingConfirmed }
func (c BookingConfirmed) Recipient() Recipient { return c.Booking.Customer }
func (c HoldExpired) Kind() string              { return KindHoldExpired }
func (c HoldExpired) Recipient() Recipient      { return c.Booking.Customer }
func (c PickupReminder) Kind() string           { return KindPickupReminder }
func (c PickupReminder) Recipient() Recipient   { return c.Booking.Customer }
func (c ReturnReminder) Kind() string           { return KindReturnReminder }
func (c ReturnReminder) Recipient() Recipient   { return c.Booking.Customer }
func (c OverdueNotice) Kind() string            { return KindOverdueNotice }
func (c OverdueNotice) Recipient() Recipient    { return c.Booking.Customer }
func (c BookingCancelled) Kind() string         { return KindBookingCancelled }
func (c BookingCancelled) Recipient() Recipient { return c.Booking.Customer }

func (c StaffNewBooking) Kind() string            { return KindStaffNewBooking }
func (c StaffNewBooking) Recipient() Recipient    { return c.To }
func (c StaffOverdueDigest) Kind() string         { return KindStaffOverdueDigest }
func (c StaffOverdueDigest) Recipient() Recipient { return c.To }
func (c StaffPaymentAlert) Kind() string          { return KindStaffPaymentAlert }
func (c StaffPaymentAlert) Recipient() Recipient  { return c.To }
func (c AdminDeadJobs) Kind() string              { return KindAdminDeadJobs }
func (c AdminDeadJobs) Recipient() Recipient      { return c.To }
func (c AdminAlert) Kind() string                 { return KindAdminAlert }
func (c AdminAlert) Recipient() Recipient         { return c.To }
