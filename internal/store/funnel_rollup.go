package store

import (
	"context"
	"fmt"
	"time"
)

// The funnel rollup (migration 00112) keeps funnelSQL's counts per UTC day,
// location and channel for the whole days before funnel_rollup_state's
// rolled_to. A booking of a rolled day that changes marks its day (a
// trigger, in the booking's transaction), and readers read marked days from
// the bookings until a run recomputes them, so the funnel is exact at any
// time: rollup rows only where nothing changed since they were made.
const (
	funnelRollupLockSQL = `SELECT pg_advisory_xact_lock(hashtext('funnel_rollup'))`

	// The marks this run takes care of: those its statements can see. A
	// mark committed later stays for the next run (and its day is read
	// from the bookings until then).
	funnelRollupTakeMarksSQL = `DELETE FROM funnel_rollup_stale RETURNING day`

	// The days to recompute: the marked ones before the new end, the last
	// rolled day again, and every day from the old end (from the first
	// booking for a rollup never run) to the new one.
	funnelRollupDaysSQL = `
WITH st AS (SELECT rolled_to FROM funnel_rollup_state)
SELECT DISTINCT day FROM (
    SELECT unnest($2::date[]) AS day
    UNION ALL
    SELECT d::date FROM st CROSS JOIN LATERAL generate_series(
        CASE WHEN st.rolled_to = '-infinity'
             THEN (SELECT (min(created_at) AT TIME ZONE 'UTC')::date FROM bookings)
             ELSE (st.rolled_to AT TIME ZONE 'UTC')::date - 1 END,
        ($1::timestamptz AT TIME ZONE 'UTC')::date - 1, interval '1 day') d
) x WHERE day < ($1::timestamptz AT TIME ZONE 'UTC')::date
ORDER BY day`

	funnelRollupClearSQL = `DELETE FROM funnel_daily WHERE day = ANY ($1::date[])`

	// One statement for all the days: each day is a range of the bookings'
	// covering created_at index.
	funnelRollupFillSQL = `
INSERT INTO funnel_daily (day, location_id, online, made, holding, confirmed, expired, cancelled, value)
SELECT d.day, b.location_id, b.created_by IS NULL, ` + funnelCounts + `
FROM unnest($1::date[]) d(day)
JOIN bookings b ON b.created_at >= d.day::timestamp AT TIME ZONE 'UTC' AND b.created_at < (d.day + 1)::timestamp AT TIME ZONE 'UTC'
WHERE b.status <> 'cart'
GROUP BY d.day, b.location_id, b.created_by IS NULL`

	funnelRollupAdvanceSQL = `UPDATE funnel_rollup_state SET rolled_to = $1`
)

// funnelRollupLag keeps the last hour before a UTC midnight out of a run:
// the trigger marks changes to bookings made before today by the clock, so
// a change to yesterday's booking made just before midnight is not marked;
// its transaction has committed long before a run rolls that day up.
const funnelRollupLag = time.Hour

// RollupFunnel brings the funnel rollup up to the UTC midnight an hour
// before now, in one transaction; it returns how many days it recomputed.
func (s *Store) RollupFunnel(ctx context.Context, now time.Time) (int, error) {
	to := now.Add(-funnelRollupLag).UTC().Truncate(24 * time.Hour)
	var n int
	err := s.WithTx(ctx, func(tx *Store) error {
		if _, err := tx.q.ExecContext(ctx, funnelRollupLockSQL); err != nil {
			return fmt.Errorf("store: funnel rollup: %w", classify(err))
		}
		var marked []time.Time
		if err := tx.q.SelectContext(ctx, &marked, funnelRollupTakeMarksSQL); err != nil {
			return fmt.Errorf("store: funnel rollup marks: %w", classify(err))
		}
		var days []time.Time
		if err := tx.q.SelectContext(ctx, &days, funnelRollupDaysSQL, to, dateArray(marked)); err != nil {
			return fmt.Errorf("store: funnel rollup days: %w", classify(err))
		}
		n = len(days)
		if n > 0 {
			list := dateArray(days)
			if _, err := tx.q.ExecContext(ctx, funnelRollupClearSQL, list); err != nil {
				return fmt.Errorf("store: funnel rollup: %w", classify(err))
			}
			if _, err := tx.q.ExecContext(ctx, funnelRollupFillSQL, list); err != nil {
				return fmt.Errorf("store: funnel rollup: %w", classify(err))
			}
		}
		if _, err := tx.q.ExecContext(ctx, funnelRollupAdvanceSQL, to); err != nil {
			return fmt.Errorf("store: funnel rollup: %w", classify(err))
		}
		return nil
	})
	return n, err
}

// dateArray is days as a PostgreSQL date[] literal (UTC dates).
func dateArray(days []time.Time) string {
	b := make([]byte, 0, 2+11*len(days))
	b = append(b, '{')
	for i, d := range days {
		if i > 0 {
			b = append(b, ',')
		}
		b = d.UTC().AppendFormat(b, time.DateOnly)
	}
	return string(append(b, '}'))
}
