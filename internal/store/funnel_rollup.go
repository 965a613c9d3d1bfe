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

	funnelRollupAdvanceSQL = `UPDATE funnel_rollup_state SET rolled_to = $1, quarters_to = $2`

	// The quarter hours to recompute (migration 00173), all from the day
	// rollup's new end $1 to the quarters' new end $2: the marked ones (the
	// marks taken here), the last rolled quarter again, and every quarter
	// from the old end (from $1 when that is earlier) to the new one.
	funnelQuartersSQL = `
WITH marks AS (DELETE FROM funnel_quarter_stale RETURNING quarter),
st AS (SELECT quarters_to FROM funnel_rollup_state)
SELECT DISTINCT q FROM (
    SELECT quarter AS q FROM marks
    UNION ALL
    SELECT g FROM st CROSS JOIN LATERAL generate_series(
        greatest(st.quarters_to - interval '15 minutes', $1::timestamptz),
        $2::timestamptz - interval '15 minutes', interval '15 minutes') g
) x WHERE q >= $1 AND q < $2
ORDER BY q`

	// The quarters of the days now in funnel_daily go, and those recomputed.
	funnelQuartersClearSQL = `DELETE FROM funnel_quarterly WHERE quarter < $1 OR quarter = ANY ($2::timestamptz[])`

	funnelQuartersFillSQL = `
INSERT INTO funnel_quarterly (quarter, location_id, online, made, holding, confirmed, expired, cancelled, value)
SELECT q.q, b.location_id, b.created_by IS NULL, ` + funnelCounts + `
FROM unnest($1::timestamptz[]) q(q)
JOIN bookings b ON b.created_at >= q.q AND b.created_at < q.q + interval '15 minutes'
WHERE b.status <> 'cart'
GROUP BY q.q, b.location_id, b.created_by IS NULL`
)

// funnelQuarter is the span of the funnel's intraday rows, UTC quarter
// hours (date_bin's origin in migration 00173 is a UTC midnight).
const funnelQuarter = 15 * time.Minute

// funnelQuarterLag keeps the last minutes out of a run's quarters, as
// funnelRollupLag does for days: the trigger marks a change to a booking
// made before the clock's quarter hour, so an unmarked change was made in
// its booking's own quarter, and a run rolls a quarter up only this long
// after its end, when such a change's transaction has long committed.
const funnelQuarterLag = 10 * time.Minute

// funnelRollupLag keeps the last hour before a UTC midnight out of a run:
// the trigger marks changes to bookings made before today by the clock, so
// a change to yesterday's booking made just before midnight is not marked;
// its transaction has committed long before a run rolls that day up.
const funnelRollupLag = time.Hour

// RollupFunnel brings the funnel rollup up to the UTC midnight an hour
// before now, and its quarter hours from there up to the quarter ten
// minutes before now, in one transaction; it returns how many days it
// recomputed.
func (s *Store) RollupFunnel(ctx context.Context, now time.Time) (int, error) {
	to := now.Add(-funnelRollupLag).UTC().Truncate(24 * time.Hour)
	qto := now.Add(-funnelQuarterLag).UTC().Truncate(funnelQuarter)
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
		if err := tx.rollupFunnelQuarters(ctx, to, qto); err != nil {
			return err
		}
		if _, err := tx.q.ExecContext(ctx, funnelRollupAdvanceSQL, to, qto); err != nil {
			return fmt.Errorf("store: funnel rollup: %w", classify(err))
		}
		return nil
	})
	return n, err
}

// rollupFunnelQuarters recomputes the quarter hours of [from, to) that
// changed or are new, and drops those before from (their days are rolled).
func (s *Store) rollupFunnelQuarters(ctx context.Context, from, to time.Time) error {
	var qs []time.Time
	if err := s.q.SelectContext(ctx, &qs, funnelQuartersSQL, from, to); err != nil {
		return fmt.Errorf("store: funnel rollup quarters: %w", classify(err))
	}
	list := timeArray(qs)
	if _, err := s.q.ExecContext(ctx, funnelQuartersClearSQL, from, list); err != nil {
		return fmt.Errorf("store: funnel rollup quarters: %w", classify(err))
	}
	if len(qs) > 0 {
		if _, err := s.q.ExecContext(ctx, funnelQuartersFillSQL, list); err != nil {
			return fmt.Errorf("store: funnel rollup quarters: %w", classify(err))
		}
	}
	return nil
}

// timeArray is times as a PostgreSQL timestamptz[] literal.
func timeArray(ts []time.Time) string {
	b := make([]byte, 0, 2+36*len(ts))
	b = append(b, '{')
	for i, t := range ts {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = t.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
	}
	return string(append(b, '}'))
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
