package jobs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/rentdesk/rentdesk/internal/mail"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Every Enqueue function runs inside the caller's transaction (tx is the
// *store.Store given by WithTx; outside one, it opens its own). It writes the
// email row and its send job there, so both commit or roll back with the
// change that caused them. Each returns the email's id, or 0 when nothing was
// written: the same event was already mailed (its dedupe key exists), or the
// recipient switched that kind of mail off.

// EnqueueEmail renders and queues any email. dedupeKey names the event (empty:
// never a duplicate); a second call with the same key writes nothing.
func (j *Jobs) EnqueueEmail(ctx context.Context, tx *store.Store, c mail.Content, dedupeKey string) (int64, error) {
	var id int64
	err := tx.WithTx(ctx, func(tx *store.Store) error {
		var err error
		id, err = j.enqueueEmail(ctx, tx, c, dedupeKey)
		return err
	})
	return id, err
}

func (j *Jobs) enqueueEmail(ctx context.Context, tx *store.Store, c mail.Content, dedupeKey string) (int64, error) {
	ids, err := j.enqueueEmails(ctx, tx, []keyed{{c, dedupeKey}})
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}

// keyed is an email to queue and the dedupe key of its event.
type keyed struct {
	c   mail.Content
	key string
}

// enqueueEmails renders emails and writes them in one statement, then their
// send jobs in one more and the emails' links to them in a third (a
// confirmation and its staff notices are one batch, not three round trips
// each). It returns an id per email of cs, in order: 0 for an email left out
// (the recipient opted out, or its event was already mailed).
func (j *Jobs) enqueueEmails(ctx context.Context, tx *store.Store, cs []keyed) ([]int64, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	shop, err := j.shop(ctx, tx)
	if err != nil {
		return nil, err
	}
	status := store.EmailQueued
	if j.opts.Sender == nil {
		status = store.EmailNotSent
	}
	es := make([]store.NewEmail, 0, len(cs))
	at := make([]int, 0, len(cs)) // es[i] is cs[at[i]]
	for n, k := range cs {
		to := k.c.Recipient()
		if err := mail.CheckAddress(to.Email); err != nil {
			return nil, fmt.Errorf("jobs: %s email: %w", k.c.Kind(), err)
		}
		if mail.Optional(k.c.Kind()) && to.UserID != 0 {
			prefs, err := tx.GetMailPreferences(ctx, to.UserID)
			if err != nil {
				return nil, err
			}
			if !prefs.Reminders {
				continue
			}
		}
		r, err := j.opts.Render(ctx, k.c, shop)
		if err != nil {
			return nil, err
		}
		e := store.NewEmail{
			Kind: k.c.Kind(), UserID: to.UserID, ToAddress: to.Email, ToName: mail.HeaderText(to.Name),
			Subject: mail.HeaderText(r.Subject), TextBody: r.Text, HTMLBody: r.HTML,
			Attachments: storeAttachments(r.Attachments), DedupeKey: k.key, Status: status,
		}
		// A booking's confirmation and staff notices keep their facts,
		// rendered again as they are sent (Message); rendered here too, for
		// the subject the mail history lists and so that a content the
		// templates cannot write fails here, with the change that caused it.
		facts, ok, err := mail.EncodeFacts(k.c)
		if err != nil {
			return nil, err
		}
		if ok {
			e.Facts, e.TextBody, e.HTMLBody, e.Attachments = facts, "", "", nil
		}
		es = append(es, e)
		at = append(at, n)
	}
	prefix, suffix := mail.MessageIDParts(j.opts.BaseURL.Host)
	written, err := tx.InsertEmails(ctx, es, prefix, suffix)
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(cs))
	var ids []int64
	for i, id := range written {
		if id != 0 {
			out[at[i]] = id
			ids = append(ids, id)
		}
	}
	if status != store.EmailQueued || len(ids) == 0 {
		return out, nil
	}
	jobIDs, err := j.insertSendJobs(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	if err := tx.SetEmailJobs(ctx, ids, jobIDs); err != nil {
		return nil, err
	}
	return out, nil
}

