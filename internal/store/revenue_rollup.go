package store

import (
	"context"
	"fmt"
	"time"
)

// The revenue rollup (migration 00098) keeps revenueCTE's per-line split
// summed per local day, location and item, per local day and location
// (migration 00099), per location and quarter hour of its days (migration
// 00147) with the bookings whose money moved in each (00148), per
// location and item as running totals up to each day (00163), and per
// location, quarter hour and item (00170). Each run rolls
// every location up to the run's instant (migration 00133), today's day
// partly: it holds the entries before that mark that the run's snapshot saw.
// It recomputes the last few rolled days, today, the days of entries the
// last run's snapshot did not see (a payment's transaction that began before
// the mark and committed after the run) and the days of bookings whose lines
// or entries changed since, and backfills a location never rolled up (or
// whose time zone changed). Readers add the ledger's money from each
// location's rolled_to on, and the entries before it the run did not see, so
// a payment taken a minute ago counts at once.
const (
	// One run at a time: two would both adjust the totals.
	revenueRollupLockSQL   = `SELECT pg_advisory_xact_lock(hashtext('revenue_rollup'))`
	revenueRollupStatesSQL = `
INSERT INTO revenue_rollup_state (location_id, rolled_to)
SELECT id, '-infinity' FROM locations ON CONFLICT (location_id) DO NOTHING`

	revenueRollupDaysTableSQL = `
CREATE TEMP TABLE revenue_rollup_days (
    location_id bigint NOT NULL, day date NOT NULL, from_at timestamptz NOT NULL, to_at timestamptz NOT NULL,
    PRIMARY KEY (location_id, day)
) ON COMMIT DROP`

	// The days to recompute, each location's local days up to today's (that
	// one up to the mark, $1): the last three rolled ones and today (all of
	// them from the first payment on for a location never rolled up), those
	// holding money of a changed booking, and those of entries before the
	// last run's mark that its snapshot did not see.
	revenueRollupDaysSQL = `
WITH stale AS (
    DELETE FROM revenue_rollup_stale RETURNING booking_id
), loc AS (
    SELECT l.id, l.time_zone, s.rolled_to, s.snapshot, ($1::timestamptz AT TIME ZONE l.time_zone)::date AS today
    FROM locations l JOIN revenue_rollup_state s ON s.location_id = l.id
), days AS (
    SELECT loc.id AS location_id, d::date AS day
    FROM loc CROSS JOIN LATERAL generate_series(
        CASE WHEN loc.rolled_to = '-infinity'
             THEN (SELECT (min(e.created_at) AT TIME ZONE loc.time_zone)::date FROM ledger_entries e
                   WHERE e.kind IN ('payment', 'refund') AND e.status = 'done')
             ELSE (loc.rolled_to AT TIME ZONE loc.time_zone)::date - 3 END,
        loc.today, interval '1 day') d
    UNION
    SELECT loc.id, (e.created_at AT TIME ZONE loc.time_zone)::date
    FROM stale JOIN ledger_entries e ON e.booking_id = stale.booking_id
    JOIN bookings b ON b.id = e.booking_id JOIN loc ON loc.id = b.location_id
    WHERE e.created_at < $1
    UNION
    SELECT loc.id, (e.created_at AT TIME ZONE loc.time_zone)::date
    FROM loc JOIN ledger_entries e
      ON e.xact >= pg_snapshot_xmin(loc.snapshot) AND NOT pg_visible_in_snapshot(e.xact, loc.snapshot)
     AND e.created_at < loc.rolled_to AND e.created_at < $1
    JOIN bookings b ON b.id = e.booking_id AND b.location_id = loc.id
    WHERE e.kind IN ('payment', 'refund') AND e.status = 'done'
)
INSERT INTO revenue_rollup_days (location_id, day, from_at, to_at)
SELECT d.location_id, d.day, d.day::timestamp AT TIME ZONE loc.time_zone,
       least((d.day + 1)::timestamp AT TIME ZONE loc.time_zone, $1::timestamptz)
FROM days d JOIN loc ON loc.id = d.location_id`

	// Each recomputed day's rows go to revenue_rollup_fresh first, one
	// statement a day: with the day's bounds as values the planner reads
	// that range of the ledger's money index and the day's bookings, never
	// the whole ledger. Only the entries the run's snapshot ($5) saw: those
	// committed since are the readers' until the next run.
	revenueRollupFreshTableSQL = `
CREATE TEMP TABLE revenue_rollup_fresh (
    location_id bigint NOT NULL, day date NOT NULL, item_id bigint NOT NULL, amount numeric NOT NULL,
    PRIMARY KEY (location_id, day, item_id)
) ON COMMIT DROP`
	// The same days per quarter hour of the location's day and booking
	// (migrations 00147 and 00148), from the ledger's money index: the day's
	// entries of the location's bookings with lines, as revenueCTE counts
	// them, binned from the day's start ($2); the quarters' sums come from
	// these rows once all days are in.
	revenueRollupFreshQuarterTableSQL = `
CREATE TEMP TABLE revenue_rollup_fresh_quarter (
    location_id bigint NOT NULL, at timestamptz NOT NULL, amount numeric NOT NULL,
    PRIMARY KEY (location_id, at)
) ON COMMIT DROP`
	revenueRollupFreshBookingTableSQL = `
CREATE TEMP TABLE revenue_rollup_fresh_booking (
    location_id bigint NOT NULL, at timestamptz NOT NULL, booking_id bigint NOT NULL, amount numeric NOT NULL,
    PRIMARY KEY (location_id, at, booking_id)
) ON COMMIT DROP`
	revenueRollupFillBookingSQL = `
INSERT INTO revenue_rollup_fresh_booking (location_id, at, booking_id, amount)
SELECT $1, date_bin('15 minutes', e.created_at, $2::timestamptz), e.booking_id, sum(CASE e.kind WHEN 'refund' THEN -e.amount ELSE e.amount END)
FROM ledger_entries e
WHERE e.kind IN ('payment', 'refund') AND e.status = 'done' AND e.created_at >= $2 AND e.created_at < $3
  AND (e.xact IS NULL OR pg_visible_in_snapshot(e.xact, $4::pg_snapshot))
  AND EXISTS (SELECT 1 FROM bookings b WHERE b.id = e.booking_id AND b.location_id = $1)
  AND EXISTS (SELECT 1 FROM booking_lines l WHERE l.booking_id = e.booking_id)
GROUP BY 2, 3`
	revenueRollupFillQuarterSQL = `
INSERT INTO revenue_rollup_fresh_quarter (location_id, at, amount)
SELECT location_id, at, sum(amount) FROM revenue_rollup_fresh_booking GROUP BY location_id, at`
	revenueRollupDayListSQL = `SELECT location_id, day, from_at, to_at FROM revenue_rollup_days ORDER BY location_id, day`
	// Each recomputed day's split per quarter hour of the day (from its
	// start, $3) and item (migration 00170) goes to
	// revenue_rollup_fresh_item; the day's rows per item are their sums.
	revenueRollupFreshItemTableSQL = `
CREATE TEMP TABLE revenue_rollup_fresh_item (
    location_id bigint NOT NULL, day date NOT NULL, at timestamptz NOT NULL, item_id bigint NOT NULL, amount numeric NOT NULL,
    PRIMARY KEY (location_id, at, item_id)
) ON COMMIT DROP`
	revenueRollupFillSQL = `WITH ` + revenueCTE + `
INSERT INTO revenue_rollup_fresh_item (location_id, day, at, item_id, amount)
SELECT $1, $2::date, date_bin('15 minutes', r.at, $3::timestamptz), r.item_id, sum(r.amount) FROM revenue r
WHERE r.at >= $3 AND r.at < $4 AND r.location_id = $1
  AND (r.xact IS NULL OR pg_visible_in_snapshot(r.xact, $5::pg_snapshot))
GROUP BY 3, 4`
	revenueRollupFillDaySQL = `
INSERT INTO revenue_rollup_fresh (location_id, day, item_id, amount)
SELECT location_id, day, item_id, sum(amount) FROM revenue_rollup_fresh_item GROUP BY location_id, day, item_id`

	// Then the rollup takes them in, writing only what changed: most
	// recomputed days come out as they were, and a rewritten row leaves a
	// dead index entry beside the live one until a vacuum, which readers of
	// the day's range step over (rewriting four days of a large shop on
	// every run doubled the buffers of the dashboard's 30 days).
	revenueRollupGoneSQL = `
DELETE FROM revenue_daily r USING revenue_rollup_days d
WHERE r.location_id = d.location_id AND r.day = d.day
  AND NOT EXISTS (SELECT 1 FROM revenue_rollup_fresh f WHERE f.location_id = r.location_id AND f.day = r.day AND f.item_id = r.item_id)`
	revenueRollupPutSQL = `
INSERT INTO revenue_daily AS r (location_id, day, item_id, amount)
SELECT location_id, day, item_id, amount FROM revenue_rollup_fresh ORDER BY location_id, day, item_id
ON CONFLICT (location_id, day, item_id) DO UPDATE SET amount = EXCLUDED.amount WHERE r.amount <> EXCLUDED.amount`
	// A day with money has its row here exactly when it has rows above.
	revenueRollupLocationGoneSQL = `
DELETE FROM revenue_daily_location r USING revenue_rollup_days d
WHERE r.location_id = d.location_id AND r.day = d.day
  AND NOT EXISTS (SELECT 1 FROM revenue_rollup_fresh f WHERE f.location_id = r.location_id AND f.day = r.day)`
	revenueRollupLocationPutSQL = `
INSERT INTO revenue_daily_location AS r (location_id, day, amount)
SELECT location_id, day, sum(amount) FROM revenue_rollup_fresh GROUP BY location_id, day ORDER BY location_id, day
ON CONFLICT (location_id, day) DO UPDATE SET amount = EXCLUDED.amount WHERE r.amount <> EXCLUDED.amount`

	// A recomputed day's quarters: up to its next midnight, so a quarter
	// is never left from a run whose mark was later.
	revenueRollupQuarterGoneSQL = `
DELETE FROM revenue_quarter_location r USING revenue_rollup_days d, locations l
WHERE l.id = d.location_id AND r.location_id = d.location_id
  AND r.at >= d.from_at AND r.at < (d.day + 1)::timestamp AT TIME ZONE l.time_zone
  AND NOT EXISTS (SELECT 1 FROM revenue_rollup_fresh_quarter f WHERE f.location_id = r.location_id AND f.at = r.at)`
	revenueRollupQuarterPutSQL = `
INSERT INTO revenue_quarter_location AS r (location_id, at, amount)
SELECT location_id, at, amount FROM revenue_rollup_fresh_quarter ORDER BY location_id, at
ON CONFLICT (location_id, at) DO UPDATE SET amount = EXCLUDED.amount WHERE r.amount <> EXCLUDED.amount`

	revenueRollupBookingGoneSQL = `
DELETE FROM revenue_booking_quarter r USING revenue_rollup_days d, locations l
WHERE l.id = d.location_id AND r.location_id = d.location_id
  AND r.at >= d.from_at AND r.at < (d.day + 1)::timestamp AT TIME ZONE l.time_zone
  AND NOT EXISTS (SELECT 1 FROM revenue_rollup_fresh_booking f
                  WHERE f.location_id = r.location_id AND f.at = r.at AND f.booking_id = r.booking_id)`
	revenueRollupBookingPutSQL = `
INSERT INTO revenue_booking_quarter (location_id, at, booking_id)
SELECT location_id, at, booking_id FROM revenue_rollup_fresh_booking ORDER BY location_id, at, booking_id
ON CONFLICT DO NOTHING`

	revenueRollupItemQuarterGoneSQL = `
DELETE FROM revenue_item_quarter r USING revenue_rollup_days d, locations l
WHERE l.id = d.location_id AND r.location_id = d.location_id
  AND r.at >= d.from_at AND r.at < (d.day + 1)::timestamp AT TIME ZONE l.time_zone
  AND NOT EXISTS (SELECT 1 FROM revenue_rollup_fresh_item f
                  WHERE f.location_id = r.location_id AND f.at = r.at AND f.item_id = r.item_id)`
	revenueRollupItemQuarterPutSQL = `
INSERT INTO revenue_item_quarter AS r (location_id, at, item_id, amount)
SELECT location_id, at, item_id, amount FROM revenue_rollup_fresh_item ORDER BY location_id, at, item_id
ON CONFLICT (location_id, at, item_id) DO UPDATE SET amount = EXCLUDED.amount WHERE r.amount <> EXCLUDED.amount`

	// The running totals (migration 00163) from each location's first
	// recomputed day on, once its days are in: revenue_running_from writes
	// only the rows that changed.
	revenueRollupRunningSQL = `
SELECT revenue_running_from(location_id, min(day)) FROM revenue_rollup_days GROUP BY location_id ORDER BY location_id`

	revenueRollupAdvanceSQL = `UPDATE revenue_rollup_state SET rolled_to = $1, snapshot = $2::pg_snapshot`

	// The run's snapshot, taken before it reads anything to roll up: every
	// entry it saw has committed, so each later statement sees it too.
	revenueRollupSnapshotSQL = `SELECT pg_current_snapshot()::text`
)

