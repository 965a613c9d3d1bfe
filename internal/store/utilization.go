package store

import (
	"context"
	"fmt"
	"time"
)

// rollupUtilizationSQL recomputes utilization_daily for the local days $1..$2
// of every location, as of $3 (a day under way ends at $3). Available hours
// are the units' hours at the location since they were added, less active
// maintenance blocks, plus bulk stock × hours; out hours run from pickup to
// return (or $3 while still out), counted only while the unit was on the
// books, so out never exceeds available. Days are local (a DST day has 23 or 25
// hours), so "day" means the same thing as on the desk.
const rollupUtilizationSQL = `
WITH days AS (
    SELECT l.id AS location_id, d::date AS day,
           tstzrange((d::date)::timestamp AT TIME ZONE l.time_zone,
                     least(((d::date) + 1)::timestamp AT TIME ZONE l.time_zone, $3::timestamptz)) AS win
    FROM locations l CROSS JOIN generate_series($1::date, $2::date, interval '1 day') d
    WHERE (d::date)::timestamp AT TIME ZONE l.time_zone < $3::timestamptz
), hours AS (
    SELECT dy.day, dy.location_id, u.item_id, range_hours(dy.win * tstzrange(u.created_at, NULL)) AS avail, 0::float8 AS out
    FROM days dy JOIN units u ON u.location_id = dy.location_id
    UNION ALL
    SELECT dy.day, dy.location_id, u.item_id, -range_hours(dy.win * a.occupied * tstzrange(u.created_at, NULL)), 0
    FROM days dy JOIN units u ON u.location_id = dy.location_id
    JOIN unit_allocations a ON a.unit_id = u.id AND a.maintenance_id IS NOT NULL AND a.active AND a.occupied && dy.win
    UNION ALL
    SELECT dy.day, dy.location_id, u.item_id, 0,
           range_hours(dy.win * tstzrange(a.picked_up_at, greatest(a.picked_up_at, coalesce(a.returned_at, $3::timestamptz)))
                       * tstzrange(u.created_at, NULL))
    FROM days dy JOIN units u ON u.location_id = dy.location_id
    JOIN unit_allocations a ON a.unit_id = u.id AND a.booking_line_id IS NOT NULL AND a.picked_up_at IS NOT NULL
     AND tstzrange(a.picked_up_at, greatest(a.picked_up_at, coalesce(a.returned_at, $3::timestamptz))) && dy.win
    UNION ALL
    SELECT dy.day, dy.location_id, s.item_id, s.quantity * range_hours(dy.win), 0
    FROM days dy JOIN bulk_stock s ON s.location_id = dy.location_id
    UNION ALL
    SELECT dy.day, dy.location_id, l.item_id, 0, l.quantity * range_hours(dy.win * tstzrange(l.picked_up_at, coalesce(l.returned_at, $3::timestamptz)))
    FROM days dy JOIN bookings b ON b.location_id = dy.location_id
    JOIN booking_lines l ON l.booking_id = b.id AND l.picked_up_at IS NOT NULL
    JOIN items i ON i.id = l.item_id AND i.tracking = 'bulk'
    WHERE tstzrange(l.picked_up_at, greatest(l.picked_up_at, coalesce(l.returned_at, $3::timestamptz))) && dy.win
)
INSERT INTO utilization_daily (day, location_id, item_id, hours_available, hours_out, computed_at)
SELECT day, location_id, item_id, greatest(sum(avail), 0), sum(out), $3::timestamptz
FROM hours
GROUP BY day, location_id, item_id
HAVING sum(avail) > 0 OR sum(out) > 0
ON CONFLICT (day, location_id, item_id) DO UPDATE
SET hours_available = EXCLUDED.hours_available, hours_out = EXCLUDED.hours_out, computed_at = EXCLUDED.computed_at`

// Rows of the recomputed days that this run did not write (an item whose
// units all left the location) are stale.
const clearStaleUtilizationSQL = `
DELETE FROM utilization_daily WHERE day BETWEEN $1::date AND $2::date AND computed_at <> $3::timestamptz`

