package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rentdesk/rentdesk/internal/desk"
	"github.com/rentdesk/rentdesk/internal/mail"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
)

// BookingMail mails the booking engine's events; it is the engine's
// booking.Notifier. Each method runs in the engine's transaction.
type BookingMail struct{ j *Jobs }

// BookingMail returns the notifier the booking engine takes.
func (j *Jobs) BookingMail() BookingMail { return BookingMail{j: j} }

// BookingCancelled queues the cancellation.
func (m BookingMail) BookingCancelled(ctx context.Context, tx *store.Store, bookingID int64, reason string) error {
	return m.each(ctx, tx, []int64{bookingID}, func(b mail.Booking) error {
		_, err := m.j.EnqueueBookingCancelled(ctx, tx, b, reason)
		return err
	})
}

// HoldsExpired queues a "hold expired" email per booking.
func (m BookingMail) HoldsExpired(ctx context.Context, tx *store.Store, bookingIDs []int64) error {
	return m.each(ctx, tx, bookingIDs, func(b mail.Booking) error {
		_, err := m.j.EnqueueHoldExpired(ctx, tx, b)
		return err
	})
}

// PaymentAlert mails every active staff member and admin about a booking's
// money that needs a person; it is the payment service's payment.Alerter.
func (m BookingMail) PaymentAlert(ctx context.Context, tx *store.Store, bookingID int64, message string) error {
	return m.each(ctx, tx, []int64{bookingID}, func(b mail.Booking) error {
		return m.j.toTeam(ctx, tx, "team", func(to mail.Recipient) (mail.Content, string) {
			return mail.StaffPaymentAlert{To: to, Booking: b, Message: message}, fmt.Sprintf("staff-payment-alert:%d:%d", b.ID, to.UserID)
		})
	})
}

// each loads the bookings in one query and runs fn for each.
func (m BookingMail) each(ctx context.Context, tx *store.Store, ids []int64, fn func(mail.Booking) error) error {
	bs, err := tx.ListBookingMail(ctx, ids)
	if err != nil {
		return err
	}
	for _, b := range bs {
		if err := fn(MailBooking(b)); err != nil {
			return err
		}
	}
	return nil
}

// MailBooking turns a booking as the store loads it into what emails are
// written from: money in its currency, instants kept as instants (each email
// shows them in the location's zone).
func MailBooking(b store.BookingMail) mail.Booking {
	m := func(v int64) money.Money { return money.Money{Amount: v, Currency: b.Currency} }
	out := mail.Booking{ID: b.ID, Number: b.Number,
		Customer: mail.Recipient{UserID: b.CustomerID, Name: b.CustomerName, Email: b.CustomerEmail},
		Location: mail.Location{Name: b.LocationName, Address: b.LocationAddress, TimeZone: b.TimeZone},
		Subtotal: m(b.Subtotal), Tax: m(b.Tax), Total: m(b.Total), Deposit: m(b.Deposit), DueAtPickup: m(b.Total - b.Paid),
		Paid: m(b.Paid)}
	for _, l := range b.Lines {
		out.Lines = append(out.Lines, mail.BookingLine{ItemName: l.ItemName, Quantity: l.Quantity,
			PickupAt: l.StartsAt, ReturnAt: l.EndsAt, Price: m(l.LineTotal)})
	}
	return out
}

// How far ahead the reminder scan looks (a reminder is due at most about a
// day and a half before its pickup or return), and how late a return may be
// before it counts as overdue.
const (
	reminderHorizon = 48 * time.Hour
	overdueGrace    = 30 * time.Minute
)