// insertSendJobs adds the jobs that send emails, in the caller's transaction
// and one statement, and returns their ids in order.
func (j *Jobs) insertSendJobs(ctx context.Context, tx *store.Store, emailIDs []int64) ([]int64, error) {
	params := make([]river.InsertManyParams, len(emailIDs))
	for i, id := range emailIDs {
		params[i] = river.InsertManyParams{Args: SendEmailArgs{EmailID: id},
			InsertOpts: &river.InsertOpts{MaxAttempts: j.opts.MailMaxAttempts}}
	}
	res, err := j.client.InsertManyTx(ctx, tx.Tx(), params)
	if err != nil {
		return nil, fmt.Errorf("jobs: insert send jobs for emails %v: %w", emailIDs, store.Unavailable(err))
	}
	if len(res) != len(emailIDs) {
		return nil, fmt.Errorf("jobs: insert send jobs: %d jobs for %d emails", len(res), len(emailIDs))
	}
	out := make([]int64, len(res))
	for i, r := range res {
		out[i] = r.Job.ID
	}
	return out, nil
}

// insertSendJob adds the job that sends an email, in the caller's transaction.
func (j *Jobs) insertSendJob(ctx context.Context, tx *store.Store, emailID int64) (int64, error) {
	res, err := j.client.InsertTx(ctx, tx.Tx(), SendEmailArgs{EmailID: emailID}, &river.InsertOpts{
		MaxAttempts: j.opts.MailMaxAttempts,
	})
	if err != nil {
		return 0, fmt.Errorf("jobs: insert send job for email %d: %w", emailID, store.Unavailable(err))
	}
	return res.Job.ID, nil
}

// Requeue gives an email a new send job (an admin sending mail that was kept
// while no SMTP server was configured).
func (j *Jobs) Requeue(ctx context.Context, tx *store.Store, emailID int64) error {
	if j.opts.Sender == nil {
		return fmt.Errorf("jobs: requeue email %d: no SMTP server is configured", emailID)
	}
	e, err := tx.GetEmail(ctx, emailID)
	if err != nil {
		return err
	}
	jobID, err := j.insertSendJob(ctx, tx, emailID)
	if err != nil {
		return err
	}
	if err := tx.SetEmailJob(ctx, emailID, jobID, e.MessageID); err != nil {
		return err
	}
	return tx.SetEmailStatus(ctx, emailID, store.EmailQueued, "")
}

func (j *Jobs) shop(ctx context.Context, tx *store.Store) (mail.Shop, error) {
	s, err := tx.GetSettings(ctx)
	if err != nil {
		return mail.Shop{}, err
	}
	return mail.Shop{Name: s.ShopName, BaseURL: strings.TrimSuffix(j.opts.BaseURL.String(), "/")}, nil
}

func storeAttachments(as []mail.Attachment) []store.Attachment {
	out := make([]store.Attachment, 0, len(as))
	for _, a := range as {
		out = append(out, store.Attachment{Name: a.Name, ContentType: a.ContentType, Data: a.Data})
	}
	return out
}

// EnqueueWelcome greets a new customer, once per account.
func (j *Jobs) EnqueueWelcome(ctx context.Context, tx *store.Store, u store.User) (int64, error) {
	to := mail.Recipient{UserID: u.ID, Name: u.Name, Email: u.Email}
	return j.EnqueueEmail(ctx, tx, mail.Welcome{To: to}, fmt.Sprintf("welcome:%d", u.ID))
}

// EnqueueAccountExists tells the owner of an account that someone signed up
// with its address; at most one such email an hour per account.
func (j *Jobs) EnqueueAccountExists(ctx context.Context, tx *store.Store, u store.User, now time.Time) (int64, error) {
	to := mail.Recipient{UserID: u.ID, Name: u.Name, Email: u.Email}
	return j.EnqueueEmail(ctx, tx, mail.AccountExists{To: to}, fmt.Sprintf("account-exists:%d:%s", u.ID, now.UTC().Format("2006-01-02T15")))
}

// EnqueuePasswordReset mails a reset link for the reset stored under
// resetHash. Every request is its own email. The stored email carries a
// placeholder, never a live link: the sender issues the token (see
// issueLink), so a copy of the database cannot reset a password.
func (j *Jobs) EnqueuePasswordReset(ctx context.Context, tx *store.Store, u store.User, resetHash []byte, expires time.Time) (int64, error) {
	to := mail.Recipient{UserID: u.ID, Name: u.Name, Email: u.Email}
	id, err := j.EnqueueEmail(ctx, tx, mail.PasswordReset{To: to, Token: mail.ResetTokenPlaceholder, ExpiresAt: expires}, "")
	if err != nil {
		return 0, err
	}
	return id, tx.SetPasswordResetEmail(ctx, resetHash, id)
}

