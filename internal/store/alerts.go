package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// AlertRule is one admin-set threshold.
type AlertRule struct {
	Key       string    `db:"key"`
	Threshold float64   `db:"threshold"`
	Enabled   bool      `db:"enabled"`
	UpdatedAt time.Time `db:"updated_at"`
}

// Alert is one firing (or past) alert.
type Alert struct {
	ID        int64      `db:"id"`
	Rule      string     `db:"rule"`
	Value     float64    `db:"value"`
	Threshold float64    `db:"threshold"`
	StartedAt time.Time  `db:"started_at"`
	EndedAt   *time.Time `db:"ended_at"`
	Notified  bool       `db:"notified"`
}

// ListAlertRules is every rule, by key.
func (s *Store) ListAlertRules(ctx context.Context) ([]AlertRule, error) {
	var rules []AlertRule
	if err := s.q.SelectContext(ctx, &rules, `SELECT key, threshold, enabled, updated_at FROM alert_rules ORDER BY key`); err != nil {
		return nil, fmt.Errorf("store: list alert rules: %w", classify(err))
	}
	return rules, nil
}

// UpdateAlertRule sets a rule's threshold and whether it is on.
func (s *Store) UpdateAlertRule(ctx context.Context, key string, threshold float64, enabled bool, now time.Time) error {
	res, err := s.q.ExecContext(ctx, `UPDATE alert_rules SET threshold = $2, enabled = $3, updated_at = $4 WHERE key = $1`,
		key, threshold, enabled, now)
	if err != nil {
		return fmt.Errorf("store: update alert rule %s: %w", key, classify(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: update alert rule %s: %w", key, ErrNotFound)
	}
	return nil
}

const openAlertSQL = `
INSERT INTO alerts (rule, value, threshold, started_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (rule) WHERE ended_at IS NULL DO NOTHING
RETURNING id, rule, value, threshold, started_at, ended_at, notified`

// OpenAlert starts an alert for rule unless one is already open; ok is
// false when it was (the caller then does nothing, on whichever instance).
func (s *Store) OpenAlert(ctx context.Context, rule string, value, threshold float64, at time.Time) (a Alert, ok bool, err error) {
	err = s.q.GetContext(ctx, &a, openAlertSQL, rule, value, threshold, at)
	if errors.Is(err, sql.ErrNoRows) {
		return a, false, nil
	}
	if err != nil {
		return a, false, fmt.Errorf("store: open alert %s: %w", rule, classify(err))
	}
	return a, true, nil
}

// MarkAlertNotified records that admins were mailed about an alert.
func (s *Store) MarkAlertNotified(ctx context.Context, id int64) error {
	if _, err := s.q.ExecContext(ctx, `UPDATE alerts SET notified = true WHERE id = $1`, id); err != nil {
		return fmt.Errorf("store: mark alert %d notified: %w", id, classify(err))
	}
	return nil
}

// NotifiedSince reports whether admins were mailed about rule since then.
func (s *Store) NotifiedSince(ctx context.Context, rule string, since time.Time) (bool, error) {
	var yes bool
	err := s.q.GetContext(ctx, &yes, `SELECT EXISTS (SELECT 1 FROM alerts WHERE rule = $1 AND notified AND started_at >= $2)`, rule, since)
	if err != nil {
		return false, fmt.Errorf("store: alert notified since: %w", classify(err))
	}
	return yes, nil
}

// CloseAlert ends rule's open alert, if any.
func (s *Store) CloseAlert(ctx context.Context, rule string, at time.Time) error {
	if _, err := s.q.ExecContext(ctx, `UPDATE alerts SET ended_at = $2 WHERE rule = $1 AND ended_at IS NULL`, rule, at); err != nil {
		return fmt.Errorf("store: close alert %s: %w", rule, classify(err))
	}
	return nil
}

const alertColumns = `SELECT id, rule, value, threshold, started_at, ended_at, notified FROM alerts`

// ListFiringAlerts is every open alert, oldest first. Prepared: every
// admin page asks it (its planning cost more than its run).
func (s *Store) ListFiringAlerts(ctx context.Context) ([]Alert, error) {
	var as []Alert
	if err := s.prepared().SelectContext(ctx, &as, alertColumns+` WHERE ended_at IS NULL ORDER BY started_at, id`); err != nil {
		return nil, fmt.Errorf("store: firing alerts: %w", classify(err))
	}
	return as, nil
}

// ListAlerts is the alert history, newest first.
func (s *Store) ListAlerts(ctx context.Context, limit int) ([]Alert, error) {
	var as []Alert
	if err := s.q.SelectContext(ctx, &as, alertColumns+` ORDER BY started_at DESC, id DESC LIMIT $1`, limit); err != nil {
		return nil, fmt.Errorf("store: alert history: %w", classify(err))
	}
	return as, nil
}
