package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// revenueCTE is the one definition of revenue the dashboard and its exports
// use: money that moved, from the payments ledger — each payment taken
// (Stripe, cash, card terminal) counts when it was taken, each refund that
// went through counts against the day it was paid back; pending and failed
// refunds do not count. Deposits taken are money in until they are returned
// (the return is a refund). A booking's money is attributed to its lines in
// proportion to their totals (evenly when the booking is free), so per-item
// revenue, utilization by revenue and payback sum to the shop's revenue.
// PostgreSQL inlines the CTE (also where a query reads it more than once),
// so a range on "at" uses the partial index on ledger_entries.created_at.
const revenueCTE = `revenue AS NOT MATERIALIZED (
    SELECT e.created_at AS at, e.xact, b.location_id, l.item_id, b.id AS booking_id,
           (CASE e.kind WHEN 'refund' THEN -e.amount ELSE e.amount END)::numeric
           * CASE WHEN t.total > 0 THEN l.line_total::numeric / t.total ELSE 1::numeric / t.lines END AS amount
    FROM ledger_entries e
    JOIN bookings b ON b.id = e.booking_id
    JOIN booking_lines l ON l.booking_id = b.id
    CROSS JOIN LATERAL (SELECT sum(line_total) AS total, count(*) AS lines
                        FROM booking_lines WHERE booking_id = b.id) t
    WHERE e.kind IN ('payment', 'refund') AND e.status = 'done'
)`

// liveRevenueCTE is revenueCTE as the dashboard reads the part of the
// ledger the rollup does not hold yet: the same split, found from each
// entry by key. Its booking (every entry has one, a foreign key) and the
// booking's lines with their totals are one lookup of the entry's booking,
// so the ledger's range bounds the read: joined, the planner hashed all
// bookings once the range held a few thousand entries. revenueCTE keeps the
// join form for the rollup's bulk reads.
const liveRevenueCTE = `live_revenue AS NOT MATERIALIZED (
    SELECT e.created_at AS at, e.xact, l.location_id, l.item_id, e.booking_id,
           (CASE e.kind WHEN 'refund' THEN -e.amount ELSE e.amount END)::numeric
           * CASE WHEN l.total > 0 THEN l.line_total::numeric / l.total ELSE 1::numeric / l.lines END AS amount
    FROM ledger_entries e
    -- The window keeps this a lookup of the entry's booking, not a join.
    CROSS JOIN LATERAL (SELECT b.location_id, bl.item_id, bl.line_total,
                               sum(bl.line_total) OVER () AS total, count(*) OVER () AS lines
                        FROM bookings b JOIN booking_lines bl ON bl.booking_id = b.id
                        WHERE b.id = e.booking_id) l
    WHERE e.kind IN ('payment', 'refund') AND e.status = 'done'
)`

// moneyCTE is revenueCTE summed back over each booking's lines: the shares
// of a payment or refund add up to the whole amount, so totals by time and
// location need no split, and read each entry once (from the covering
// index of migration 00088) instead of every line of its booking twice.
// Only money of bookings with lines counts, as in revenueCTE. Money is in
// whole minor units here, so the totals equal revenueCTE's rounded sums.
// Inlined where a query reads it more than once, as revenueCTE is, so each
// range reads the money index.
const moneyCTE = `money AS NOT MATERIALIZED (
    SELECT e.created_at AS at, e.xact,
           -- Every entry has its booking (a foreign key). One probe of the
           -- booking's key per entry, so the ledger's range bounds the read:
           -- a join let the planner hash all bookings once the range held a
           -- few thousand entries. Dropped when no location is asked for.
           (SELECT b.location_id FROM bookings b WHERE b.id = e.booking_id) AS location_id, e.booking_id,
           CASE e.kind WHEN 'refund' THEN -e.amount ELSE e.amount END AS amount
    FROM ledger_entries e
    WHERE e.kind IN ('payment', 'refund') AND e.status = 'done'
      AND EXISTS (SELECT 1 FROM booking_lines l WHERE l.booking_id = e.booking_id)
)`

// Revenue is money taken less money refunded in a window, and how many
// bookings it moved for.
type Revenue struct {
	Amount   int64 `db:"amount"`
	Bookings int64 `db:"bookings"`
}

// rolledMoneyCTE is the money of [$1, $2) at location $3 (0: all), per
// location and local day: the local days the rollup holds
// (revenue_daily_location, revenueCTE's split summed back, unrounded); the
// rest of the period there ("edges": its head before the first of those
// days and its tail after the last, each inside one local day, or beyond
// rolled_to) in the whole quarter hours of that day the rollup holds
// (revenue_quarter_location, [qa, qb)); and the ledger's entries outside
// both, at most a quarter hour at either end of an edge plus what came after
// the run, and the entries inside them the rollup's run did not see, as
// rolledRevenueCTEs does for items. A day's money comes from one side only
// (but for late entries, which the rollup lacks), so callers round each sum
// once; a test keeps it equal to summing the whole ledger. rolledEdgesCTE
// is its first part, which revenueBookingsSQL shares.
const rolledEdgesCTE = moneyCTE + `, ` + revenueBoundsCTE + revenueEdgesCTE

// revenueEdgesCTE follows revenueBoundsCTE: per location, the parts of
// [$1, $2) outside its rolled days [lo_at, hi_at) ("edges": the period's
// head before the first of those days and its tail after the last, each
// inside one local day, or beyond rolled_to), with the whole quarter hours
// of its day the rollup holds, [qa, qb); and "pieces", what of each edge
// the quarters do not hold (at most a quarter hour at either end of an
// edge, plus what came after the run).
const revenueEdgesCTE = `, edges AS (
    SELECT b.location_id, b.time_zone, b.snap, s.a, s.b, q.qa, greatest(q.qa, q.qb) AS qb
    FROM bounds b
    CROSS JOIN LATERAL (VALUES ($1::timestamptz, CASE WHEN b.lo_at <= b.hi_at THEN b.lo_at ELSE $2::timestamptz END),
                               (CASE WHEN b.lo_at <= b.hi_at THEN b.hi_at ELSE $2::timestamptz END, $2::timestamptz)) s(a, b)
    -- The quarter hours of the edge's day, from its local midnight.
    CROSS JOIN LATERAL (SELECT (s.a AT TIME ZONE b.time_zone)::date::timestamp AT TIME ZONE b.time_zone AS origin,
                               least(s.b, b.rolled_to) AS c) o
    CROSS JOIN LATERAL (SELECT CASE WHEN date_bin('15 minutes', s.a, o.origin) = s.a THEN s.a
                                    ELSE date_bin('15 minutes', s.a, o.origin) + interval '15 minutes' END AS qa,
                               CASE WHEN o.c > s.a THEN date_bin('15 minutes', o.c, o.origin) ELSE s.a END AS qb) q
    WHERE s.a < s.b
), pieces AS (
    -- What of each edge the quarters do not hold: before qa, from qb on.
    SELECT e.location_id, e.time_zone, p.a, p.b
    FROM edges e CROSS JOIN LATERAL (VALUES (e.a, least(e.qa, e.b)), (greatest(e.qb, e.a), e.b)) p(a, b)
    WHERE p.a < p.b
)`