// EnqueueEmailChange mails the link confirming newEmail for u, for the
// change stored under changeHash. Like a reset email, the stored email holds
// a placeholder: the sender issues the token (see issueLink).
func (j *Jobs) EnqueueEmailChange(ctx context.Context, tx *store.Store, u store.User, newEmail string, changeHash []byte, expires time.Time) (int64, error) {
	to := mail.Recipient{UserID: u.ID, Name: u.Name, Email: newEmail}
	id, err := j.EnqueueEmail(ctx, tx, mail.EmailChange{To: to, Token: mail.EmailChangeTokenPlaceholder, ExpiresAt: expires}, "")
	if err != nil {
		return 0, err
	}
	return id, tx.SetEmailChangeEmail(ctx, changeHash, id)
}

// EnqueueEmailInUse tells the owner of an account that someone tried to
// move another account to its address; at most one such email an hour per
// account.
func (j *Jobs) EnqueueEmailInUse(ctx context.Context, tx *store.Store, owner store.User, now time.Time) (int64, error) {
	to := mail.Recipient{UserID: owner.ID, Name: owner.Name, Email: owner.Email}
	return j.EnqueueEmail(ctx, tx, mail.EmailInUse{To: to}, fmt.Sprintf("email-in-use:%d:%s", owner.ID, now.UTC().Format("2006-01-02T15")))
}

// EnqueueEmailChanged tells an account's old address that its email is now
// newEmail.
func (j *Jobs) EnqueueEmailChanged(ctx context.Context, tx *store.Store, u store.User, oldEmail, newEmail string) (int64, error) {
	to := mail.Recipient{UserID: u.ID, Name: u.Name, Email: oldEmail}
	return j.EnqueueEmail(ctx, tx, mail.EmailChanged{To: to, NewEmail: newEmail}, "")
}

// EnqueueBookingConfirmed mails the confirmation (with the calendar file) once
// per booking, and tells staff when the customer booked online.
func (j *Jobs) EnqueueBookingConfirmed(ctx context.Context, tx *store.Store, b mail.Booking, online bool) (int64, error) {
	customer := keyed{mail.BookingConfirmed{Booking: b}, fmt.Sprintf("booking-confirmed:%d", b.ID)}
	if !online {
		return j.EnqueueEmail(ctx, tx, customer.c, customer.key)
	}
	// The customer's email first, in one batch with the staff notices
	// (EnqueueStaffNewBooking's).
	return j.withTeam(ctx, tx, "team", staffNewBooking(b), &customer)
}

// EnqueueHoldExpired tells the customer their hold lapsed, once per booking.
func (j *Jobs) EnqueueHoldExpired(ctx context.Context, tx *store.Store, b mail.Booking) (int64, error) {
	return j.EnqueueEmail(ctx, tx, mail.HoldExpired{Booking: b}, fmt.Sprintf("hold-expired:%d", b.ID))
}

// EnqueuePickupReminder reminds of a pickup, once per booking, unless the
// customer switched reminders off. Call it when PickupReminderDue says so.
func (j *Jobs) EnqueuePickupReminder(ctx context.Context, tx *store.Store, b mail.Booking) (int64, error) {
	return j.EnqueueEmail(ctx, tx, mail.PickupReminder{Booking: b}, pickupReminderKey(b))
}

// EnqueueReturnReminder reminds of a return, once per booking and return time
// (an extension earns a new reminder), unless reminders are switched off.
func (j *Jobs) EnqueueReturnReminder(ctx context.Context, tx *store.Store, b mail.Booking) (int64, error) {
	return j.EnqueueEmail(ctx, tx, mail.ReturnReminder{Booking: b}, returnReminderKey(b))
}