// Location totals of the recomputed days, from the rows just written.
const (
	clearUtilizationLocationsSQL  = `DELETE FROM utilization_daily_location WHERE day BETWEEN $1::date AND $2::date`
	rollupUtilizationLocationsSQL = `
INSERT INTO utilization_daily_location (day, location_id, hours_available, hours_out)
SELECT day, location_id, sum(hours_available), sum(hours_out)
FROM utilization_daily WHERE day BETWEEN $1::date AND $2::date
GROUP BY day, location_id`
)

// RollupUtilization recomputes the utilization of the days from..to (dates
// only; each location reads them in its own zone) as of now.
func (s *Store) RollupUtilization(ctx context.Context, from, to time.Time, now time.Time) (int64, error) {
	var n int64
	args := []any{from.Format(time.DateOnly), to.Format(time.DateOnly), now.Truncate(time.Microsecond)}
	err := s.WithTx(ctx, func(tx *Store) error {
		res, err := tx.q.ExecContext(ctx, rollupUtilizationSQL, args...)
		if err != nil {
			return fmt.Errorf("store: utilization rollup: %w", classify(err))
		}
		n, _ = res.RowsAffected()
		if _, err := tx.q.ExecContext(ctx, clearStaleUtilizationSQL, args...); err != nil {
			return fmt.Errorf("store: utilization rollup: %w", classify(err))
		}
		for _, q := range []string{clearUtilizationLocationsSQL, rollupUtilizationLocationsSQL} {
			if _, err := tx.q.ExecContext(ctx, q, args[0], args[1]); err != nil {
				return fmt.Errorf("store: utilization rollup per location: %w", classify(err))
			}
		}
		// The running totals of every day from the first one rewritten on
		// (migration 00118).
		if _, err := tx.q.ExecContext(ctx, `SELECT utilization_running_from($1::date)`, args[0]); err != nil {
			return fmt.Errorf("store: utilization running totals: %w", classify(err))
		}
		return nil
	})
	return n, err
}

// analyzeRollupsSQL refreshes the planner's statistics of the tables the
// metrics rollup writes and the dashboard reads; revenue_rollup_state too,
// which the first run fills: analyzed while empty, it counts ten pages'
// worth of rows (a hundred or so) for a row per location, and every
// figure read per location was planned for that many.
const analyzeRollupsSQL = `ANALYZE utilization_daily, utilization_daily_location, utilization_running,
    revenue_daily, revenue_daily_location, revenue_running, revenue_item_quarter, revenue_rollup_stale,
    revenue_rollup_state, funnel_daily, funnel_rollup_stale`

// AnalyzeRollups gives the planner the rollup tables' new sizes. After a
// backfill has filled them (or taken a bulk import's marks), autovacuum
// analyzes them only some time later, and until then the dashboard's
// queries are planned on the counts of empty tables: on the benchmark's
// large shop the funnel read 270–540 ms in that window and 0.2–1.6 ms after.
func (s *Store) AnalyzeRollups(ctx context.Context) error {
	if _, err := s.q.ExecContext(ctx, analyzeRollupsSQL); err != nil {
		return fmt.Errorf("store: analyze rollups: %w", classify(err))
	}
	return nil
}

// UtilizationRolledUpTo is the last day the rollup has covered, or the zero
// time when it never ran.
func (s *Store) UtilizationRolledUpTo(ctx context.Context) (time.Time, error) {
	var day *time.Time
	if err := s.q.GetContext(ctx, &day, `SELECT max(day) FROM utilization_daily`); err != nil {
		return time.Time{}, fmt.Errorf("store: utilization rolled up to: %w", classify(err))
	}
	if day == nil {
		return time.Time{}, nil
	}
	return *day, nil
}

// FirstActivity is the earliest day anything could count toward utilization
// (the first unit, stock or booking), for the first backfill.
func (s *Store) FirstActivity(ctx context.Context) (time.Time, error) {
	var at *time.Time
	err := s.q.GetContext(ctx, &at, `SELECT least((SELECT min(created_at) FROM units), (SELECT min(picked_up_at) FROM booking_lines))`)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: first activity: %w", classify(err))
	}
	if at == nil {
		return time.Time{}, nil
	}
	return *at, nil
}