const rolledMoneyCTE = rolledEdgesCTE + `, rolled_money AS (
    SELECT (m.at AT TIME ZONE p.time_zone)::date AS day, m.amount::numeric AS amount
    FROM pieces p
    CROSS JOIN LATERAL (SELECT e.created_at AS at, CASE e.kind WHEN 'refund' THEN -e.amount ELSE e.amount END AS amount
                        FROM ledger_entries e
                        WHERE e.kind IN ('payment', 'refund') AND e.status = 'done' AND e.created_at >= p.a AND e.created_at < p.b
                          AND EXISTS (SELECT 1 FROM bookings b WHERE b.id = e.booking_id AND b.location_id = p.location_id)
                          AND EXISTS (SELECT 1 FROM booking_lines l WHERE l.booking_id = e.booking_id)) m
    UNION ALL
    SELECT (r.at AT TIME ZONE b.time_zone)::date AS day, r.amount::numeric AS amount
    FROM money r JOIN bounds b ON b.location_id = r.location_id
    WHERE r.xact >= (SELECT min(pg_snapshot_xmin(snap)) FROM bounds) AND NOT pg_visible_in_snapshot(r.xact, b.snap)
      AND ((r.at >= b.lo_at AND r.at < b.hi_at)
           OR EXISTS (SELECT 1 FROM edges e WHERE e.location_id = b.location_id AND r.at >= e.qa AND r.at < e.qb))
    UNION ALL
    -- OFFSET 0 keeps these range reads of each location's days and quarters.
    SELECT d.day, d.amount FROM bounds b
    CROSS JOIN LATERAL (SELECT day, amount FROM revenue_daily_location d
                        WHERE d.location_id = b.location_id AND d.day >= b.lo AND d.day < b.hi OFFSET 0) d
    UNION ALL
    SELECT (q.at AT TIME ZONE e.time_zone)::date, q.amount FROM edges e
    CROSS JOIN LATERAL (SELECT at, amount FROM revenue_quarter_location q
                        WHERE q.location_id = e.location_id AND q.at >= e.qa AND q.at < e.qb OFFSET 0) q
)`

const revenueSQL = `WITH ` + rolledMoneyCTE + `
SELECT round(coalesce(sum(amount), 0))::bigint AS amount FROM rolled_money`

// revenueBookingsSQL counts the bookings whose money moved in [$1, $2) at
// location $3 (0: all): a count the rollup cannot add up from days, so it
// reads the bookings of each rolled quarter hour (revenue_booking_quarter,
// migration 00148) over the rolled days and edges of rolledEdgesCTE, plus
// the bookings of the ledger's entries outside them and of the entries
// inside them the rollup's run did not see; a test keeps it equal to
// counting the ledger's.
const revenueBookingsSQL = `WITH ` + rolledEdgesCTE + `, ids AS (
    SELECT m.booking_id FROM pieces p
    CROSS JOIN LATERAL (SELECT e.booking_id FROM ledger_entries e
                        WHERE e.kind IN ('payment', 'refund') AND e.status = 'done' AND e.created_at >= p.a AND e.created_at < p.b
                          AND EXISTS (SELECT 1 FROM bookings b WHERE b.id = e.booking_id AND b.location_id = p.location_id)
                          AND EXISTS (SELECT 1 FROM booking_lines l WHERE l.booking_id = e.booking_id)) m
    UNION ALL
    SELECT r.booking_id FROM money r JOIN bounds b ON b.location_id = r.location_id
    WHERE r.xact >= (SELECT min(pg_snapshot_xmin(snap)) FROM bounds) AND NOT pg_visible_in_snapshot(r.xact, b.snap)
      AND ((r.at >= b.lo_at AND r.at < b.hi_at)
           OR EXISTS (SELECT 1 FROM edges e WHERE e.location_id = b.location_id AND r.at >= e.qa AND r.at < e.qb))
    UNION ALL
    -- OFFSET 0 keeps these range reads of each location's quarters.
    SELECT q.booking_id FROM bounds b
    CROSS JOIN LATERAL (SELECT booking_id FROM revenue_booking_quarter q
                        WHERE q.location_id = b.location_id AND q.at >= b.lo_at AND q.at < b.hi_at OFFSET 0) q
    UNION ALL
    SELECT q.booking_id FROM edges e
    CROSS JOIN LATERAL (SELECT booking_id FROM revenue_booking_quarter q
                        WHERE q.location_id = e.location_id AND q.at >= e.qa AND q.at < e.qb OFFSET 0) q
)
SELECT count(DISTINCT booking_id) FROM ids`

// GetRevenue is the revenue of [from, to) at one location (0: all), and how
// many bookings it moved for.
func (s *Store) GetRevenue(ctx context.Context, from, to time.Time, locationID int64) (Revenue, error) {
	var r Revenue
	err := s.withoutParallel(ctx, func(q *Store) error {
		var err error
		if r.Amount, err = q.revenueAmount(ctx, from, to, locationID); err != nil {
			return err
		}
		return q.q.GetContext(ctx, &r.Bookings, revenueBookingsSQL, from, to, locationID)
	})
	if err != nil {
		return r, fmt.Errorf("store: revenue: %w", classify(err))
	}
	return r, nil
}

