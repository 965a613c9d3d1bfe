package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/mail"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Periodic jobs. River enqueues them on the elected leader only, so each runs
// once per interval however many instances there are; ByPeriod uniqueness
// also covers a leader change in the middle of an interval.

// ExpireHoldsArgs runs Hooks.ExpireHolds.
type ExpireHoldsArgs struct{}

// RemindersArgs runs Hooks.Reminders.
type RemindersArgs struct{}

// OverdueScanArgs runs Hooks.Overdue.
type OverdueScanArgs struct{}

// CleanupArgs deletes expired sessions and old password reset links.
type CleanupArgs struct{}

// DeadJobsArgs tells admins about jobs that gave up.
type DeadJobsArgs struct{}

// MetricsRollupArgs keeps the dashboard's daily utilization, revenue and funnel rollups current.
type MetricsRollupArgs struct{}

// Kind names the job.
func (MetricsRollupArgs) Kind() string { return "metrics_rollup" }

// AlertsCheckArgs runs Hooks.Alerts.
type AlertsCheckArgs struct{}

// Kind names the job.
func (AlertsCheckArgs) Kind() string { return "alerts_check" }

// Kind names each periodic job.
func (ExpireHoldsArgs) Kind() string { return "expire_holds" }

// Kind names the job.
func (RemindersArgs) Kind() string { return "reminders" }

// Kind names the job.
func (OverdueScanArgs) Kind() string { return "overdue_scan" }

// Kind names the job.
func (CleanupArgs) Kind() string { return "cleanup" }

// Kind names the job.
func (DeadJobsArgs) Kind() string { return "dead_job_notices" }

// Intervals of the periodic jobs.
const (
	expireHoldsEvery = time.Minute
	remindersEvery   = 10 * time.Minute
	overdueEvery     = 30 * time.Minute
	cleanupEvery     = time.Hour
	deadJobsEvery    = 5 * time.Minute
	rollupEvery      = 15 * time.Minute
	alertsEvery      = time.Minute
)

func periodic[T river.JobArgs](args T, every time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(every), func() (river.JobArgs, *river.InsertOpts) {
		return args, &river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: every}}
	}, &river.PeriodicJobOpts{ID: args.Kind(), RunOnStart: true})
}

func periodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		periodic(ExpireHoldsArgs{}, expireHoldsEvery),
		periodic(RemindersArgs{}, remindersEvery),
		periodic(OverdueScanArgs{}, overdueEvery),
		periodic(CleanupArgs{}, cleanupEvery),
		periodic(DeadJobsArgs{}, deadJobsEvery),
		periodic(MetricsRollupArgs{}, rollupEvery),
		periodic(AlertsCheckArgs{}, alertsEvery),
	}
}

// hookWorker runs one of the Hooks; without a hook it does nothing.
type hookWorker[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	j    *Jobs
	hook func(ctx context.Context, now time.Time) error
}

func (w *hookWorker[T]) Work(ctx context.Context, job *river.Job[T]) error {
	if w.hook == nil {
		return nil
	}
	return w.hook(ctx, w.j.opts.Now())
}

type cleanupWorker struct {
	river.WorkerDefaults[CleanupArgs]
	j *Jobs
}

func (w *cleanupWorker) Work(ctx context.Context, _ *river.Job[CleanupArgs]) error {
	now := w.j.opts.Now()
	sessions, resets, err := w.j.st.DeleteExpired(ctx, now)
	if err != nil {
		return err
	}
	if err := w.j.st.PruneLoginFailures(ctx, now.Add(-auth.ThrottleWindow), now.Add(-auth.KnownAddressAge)); err != nil {
		return err
	}
	if err := w.j.st.PruneThrottle(ctx, now.Add(-auth.CostlyWindow)); err != nil {
		return err
	}
	if sessions+resets > 0 {
		w.j.opts.Logger.Info("cleaned up", "sessions", sessions, "links", resets)
	}
	return nil
}

type deadJobsWorker struct {
	river.WorkerDefaults[DeadJobsArgs]
	j *Jobs
}

// Work reports jobs that died in the last week and were not reported yet,
// in one email per admin. Claiming the jobs and queueing the emails share a
// transaction, so a failure reports them next time instead of never.
func (w *deadJobsWorker) Work(ctx context.Context, _ *river.Job[DeadJobsArgs]) error {
	return w.j.NotifyDeadJobs(ctx, w.j.opts.Now())
}

