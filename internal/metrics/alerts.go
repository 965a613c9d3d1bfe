package metrics

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// RuleInfo describes an alert rule: what it measures and in which unit
// (its threshold is kept in the database, set by admins).
type RuleInfo struct {
	Key, Label, Unit string
}

// Rules are the alerts Rentdesk knows, in the order the dashboard lists them.
var Rules = []RuleInfo{
	{"p95_latency_ms", "Latency p95", "ms"},
	{"error_rate_percent", "Error rate (5xx)", "%"},
	{"pool_waits", "Connection pool waits", "waits"},
	{"dead_jobs", "Dead jobs", "jobs"},
	{"oldest_queued_minutes", "Oldest queued job", "min"},
	{"overdue_units", "Overdue units", "units"},
}

// RuleByKey finds a rule's description.
func RuleByKey(key string) (RuleInfo, bool) {
	for _, r := range Rules {
		if r.Key == key {
			return r, true
		}
	}
	return RuleInfo{}, false
}

// Format writes a value of the rule with its unit.
func (r RuleInfo) Format(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f %s", v, r.Unit)
	}
	return fmt.Sprintf("%.1f %s", v, r.Unit)
}

// alertWindow is what the request figures of the alerts cover: the minutes
// that started in the last five minutes (the current one still filling).
const alertWindow = 5 * time.Minute

// notifyEvery rate-limits the email for one rule: an alert that flaps
// opens and closes in the history but mails admins at most this often.
const notifyEvery = time.Hour

// Notify mails admins that an alert started, inside the transaction that
// opened it.
type Notify func(ctx context.Context, tx *store.Store, a store.Alert, r RuleInfo) error

// Alerter compares the figures with the thresholds and keeps the alerts.
type Alerter struct {
	st     *store.Store
	notify Notify
}

// NewAlerter builds the alert check; notify may be nil (no email). It reads
// the database only: the request figures are every instance's (Reporter).
func NewAlerter(st *store.Store, notify Notify) *Alerter {
	return &Alerter{st: st, notify: notify}
}

// Observe reads every figure a rule can watch; NaN means "no data" (no
// requests in the window), which never fires. Every figure is the whole
// shop's: the request figures and pool waits add up the minutes every
// instance wrote in the window (Reporter), so the check gives the same
// answer on whichever instance runs it, and an instance that stopped
// writing drops out once its minutes are older than the window.
func (a *Alerter) Observe(ctx context.Context, now time.Time) (map[string]float64, error) {
	from := now.Add(-alertWindow)
	rows, err := a.st.ListRequestMinutes(ctx, from, now)
	if err != nil {
		return nil, err
	}
	latency, requests, errors := mergeMinutes(rows)
	errorRate := math.NaN()
	if requests > 0 {
		errorRate = errors / requests
	}
	waits, err := a.st.SumPoolWaits(ctx, from, now)
	if err != nil {
		return nil, err
	}
	q, err := a.st.GetQueueStats(ctx)
	if err != nil {
		return nil, err
	}
	oldest := 0.0
	if q.OldestQueued != nil {
		oldest = math.Max(0, now.Sub(*q.OldestQueued).Minutes())
	}
	att, err := a.st.GetAttention(ctx, now, 0, 0, 0)
	if err != nil {
		return nil, err
	}
	return map[string]float64{
		"p95_latency_ms":        latency.Quantile(.95) * 1000,
		"error_rate_percent":    errorRate * 100,
		"pool_waits":            float64(waits),
		"dead_jobs":             float64(q.Dead),
		"oldest_queued_minutes": oldest,
		"overdue_units":         float64(att.Overdue),
	}, nil
}

// Check opens the alerts whose figure is at or above the threshold and
// closes the others. An alert that opens mails admins unless its rule
// mailed them in the last hour.
func (a *Alerter) Check(ctx context.Context, now time.Time) error {
	obs, err := a.Observe(ctx, now)
	if err != nil {
		return err
	}
	rules, err := a.st.ListAlertRules(ctx)
	if err != nil {
		return err
	}
	for _, r := range rules {
		info, known := RuleByKey(r.Key)
		v, ok := obs[r.Key]
		if !known || !ok || !r.Enabled || math.IsNaN(v) || v < r.Threshold {
			if err := a.st.CloseAlert(ctx, r.Key, now); err != nil {
				return err
			}
			continue
		}
		if err := a.open(ctx, info, v, r.Threshold, now); err != nil {
			return err
		}
	}
	return nil
}

func (a *Alerter) open(ctx context.Context, info RuleInfo, v, threshold float64, now time.Time) error {
	return a.st.WithTx(ctx, func(tx *store.Store) error {
		al, opened, err := tx.OpenAlert(ctx, info.Key, v, threshold, now)
		if err != nil || !opened || a.notify == nil {
			return err
		}
		recent, err := tx.NotifiedSince(ctx, info.Key, now.Add(-notifyEvery))
		if err != nil || recent {
			return err
		}
		if err := a.notify(ctx, tx, al, info); err != nil {
			return err
		}
		return tx.MarkAlertNotified(ctx, al.ID)
	})
}
