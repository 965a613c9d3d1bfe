// Package jobs is Rentdesk's background work on River: durable jobs stored
// in PostgreSQL and enqueued in the transaction of the change that causes them
// (so a rolled-back change leaves no job and a committed one always has its
// job), the mail sender worker, and the periodic jobs (hold expiry, reminders,
// overdue scan, clean-up, dead job notices) that River's leader election runs
// once across all app instances.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"github.com/rentdesk/rentdesk/internal/mail"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Queue names.
const (
	QueueMail    = "mail"
	QueueDefault = river.QueueDefault
)

// Renderer writes an email from its data; templates/emails.Render is the real one.
type Renderer func(ctx context.Context, c mail.Content, shop mail.Shop) (mail.Rendered, error)

// Hooks are the periodic work that other features provide. A nil hook is
// skipped. Each runs inside its own job, so a failure is retried and, in the
// end, shown to admins like any other dead job.
type Hooks struct {
	// ExpireHolds ends booking holds whose time is up (and enqueues their
	// "hold expired" emails in the same transaction).
	ExpireHolds func(ctx context.Context, now time.Time) error
	// Reminders enqueues the pickup and return reminders that are due; the
	// dedupe keys make calling it often harmless.
	Reminders func(ctx context.Context, now time.Time) error
	// Overdue enqueues overdue notices and the daily staff digest.
	Overdue func(ctx context.Context, now time.Time) error
	// Alerts checks the monitoring thresholds, opening and closing alerts.
	Alerts func(ctx context.Context, now time.Time) error
}

// Options configures the job system. Zero values get production defaults.
type Options struct {
	Store *store.Store
	// Sender delivers mail; nil means no SMTP is configured, and mail is kept
	// in the emails table as not sent, for admins to see.
	Sender  mail.Sender
	Render  Renderer
	BaseURL *url.URL
	Logger  *slog.Logger
	Now     func() time.Time
	Hooks   Hooks

	// MailWorkers is how many emails one instance sends at once.
	MailWorkers int
	// MailMaxAttempts is how many times an email is tried before it is dead.
	MailMaxAttempts int
	// MailTimeout bounds one attempt to send an email (and is the default
	// timeout of every other job).
	MailTimeout time.Duration
	// RescueAfter is when a job still "running" is presumed lost with a crashed
	// instance and run again. It must exceed every job's timeout.
	RescueAfter time.Duration
	// StopTimeout is how long Stop lets running jobs finish before cancelling them.
	StopTimeout time.Duration
	// PollInterval is how often idle workers look for new jobs inserted by
	// other instances (the database/sql driver has no LISTEN/NOTIFY).
	PollInterval time.Duration
	// RetryPolicy overrides River's backoff (attempt⁴ seconds plus jitter); tests shorten it.
	RetryPolicy river.ClientRetryPolicy
	// NoPeriodic leaves the periodic jobs out (tests that count jobs).
	NoPeriodic bool
	// MaxOverdueNotices caps the overdue notices one booking gets (one a day).
	MaxOverdueNotices int
}

// Jobs enqueues and works Rentdesk's background jobs.
type Jobs struct {
	opts   Options
	st     *store.Store
	client *river.Client[*sql.Tx]
}

// Client is the River client type this package uses.
type Client = river.Client[*sql.Tx]

// New builds the River client with every worker and periodic job. It does not
// start working; call Start (or Run).
func New(o Options) (*Jobs, error) {
	if o.Store == nil || o.Render == nil || o.BaseURL == nil {
		return nil, errors.New("jobs: Store, Render and BaseURL are required")
	}
	setDefaults(&o)
	j := &Jobs{opts: o, st: o.Store}
	workers := river.NewWorkers()
	river.AddWorker(workers, &sendEmailWorker{j: j})
	river.AddWorker(workers, &bookingMadeWorker{j: j})
	river.AddWorker(workers, &hookWorker[ExpireHoldsArgs]{j: j, hook: o.Hooks.ExpireHolds})
	river.AddWorker(workers, &hookWorker[RemindersArgs]{j: j, hook: o.Hooks.Reminders})
	river.AddWorker(workers, &hookWorker[OverdueScanArgs]{j: j, hook: o.Hooks.Overdue})
	river.AddWorker(workers, &cleanupWorker{j: j})
	river.AddWorker(workers, &deadJobsWorker{j: j})
	river.AddWorker(workers, &metricsRollupWorker{j: j})
	river.AddWorker(workers, &hookWorker[AlertsCheckArgs]{j: j, hook: o.Hooks.Alerts})
	cfg := &river.Config{
		Queues: map[string]river.QueueConfig{
			QueueMail:    {MaxWorkers: o.MailWorkers},
			QueueDefault: {MaxWorkers: 2},
		},
		Workers:              workers,
		Logger:               riverLogger(o.Logger),
		JobTimeout:           o.MailTimeout,
		RescueStuckJobsAfter: o.RescueAfter,
		SoftStopTimeout:      o.StopTimeout,
		FetchPollInterval:    o.PollInterval,
		FetchCooldown:        minDuration(o.PollInterval, 100*time.Millisecond),
		RetryPolicy:          o.RetryPolicy,
		// Completed jobs go after a day; the emails table keeps the history.
		CompletedJobRetentionPeriod: 24 * time.Hour,
		DiscardedJobRetentionPeriod: 30 * 24 * time.Hour,
		CancelledJobRetentionPeriod: 30 * 24 * time.Hour,
	}
	if !o.NoPeriodic {
		cfg.PeriodicJobs = periodicJobs()
	}
	client, err := river.NewClient(riverdatabasesql.New(o.Store.DB()), cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: river client: %w", err)
	}
	j.client = client
	return j, nil
}

func setDefaults(o *Options) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MailWorkers <= 0 {
		o.MailWorkers = 4
	}
	if o.MailMaxAttempts <= 0 {
		o.MailMaxAttempts = 8 // River's backoff spreads these over about an hour and a half
	}
	if o.MailTimeout <= 0 {
		o.MailTimeout = time.Minute
	}
	if o.RescueAfter <= o.MailTimeout {
		o.RescueAfter = max(10*time.Minute, 2*o.MailTimeout)
	}
	if o.StopTimeout <= 0 {
		o.StopTimeout = 20 * time.Second
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.MaxOverdueNotices <= 0 {
		o.MaxOverdueNotices = 5
	}
}

func minDuration(a, b time.Duration) time.Duration {
	if a < b {
		return a
	}
	return b
}

// Client exposes the River client (for the admin page's retry and discard).
func (j *Jobs) Client() *Client { return j.client }

// MailConfigured reports whether mail is sent or only kept.
func (j *Jobs) MailConfigured() bool { return j.opts.Sender != nil }

// Start begins working jobs (and, on the elected leader, the periodic jobs).
func (j *Jobs) Start(ctx context.Context) error {
	// The client's context is not the caller's: a cancelled start context would
	// stop River hard, cancelling running jobs; shutdown goes through Stop.
	if err := j.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// Stop stops claiming jobs and waits for running ones: they finish within
// StopTimeout, or are cancelled then and go back to the queue for a retry.
func (j *Jobs) Stop(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, j.opts.StopTimeout+10*time.Second)
	defer cancel()
	if err := j.client.Stop(ctx); err != nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	return nil
}

// Run works jobs until ctx is done, then stops gracefully.
func (j *Jobs) Run(ctx context.Context) error {
	if err := j.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	j.opts.Logger.Info("shutting down: jobs stop claiming, running jobs finish")
	return j.Stop(context.WithoutCancel(ctx))
}