// EnqueueOverdueNotice tells the customer their return is late: at most one a
// day (by the location's calendar) and at most MaxOverdueNotices in all.
func (j *Jobs) EnqueueOverdueNotice(ctx context.Context, tx *store.Store, n mail.OverdueNotice, now time.Time) (int64, error) {
	b := n.Booking
	var id int64
	err := tx.WithTx(ctx, func(tx *store.Store) error {
		sent, err := tx.CountOverdueNotices(ctx, b.ID)
		if err != nil || sent >= j.opts.MaxOverdueNotices {
			return err
		}
		day := now.In(period.Zone(b.Location.TimeZone)).Format("2006-01-02")
		n.Notice = sent + 1
		id, err = j.enqueueEmail(ctx, tx, n, fmt.Sprintf("overdue:%d:%s", b.ID, day))
		return err
	})
	return id, err
}

// EnqueueBookingCancelled confirms a cancellation, once per booking.
func (j *Jobs) EnqueueBookingCancelled(ctx context.Context, tx *store.Store, b mail.Booking, reason string) (int64, error) {
	return j.EnqueueEmail(ctx, tx, mail.BookingCancelled{Booking: b, Reason: reason}, fmt.Sprintf("booking-cancelled:%d", b.ID))
}

// EnqueueStaffNewBooking tells every active staff member and admin about a
// new online booking, once per booking and person.
func (j *Jobs) EnqueueStaffNewBooking(ctx context.Context, tx *store.Store, b mail.Booking) error {
	return j.toTeam(ctx, tx, "team", staffNewBooking(b))
}

// staffNewBooking is a staff member's notice of an online booking, once per
// booking and person.
func staffNewBooking(b mail.Booking) func(mail.Recipient) (mail.Content, string) {
	return func(to mail.Recipient) (mail.Content, string) {
		return mail.StaffNewBooking{To: to, Booking: b}, fmt.Sprintf("staff-new-booking:%d:%d", b.ID, to.UserID)
	}
}

// EnqueueStaffOverdueDigest mails the day's overdue list to every active
// staff member and admin, once per local date and person. date is YYYY-MM-DD.
func (j *Jobs) EnqueueStaffOverdueDigest(ctx context.Context, tx *store.Store, date string, items []mail.OverdueItem) error {
	if len(items) == 0 {
		return nil
	}
	return j.toTeam(ctx, tx, "team", func(to mail.Recipient) (mail.Content, string) {
		return mail.StaffOverdueDigest{To: to, Date: date, Items: items}, fmt.Sprintf("staff-overdue:%s:%d", date, to.UserID)
	})
}

// EnqueueAdminAlert mails every admin that an alert started, in tx (the
// transaction that opened the alert, so it is mailed once or not at all).
func (j *Jobs) EnqueueAdminAlert(ctx context.Context, tx *store.Store, a mail.AdminAlert, alertID int64) error {
	return j.toTeam(ctx, tx, store.RoleAdmin, func(to mail.Recipient) (mail.Content, string) {
		a.To = to
		return a, fmt.Sprintf("alert:%d:%d", alertID, to.UserID)
	})
}

// toTeam enqueues one email per active user of a role filter ("team" or
// "admin"), each page of users as one batch.
func (j *Jobs) toTeam(ctx context.Context, tx *store.Store, role string, build func(mail.Recipient) (mail.Content, string)) error {
	_, err := j.withTeam(ctx, tx, role, build, nil)
	return err
}

// withTeam is toTeam with first queued ahead of the team, in its first batch
// (a customer's confirmation and its staff notices go in one statement). It
// returns first's email id (0: none written).
func (j *Jobs) withTeam(ctx context.Context, tx *store.Store, role string, build func(mail.Recipient) (mail.Content, string), first *keyed) (int64, error) {
	var firstID int64
	err := tx.WithTx(ctx, func(tx *store.Store) error {
		var after int64
		var batch []keyed
		if first != nil {
			batch = append(batch, *first)
		}
		for {
			us, err := tx.ListUsers(ctx, store.UserFilter{Role: role, AfterID: after, Limit: 100})
			if err != nil {
				return err
			}
			for _, u := range us {
				if u.Disabled() {
					continue
				}
				c, key := build(mail.Recipient{UserID: u.ID, Name: u.Name, Email: u.Email})
				batch = append(batch, keyed{c, key})
			}
			ids, err := j.enqueueEmails(ctx, tx, batch)
			if err != nil {
				return err
			}
			if first != nil && after == 0 && len(ids) > 0 {
				firstID = ids[0]
			}
			if len(us) < 100 {
				return nil
			}
			after, batch = us[len(us)-1].ID, nil
		}
	})
	return firstID, err
}
