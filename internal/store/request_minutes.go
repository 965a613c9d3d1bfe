package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// RequestMinute is one instance's requests of one route group in one minute,
// as the alert check adds them up across instances.
type RequestMinute struct {
	Minute     time.Time `db:"minute"`
	Instance   string    `db:"instance"`
	RouteGroup string    `db:"route_group"`
	Requests   int64     `db:"requests"`
	Errors     int64     `db:"errors"`
	// Bounds are the histogram's upper bounds in seconds; Buckets the
	// requests per bucket (not cumulative), one more than Bounds.
	Bounds  pq.Float64Array `db:"bounds"`
	Buckets pq.Int64Array   `db:"buckets"`
}

// PoolWaitMinute is one instance's connection pool waits in one minute.
type PoolWaitMinute struct {
	Minute   time.Time `db:"minute"`
	Instance string    `db:"instance"`
	Waits    int64     `db:"waits"`
}

// Each row carries the minute's whole count so far (not an increment), so a
// write that failed or ran twice is put right by the next one.
const saveRequestMinuteSQL = `
INSERT INTO request_minutes (minute, instance, route_group, requests, errors, bounds, buckets)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (minute, instance, route_group) DO UPDATE
SET requests = EXCLUDED.requests, errors = EXCLUDED.errors, bounds = EXCLUDED.bounds, buckets = EXCLUDED.buckets`

const savePoolWaitMinuteSQL = `
INSERT INTO pool_wait_minutes (minute, instance, waits) VALUES ($1, $2, $3)
ON CONFLICT (minute, instance) DO UPDATE SET waits = EXCLUDED.waits`

// SaveInstanceMinutes writes an instance's minutes in one transaction, then
// deletes every instance's minutes from before prune (on its own, so two
// instances pruning at once do not hold each other's row locks in one
// transaction).
func (s *Store) SaveInstanceMinutes(ctx context.Context, reqs []RequestMinute, waits []PoolWaitMinute, prune time.Time) error {
	err := s.WithTx(ctx, func(tx *Store) error {
		for _, r := range reqs {
			if _, err := tx.q.ExecContext(ctx, saveRequestMinuteSQL, r.Minute, r.Instance, r.RouteGroup,
				r.Requests, r.Errors, r.Bounds, r.Buckets); err != nil {
				return fmt.Errorf("store: save request minute: %w", classify(err))
			}
		}
		for _, w := range waits {
			if _, err := tx.q.ExecContext(ctx, savePoolWaitMinuteSQL, w.Minute, w.Instance, w.Waits); err != nil {
				return fmt.Errorf("store: save pool wait minute: %w", classify(err))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := s.q.ExecContext(ctx, `DELETE FROM request_minutes WHERE minute < $1`, prune); err != nil {
		return fmt.Errorf("store: prune request minutes: %w", classify(err))
	}
	if _, err := s.q.ExecContext(ctx, `DELETE FROM pool_wait_minutes WHERE minute < $1`, prune); err != nil {
		return fmt.Errorf("store: prune pool wait minutes: %w", classify(err))
	}
	return nil
}

// ListRequestMinutes is every instance's request rows of the minutes that
// start after from and no later than to.
func (s *Store) ListRequestMinutes(ctx context.Context, from, to time.Time) ([]RequestMinute, error) {
	var rows []RequestMinute
	err := s.q.SelectContext(ctx, &rows, `SELECT minute, instance, route_group, requests, errors, bounds, buckets
		FROM request_minutes WHERE minute > $1 AND minute <= $2 ORDER BY minute, instance, route_group`, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: list request minutes: %w", classify(err))
	}
	return rows, nil
}

// SumPoolWaits is every instance's connection pool waits in the minutes that
// start after from and no later than to.
func (s *Store) SumPoolWaits(ctx context.Context, from, to time.Time) (int64, error) {
	var n int64
	err := s.q.GetContext(ctx, &n, `SELECT coalesce(sum(waits), 0) FROM pool_wait_minutes WHERE minute > $1 AND minute <= $2`, from, to)
	if err != nil {
		return 0, fmt.Errorf("store: sum pool waits: %w", classify(err))
	}
	return n, nil
}
