package store

import (
	"context"
	"fmt"
	"time"
)

// ThrottleEvent is one costly action of a client address, at the app's clock.
type ThrottleEvent struct {
	Kind, IP string
	At       time.Time
	// Since starts the window the events are counted over.
	Since time.Time
	// Max is how many events the window allows.
	Max int
}

const lockThrottleSQL = `SELECT pg_advisory_xact_lock(hashtextextended('throttle:' || $1 || ':' || $2, 0))`

const countThrottleSQL = `SELECT count(*) FROM throttle_events WHERE kind = $1 AND ip = $2::inet AND at > $3`

const recordThrottleSQL = `INSERT INTO throttle_events (kind, ip, at) VALUES ($1, $2::inet, $3)`

// TakeThrottle records the event unless the address already had Max of its
// kind in the window, and reports whether it was allowed. Counting and
// recording happen under a lock per kind and address, so a burst lets at most
// Max through. An unknown address (no client IP) is not throttled here.
func (s *Store) TakeThrottle(ctx context.Context, e ThrottleEvent) (allowed bool, err error) {
	if e.IP == "" {
		return true, nil
	}
	err = s.WithTx(ctx, func(tx *Store) error {
		if _, err := tx.q.ExecContext(ctx, lockThrottleSQL, e.Kind, e.IP); err != nil {
			return err
		}
		var n int
		if err := tx.q.GetContext(ctx, &n, countThrottleSQL, e.Kind, e.IP, e.Since); err != nil {
			return err
		}
		if n >= e.Max {
			return nil
		}
		allowed = true
		_, err := tx.q.ExecContext(ctx, recordThrottleSQL, e.Kind, e.IP, e.At)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: take throttle %s: %w", e.Kind, classify(err))
	}
	return allowed, nil
}

const pruneThrottleSQL = `DELETE FROM throttle_events WHERE at < $1`

// PruneThrottle drops events older than before.
func (s *Store) PruneThrottle(ctx context.Context, before time.Time) error {
	if _, err := s.q.ExecContext(ctx, pruneThrottleSQL, before); err != nil {
		return fmt.Errorf("store: prune throttle: %w", classify(err))
	}
	return nil
}
