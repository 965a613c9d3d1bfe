package web

import (
	"context"
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

var jobKinds = []string{"send_email", "expire_holds", "reminders", "overdue_scan", "cleanup", "dead_job_notices", "metrics_rollup", "alerts_check"}

var emailKinds = []string{mail.KindWelcome, mail.KindAccountExists, mail.KindPasswordReset, mail.KindEmailChange, mail.KindEmailInUse,
	mail.KindEmailChanged, mail.KindBookingConfirmed, mail.KindHoldExpired,
	mail.KindPickupReminder, mail.KindReturnReminder, mail.KindOverdueNotice, mail.KindBookingCancelled,
	mail.KindStaffNewBooking, mail.KindStaffOverdueDigest, mail.KindAdminDeadJobs, mail.KindStaffPaymentAlert,
	mail.KindAdminAlert}

// AdminMailList shows one status view of the mail queue and jobs, filtered by
// kind, newest first, with keyset pagination.
func (s *Server) AdminMailList(c echo.Context) error {
	counts, err := s.mailCounts(c.Request().Context())
	if err != nil {
		return err
	}
	q, err := mailQueryOf(c, attentionTab(counts))
	if err != nil {
		return err
	}
	v, err := s.mailView(c, counts, q.status, q.kind, q.kinds)
	if err != nil {
		return err
	}
	if q.jobs {
		err = s.listJobs(c, &v, q)
	} else {
		err = s.listEmails(c, &v, q)
	}
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, pages.AdminMailPage(v))
}

// mailQuery is the status tab, kind filter and page the mail list asks for.
type mailQuery struct {
	status, kind string
	kinds        []string // the kinds the tab may be filtered by
	jobs         bool     // the tab lists jobs, not emails
	before       int64
}

// mailQueryOf reads the list's query; junk in any of it is a 400.
func mailQueryOf(c echo.Context, defaultTab string) (mailQuery, error) {
	q := mailQuery{status: c.QueryParam("status"), kind: c.QueryParam("kind"), kinds: emailKinds}
	if q.status == "" {
		q.status = defaultTab
	}
	if _, q.jobs = store.JobGroups[q.status]; q.jobs {
		q.kinds = jobKinds
	}
	if err := oneOf(q.status, tabKeys()...); err != nil {
		return q, err
	}
	if q.kind != "" && !slices.Contains(q.kinds, q.kind) {
		return q, echo.NewHTTPError(http.StatusBadRequest, "A filter value is not valid.")
	}
	var err error
	q.before, err = queryInt64(c, "before")
	return q, err
}

// next links the page after the row lastID.
func (q mailQuery) next(lastID int64) string {
	return "/admin/mail?" + url.Values{"status": {q.status}, "kind": {q.kind}, "before": {strconv.FormatInt(lastID, 10)}}.Encode()
}

// listJobs fills a jobs tab: one page of jobs in the tab's states.
func (s *Server) listJobs(c echo.Context, v *pages.AdminMailView, q mailQuery) error {
	v.ShowJobs = true
	rows, err := s.Jobs.ListJobs(c.Request().Context(), store.JobFilter{States: store.JobGroups[q.status], Kind: q.kind, BeforeID: q.before, Limit: mailPerPage + 1})
	if err != nil {
		return err
	}
	if len(rows) > mailPerPage {
		rows = rows[:mailPerPage]
		v.NextHref = q.next(rows[len(rows)-1].ID)
	}
	for _, r := range rows {
		v.Jobs = append(v.Jobs, jobRow(r))
	}
	return nil
}

// listEmails fills an email tab: one page of emails in the status (sent
// ones from the last day only).
func (s *Server) listEmails(c echo.Context, v *pages.AdminMailView, q mailQuery) error {
	f := store.EmailFilter{Status: q.status, Kind: q.kind, BeforeID: q.before, Limit: mailPerPage + 1}
	if q.status == store.EmailSent {
		f.Since = s.Now().Add(-24 * time.Hour)
	}
	rows, err := s.Store.ListEmails(c.Request().Context(), f)
	if err != nil {
		return err
	}
	if len(rows) > mailPerPage {
		rows = rows[:mailPerPage]
		v.NextHref = q.next(rows[len(rows)-1].ID)
	}
	for _, r := range rows {
		v.Emails = append(v.Emails, emailRow(r, s.Jobs.MailConfigured()))
	}
	return nil
}

func tabKeys() []string {
	keys := make([]string, len(mailTabs))
	for i, t := range mailTabs {
		keys[i] = t.key
	}
	return keys
}

// mailCounts is how many jobs and emails each tab holds.
func (s *Server) mailCounts(ctx context.Context) (map[string]int, error) {
	byState, err := s.Jobs.CountJobsByState(ctx)
	if err != nil {
		return nil, err
	}
	ec, err := s.Store.CountEmails(ctx, s.Now().Add(-24*time.Hour))
	if err != nil {
		return nil, err
	}
	counts := map[string]int{"sent": ec.SentLastDay, "not_sent": ec.NotSent, "failed": ec.Failed}
	for group, states := range store.JobGroups {
		for _, st := range states {
			counts[group] += byState[st]
		}
	}
	return counts, nil
}

// attentionOrder ranks the tabs by how much they need an admin: what failed
// for good first, then what is stuck or waiting; with nothing to do, the
// page opens on what was sent.
var attentionOrder = []string{"dead", "failed", "retrying", "not_sent", "queued", "running"}

// attentionTab is the tab the page opens on.
func attentionTab(counts map[string]int) string {
	for _, k := range attentionOrder {
		if counts[k] > 0 {
			return k
		}
	}
	return "sent"
}

// mailView builds the frame of the page: tabs with their counts and the kind menu.
func (s *Server) mailView(c echo.Context, counts map[string]int, status, kind string, kinds []string) (pages.AdminMailView, error) {
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
	return s.changeJob(c, "job.retry", "The job will run again shortly.", retryable, func(tx *store.Store, j store.Job) error {
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
	return s.changeJob(c, "job.discard", "The job is discarded.", discardable, func(tx *store.Store, j store.Job) error {
		if _, err := s.Jobs.Client().JobCancelTx(c.Request().Context(), tx.Tx(), j.ID); err != nil {
			return fmt.Errorf("web: discard job %d: %w", j.ID, store.Unavailable(err))
		}
		if j.EmailID != nil {
			return tx.SetEmailStatus(c.Request().Context(), *j.EmailID, store.EmailFailed, "discarded by an admin")
		}
		return nil
	})
}

// The states each admin action applies to, the same the page offers buttons
// for: a completed job's email went out (a retry would send it twice, a
// discard would mark it failed), and a running one is a worker's.
var (
	retryable   = []string{"scheduled", "pending", "retryable", "discarded", "cancelled"}
	discardable = []string{"available", "scheduled", "pending", "retryable"}
)

// changeJob loads the job, applies change and audits it in one transaction,
// then goes back to the view the job was in. A job in a state outside
// allowed is a 409 and nothing changes.
func (s *Server) changeJob(c echo.Context, action, done string, allowed []string, change func(*store.Store, store.Job) error) error {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var before store.Job
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		if before, err = s.Jobs.GetJobTx(ctx, tx, id); err != nil {
			return err
		}
		if !slices.Contains(allowed, before.State) {
			return echo.NewHTTPError(http.StatusConflict, "This job is "+before.State+" now, so that cannot be done. Reload the page.")
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
