package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/mail"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

const mailPerPage = 50

// mailTabs are the views of the mail and jobs page, in order: the first four
// are job states, the rest email states. Query values are checked against it.
var mailTabs = []struct{ key, label string }{
	{"queued", "Queued"}, {"running", "Running"}, {"retrying", "Retrying"}, {"dead", "Dead"},
	{"sent", "Sent (24 h)"}, {"not_sent", "Not sent"}, {"failed", "Failed"},
}

var jobKinds = []string{"send_email", "expire_holds", "reminders", "overdue_scan", "cleanup", "dead_job_notices"}

var emailKinds = []string{mail.KindWelcome, mail.KindPasswordReset, mail.KindBookingConfirmed, mail.KindHoldExpired,
	mail.KindPickupReminder, mail.KindReturnReminder, mail.KindOverdueNotice, mail.KindBookingCancelled,
	mail.KindStaffNewBooking, mail.KindStaffOverdueDigest, mail.KindAdminDeadJobs}

// AdminMailList shows one status view of the mail queue and jobs, filtered by
// kind, newest first, with keyset pagination.
func (s *Server) AdminMailList(c echo.Context) error {
	ctx := c.Request().Context()
	status := c.QueryParam("status")
	if status == "" {
		status = "queued"
	}
	_, isJobs := store.JobGroups[status]
	kinds := emailKinds
	if isJobs {
		kinds = jobKinds
	}
	kind := c.QueryParam("kind")
	if err := oneOf(status, tabKeys()...); err != nil {
		return err
	}
	if kind != "" && !slices.Contains(kinds, kind) {
		return echo.NewHTTPError(http.StatusBadRequest, "A filter value is not valid.")
	}
	before, err := queryInt64(c, "before")
	if err != nil {
		return err
	}
	v, err := s.mailView(c, status, kind, kinds)
	if err != nil {
		return err
	}
	next := func(lastID int64) string {
		return "/admin/mail?" + url.Values{"status": {status}, "kind": {kind}, "before": {strconv.FormatInt(lastID, 10)}}.Encode()
	}
	if isJobs {
		v.ShowJobs = true
		rows, err := s.Store.ListJobs(ctx, store.JobFilter{States: store.JobGroups[status], Kind: kind, BeforeID: before, Limit: mailPerPage + 1})
		if err != nil {
			return err
		}
		if len(rows) > mailPerPage {
			rows = rows[:mailPerPage]
			v.NextHref = next(rows[len(rows)-1].ID)
		}
		for _, r := range rows {
			v.Jobs = append(v.Jobs, jobRow(r))
		}
	} else {
		f := store.EmailFilter{Status: status, Kind: kind, BeforeID: before, Limit: mailPerPage + 1}
		if status == store.EmailSent {
			f.Since = s.Now().Add(-24 * time.Hour)
		}
		rows, err := s.Store.ListEmails(ctx, f)
		if err != nil {
			return err
		}
		if len(rows) > mailPerPage {
			rows = rows[:mailPerPage]
			v.NextHref = next(rows[len(rows)-1].ID)
		}
		for _, r := range rows {
			v.Emails = append(v.Emails, emailRow(r, s.Jobs.MailConfigured()))
		}
	}
	return s.render(c, http.StatusOK, pages.AdminMailPage(v))
}

func tabKeys() []string {
	keys := make([]string, len(mailTabs))
	for i, t := range mailTabs {
		keys[i] = t.key
	}
	return keys
}

// mailView builds the frame of the page: tabs with their counts and the kind menu.
func (s *Server) mailView(c echo.Context, status, kind string, kinds []string) (pages.AdminMailView, error) {
	ctx := c.Request().Context()
	byState, err := s.Store.CountJobsByState(ctx)
	if err != nil {
		return pages.AdminMailView{}, err
	}
	ec, err := s.Store.CountEmails(ctx, s.Now().Add(-24*time.Hour))
	if err != nil {
		return pages.AdminMailView{}, err
	}
	counts := map[string]int{"sent": ec.SentLastDay, "not_sent": ec.NotSent, "failed": ec.Failed}
	for group, states := range store.JobGroups {
		for _, st := range states {
			counts[group] += byState[st]
		}
	}
	v := pages.AdminMailView{Page: s.page(c, "Mail and jobs"), Status: status, Kind: kind,
		SMTPConfigured: s.Jobs.MailConfigured(), Kinds: []components.Option{{Value: "", Label: "All kinds"}}}
	for _, t := range mailTabs {
		v.Tabs = append(v.Tabs, pages.MailTab{Key: t.key, Label: t.label, Count: counts[t.key],
			Href: "/admin/mail?status=" + t.key, Current: t.key == status})
	}
	for _, k := range kinds {
		v.Kinds = append(v.Kinds, components.Option{Value: k, Label: k})
	}
	return v, nil
}

func utc(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }

