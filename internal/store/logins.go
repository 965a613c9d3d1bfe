package store

import (
	"context"
	"fmt"
	"time"
)

const recordLoginFailureSQL = `INSERT INTO login_failures (email, ip, failed_at) VALUES ($1, NULLIF($2, '')::inet, $3)`

// RecordLoginFailure counts one failed login for the email and the address at
// the app's clock, the same clock CountLoginFailures' window is measured by.
func (s *Store) RecordLoginFailure(ctx context.Context, email, ip string, at time.Time) error {
	if _, err := s.q.ExecContext(ctx, recordLoginFailureSQL, email, ip, at); err != nil {
		return fmt.Errorf("store: record login failure: %w", classify(err))
	}
	return nil
}

const countLoginFailuresSQL = `
SELECT
  (SELECT count(*) FROM login_failures WHERE email = $1 AND failed_at > $3) AS by_email,
  (SELECT count(*) FROM login_failures WHERE $2 <> '' AND ip = NULLIF($2, '')::inet AND failed_at > $3) AS by_ip`

// CountLoginFailures counts recent failures for an email and for an address.
func (s *Store) CountLoginFailures(ctx context.Context, email, ip string, since time.Time) (byEmail, byIP int, err error) {
	var n struct {
		ByEmail int `db:"by_email"`
		ByIP    int `db:"by_ip"`
	}
	if err := s.q.GetContext(ctx, &n, countLoginFailuresSQL, email, ip, since); err != nil {
		return 0, 0, fmt.Errorf("store: count login failures: %w", classify(err))
	}
	return n.ByEmail, n.ByIP, nil
}

const clearLoginFailuresSQL = `DELETE FROM login_failures WHERE email = $1`

// ClearLoginFailures forgets an account's failures after a successful login.
func (s *Store) ClearLoginFailures(ctx context.Context, email string) error {
	if _, err := s.q.ExecContext(ctx, clearLoginFailuresSQL, email); err != nil {
		return fmt.Errorf("store: clear login failures: %w", classify(err))
	}
	return nil
}

const pruneLoginFailuresSQL = `DELETE FROM login_failures WHERE failed_at < $1`

// PruneLoginFailures drops failures older than the throttling window.
func (s *Store) PruneLoginFailures(ctx context.Context, before time.Time) error {
	if _, err := s.q.ExecContext(ctx, pruneLoginFailuresSQL, before); err != nil {
		return fmt.Errorf("store: prune login failures: %w", classify(err))
	}
	return nil
}
