package store

import (
	"context"
	"fmt"
	"time"
)

// lockLoginSQL serialises attempts on the same account and the same address:
// a transaction-scoped advisory lock per key, taken in key order so two
// attempts never wait on each other in a cycle.
const lockLoginSQL = `
SELECT pg_advisory_xact_lock(k)
FROM (SELECT hashtextextended('login-email:' || lower($1), 0) AS k
      UNION SELECT hashtextextended('login-ip:' || $2, 0) WHERE $2 <> '') keys
ORDER BY k`

const countLoginFailuresSQL = `
SELECT
  (SELECT count(*) FROM login_failures WHERE email = $1 AND failed_at > $3) AS by_email,
  (SELECT count(*) FROM login_failures WHERE $2 <> '' AND ip = NULLIF($2, '')::inet AND failed_at > $3) AS by_ip`

const recordLoginFailureSQL = `INSERT INTO login_failures (email, ip, failed_at) VALUES ($1, NULLIF($2, '')::inet, $3)`

// LoginAttempt is one try to log in, at the app's clock.
type LoginAttempt struct {
	Email, IP string
	At        time.Time
	// Since starts the window the failures are counted over.
	Since time.Time
}

// TakeLoginAttempt counts the recent failures for the email and the address
// and, unless throttled says they are at the limit, records this attempt as a
// failure before the password is checked; a login that then succeeds clears
// the account's failures. Counting and recording happen under a lock per
// email and per address, so parallel attempts are counted one after another
// and a burst lets at most the limit through.
func (s *Store) TakeLoginAttempt(ctx context.Context, a LoginAttempt, throttled func(byEmail, byIP int) bool) (allowed bool, err error) {
	err = s.WithTx(ctx, func(tx *Store) error {
		if _, err := tx.q.ExecContext(ctx, lockLoginSQL, a.Email, a.IP); err != nil {
			return err
		}
		var n struct {
			ByEmail int `db:"by_email"`
			ByIP    int `db:"by_ip"`
		}
		if err := tx.q.GetContext(ctx, &n, countLoginFailuresSQL, a.Email, a.IP, a.Since); err != nil {
			return err
		}
		if throttled(n.ByEmail, n.ByIP) {
			return nil
		}
		allowed = true
		_, err := tx.q.ExecContext(ctx, recordLoginFailureSQL, a.Email, a.IP, a.At)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: take login attempt: %w", classify(err))
	}
	return allowed, nil
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