// GetRevenueAmount is GetRevenue's amount alone, which the dashboard's
// comparisons need: read from the rollup, it costs a few rows a day.
func (s *Store) GetRevenueAmount(ctx context.Context, from, to time.Time, locationID int64) (int64, error) {
	var n int64
	err := s.withoutParallel(ctx, func(q *Store) error {
		var err error
		n, err = q.revenueAmount(ctx, from, to, locationID)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: revenue: %w", classify(err))
	}
	return n, nil
}

func (s *Store) revenueAmount(ctx context.Context, from, to time.Time, locationID int64) (int64, error) {
	var n int64
	return n, s.q.GetContext(ctx, &n, revenueSQL, from, to, locationID)
}

// RevenueDay is the revenue of one local day.
type RevenueDay struct {
	Day    time.Time `db:"day"`
	Amount int64     `db:"amount"`
}

const revenueByDaySQL = `WITH ` + rolledMoneyCTE + `
SELECT day, round(sum(amount))::bigint AS amount FROM rolled_money
GROUP BY day ORDER BY day`

// ListRevenueByDay is the revenue of [from, to) per local day of the
// location that earned it; days without revenue are absent.
func (s *Store) ListRevenueByDay(ctx context.Context, from, to time.Time, locationID int64) ([]RevenueDay, error) {
	var rows []RevenueDay
	err := s.withoutParallel(ctx, func(q *Store) error {
		return q.q.SelectContext(ctx, &rows, revenueByDaySQL, from, to, locationID)
	})
	if err != nil {
		return nil, fmt.Errorf("store: revenue by day: %w", classify(err))
	}
	return rows, nil
}

// Funnel counts the bookings made in a window by what became of them, per
// channel (online: made by the customer; desk: made by staff for them).
type Funnel struct {
	Channel   string `db:"channel"`
	Made      int64  `db:"made"`
	Holding   int64  `db:"holding"`
	Confirmed int64  `db:"confirmed"`
	Expired   int64  `db:"expired"`
	Cancelled int64  `db:"cancelled"`
	// Value is the booked value of the confirmed ones not cancelled, in minor units.
	Value int64 `db:"value"`
}

// funnelCounts are the funnel's figures over a set of bookings b, for the
// reader and the rollup alike.
const funnelCounts = `count(*) AS made,
       count(*) FILTER (WHERE b.status = 'hold') AS holding,
       count(*) FILTER (WHERE b.confirmed_at IS NOT NULL) AS confirmed,
       count(*) FILTER (WHERE b.status = 'expired') AS expired,
       count(*) FILTER (WHERE b.status = 'cancelled') AS cancelled,
       coalesce(sum(b.total) FILTER (WHERE b.confirmed_at IS NOT NULL AND b.status <> 'cancelled'), 0) AS value`

// funnelSQL counts the bookings made in [$1, $2) at location $3 (0: all)
// (no carts) by channel: the whole UTC days [$4, $5) the rollup holds from
// funnel_daily and the UTC quarter hours [$6, $7) from funnel_quarterly
// (migration 00173), except the days and quarters a changed booking marked
// since, which are read from the bookings as the rest of the period is (its
// first partial day, the hours between the rolled days and quarters, the
// partial quarter, and the quarters' end on), each a range of the covering
// created_at index. A test keeps it equal to counting the bookings.
const funnelSQL = `
WITH stale AS MATERIALIZED (
    SELECT DISTINCT day FROM funnel_rollup_stale
    WHERE day >= ($4::timestamptz AT TIME ZONE 'UTC')::date AND day < ($5::timestamptz AT TIME ZONE 'UTC')::date
), stale_quarters AS MATERIALIZED (
    SELECT DISTINCT quarter FROM funnel_quarter_stale WHERE quarter >= $6 AND quarter < $7
), quarters AS MATERIALIZED (
    -- Whether funnel_quarterly still holds [$6, $7) in this statement's
    -- snapshot: a run between the caller's read of the ends and this one
    -- drops the quarters of the days it rolled up; then they are read live.
    SELECT EXISTS (SELECT 1 FROM funnel_rollup_state WHERE rolled_to <= $6 AND quarters_to >= $7) AS held
), parts AS (
    SELECT b.created_by IS NULL AS online, ` + funnelCounts + `
    FROM bookings b
    WHERE b.created_at >= $1 AND b.created_at < $4 AND ($3 = 0 OR b.location_id = $3) AND b.status <> 'cart'
    GROUP BY 1
    UNION ALL
    SELECT b.created_by IS NULL, ` + funnelCounts + `
    FROM bookings b
    WHERE b.created_at >= $5 AND b.created_at < $6 AND ($3 = 0 OR b.location_id = $3) AND b.status <> 'cart'
    GROUP BY 1
    UNION ALL
    SELECT b.created_by IS NULL, ` + funnelCounts + `
    FROM bookings b
    WHERE b.created_at >= $7 AND b.created_at < $2 AND ($3 = 0 OR b.location_id = $3) AND b.status <> 'cart'
    GROUP BY 1
    UNION ALL
    SELECT b.created_by IS NULL, ` + funnelCounts + `
    FROM stale s JOIN bookings b
      ON b.created_at >= s.day::timestamp AT TIME ZONE 'UTC' AND b.created_at < (s.day + 1)::timestamp AT TIME ZONE 'UTC'
    WHERE ($3 = 0 OR b.location_id = $3) AND b.status <> 'cart'
    GROUP BY 1
    UNION ALL
    SELECT b.created_by IS NULL, ` + funnelCounts + `
    FROM stale_quarters s JOIN bookings b
      ON b.created_at >= s.quarter AND b.created_at < s.quarter + interval '15 minutes'
    WHERE ($3 = 0 OR b.location_id = $3) AND b.status <> 'cart' AND (SELECT held FROM quarters)
    GROUP BY 1
    UNION ALL
    SELECT b.created_by IS NULL, ` + funnelCounts + `
    FROM bookings b
    WHERE b.created_at >= $6 AND b.created_at < $7 AND ($3 = 0 OR b.location_id = $3) AND b.status <> 'cart'
      AND NOT (SELECT held FROM quarters)
    GROUP BY 1
    UNION ALL
    SELECT f.online, f.made, f.holding, f.confirmed, f.expired, f.cancelled, f.value
    FROM funnel_daily f
    WHERE f.day >= ($4::timestamptz AT TIME ZONE 'UTC')::date AND f.day < ($5::timestamptz AT TIME ZONE 'UTC')::date
      AND ($3 = 0 OR f.location_id = $3) AND f.day NOT IN (SELECT day FROM stale)
    UNION ALL
    SELECT f.online, f.made, f.holding, f.confirmed, f.expired, f.cancelled, f.value
    FROM funnel_quarterly f
    WHERE f.quarter >= $6 AND f.quarter < $7
      AND ($3 = 0 OR f.location_id = $3) AND f.quarter NOT IN (SELECT quarter FROM stale_quarters)
      AND (SELECT held FROM quarters)
)
SELECT CASE WHEN online THEN 'online' ELSE 'desk' END AS channel,
       sum(made)::bigint AS made, sum(holding)::bigint AS holding, sum(confirmed)::bigint AS confirmed,
       sum(expired)::bigint AS expired, sum(cancelled)::bigint AS cancelled, sum(value)::bigint AS value
FROM parts GROUP BY online HAVING sum(made) > 0 ORDER BY 1 DESC`

// funnelRolledToSQL is where the funnel rollup's days and quarters end
// (the year 1 when it has not run).
const funnelRolledToSQL = `
SELECT greatest(coalesce((SELECT rolled_to FROM funnel_rollup_state), '-infinity'), timestamptz '0001-01-01 00:00:00Z') AS rolled_to,
       greatest(coalesce((SELECT quarters_to FROM funnel_rollup_state), '-infinity'), timestamptz '0001-01-01 00:00:00Z') AS quarters_to`

// funnelDays are the whole UTC days of [from, to) before rolledTo, [lo,
// hi); both from when there are none.
func funnelDays(from, to, rolledTo time.Time) (lo, hi time.Time) {
	const day = 24 * time.Hour
	lo = from.UTC().Truncate(day)
	if lo.Before(from) {
		lo = lo.Add(day)
	}
	hi = to.UTC().Truncate(day)
	if rolledTo.Before(hi) {
		hi = rolledTo.UTC()
	}
	if !hi.After(lo) {
		return from, from
	}
	return lo, hi
}

// funnelQuarters are the whole UTC quarter hours of [from, to) after the
// rolled days' end hi that funnel_quarterly holds (from rolledTo to
// quartersTo), [qlo, qhi); both hi when there are none, so [from, lo),
// [hi, qlo) and [qhi, to) are the rest of the period.
func funnelQuarters(from, to, hi, rolledTo, quartersTo time.Time) (qlo, qhi time.Time) {
	start := hi
	if from.After(start) {
		start = from
	}
	qlo = start.UTC().Truncate(funnelQuarter)
	if qlo.Before(start) {
		qlo = qlo.Add(funnelQuarter)
	}
	if qlo.Before(rolledTo) {
		qlo = rolledTo.UTC()
	}
	qhi = to.UTC().Truncate(funnelQuarter)
	if quartersTo.Before(qhi) {
		qhi = quartersTo.UTC()
	}
	if !qhi.After(qlo) {
		return hi, hi
	}
	return qlo, qhi
}

// funnelRollupEnds are where the funnel rollup's days and quarters end.
type funnelRollupEnds struct {
	RolledTo   time.Time `db:"rolled_to"`
	QuartersTo time.Time `db:"quarters_to"`
}

// ListFunnel is the booking funnel of [from, to), online first.
func (s *Store) ListFunnel(ctx context.Context, from, to time.Time, locationID int64) ([]Funnel, error) {
	var ends funnelRollupEnds
	if err := s.q.GetContext(ctx, &ends, funnelRolledToSQL); err != nil {
		return nil, fmt.Errorf("store: funnel: %w", classify(err))
	}
	lo, hi := funnelDays(from, to, ends.RolledTo)
	qlo, qhi := funnelQuarters(from, to, hi, ends.RolledTo, ends.QuartersTo)
	var rows []Funnel
	if err := s.q.SelectContext(ctx, &rows, funnelSQL, from, to, locationID, lo, hi, qlo, qhi); err != nil {
		return nil, fmt.Errorf("store: funnel: %w", classify(err))
	}
	return rows, nil
}

// Attention is what needs the shop now: overdue units, no-shows and what
// is coming up.
type Attention struct {
	Overdue int64 `db:"overdue"`
	// OverdueValue is the replacement value of the overdue units, in minor units.
	OverdueValue int64      `db:"overdue_value"`
	OldestDue    *time.Time `db:"oldest_due"`
	// NoShows are confirmed bookings past their start plus the grace with nothing picked up.
	NoShows         int64 `db:"no_shows"`
	PickupsComing   int64 `db:"pickups_coming"`
	ReturnsComing   int64 `db:"returns_coming"`
	UpcomingHorizon time.Duration
}

// openAllocDue is an allocation's due time while its unit is out (NULL
// otherwise), the expression migration 00062 keeps an index and statistics
// for, as it keeps one for the open lines' ends.
const openAllocDue = `(CASE WHEN a.active AND a.picked_up_at IS NOT NULL AND a.returned_at IS NULL THEN a.due_at END)`

// attentionSQL reads only what is out now, overdue, or starting or ending
// within the horizon, never the whole history. A unit is overdue while its
// check-out is open past its due time: the allocation's own check-out, or,
// for bulk lines and units not checked out one by one, the line's. So the
// overdue rows are the overdue open allocations plus the overdue open lines
// (a unit's due time is never before its line's end: its range is the line's
// period widened by the turnaround), short lists read through the open-due
// expressions of migration 00062, whose indexes and statistics find them and
// count them right; a late unit's line is taken from the late lines when it
// is one of them (the usual check-out: line and unit both out), so only the
// units out on a line not marked out probe the lines, and the items are one
// hashed read for all the overdue rows instead of a probe per row. No-shows
// come from the confirmed bookings' lines not picked up (migration 00174),
// pickups from the lines not picked up by start (migration 00086); returns
// from the open lines by due time. The
// booking's status and location are read from each line's copies of them
// (migration 00110), so no booking is probed per line.
const attentionSQL = `
WITH late_units AS MATERIALIZED (
    -- Units checked out on their own, past their due time (or without one:
    -- an index of its own keeps that list, empty in practice, cheap to ask).
    SELECT a.booking_line_id, a.due_at FROM unit_allocations a
    WHERE a.active AND a.picked_up_at IS NOT NULL AND a.returned_at IS NULL AND ` + openAllocDue + ` < $1
    UNION ALL
    SELECT a.booking_line_id, a.due_at FROM unit_allocations a
    WHERE a.active AND a.picked_up_at IS NOT NULL AND a.returned_at IS NULL AND a.due_at IS NULL
), late_lines AS MATERIALIZED (
    -- Lines marked out past their end, per location from the desk's index
    -- of the lines out alone (it holds every column asked here), not a heap
    -- page per line. Every location: the units' lines below are looked up
    -- here before the location is asked.
    SELECT l.id, l.booking_status, l.booking_location_id, l.item_id, l.quantity, l.ends_at FROM locations loc
    CROSS JOIN LATERAL (SELECT l.id, l.booking_status, l.booking_location_id, l.item_id, l.quantity, l.ends_at FROM booking_lines l
                        WHERE l.booking_location_id = loc.id AND l.picked_up_at IS NOT NULL AND l.returned_at IS NULL
                          AND l.ends_at < $1 OFFSET 0) l
), late_unit_lines AS (
    -- Each late unit with its line: from late_lines when the line is
    -- marked out too (the usual check-out, a hash join of the two short
    -- lists), and only the others (units out on a line not marked out)
    -- probed in the lines' primary key.
    SELECT a.due_at, l.booking_status, l.booking_location_id, l.item_id, l.quantity, l.ends_at
    FROM late_units a JOIN late_lines l ON l.id = a.booking_line_id
    UNION ALL
    SELECT a.due_at, l.booking_status, l.booking_location_id, l.item_id, l.quantity, l.ends_at
    FROM late_units a JOIN booking_lines l ON l.id = a.booking_line_id
    WHERE NOT EXISTS (SELECT 1 FROM late_lines x WHERE x.id = a.booking_line_id) AND l.returned_at IS NULL
), overdue_lines AS MATERIALIZED (
    SELECT l.item_id, l.quantity, coalesce(l.due_at, l.ends_at) AS due
    FROM late_unit_lines l
    WHERE coalesce(l.due_at, l.ends_at) < $1
      AND l.booking_status IN ('confirmed', 'out') AND ($4 = 0 OR l.booking_location_id = $4)
    UNION ALL
    -- Units on late lines not checked out on their own, probed per line in
    -- the index of the allocations waiting for their pick-up (migration
    -- 00184) alone (OFFSET 0: a probe per line, never a walk of that whole
    -- index, which grows with the book ahead).
    SELECT l.item_id, l.quantity, coalesce(a.due_at, l.ends_at)
    FROM late_lines l
    CROSS JOIN LATERAL (SELECT a.due_at FROM unit_allocations a
                        WHERE a.booking_line_id = l.id AND a.active AND a.picked_up_at IS NULL AND a.returned_at IS NULL OFFSET 0) a
    WHERE coalesce(a.due_at, l.ends_at) < $1
      AND l.booking_status IN ('confirmed', 'out') AND ($4 = 0 OR l.booking_location_id = $4)
    UNION ALL
    -- Late lines without any unit (bulk lines). A line with a late unit has
    -- one (a hash of that short list); only the others are probed, in the
    -- lines' allocations index alone.
    SELECT l.item_id, l.quantity, l.ends_at
    FROM late_lines l
    WHERE l.booking_status IN ('confirmed', 'out') AND ($4 = 0 OR l.booking_location_id = $4)
      AND NOT EXISTS (SELECT 1 FROM late_units u WHERE u.booking_line_id = l.id)
      AND NOT EXISTS (SELECT 1 FROM unit_allocations a WHERE a.booking_line_id = l.id AND a.active)
), overdue AS MATERIALIZED (
    -- The items of the overdue rows, one read of the items' table hashed
    -- instead of a probe per row (OFFSET 0: never a probe per row).
    SELECT CASE WHEN i.tracking = 'bulk' THEN o.quantity ELSE 1 END AS n, i.replacement_value, o.due
    FROM overdue_lines o JOIN (SELECT id, tracking, replacement_value FROM items OFFSET 0) i ON i.id = o.item_id
)
SELECT (SELECT coalesce(sum(n), 0) FROM overdue) AS overdue,
       (SELECT coalesce(sum(n * replacement_value), 0)::bigint FROM overdue) AS overdue_value,
       (SELECT min(due) FROM overdue) AS oldest_due,
       -- No-shows: the bookings of the lines of confirmed bookings not
       -- picked up that started before the grace, per location from their
       -- index alone (migration 00174), less those with a line picked up,
       -- read once from their own index (empty in practice: the hand-over
       -- marks the booking out) and hashed; never a probe per booking. All
       -- lines of a booking carry its status and location (migration 00110).
       (SELECT count(*) FROM (
              SELECT DISTINCT l.booking_id FROM locations loc
              CROSS JOIN LATERAL (SELECT booking_id FROM booking_lines l
                                  WHERE l.booking_location_id = loc.id AND l.booking_status = 'confirmed'
                                    AND l.picked_up_at IS NULL AND l.starts_at < $1 - $2::interval OFFSET 0) l
              WHERE $4 = 0 OR loc.id = $4) c
        WHERE c.booking_id NOT IN (SELECT p.booking_id FROM booking_lines p
                                   WHERE p.picked_up_at IS NOT NULL AND p.booking_status = 'confirmed')) AS no_shows,
       -- Pickups and returns from the lines' copies of their booking's
       -- status and location (migration 00110), each location's range of
       -- the desk's own indexes, without probing a booking per line.
       (SELECT count(*) FROM locations loc
        CROSS JOIN LATERAL (SELECT 1 FROM booking_lines l
                            WHERE l.booking_location_id = loc.id AND l.booking_status IN ('confirmed', 'out')
                              AND l.picked_up_at IS NULL AND l.returned_at IS NULL
                              AND l.starts_at >= $1 AND l.starts_at < $1 + $3::interval OFFSET 0) l
        WHERE $4 = 0 OR loc.id = $4)
       + (SELECT count(*) FROM booking_lines l
          WHERE l.picked_up_at IS NULL AND l.returned_at IS NOT NULL AND l.starts_at >= $1 AND l.starts_at < $1 + $3::interval
            AND l.booking_status IN ('confirmed', 'out') AND ($4 = 0 OR l.booking_location_id = $4)) AS pickups_coming,
       (SELECT count(*) FROM locations loc
        CROSS JOIN LATERAL (SELECT 1 FROM booking_lines l
                            WHERE l.booking_location_id = loc.id AND l.booking_status IN ('confirmed', 'out')
                              AND l.picked_up_at IS NOT NULL AND l.returned_at IS NULL
                              AND l.ends_at >= $1 AND l.ends_at < $1 + $3::interval OFFSET 0) l
        WHERE $4 = 0 OR loc.id = $4) AS returns_coming`

// GetAttention counts overdue units (and their replacement value), no-shows
// (nothing picked up grace after the start) and the pickups and returns due
// within horizon, at one location (0: all), as of now.
func (s *Store) GetAttention(ctx context.Context, now time.Time, grace, horizon time.Duration, locationID int64) (Attention, error) {
	a := Attention{UpcomingHorizon: horizon}
	err := s.withoutParallel(ctx, func(q *Store) error {
		return q.q.GetContext(ctx, &a, attentionSQL, now, pgInterval(grace), pgInterval(horizon), locationID)
	})
	if err != nil {
		return a, fmt.Errorf("store: attention figures: %w", classify(err))
	}
	return a, nil
}

// withoutParallel runs fn in a transaction of its own with PostgreSQL's
// parallel workers off. The dashboard's heavier figures are a few short
// index reads and hash joins; the planner would hand them to parallel
// workers, whose start-up on a busy instance costs more than they save (on
// the benchmark's large shop the attention figures took 80 ms with workers
// and 39 ms without). Inside a caller's transaction fn runs as it is, so the
// setting never leaks into other statements; so it does on the desk pool,
// whose connections have it already (planned).
func (s *Store) withoutParallel(ctx context.Context, fn func(q *Store) error) error {
	if s.tx != nil || s.planned {
		return fn(s)
	}
	return s.WithTx(ctx, func(tx *Store) error {
		// JIT compiling is off on every connection already (acquire.go).
		if _, err := tx.q.ExecContext(ctx, serialPlanSetting); err != nil {
			return fmt.Errorf("store: serial plan: %w", classify(err))
		}
		return fn(tx)
	})
}

// WithoutParallel runs fn in one transaction with parallel workers off, as
// each of the dashboard's heavier figures runs alone: a caller that reads
// several of them passes fn's store to each, so they share the transaction
// (and its snapshot) instead of each beginning, setting and committing its
// own.
func (s *Store) WithoutParallel(ctx context.Context, fn func(q *Store) error) error {
	return s.withoutParallel(ctx, fn)
}

// withGenericPlan runs fn in a transaction (or the store's own) whose
// prepared statements run on their generic plan, made once per connection,
// instead of a plan made for each call's arguments. It is for statements
// whose generic plan reads what the custom ones do but whose estimate looks
// higher, so PostgreSQL would otherwise plan them on every call; the
// benchmark's plan check runs them the same way (HotQuery.Generic). On the
// desk pool, whose connections have the setting already (planned), fn runs
// on the pool.
func (s *Store) withGenericPlan(ctx context.Context, fn func(q *Store) error) error {
	if s.tx != nil || s.planned {
		return fn(s)
	}
	return s.WithTx(ctx, func(tx *Store) error {
		if _, err := tx.q.ExecContext(ctx, genericPlanSetting); err != nil {
			return fmt.Errorf("store: generic plan: %w", classify(err))
		}
		return fn(tx)
	})
}

// serialPlanSetting and genericPlanSetting are withoutParallel's and
// withGenericPlan's settings; ReadDesk sends both in one statement.
const (
	serialPlanSetting  = `SET LOCAL max_parallel_workers_per_gather = 0`
	genericPlanSetting = `SET LOCAL plan_cache_mode = force_generic_plan`
)

func pgInterval(d time.Duration) string { return fmt.Sprintf("%d microseconds", d.Microseconds()) }

// rolledRevenueCTEs read revenueCTE's per-item money from the rollup
// (migration 00098) plus the ledger's part the rollup does not hold yet
// (liveRevenueCTE):
// period_revenue is the money of [$1, $2), lifetime_revenue all of it, at
// location $3 (0: all); each period_revenue row counts (n) the rows it
// stands for, so an item with money in the period is told from one without
// when its money nets to zero. Per location, "bounds" are the whole local
// days of the period that are rolled up, [lo, hi): their money is two rows
// of the running totals (migration 00163) per item, the total at the last
// day before hi less the total at the last day before lo, whatever the
// period's length, and the lifetime money the total at the location's last
// day (the same rows as the period's end when the period runs to now, read
// once). The rest of the period, its edges (revenueEdgesCTE), comes from
// the item's rolled quarter hours of the edge's day (migration 00170), and
// the ledger's entries outside them (at most a quarter hour at either end,
// and from rolled_to on) and those inside them the rollup's run did not see.
// Equal to summing revenueCTE, a test keeps it so, as long as the rollup is
// current: a line or entry changed after its day was rolled up counts as
// before until the next run (the job marks the booking and recomputes its
// days).
const rolledRevenueCTEs = revenueBoundsCTE + revenueEdgesCTE + `, late AS MATERIALIZED (
    -- The entries before rolled_to the rollup's run did not see (committed
    -- after it began): few, the newest of the index on the inserting
    -- transaction, from the oldest of the runs' snapshots on ($7, a value
    -- the planner can estimate that range by, where a subquery of bounds
    -- looked like a third of the ledger).
    SELECT r.* FROM live_revenue r JOIN bounds b ON b.location_id = r.location_id
    WHERE r.xact >= $7::xid8
      AND r.at < b.rolled_to AND NOT pg_visible_in_snapshot(r.xact, b.snap)
), running_days AS MATERIALIZED (
    -- The days of each location's running totals to read: the last before
    -- lo (start) and before hi (end), none when the period has no rolled
    -- days there, and the last of all (lifetime).
    SELECT b.location_id,
           CASE WHEN b.hi > b.lo THEN (SELECT max(day) FROM revenue_running r WHERE r.location_id = b.location_id AND r.day < b.lo) END AS start_day,
           CASE WHEN b.hi > b.lo THEN (SELECT max(day) FROM revenue_running r WHERE r.location_id = b.location_id AND r.day < b.hi) END AS end_day,
           (SELECT max(day) FROM revenue_running r WHERE r.location_id = b.location_id) AS last_day
    FROM bounds b
), running AS MATERIALIZED (
    -- OFFSET 0 keeps this a read of each location's (at most) three days.
    SELECT r.item_id, r.amount, r.days, r.day = d.start_day AS at_start, r.day = d.end_day AS at_end, r.day = d.last_day AS at_last
    FROM running_days d
    CROSS JOIN LATERAL (SELECT item_id, day, amount, days FROM revenue_running r
                        WHERE r.location_id = d.location_id AND r.day IN (d.start_day, d.end_day, d.last_day) OFFSET 0) r
), period_revenue AS (
    -- OFFSET 0 keeps this a range read of the ledger's index per piece: a
    -- few pieces of minutes each. Flattened, the planner's choice rested on
    -- its estimate of how many pieces there are, which follows from the
    -- statistics of revenue_rollup_state (three rows, or ten pages' worth
    -- when they were gathered before its first run filled it), and on such
    -- an estimate it read the whole ledger once and matched every entry to
    -- the pieces.
    SELECT r.item_id, r.amount, 1 AS n FROM pieces p
    CROSS JOIN LATERAL (SELECT r.item_id, r.amount FROM live_revenue r
                        WHERE r.at >= p.a AND r.at < p.b AND r.location_id = p.location_id OFFSET 0) r
    UNION ALL
    SELECT r.item_id, r.amount, 1 FROM late r JOIN bounds b ON b.location_id = r.location_id
    WHERE (r.at >= b.lo_at AND r.at < b.hi_at)
       OR EXISTS (SELECT 1 FROM edges e WHERE e.location_id = b.location_id AND r.at >= e.qa AND r.at < e.qb)
    UNION ALL
    -- OFFSET 0 keeps this a range read of each edge's quarters.
    SELECT q.item_id, q.amount, 1 FROM edges e
    CROSS JOIN LATERAL (SELECT item_id, amount FROM revenue_item_quarter q
                        WHERE q.location_id = e.location_id AND q.at >= e.qa AND q.at < e.qb OFFSET 0) q
    UNION ALL
    SELECT item_id, amount, days FROM running WHERE at_end
    UNION ALL
    SELECT item_id, -amount, -days FROM running WHERE at_start
), lifetime_revenue AS (
    SELECT item_id, amount FROM running WHERE at_last
    UNION ALL
    SELECT r.item_id, r.amount FROM live_revenue r JOIN bounds b ON b.location_id = r.location_id
    WHERE r.at >= $4 AND r.at >= b.rolled_to
    UNION ALL
    SELECT item_id, amount FROM late
)`

// revenueBoundsCTE: per location ($3, 0: all), the local days of [$1, $2)
// rolled up, [lo, hi), covering [lo_at, hi_at): whole days, and the day of
// rolled_to (the rollup's mark, migration 00133) up to it when the period
// runs past it; from when its money is read from the ledger; and the
// snapshot of the rollup's run (entries before rolled_to it did not see are
// read from the ledger too).
const revenueBoundsCTE = `bounds AS (
    SELECT l.id AS location_id, l.time_zone, x.rolled_to, s.snapshot AS snap, d.lo, d.hi,
           d.lo::timestamp AT TIME ZONE l.time_zone AS lo_at,
           CASE WHEN d.to_mark THEN x.rolled_to ELSE d.hi::timestamp AT TIME ZONE l.time_zone END AS hi_at
    FROM locations l LEFT JOIN revenue_rollup_state s ON s.location_id = l.id
    CROSS JOIN LATERAL (SELECT coalesce(s.rolled_to, '-infinity') AS rolled_to,
                               coalesce(s.rolled_to, '-infinity') AT TIME ZONE l.time_zone AS r,
                               $1::timestamptz AT TIME ZONE l.time_zone AS f) x
    CROSS JOIN LATERAL (SELECT CASE WHEN x.f = x.f::date THEN x.f::date ELSE x.f::date + 1 END AS lo,
                               CASE WHEN $2::timestamptz >= x.rolled_to
                                    THEN CASE WHEN x.r = x.r::date THEN x.r::date ELSE x.r::date + 1 END
                                    ELSE ($2::timestamptz AT TIME ZONE l.time_zone)::date END AS hi,
                               $2::timestamptz >= x.rolled_to AS to_mark) d
    WHERE $3 = 0 OR l.id = $3
)`

// rolledRevenueLifeSQL works out where the item figures' lifetime money
// starts to be read from the ledger ($4 there): the earliest rolled_to of
// the locations asked for, and from which transaction on the ledger may
// hold entries the rollup's runs did not see ($7 there: the oldest xmin of
// their snapshots, none before the first run); both given as values so the
// planner sees how short those ranges are.
const rolledRevenueLifeSQL = `WITH ` + revenueBoundsCTE + `
SELECT greatest(coalesce(min(rolled_to), $2), timestamptz '0001-01-01 00:00:00Z') AS life_from,
       min(pg_snapshot_xmin(snap))::text AS late_from
FROM bounds`

// rolledRevenueFrom is what rolledRevenueLifeSQL answers.
type rolledRevenueFrom struct {
	Life time.Time `db:"life_from"`
	Late *string   `db:"late_from"` // an xid8 as text; nil: no run yet
}

// rolledRevenueArgs are the arguments of the queries that read the revenue
// rollup plus the ledger per item: the period, the location, and where
// rolledRevenueLifeSQL says the lifetime's ledger range starts ($1–$4);
// and the transaction its late entries start from, which such a query
// takes as $7.
func (s *Store) rolledRevenueArgs(ctx context.Context, from, to time.Time, locationID int64) ([]any, *string, error) {
	var f rolledRevenueFrom
	if err := s.q.GetContext(ctx, &f, rolledRevenueLifeSQL, from, to, locationID); err != nil {
		return nil, nil, err
	}
	return []any{from, to, locationID, f.Life}, f.Late, nil
}

// ItemFigures is one item over a period: utilization from the daily rollup's
// running totals, revenue in the period and over its whole life (for
// payback).
type ItemFigures struct {
	ItemID           int64   `db:"item_id"`
	Name             string  `db:"name"`
	Category         string  `db:"category"`
	ReplacementValue int64   `db:"replacement_value"`
	HoursAvailable   float64 `db:"hours_available"`
	HoursOut         float64 `db:"hours_out"`
	Revenue          int64   `db:"revenue"`
	LifetimeRevenue  int64   `db:"lifetime_revenue"`
	RateHour         *int64  `db:"rate_hour"`
	RateDay          *int64  `db:"rate_day"`
	RateWeek         *int64  `db:"rate_week"`
}

// itemUtilCTE is each item's hours over the local days [$5, $6) at location
// $3 (0: all): two rows of the running totals (migration 00118) per
// location, those of the last day before the period's end less those of the
// last day before its start, whatever the period's length. The locations
// whose count of daily rows did not move had no day in the period, as if
// utilization_daily were summed; a test keeps it equal to that sum.
const itemUtilCTE = `util AS (
    SELECT e.item_id, sum(e.hours_available - coalesce(s.hours_available, 0)) AS hours_available,
           sum(e.hours_out - coalesce(s.hours_out, 0)) AS hours_out
    FROM utilization_running e
    LEFT JOIN utilization_running s ON s.day = (SELECT max(day) FROM utilization_running WHERE day < $5::date)
     AND s.location_id = e.location_id AND s.item_id = e.item_id
    WHERE e.day = (SELECT max(day) FROM utilization_running WHERE day < $6::date) AND ($3 = 0 OR e.location_id = $3)
      AND e.days > coalesce(s.days, 0)
    GROUP BY e.item_id
)`

const itemFiguresSQL = `WITH ` + liveRevenueCTE + `,
` + itemUtilCTE + `, ` + rolledRevenueCTEs + `,
-- Each sum on its own: one numeric column added per row, not a union of
-- both sums each row of which adds a zero to the other (the numeric adds
-- are most of this query's work: tens of thousands of rows a period).
period AS (
    SELECT item_id, sum(amount) AS revenue FROM period_revenue GROUP BY item_id HAVING sum(n) > 0
), lifetime AS (
    SELECT item_id, sum(amount) AS lifetime FROM lifetime_revenue GROUP BY item_id
)
SELECT i.id AS item_id, i.name, coalesce(c.name, '') AS category, i.replacement_value, i.rate_hour, i.rate_day, i.rate_week,
       coalesce(u.hours_available, 0) AS hours_available, coalesce(u.hours_out, 0) AS hours_out,
       round(coalesce(p.revenue, 0))::bigint AS revenue, round(coalesce(lt.lifetime, 0))::bigint AS lifetime_revenue
FROM items i LEFT JOIN categories c ON c.id = i.category_id
LEFT JOIN util u ON u.item_id = i.id LEFT JOIN period p ON p.item_id = i.id LEFT JOIN lifetime lt ON lt.item_id = i.id
WHERE i.archived_at IS NULL AND (u.item_id IS NOT NULL OR p.item_id IS NOT NULL OR lt.item_id IS NOT NULL)
ORDER BY i.name, i.id`

// ListItemFigures is every item with stock or revenue: utilization over the
// local days [fromDay, toDay), revenue over [from, to), at one location (0: all).
func (s *Store) ListItemFigures(ctx context.Context, fromDay, toDay, from, to time.Time, locationID int64) ([]ItemFigures, error) {
	rows, err := s.itemFiguresWith(ctx, itemFiguresSQL, fromDay, toDay, from, to, locationID)
	if err != nil {
		return nil, fmt.Errorf("store: item figures: %w", classify(err))
	}
	return rows, nil
}

// itemFiguresWith runs q, itemFiguresSQL or a former form of it the tests
// compare it with, on ListItemFigures' arguments.
func (s *Store) itemFiguresWith(ctx context.Context, q string, fromDay, toDay, from, to time.Time, locationID int64) ([]ItemFigures, error) {
	var out []ItemFigures
	err := s.withoutParallel(ctx, func(tx *Store) error {
		args, err := tx.itemFiguresArgs(ctx, fromDay, toDay, from, to, locationID)
		if err != nil {
			return err
		}
		rows, err := tx.tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		return scanItemFigures(rows, &out)
	})
	return out, err
}

// itemFiguresArgs are itemFiguresSQL's arguments.
func (s *Store) itemFiguresArgs(ctx context.Context, fromDay, toDay, from, to time.Time, locationID int64) ([]any, error) {
	args, late, err := s.rolledRevenueArgs(ctx, from, to, locationID)
	if err != nil {
		return nil, err
	}
	return append(args, fromDay.Format(time.DateOnly), toDay.Format(time.DateOnly), late), nil
}

// itemFiguresNames are itemFiguresSQL's columns. Its rows are scanned by
// hand (rowscan.go): a period of a shop of 5,000 items is 5,000 rows, whose
// reflective scan was a third of the dashboard page's own CPU.
var itemFiguresNames = []string{"item_id", "name", "category", "replacement_value", "rate_hour", "rate_day", "rate_week",
	"hours_available", "hours_out", "revenue", "lifetime_revenue"}

func scanItemFigures(rows *sql.Rows, out *[]ItemFigures) error {
	return newRowScan(itemFiguresNames...).each(rows, func(r *rowScan) {
		var it ItemFigures
		it.ItemID = r.int64()
		it.Name = r.string()
		it.Category = r.string()
		it.ReplacementValue = r.int64()
		it.RateHour = r.optInt64()
		it.RateDay = r.optInt64()
		it.RateWeek = r.optInt64()
		it.HoursAvailable = r.float64()
		it.HoursOut = r.float64()
		it.Revenue = r.int64()
		it.LifetimeRevenue = r.int64()
		*out = append(*out, it)
	})
}

// UtilizationRow is unit-hours of one day (and location and item, in exports).
type UtilizationRow struct {
	Day            time.Time `db:"day"`
	Location       string    `db:"location"`
	Item           string    `db:"item"`
	HoursAvailable float64   `db:"hours_available"`
	HoursOut       float64   `db:"hours_out"`
}

// The charts over time read the per-location totals (migration 00089): a
// few rows a day, not one per item.
const utilizationByDaySQL = `
SELECT day, '' AS location, '' AS item, sum(hours_available) AS hours_available, sum(hours_out) AS hours_out
FROM utilization_daily_location WHERE day >= $1::date AND day < $2::date AND ($3 = 0 OR location_id = $3)
GROUP BY day ORDER BY day`

// ListUtilizationByDay sums the rollup per local day of [fromDay, toDay).
func (s *Store) ListUtilizationByDay(ctx context.Context, fromDay, toDay time.Time, locationID int64) ([]UtilizationRow, error) {
	var rows []UtilizationRow
	err := s.q.SelectContext(ctx, &rows, utilizationByDaySQL, fromDay.Format(time.DateOnly), toDay.Format(time.DateOnly), locationID)
	if err != nil {
		return nil, fmt.Errorf("store: utilization by day: %w", classify(err))
	}
	return rows, nil
}

const utilizationByLocationSQL = `
SELECT u.day, lo.name AS location, '' AS item, sum(u.hours_available) AS hours_available, sum(u.hours_out) AS hours_out
FROM utilization_daily_location u JOIN locations lo ON lo.id = u.location_id
WHERE u.day >= $1::date AND u.day < $2::date
GROUP BY u.day, lo.name, lo.id ORDER BY lo.name, lo.id, u.day`

// ListUtilizationByLocation sums the rollup per local day and location.
func (s *Store) ListUtilizationByLocation(ctx context.Context, fromDay, toDay time.Time) ([]UtilizationRow, error) {
	var rows []UtilizationRow
	err := s.q.SelectContext(ctx, &rows, utilizationByLocationSQL, fromDay.Format(time.DateOnly), toDay.Format(time.DateOnly))
	if err != nil {
		return nil, fmt.Errorf("store: utilization by location: %w", classify(err))
	}
	return rows, nil
}

const utilizationRowsSQL = `
SELECT u.day, lo.name AS location, i.name AS item, u.hours_available, u.hours_out
FROM utilization_daily u JOIN locations lo ON lo.id = u.location_id JOIN items i ON i.id = u.item_id
WHERE u.day >= $1::date AND u.day < $2::date AND ($3 = 0 OR u.location_id = $3)
ORDER BY u.day, lo.name, i.name, u.item_id`

// ListUtilizationRows is the rollup itself for [fromDay, toDay), for the CSV export.
func (s *Store) ListUtilizationRows(ctx context.Context, fromDay, toDay time.Time, locationID int64) ([]UtilizationRow, error) {
	var rows []UtilizationRow
	err := s.q.SelectContext(ctx, &rows, utilizationRowsSQL, fromDay.Format(time.DateOnly), toDay.Format(time.DateOnly), locationID)
	if err != nil {
		return nil, fmt.Errorf("store: utilization rows: %w", classify(err))
	}
	return rows, nil
}

// BookingExport is one booking of the bookings CSV.
type BookingExport struct {
	ID          int64      `db:"id"`
	Number      string     `db:"number"`
	Status      string     `db:"status"`
	Channel     string     `db:"channel"`
	Location    string     `db:"location"`
	Customer    string     `db:"customer"`
	Email       string     `db:"email"`
	CreatedAt   time.Time  `db:"created_at"`
	ConfirmedAt *time.Time `db:"confirmed_at"`
	CancelledAt *time.Time `db:"cancelled_at"`
	Lines       int        `db:"lines"`
	Total       int64      `db:"total"`
	Currency    string     `db:"currency"`
}

const exportBookingsSQL = `
SELECT b.id, b.number, b.status, CASE WHEN b.created_by IS NULL THEN 'online' ELSE 'desk' END AS channel,
       lo.name AS location, u.name AS customer, u.email::text AS email, b.created_at, b.confirmed_at, b.cancelled_at,
       (SELECT count(*) FROM booking_lines l WHERE l.booking_id = b.id) AS lines, b.total, b.currency
FROM bookings b JOIN locations lo ON lo.id = b.location_id JOIN users u ON u.id = b.customer_id
WHERE b.created_at >= $1 AND b.created_at < $2 AND ($3 = 0 OR b.location_id = $3) AND b.status <> 'cart'
  AND b.id > $4
ORDER BY b.id
LIMIT $5`

// ExportBookings pages through the bookings made in [from, to) by id.
func (s *Store) ExportBookings(ctx context.Context, from, to time.Time, locationID, afterID int64, limit int) ([]BookingExport, error) {
	var rows []BookingExport
	if err := s.q.SelectContext(ctx, &rows, exportBookingsSQL, from, to, locationID, afterID, limit); err != nil {
		return nil, fmt.Errorf("store: export bookings: %w", classify(err))
	}
	return rows, nil
}

// PaymentExport is one payment or refund of the payments CSV.
type PaymentExport struct {
	ID         int64     `db:"id"`
	At         time.Time `db:"at"`
	Booking    string    `db:"booking"`
	Location   string    `db:"location"`
	Customer   string    `db:"customer"`
	Kind       string    `db:"kind"`
	Method     string    `db:"method"`
	Status     string    `db:"status"`
	Amount     int64     `db:"amount"`
	Currency   string    `db:"currency"`
	Reference  string    `db:"reference"`
	RecordedBy string    `db:"recorded_by"`
}

const exportPaymentsSQL = `
SELECT e.id, e.created_at AS at, b.number AS booking, lo.name AS location, u.name AS customer, e.kind, e.method, e.status,
       CASE e.kind WHEN 'refund' THEN -e.amount ELSE e.amount END AS amount, e.currency, e.reference,
       coalesce(r.name, '') AS recorded_by
FROM ledger_entries e JOIN bookings b ON b.id = e.booking_id JOIN locations lo ON lo.id = b.location_id
JOIN users u ON u.id = b.customer_id LEFT JOIN users r ON r.id = e.recorded_by
WHERE e.kind IN ('payment', 'refund') AND e.created_at >= $1 AND e.created_at < $2 AND ($3 = 0 OR b.location_id = $3)
  AND e.id > $4
ORDER BY e.id
LIMIT $5`

// ExportPayments pages through the payments and refunds (whatever their
// status) recorded in [from, to) by id; refunds carry a negative amount.
func (s *Store) ExportPayments(ctx context.Context, from, to time.Time, locationID, afterID int64, limit int) ([]PaymentExport, error) {
	var rows []PaymentExport
	if err := s.q.SelectContext(ctx, &rows, exportPaymentsSQL, from, to, locationID, afterID, limit); err != nil {
		return nil, fmt.Errorf("store: export payments: %w", classify(err))
	}
	return rows, nil
}