// NotifyDeadJobs mails admins the jobs that died since the last notice.
func (j *Jobs) NotifyDeadJobs(ctx context.Context, now time.Time) error {
	return j.st.WithTx(ctx, func(tx *store.Store) error {
		dead, err := tx.ClaimDeadJobNotices(ctx, now.Add(-7*24*time.Hour), mail.KindAdminDeadJobs)
		if err != nil || len(dead) == 0 {
			return err
		}
		list := make([]mail.DeadJob, 0, len(dead))
		for _, d := range dead {
			dj := mail.DeadJob{ID: d.ID, Kind: d.Kind, Attempts: d.Attempt, LastError: d.LastError}
			if d.EmailSubj != nil && d.EmailTo != nil {
				dj.Email = fmt.Sprintf("%q to %s", *d.EmailSubj, *d.EmailTo)
			}
			list = append(list, dj)
		}
		key := fmt.Sprintf("dead-jobs:%d-%d", dead[0].ID, dead[len(dead)-1].ID)
		return j.toTeam(ctx, tx, store.RoleAdmin, func(to mail.Recipient) (mail.Content, string) {
			return mail.AdminDeadJobs{To: to, Jobs: list}, fmt.Sprintf("%s:%d", key, to.UserID)
		})
	})
}

type metricsRollupWorker struct {
	river.WorkerDefaults[MetricsRollupArgs]
	j *Jobs
}

// Timeout lets a first run backfill: the revenue rollup of years of a
// large shop's ledger is one transaction of a minute or two (the default
// timeout is the mail's, a minute); the utilization backfill keeps its
// progress chunk by chunk either way.
func (w *metricsRollupWorker) Timeout(*river.Job[MetricsRollupArgs]) time.Duration {
	return MetricsRollupTimeout
}

// MetricsRollupTimeout bounds one run of the metrics rollup (its kind is
// MetricsRollupArgs{}.Kind()).
const MetricsRollupTimeout = 5 * time.Minute

func (w *metricsRollupWorker) Work(ctx context.Context, _ *river.Job[MetricsRollupArgs]) error {
	return w.j.RollupMetrics(ctx, w.j.opts.Now())
}

// rollupChunk bounds one transaction of a backfill.
const rollupChunk = 31

// RollupMetrics recomputes the utilization of the last few days (a day
// changes until every unit out on it is back, and time zones put "today"
// up to a day either side of UTC), and backfills from the first activity, or
// from where it stopped, when the rollup is behind.
func (j *Jobs) RollupMetrics(ctx context.Context, now time.Time) error {
	from := now.UTC().AddDate(0, 0, -3)
	last, err := j.st.UtilizationRolledUpTo(ctx)
	if err != nil {
		return err
	}
	if last.IsZero() { // a new install, or the first run: backfill
		if last, err = j.st.FirstActivity(ctx); err != nil {
			return err
		}
	}
	if !last.IsZero() && last.Before(from) {
		from = last
	}
	backfill := from.Before(now.UTC().AddDate(0, 0, -3))
	to := now.UTC().AddDate(0, 0, 1)
	for start := from; !start.After(to); start = start.AddDate(0, 0, rollupChunk) {
		end := start.AddDate(0, 0, rollupChunk-1)
		if end.After(to) {
			end = to
		}
		if _, err := j.st.RollupUtilization(ctx, start, end, now); err != nil {
			return err
		}
	}
	// Revenue per item and day, for payback: up to each location's
	// midnight, and the days of bookings changed since the last run.
	if _, err = j.st.RollupRevenue(ctx, now); err != nil {
		return err
	}
	// The booking funnel per UTC day, up to the midnight an hour ago, and
	// the days of old bookings changed since the last run.
	funnelDays, err := j.st.RollupFunnel(ctx, now)
	if err != nil {
		return err
	}
	// A backfill (or a bulk import's marks) changes the rollups' sizes by
	// orders of magnitude: the dashboard's plans should see it at once, not
	// when autovacuum gets round to it.
	if backfill || funnelDays > rollupChunk {
		return j.st.AnalyzeRollups(ctx)
	}
	return nil
}
