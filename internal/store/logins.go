package store

import (
	"context"
	"fmt"
	"time"

	"github.com/rentdesk/rentdesk/internal/auth"
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
  (SELECT count(*) FROM login_failures WHERE email = $1 AND failed_at > $3) AS by_account,
  (SELECT count(*) FROM login_failures WHERE email = $1 AND ip IS NOT DISTINCT FROM NULLIF($2, '')::inet AND failed_at > $3) AS by_account_here,
  (SELECT count(*) FROM login_failures WHERE $2 <> '' AND ip = NULLIF($2, '')::inet AND failed_at > $3) AS by_address,
  EXISTS (SELECT 1 FROM login_known_addresses WHERE email = $1 AND $2 <> '' AND ip = NULLIF($2, '')::inet AND last_login_at > $4) AS known_address`

const recordLoginFailureSQL = `INSERT INTO login_failures (email, ip, failed_at) VALUES ($1, NULLIF($2, '')::inet, $3)`

// LoginAttempt is one try to log in, at the app's clock.
type LoginAttempt struct {
	Email, IP string
	At        time.Time
	// Since starts the window the failures are counted over.
	Since time.Time
	// KnownSince is the oldest login that still makes an address known.
	KnownSince time.Time
}

// TakeLoginAttempt counts the recent failures for the email and the address
// and, unless throttled says they are at the limit, records this attempt as a
// failure before the password is checked; a login that then succeeds clears
// the account's failures. Counting and recording happen under a lock per
// email and per address, so parallel attempts are counted one after another
// and a burst lets at most the limit through.
func (s *Store) TakeLoginAttempt(ctx context.Context, a LoginAttempt, throttled func(auth.LoginCounts) bool) (counts auth.LoginCounts, allowed bool, err error) {
	err = s.WithTx(ctx, func(tx *Store) error {
		if _, err := tx.q.ExecContext(ctx, lockLoginSQL, a.Email, a.IP); err != nil {
			return err
		}
		var n struct {
			ByAccount     int  `db:"by_account"`
			ByAccountHere int  `db:"by_account_here"`
			ByAddress     int  `db:"by_address"`
			KnownAddress  bool `db:"known_address"`
		}
		if err := tx.q.GetContext(ctx, &n, countLoginFailuresSQL, a.Email, a.IP, a.Since, a.KnownSince); err != nil {
			return err
		}
		counts = auth.LoginCounts(n)
		if throttled(counts) {
			return nil
		}
		allowed = true
		_, err := tx.q.ExecContext(ctx, recordLoginFailureSQL, a.Email, a.IP, a.At)
		return err
	})
	if err != nil {
		return counts, false, fmt.Errorf("store: take login attempt: %w", classify(err))
	}
	return counts, allowed, nil
}

const clearLoginFailuresSQL = `DELETE FROM login_failures WHERE email = $1 AND ip IS NOT DISTINCT FROM NULLIF($2, '')::inet`

const rememberLoginAddressSQL = `
INSERT INTO login_known_addresses (email, ip, last_login_at) SELECT $1, NULLIF($2, '')::inet, $3 WHERE $2 <> ''
ON CONFLICT (email, ip) DO UPDATE SET last_login_at = excluded.last_login_at`

// ClearLoginFailures forgets an account's failures from the address of a
// successful login, and remembers that address as the owner's. Failures from
// other addresses stay: a stranger's guesses keep counting against them.
func (s *Store) ClearLoginFailures(ctx context.Context, email, ip string, at time.Time) error {
	if _, err := s.q.ExecContext(ctx, clearLoginFailuresSQL, email, ip); err != nil {
		return fmt.Errorf("store: clear login failures: %w", classify(err))
	}
	if _, err := s.q.ExecContext(ctx, rememberLoginAddressSQL, email, ip, at); err != nil {
		return fmt.Errorf("store: remember login address: %w", classify(err))
	}
	return nil
}

const pruneLoginFailuresSQL = `DELETE FROM login_failures WHERE failed_at < $1`

const pruneKnownAddressesSQL = `DELETE FROM login_known_addresses WHERE last_login_at < $1`

// PruneLoginFailures drops failures older than the throttling window and
// known addresses not used to log in since knownBefore.
func (s *Store) PruneLoginFailures(ctx context.Context, before, knownBefore time.Time) error {
	if _, err := s.q.ExecContext(ctx, pruneLoginFailuresSQL, before); err != nil {
		return fmt.Errorf("store: prune login failures: %w", classify(err))
	}
	if _, err := s.q.ExecContext(ctx, pruneKnownAddressesSQL, knownBefore); err != nil {
		return fmt.Errorf("store: prune known login addresses: %w", classify(err))
	}
	return nil
}
