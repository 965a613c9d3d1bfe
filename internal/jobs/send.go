package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/mail"
	"github.com/rentdesk/rentdesk/internal/store"
)

// SendEmailArgs is the job that sends one email row.
type SendEmailArgs struct {
	EmailID int64 `json:"email_id"`
}

// Kind names the job in the queue.
func (SendEmailArgs) Kind() string { return "send_email" }

// InsertOpts puts mail on its own queue, and makes the job unique per email
// while it is pending or running, so an email can never have two live jobs.
func (SendEmailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMail, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type sendEmailWorker struct {
	river.WorkerDefaults[SendEmailArgs]
	j *Jobs
}

// Timeout bounds one attempt; the SMTP timeouts inside are shorter.
func (w *sendEmailWorker) Timeout(*river.Job[SendEmailArgs]) time.Duration {
	return w.j.opts.MailTimeout
}

// Work sends the email and records the outcome. A permanent refusal (5xx)
// cancels the job at once; other failures return the error so River retries
// with its backoff until MailMaxAttempts, when the job is discarded (dead).
func (w *sendEmailWorker) Work(ctx context.Context, job *river.Job[SendEmailArgs]) error {
	st := w.j.st
	e, err := st.GetEmail(ctx, job.Args.EmailID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	switch e.Status {
	case store.EmailSent:
		return nil // a retry of mail already delivered: nothing to do
	case store.EmailFailed:
		return river.JobCancel(fmt.Errorf("email %d was discarded: %s", e.ID, e.LastError))
	}
	if w.j.opts.Sender == nil {
		err := errors.New("no SMTP server is configured")
		if err2 := st.SetEmailStatus(ctx, e.ID, store.EmailNotSent, err.Error()); err2 != nil {
			return err2
		}
		return river.JobCancel(err)
	}
	msg, err := w.j.Message(ctx, e)
	if err != nil {
		return err
	}
	switch e.Kind {
	case mail.KindPasswordReset:
		if msg, err = w.issueLink(ctx, e, msg, mail.ResetTokenPlaceholder, w.j.st.ReissuePasswordReset, "reset"); err != nil {
			return err
		}
	case mail.KindEmailChange:
		if msg, err = w.issueLink(ctx, e, msg, mail.EmailChangeTokenPlaceholder, w.j.st.ReissueEmailChange, "email change"); err != nil {
			return err
		}
	}
	sendErr := w.j.opts.Sender.Send(ctx, msg)
	if sendErr == nil {
		return w.markSent(ctx, job, e.ID)
	}
	permanent := mail.IsPermanent(sendErr)
	final := permanent || job.Attempt >= job.MaxAttempts
	// The outcome is recorded with a context that outlives a timed-out attempt.
	recCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := st.MarkEmailAttemptFailed(recCtx, e.ID, sendErr.Error(), final); err != nil {
		// Unrecorded, a last failure would leave the email "queued" behind
		// a dead job. Snoozing keeps the job alive without spending an
		// attempt, so the send and its record are tried again.
		w.j.opts.Logger.Error("record failed email attempt; trying again later", "email", e.ID, "err", err)
		return river.JobSnooze(recordRetryDelay)
	}
	if permanent {
		return river.JobCancel(sendErr)
	}
	return sendErr
}

// markSent records the delivery and completes the job in one transaction, so
// "sent" in the emails table and "completed" in the queue never disagree. If
// this fails after the server took the message, the retry sends it again: that
// is the one duplicate a crash can cause, with the same Message-ID.
func (w *sendEmailWorker) markSent(ctx context.Context, job *river.Job[SendEmailArgs], id int64) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return w.j.st.WithTx(ctx, func(tx *store.Store) error {
		if err := tx.MarkEmailSent(ctx, id); err != nil {
			return err
		}
		_, err := river.JobCompleteTx[*riverdatabasesql.Driver, *sql.Tx](ctx, tx.Tx(), job)
		return err
	})
}

// recordRetryDelay is how long a send waits when its outcome could not be
// recorded (the database was unreachable).
const recordRetryDelay = 30 * time.Second

// issueLink writes a fresh token into a link email (a password reset, an
// email change) just before it goes out; the stored email only holds a
// placeholder, and the database only the token's hash (reissue stores it).
// A link spent or expired in the meantime is not sent.
func (w *sendEmailWorker) issueLink(ctx context.Context, e store.Email, m mail.Message, placeholder string,
	reissue func(context.Context, int64, []byte, time.Time) error, what string) (mail.Message, error) {
	token, hash, err := auth.NewToken()
	if err != nil {
		return m, err
	}
	err = reissue(ctx, e.ID, hash, w.j.opts.Now())
	if errors.Is(err, store.ErrNotFound) {
		reason := "the " + what + " link was used or expired before it could be sent"
		if err := w.j.st.SetEmailStatus(ctx, e.ID, store.EmailFailed, reason); err != nil {
			return m, err
		}
		return m, river.JobCancel(errors.New(reason))
	}
	if err != nil {
		return m, err
	}
	m.Text = strings.ReplaceAll(m.Text, placeholder, token)
	m.HTML = strings.ReplaceAll(m.HTML, placeholder, token)
	return m, nil
}

// Message is the email e as the mailer sends it: as stored, or, for an
// email stored as its facts (store.Email.Facts), rendered from them now,
// with the shop's name of the moment and the subject the row lists.
func (j *Jobs) Message(ctx context.Context, e store.Email) (mail.Message, error) {
	if e.Facts == nil {
		return messageOf(e), nil
	}
	c, err := mail.DecodeFacts(e.Kind, e.Facts)
	if err != nil {
		return mail.Message{}, river.JobCancel(fmt.Errorf("email %d: %w", e.ID, err))
	}
	shop, err := j.shop(ctx, j.st)
	if err != nil {
		return mail.Message{}, err
	}
	r, err := j.opts.Render(ctx, c, shop)
	if err != nil {
		return mail.Message{}, fmt.Errorf("jobs: render email %d: %w", e.ID, err)
	}
	e.TextBody, e.HTMLBody, e.Attachments = r.Text, r.HTML, storeAttachments(r.Attachments)
	return messageOf(e), nil
}

func messageOf(e store.Email) mail.Message {
	m := mail.Message{
		ID: e.MessageID, To: mail.Address{Name: e.ToName, Email: e.ToAddress},
		Subject: e.Subject, Text: e.TextBody, HTML: e.HTMLBody,
	}
	for _, a := range e.Attachments {
		m.Attachments = append(m.Attachments, mail.Attachment{Name: a.Name, ContentType: a.ContentType, Data: a.Data})
	}
	return m
}