// revenueRollupTables are the rollup's tables, each keyed by location first
// (migrations 00098, 00099, 00147, 00148, 00163, 00170).
var revenueRollupTables = []string{"revenue_daily", "revenue_daily_location",
	"revenue_quarter_location", "revenue_booking_quarter", "revenue_running", "revenue_item_quarter"}

// revenueRollupResetSQL drops what a table holds of the locations rolled up
// afresh.
func revenueRollupResetSQL(table string) string {
	return "DELETE FROM " + table + " WHERE location_id IN (SELECT location_id FROM revenue_rollup_state WHERE rolled_to = '-infinity')"
}

// RollupRevenue brings the revenue rollup up to now, in one transaction; it returns how many days of
// locations it recomputed.
func (s *Store) RollupRevenue(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.WithTx(ctx, func(tx *Store) error {
		setup := []string{revenueRollupLockSQL, revenueRollupStatesSQL}
		for _, table := range revenueRollupTables {
			setup = append(setup, revenueRollupResetSQL(table))
		}
		setup = append(setup, revenueRollupDaysTableSQL, revenueRollupFreshTableSQL, revenueRollupFreshQuarterTableSQL, revenueRollupFreshBookingTableSQL,
			revenueRollupFreshItemTableSQL)
		for _, q := range setup {
			if _, err := tx.q.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("store: revenue rollup: %w", classify(err))
			}
		}
		var snapshot string
		if err := tx.q.GetContext(ctx, &snapshot, revenueRollupSnapshotSQL); err != nil {
			return fmt.Errorf("store: revenue rollup: %w", classify(err))
		}
		res, err := tx.q.ExecContext(ctx, revenueRollupDaysSQL, now)
		if err != nil {
			return fmt.Errorf("store: revenue rollup days: %w", classify(err))
		}
		n, _ = res.RowsAffected()
		if _, err := tx.q.ExecContext(ctx, `ANALYZE revenue_rollup_days`); err != nil {
			return fmt.Errorf("store: revenue rollup: %w", classify(err))
		}
		var days []struct {
			LocationID int64     `db:"location_id"`
			Day        time.Time `db:"day"`
			From       time.Time `db:"from_at"`
			To         time.Time `db:"to_at"`
		}
		if err := tx.q.SelectContext(ctx, &days, revenueRollupDayListSQL); err != nil {
			return fmt.Errorf("store: revenue rollup days: %w", classify(err))
		}
		for _, d := range days {
			if _, err := tx.q.ExecContext(ctx, revenueRollupFillSQL, d.LocationID, d.Day.Format(time.DateOnly), d.From, d.To, snapshot); err != nil {
				return fmt.Errorf("store: revenue rollup of %s: %w", d.Day.Format(time.DateOnly), classify(err))
			}
			if _, err := tx.q.ExecContext(ctx, revenueRollupFillBookingSQL, d.LocationID, d.From, d.To, snapshot); err != nil {
				return fmt.Errorf("store: revenue rollup of %s: %w", d.Day.Format(time.DateOnly), classify(err))
			}
		}
		for _, q := range []string{revenueRollupFillQuarterSQL, revenueRollupFillDaySQL, `ANALYZE revenue_rollup_fresh_item`, `ANALYZE revenue_rollup_fresh`, `ANALYZE revenue_rollup_fresh_quarter`,
			`ANALYZE revenue_rollup_fresh_booking`, revenueRollupGoneSQL, revenueRollupPutSQL,
			revenueRollupLocationGoneSQL, revenueRollupLocationPutSQL, revenueRollupQuarterGoneSQL, revenueRollupQuarterPutSQL,
			revenueRollupBookingGoneSQL, revenueRollupBookingPutSQL, revenueRollupItemQuarterGoneSQL, revenueRollupItemQuarterPutSQL,
			revenueRollupRunningSQL} {
			if _, err := tx.q.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("store: revenue rollup: %w", classify(err))
			}
		}
		if _, err := tx.q.ExecContext(ctx, revenueRollupAdvanceSQL, now, snapshot); err != nil {
			return fmt.Errorf("store: revenue rollup: %w", classify(err))
		}
		return nil
	})
	return n, err
}