func jobRow(j store.Job) pages.JobRow {
	r := pages.JobRow{ID: j.ID, Kind: j.Kind, State: j.State, Attempts: fmt.Sprintf("%d / %d", j.Attempt, j.MaxAttempts),
		Created: utc(j.CreatedAt), LastError: j.LastError}
	switch j.State {
	case "available", "scheduled", "pending", "retryable":
		r.Next = utc(j.ScheduledAt)
		r.CanDiscard = true
		r.CanRetry = j.State != "available"
	case "discarded", "cancelled":
		r.CanRetry = true
	}
	r.Badge = map[string]string{"running": "badge-info", "retryable": "badge-warn", "discarded": "badge-danger",
		"cancelled": "badge-danger", "completed": "badge-ok"}[j.State]
	if j.EmailTo != nil && j.EmailSubj != nil {
		r.Email = fmt.Sprintf("%s → %s", *j.EmailSubj, *j.EmailTo)
	}
	return r
}

func emailRow(e store.Email, smtp bool) pages.EmailRow {
	r := pages.EmailRow{ID: e.ID, Kind: e.Kind, To: e.ToAddress, Subject: e.Subject, Status: e.Status,
		Created: utc(e.CreatedAt), LastError: e.LastError, CanSend: smtp && e.Status == store.EmailNotSent}
	if e.SentAt != nil {
		r.Sent = utc(*e.SentAt)
	}
	r.Badge = map[string]string{store.EmailSent: "badge-ok", store.EmailFailed: "badge-danger",
		store.EmailNotSent: "badge-warn", store.EmailQueued: "badge-info"}[e.Status]
	if e.Status == store.EmailNotSent {
		r.Status = "not sent"
	}
	return r
}

// AdminJobRetry runs a dead or waiting job again now; its email, if any, is
// queued again. The retry and its audit row commit together.
func (s *Server) AdminJobRetry(c echo.Context) error {
	return s.changeJob(c, "job.retry", "The job will run again shortly.", func(tx *store.Store, j store.Job) error {
		if _, err := s.Jobs.Client().JobRetryTx(c.Request().Context(), tx.Tx(), j.ID); err != nil {
			return fmt.Errorf("web: retry job %d: %w", j.ID, store.Unavailable(err))
		}
		if j.EmailID != nil {
			return tx.SetEmailStatus(c.Request().Context(), *j.EmailID, store.EmailQueued, "")
		}
		return nil
	})
}

// AdminJobDiscard cancels a job that has not finished; its email is marked failed.
func (s *Server) AdminJobDiscard(c echo.Context) error {
	return s.changeJob(c, "job.discard", "The job is discarded.", func(tx *store.Store, j store.Job) error {
		if _, err := s.Jobs.Client().JobCancelTx(c.Request().Context(), tx.Tx(), j.ID); err != nil {
			return fmt.Errorf("web: discard job %d: %w", j.ID, store.Unavailable(err))
		}
		if j.EmailID != nil {
			return tx.SetEmailStatus(c.Request().Context(), *j.EmailID, store.EmailFailed, "discarded by an admin")
		}
		return nil
	})
}

// changeJob loads the job, applies change and audits it in one transaction,
// then goes back to the view the job was in.
func (s *Server) changeJob(c echo.Context, action, done string, change func(*store.Store, store.Job) error) error {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var before store.Job
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		if before, err = tx.GetJob(ctx, id); err != nil {
			return err
		}
		if err := change(tx, before); err != nil {
			return err
		}
		return audit(ctx, c, tx, action, "job", strconv.FormatInt(id, 10),
			map[string]any{"state": before.State, "attempt": before.Attempt, "kind": before.Kind}, nil)
	})
	if err != nil {
		return err
	}
	s.flash(c, "success", done)
	return redirect(c, "/admin/mail?status="+groupOf(before.State))
}

func groupOf(state string) string {
	for g, states := range store.JobGroups {
		if slices.Contains(states, state) {
			return g
		}
	}
	return "queued"
}

// AdminEmailSend queues mail that was kept while no SMTP server was set.
func (s *Server) AdminEmailSend(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		e, err := tx.GetEmail(ctx, id)
		if err != nil {
			return err
		}
		if !s.Jobs.MailConfigured() {
			return echo.NewHTTPError(http.StatusConflict, "No mail server is configured, so the email cannot be sent. Set SMTP_HOST and restart.")
		}
		if e.Status != store.EmailNotSent {
			return fmt.Errorf("web: send email %d: it is %s: %w", id, e.Status, errNotSendable)
		}
		if err := s.Jobs.Requeue(ctx, tx, id); err != nil {
			return err
		}
		return audit(ctx, c, tx, "email.send", "email", strconv.FormatInt(id, 10), map[string]string{"status": e.Status}, nil)
	})
	if errors.Is(err, errNotSendable) {
		return echo.NewHTTPError(http.StatusConflict, "This email is not waiting to be sent.")
	}
	if err != nil {
		return err
	}
	s.flash(c, "success", "The email is queued.")
	return redirect(c, "/admin/mail?status=queued")
}

var errNotSendable = errors.New("email is not waiting to be sent")