// SendReminders queues the pickup and return reminders that are due at now
// (the Reminders hook). Reminders already sent are skipped without rendering
// them again; the dedupe keys make a race with another scan harmless.
func (j *Jobs) SendReminders(ctx context.Context, now time.Time) error {
	bs, err := j.st.ListDueBookingMail(ctx, now, now.Add(reminderHorizon))
	if err != nil {
		return err
	}
	type due struct {
		key  string
		send func() error
	}
	var todo []due
	for _, sb := range bs {
		b := MailBooking(sb)
		tz, pickup, ret := b.Location.TimeZone, b.FirstPickup(), b.LastReturn()
		if sb.Status == store.BookingConfirmed && PickupReminderDue(now, pickup, tz) {
			todo = append(todo, due{pickupReminderKey(b), func() error { _, err := j.EnqueuePickupReminder(ctx, j.st, b); return err }})
		}
		if ReturnReminderDue(now, pickup, ret, tz) && !allBack(sb) {
			todo = append(todo, due{returnReminderKey(b), func() error { _, err := j.EnqueueReturnReminder(ctx, j.st, b); return err }})
		}
	}
	keys := make([]string, len(todo))
	for i, d := range todo {
		keys[i] = d.key
	}
	sent, err := j.st.ExistingDedupeKeys(ctx, keys)
	if err != nil {
		return err
	}
	var errs []error
	for _, d := range todo {
		if !sent[d.key] {
			errs = append(errs, d.send())
		}
	}
	return errors.Join(errs...)
}

// ScanOverdue queues today's overdue notice for every rental out past its
// return (at most one a day and MaxOverdueNotices in all), and the staff's
// daily digest of them (the Overdue hook).
func (j *Jobs) ScanOverdue(ctx context.Context, now time.Time) error {
	bs, err := j.st.ListDueBookingMail(ctx, now, now)
	if err != nil {
		return err
	}
	var items []mail.OverdueItem
	var errs []error
	for _, sb := range bs {
		if !mayBeOverdue(sb, now) {
			continue
		}
		b, err := j.st.GetBooking(ctx, sb.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		// Late by the rule of the customer's card, the staff banner and
		// the email: each line still out past its own end.
		late := desk.LateDue(b, now)
		if len(late) == 0 || !OverdueNoticeDue(now, late[0].At, sb.TimeZone, overdueGrace) {
			continue
		}
		n, err := j.overdueNotice(ctx, sb, b, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items = append(items, mail.OverdueItem{BookingID: b.ID, BookingNumber: b.Number, Customer: n.Booking.Customer.Name,
			Items: lateItems(late), DueAt: late[0].At, TimeZone: sb.TimeZone})
		_, err = j.EnqueueOverdueNotice(ctx, j.st, n, now)
		errs = append(errs, err)
	}
	if len(items) > 0 {
		date := now.In(period.Zone(items[0].TimeZone)).Format("2006-01-02")
		errs = append(errs, j.EnqueueStaffOverdueDigest(ctx, j.st, date, items))
	}
	return errors.Join(errs...)
}

// overdueNotice is the overdue email of booking b at now: when each late
// line was due back and the late fee so far, by the rules and code of the
// customer's booking page, so the email and the page say the same.
func (j *Jobs) overdueNotice(ctx context.Context, sb store.BookingMail, b store.Booking, now time.Time) (mail.OverdueNotice, error) {
	n := mail.OverdueNotice{Booking: MailBooking(sb), At: now}
	n.Due = desk.LateDue(b, now)
	items, err := desk.OutItemsAt(ctx, j.st, b, now)
	if err != nil {
		return n, err
	}
	for _, it := range items {
		if it.LateFee.Late > 0 {
			n.LateFees = append(n.LateFees, mail.LateFee{Label: it.Label,
				Amount: money.Money{Amount: it.LateFee.Total, Currency: b.Currency}})
		}
	}
	return n, nil
}

// mayBeOverdue says whether a booking as the mail scan lists it (lines
// without their units) may have something out past its end: a line went out,
// is not back and ended before now. Only those are loaded whole and judged by
// desk.LineOverdue.
func mayBeOverdue(b store.BookingMail, now time.Time) bool {
	for _, l := range b.Lines {
		if l.PickedUpAt != nil && l.ReturnedAt == nil && now.After(l.EndsAt) {
			return true
		}
	}
	return false
}

// lateItems names the late lines, earliest due first: "Tent, 2 × Chair".
func lateItems(late []mail.Due) string {
	var names []string
	for _, d := range late {
		names = append(names, d.Items...)
	}
	return strings.Join(names, ", ")
}

func allBack(b store.BookingMail) bool {
	for _, l := range b.Lines {
		if l.ReturnedAt == nil {
			return false
		}
	}
	return true
}

func pickupReminderKey(b mail.Booking) string { return fmt.Sprintf("pickup-reminder:%d", b.ID) }

func returnReminderKey(b mail.Booking) string {
	return fmt.Sprintf("return-reminder:%d:%d", b.ID, b.LastReturn().Unix())
}
