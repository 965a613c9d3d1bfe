package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"
)

// Internals the external tests compare against.
var LikeEscapeForTest = likeEscape

const SearchFewCustomersForTest = searchFewCustomers

// StartCacheForTest starts the cache with a dialer the test controls, and
// quick reconnection attempts.
func (s *Store) StartCacheForTest(url string, d pq.Dialer) {
	s.StartCache(url, CacheOptions{MinReconnect: 20 * time.Millisecond, MaxReconnect: 200 * time.Millisecond, dialer: d})
}

// ListPublicItemsGeneralForTest runs the general form of the public list,
// whatever the filter's shape.
func (s *Store) ListPublicItemsGeneralForTest(ctx context.Context, f PublicFilter) ([]ItemListRow, error) {
	if f.Limit <= 0 {
		f.Limit = 24
	}
	var rows []ItemListRow
	err := s.listPublicItemsGeneral(ctx, &rows, f)
	return rows, err
}

// PublicItemsShapeForTest says whether a filter runs as a fixed text.
func PublicItemsShapeForTest(f PublicFilter) bool {
	q, _ := publicItemsShape(f)
	return q != ""
}

// The hand-scanned queries read through sqlx, as they were before the hand
// scans (rowscan.go), for a test to compare.

func (s *Store) ListAvailabilityBySqlxForTest(ctx context.Context, q AvailabilityQuery) ([]ItemAvailability, error) {
	var out []ItemAvailability
	var err error
	switch {
	case len(q.ItemIDs) == 1:
		err = s.prepared().SelectContext(ctx, &out, availabilityItemSQL, q.LocationID, q.From, q.To, q.Now, q.Hidden, q.ItemIDs[0])
	case q.ItemIDs != nil:
		err = s.prepared().SelectContext(ctx, &out, availabilityOfSQL, q.LocationID, q.From, q.To, q.Now, q.Hidden, pq.Array(q.ItemIDs))
	default:
		err = s.prepared().SelectContext(ctx, &out, availabilityPageSQL, q.LocationID, q.From, q.To, q.Now, q.Hidden, q.AfterID, q.Limit)
	}
	return out, err
}

// itemCalendarPerDaySQL is the item calendar as it was asked before its
// allocations were read once for all the days: the units' allocations looked
// up day by day (unitBusy). TestItemCalendarAgreesWithPerDay holds the two
// forms to the same answers.
var itemCalendarPerDaySQL = `
SELECT d.n::int AS day,
       CASE WHEN i.tracking = 'serialized' THEN coalesce(u.total, 0) ELSE coalesce(bs.quantity, 0) END AS capacity,
       CASE WHEN i.tracking = 'serialized' THEN (
           SELECT count(*)::int FROM units un
           WHERE un.item_id = i.id AND un.location_id = $2 AND un.status = 'available'
             AND NOT ` + unitBusy("un.id", `tstzrange(d.s - make_interval(mins => i.buffer_before_minutes),
                                   d.e + make_interval(mins => i.buffer_after_minutes))`, "$5") + `)
       ELSE greatest(coalesce(bs.quantity, 0) - bulk_peak(i.id, $2,
                tstzrange(d.s - make_interval(mins => i.buffer_before_minutes),
                          d.e + make_interval(mins => i.buffer_after_minutes)), $5, 0), 0)
       END AS free
FROM items i
LEFT JOIN LATERAL (
    SELECT count(*)::int AS total FROM units un
    WHERE un.item_id = i.id AND un.location_id = $2 AND un.status = 'available'
) u ON i.tracking = 'serialized'
LEFT JOIN bulk_stock bs ON bs.item_id = i.id AND bs.location_id = $2
CROSS JOIN unnest($3::timestamptz[], $4::timestamptz[]) WITH ORDINALITY AS d(s, e, n)
WHERE i.id = $1 AND i.archived_at IS NULL
ORDER BY d.n`

// ItemCalendarPerDayForTest answers as ItemCalendar did with the per-day
// form (itemCalendarPerDaySQL).
func (s *Store) ItemCalendarPerDayForTest(ctx context.Context, itemID, locationID int64, days []Span, now time.Time) (free []int, capacity int, err error) {
	starts := make([]string, len(days))
	ends := make([]string, len(days))
	for i, d := range days {
		starts[i] = d.From.UTC().Format(time.RFC3339Nano)
		ends[i] = d.To.UTC().Format(time.RFC3339Nano)
	}
	var rows []struct {
		Day      int `db:"day"`
		Capacity int `db:"capacity"`
		Free     int `db:"free"`
	}
	if err := s.q.SelectContext(ctx, &rows, itemCalendarPerDaySQL, itemID, locationID, pq.Array(starts), pq.Array(ends), now); err != nil {
		return nil, 0, err
	}
	if len(rows) == 0 && len(days) > 0 {
		return nil, 0, ErrNotFound
	}
	for _, r := range rows {
		free = append(free, r.Free)
		capacity = r.Capacity
	}
	return free, capacity, nil
}

func (s *Store) ItemCalendarBySqlxForTest(ctx context.Context, itemID, locationID int64, days []Span, now time.Time) (free []int, capacity int, err error) {
	starts := make([]string, len(days))
	ends := make([]string, len(days))
	for i, d := range days {
		starts[i] = d.From.UTC().Format(time.RFC3339Nano)
		ends[i] = d.To.UTC().Format(time.RFC3339Nano)
	}
	var rows []struct {
		Day      int `db:"day"`
		Capacity int `db:"capacity"`
		Free     int `db:"free"`
	}
	if err := s.prepared().SelectContext(ctx, &rows, itemCalendarSQL, itemID, locationID, pq.Array(starts), pq.Array(ends), now); err != nil {
		return nil, 0, err
	}
	free = make([]int, len(rows))
	for i, r := range rows {
		free[i] = r.Free
		capacity = r.Capacity
	}
	return free, capacity, nil
}

// formerListLinesForSQL is listLinesForSQL as it was, comparing the array
// parameter directly (planned again on every call), the reference the
// sub-select form must equal.
const formerListLinesForSQL = `
SELECT l.id, l.booking_id, l.item_id, i.name AS item_name, i.tracking, l.quantity, l.starts_at, l.ends_at,
       l.picked_up_at, l.returned_at, l.unit_price, l.line_total, l.price_breakdown
FROM booking_lines l JOIN items i ON i.id = l.item_id
WHERE l.booking_id = ANY($1::bigint[])
ORDER BY l.booking_id, l.id`

// formerListCustomerBookingsSQL is a customer's page of bookings as it
// was read before the page and its lines were one statement.
const formerListCustomerBookingsSQL = `SELECT ` + bookingColumns + bookingFrom + `
WHERE b.customer_id = $1 AND b.id < $2
ORDER BY b.id DESC
LIMIT $3`

// ListCustomerBookingsBySqlxForTest reads a customer's page of bookings
// (without their lines) through sqlx, and the lines of those bookings by
// the former form of the lines' query.
func (s *Store) ListCustomerBookingsBySqlxForTest(ctx context.Context, customerID int64, limit int) ([]Booking, []BookingLine, error) {
	var bs []Booking
	if err := s.q.SelectContext(ctx, &bs, formerListCustomerBookingsSQL, customerID, int64(math.MaxInt64), limit); err != nil {
		return nil, nil, err
	}
	ids := make([]int64, len(bs))
	for i, b := range bs {
		ids[i] = b.ID
	}
	var lines []BookingLine
	if err := s.q.SelectContext(ctx, &lines, formerListLinesForSQL, int64Array(ids)); err != nil {
		return nil, nil, err
	}
	return bs, lines, nil
}

func (s *Store) ListBookingsBySqlxForTest(ctx context.Context, limit int) ([]BookingSummary, error) {
	var out []BookingSummary
	err := s.prepared().SelectContext(ctx, &out, allBookingsText(limit), int64(math.MaxInt64))
	return out, err
}

// ListItemFiguresBySqlxForTest is ListItemFigures read by sqlx, as before
// its rows were scanned by hand.
func (s *Store) ListItemFiguresBySqlxForTest(ctx context.Context, fromDay, toDay, from, to time.Time, locationID int64) ([]ItemFigures, error) {
	var out []ItemFigures
	err := s.withoutParallel(ctx, func(tx *Store) error {
		args, err := tx.itemFiguresArgs(ctx, fromDay, toDay, from, to, locationID)
		if err != nil {
			return err
		}
		return tx.q.SelectContext(ctx, &out, itemFiguresSQL, args...)
	})
	return out, err
}

// itemUtilByDaysCTE is the item figures' hours as they were read before the
// running totals: every day of the period summed from utilization_daily.
const itemUtilByDaysCTE = `util AS (
    SELECT item_id, sum(hours_available) AS hours_available, sum(hours_out) AS hours_out
    FROM utilization_daily WHERE day >= $5::date AND day < $6::date AND ($3 = 0 OR location_id = $3)
    GROUP BY item_id
)`

// ListItemFiguresByDaysForTest is ListItemFigures with the hours summed
// from the daily rows, the reference the running totals must equal.
func (s *Store) ListItemFiguresByDaysForTest(ctx context.Context, fromDay, toDay, from, to time.Time, locationID int64) ([]ItemFigures, error) {
	q := strings.Replace(itemFiguresSQL, itemUtilCTE, itemUtilByDaysCTE, 1)
	if q == itemFiguresSQL {
		return nil, fmt.Errorf("item figures: no hours to replace")
	}
	return s.itemFiguresWith(ctx, q, fromDay, toDay, from, to, locationID)
}

// auditLabelOneSQL is how the audit labels were asked before they became one
// statement: one query per entity type.
var auditLabelOneSQL = map[string]string{
	"user":     `SELECT id::text AS id, name AS label FROM users WHERE id = ANY($1)`,
	"item":     `SELECT id::text AS id, name AS label FROM items WHERE id = ANY($1)`,
	"booking":  `SELECT id::text AS id, number AS label FROM bookings WHERE id = ANY($1)`,
	"location": `SELECT id::text AS id, name AS label FROM locations WHERE id = ANY($1)`,
	"category": `SELECT id::text AS id, name AS label FROM categories WHERE id = ANY($1)`,
	"unit": `SELECT u.id::text AS id, u.asset_tag || ' (' || i.name || ')' AS label
	           FROM units u JOIN items i ON i.id = u.item_id WHERE u.id = ANY($1)`,
}

// AuditLabelsOneByOneForTest is AuditLabels asked one query per type, as
// before, for the agreement test.
func (s *Store) AuditLabelsOneByOneForTest(ctx context.Context, ids map[string][]string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for typ, list := range ids {
		q, ok := auditLabelOneSQL[typ]
		if !ok {
			continue
		}
		var nums []int64
		for _, id := range list {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				nums = append(nums, n)
			}
		}
		var rows []struct {
			ID    string `db:"id"`
			Label string `db:"label"`
		}
		if err := s.q.SelectContext(ctx, &rows, q, int64Array(nums)); err != nil {
			return nil, err
		}
		out[typ] = map[string]string{}
		for _, r := range rows {
			out[typ][r.ID] = r.Label
		}
	}
	return out, nil
}

// ListAuditGeneralForTest runs the audit page's general form (every filter
// optional) unprepared, the reference the unfiltered page must equal.
func (s *Store) ListAuditGeneralForTest(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	var es []AuditEntry
	err := s.q.SelectContext(ctx, &es, listAuditSQL, f.ActorID, f.EntityType, f.Action, f.BeforeID, f.Limit)
	return es, err
}

// formerListAllBookingsSQL is the unfiltered staff list as it was, each
// booking's dates read by a lookup of its lines, the reference the range
// form (listAllBookingsSQL) must equal.
const formerListAllBookingsSQL = bookingSummarySelect + `
WHERE b.id < $1
ORDER BY b.id DESC
LIMIT $2`

// ListBookingsFormerForTest reads a page of the unfiltered staff list by
// its former form, unprepared.
func (s *Store) ListBookingsFormerForTest(ctx context.Context, before int64, limit int) ([]BookingSummary, error) {
	if before == 0 {
		before = math.MaxInt64
	}
	var out []BookingSummary
	err := s.q.SelectContext(ctx, &out, formerListAllBookingsSQL, before, limit)
	return out, err
}

// ListCustomerBookingsFormerForTest reads a customer's page of bookings as
// ListCustomerBookings did before it was one statement: the page, then the
// page's lines by the former lines' query, each line given to its booking.
func (s *Store) ListCustomerBookingsFormerForTest(ctx context.Context, customerID, before int64, limit int) ([]Booking, error) {
	if before == 0 {
		before = math.MaxInt64
	}
	var bs []Booking
	if err := s.q.SelectContext(ctx, &bs, formerListCustomerBookingsSQL, customerID, before, limit); err != nil {
		return nil, err
	}
	if len(bs) == 0 {
		return bs, nil
	}
	ids := make([]int64, len(bs))
	for i, b := range bs {
		ids[i] = b.ID
	}
	var lines []BookingLine
	if err := s.q.SelectContext(ctx, &lines, formerListLinesForSQL, int64Array(ids)); err != nil {
		return nil, err
	}
	for _, l := range lines {
		for i := range bs {
			if bs[i].ID == l.BookingID {
				bs[i].Lines = append(bs[i].Lines, l)
			}
		}
	}
	return bs, nil
}

// availabilityOfFormerSQL is availabilityOfSQL with the former rule for a
// unit: every unit's open check-outs probed one by one (unitBusy).
var availabilityOfFormerSQL = availabilitySQLWith(unitBusy, `i.id = ANY((SELECT $6::bigint[])::bigint[])`, ``)

// ListAvailabilityOfManyForTest answers as ListAvailability does for the
// items q.ItemIDs when they are more than fewItems (availabilityOfSQL),
// whatever their number.
func (s *Store) ListAvailabilityOfManyForTest(ctx context.Context, q AvailabilityQuery) ([]ItemAvailability, error) {
	var out []ItemAvailability
	err := s.prepared().Query(ctx, availabilityOfSQL, []any{q.LocationID, q.From, q.To, q.Now, q.Hidden, pq.Array(q.ItemIDs)},
		func(rows *sql.Rows) error { return scanAvailability(rows, &out, len(q.ItemIDs)) })
	return out, err
}

// ListAvailabilityFormerForTest answers as ListAvailability did for the items
// q.ItemIDs before units were checked for open check-outs all at once.
func (s *Store) ListAvailabilityFormerForTest(ctx context.Context, q AvailabilityQuery) ([]ItemAvailability, error) {
	var out []ItemAvailability
	rows, err := s.db.QueryContext(ctx, availabilityOfFormerSQL, q.LocationID, q.From, q.To, q.Now, q.Hidden, pq.Array(q.ItemIDs))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if err := scanAvailability(rows, &out, len(q.ItemIDs)); err != nil {
		return nil, err
	}
	return out, rows.Err()
}

// itemRevenueByDaysCTEs is rolledRevenueCTEs as it read the rolled days
// before the running totals (migration 00163): each item's rows of
// revenue_daily over the period's rolled days; its lifetime money is summed
// from the whole ledger. The reference the running totals must equal.
const itemRevenueByDaysCTEs = `), period_revenue AS (
    SELECT r.item_id, r.amount, 1 AS n FROM pieces p
    CROSS JOIN LATERAL (SELECT r.item_id, r.amount FROM live_revenue r
                        WHERE r.at >= p.a AND r.at < p.b AND r.location_id = p.location_id) r
    UNION ALL
    SELECT r.item_id, r.amount, 1 FROM late r JOIN bounds b ON b.location_id = r.location_id
    WHERE (r.at >= b.lo_at AND r.at < b.hi_at)
       OR EXISTS (SELECT 1 FROM edges e WHERE e.location_id = b.location_id AND r.at >= e.qa AND r.at < e.qb)
    UNION ALL
    SELECT q.item_id, q.amount, 1 FROM edges e
    JOIN revenue_item_quarter q ON q.location_id = e.location_id AND q.at >= e.qa AND q.at < e.qb
    UNION ALL
    SELECT d.item_id, d.amount, 1 FROM bounds b
    JOIN revenue_daily d ON d.location_id = b.location_id AND d.day >= b.lo AND d.day < b.hi
), lifetime_revenue AS (
    -- The whole ledger's split ($4, where the figures' lifetime range of
    -- the ledger starts, is not needed).
    SELECT r.item_id, r.amount FROM live_revenue r JOIN bounds b ON b.location_id = r.location_id
    WHERE $4::timestamptz IS NOT NULL
)`

// ListItemFiguresByDailyRevenueForTest is ListItemFigures with the rolled
// days' money summed from revenue_daily, as before the running totals, and
// the lifetime money from the whole ledger.
func (s *Store) ListItemFiguresByDailyRevenueForTest(ctx context.Context, fromDay, toDay, from, to time.Time, locationID int64) ([]ItemFigures, error) {
	i := strings.Index(rolledRevenueCTEs, "), running_days AS MATERIALIZED (")
	if i < 0 {
		return nil, fmt.Errorf("item figures: no running totals to replace")
	}
	q := strings.Replace(itemFiguresSQL, rolledRevenueCTEs, rolledRevenueCTEs[:i]+itemRevenueByDaysCTEs, 1)
	if q == itemFiguresSQL {
		return nil, fmt.Errorf("item figures: no revenue to replace")
	}
	return s.itemFiguresWith(ctx, q, fromDay, toDay, from, to, locationID)
}

// getBooking reads a booking by query (its columns), then its lines, then
// their units: three statements, as LockBooking and GetBooking once did.
func (s *Store) getBooking(ctx context.Context, query string, id int64) (Booking, error) {
	var b Booking
	if err := s.prepared().GetContext(ctx, &b, query, id); err != nil {
		return Booking{}, fmt.Errorf("store: get booking %d: %w", id, classify(err))
	}
	lines, err := s.bookingLines(ctx, id)
	if err != nil {
		return Booking{}, err
	}
	b.Lines = lines
	return b, nil
}

const bookingLinesSQL = `
SELECT l.id, l.booking_id, l.item_id, i.name AS item_name, i.tracking, l.quantity, l.starts_at, l.ends_at,
       l.picked_up_at, l.returned_at, l.unit_price, l.line_total, l.price_breakdown
FROM booking_lines l JOIN items i ON i.id = l.item_id
WHERE l.booking_id = $1
ORDER BY l.id`

const lineUnitsSQL = `
SELECT a.id AS allocation_id, a.booking_line_id, a.unit_id, u.asset_tag, a.picked_up_at, a.returned_at
FROM unit_allocations a
JOIN units u ON u.id = a.unit_id
JOIN booking_lines l ON l.id = a.booking_line_id
WHERE l.booking_id = $1 AND a.active
ORDER BY a.booking_line_id, u.asset_tag`

func (s *Store) bookingLines(ctx context.Context, bookingID int64) ([]BookingLine, error) {
	var lines []BookingLine
	if err := s.prepared().SelectContext(ctx, &lines, bookingLinesSQL, bookingID); err != nil {
		return nil, fmt.Errorf("store: booking lines %d: %w", bookingID, classify(err))
	}
	var units []LineUnit
	if err := s.prepared().SelectContext(ctx, &units, lineUnitsSQL, bookingID); err != nil {
		return nil, fmt.Errorf("store: booking units %d: %w", bookingID, classify(err))
	}
	for _, u := range units {
		for i := range lines {
			if lines[i].ID == u.LineID {
				lines[i].Units = append(lines[i].Units, u)
			}
		}
	}
	return lines, nil
}

// GetBookingFormerForTest reads a booking as GetBooking did before it was
// one statement: the booking, its lines, then their units (LockBooking's
// three statements without the lock).
// The location's address, which GetBooking reads beside, is read on its own.
func (s *Store) GetBookingFormerForTest(ctx context.Context, id int64) (Booking, error) {
	b, err := s.getBooking(ctx, getBookingSQL, id)
	if err != nil {
		return b, err
	}
	err = s.q.GetContext(ctx, &b.LocationAddress, `SELECT address FROM locations WHERE id = $1`, b.LocationID)
	return b, err
}

// ListFunnelAsOfForTest reads the funnel with the rollup's ends read
// earlier (rolledTo, quartersTo), as a reader does when a run commits
// between its two statements.
func (s *Store) ListFunnelAsOfForTest(ctx context.Context, from, to time.Time, locationID int64, rolledTo, quartersTo time.Time) ([]Funnel, error) {
	lo, hi := funnelDays(from, to, rolledTo)
	qlo, qhi := funnelQuarters(from, to, hi, rolledTo, quartersTo)
	var rows []Funnel
	err := s.q.SelectContext(ctx, &rows, funnelSQL, from, to, locationID, lo, hi, qlo, qhi)
	return rows, err
}

// DeskRowsForTest reads the rows of the desk lines query for q twice: by
// the hand scan, and through sqlx as the board read them before it (NULL
// emails and phones as "").
func (s *Store) DeskRowsForTest(ctx context.Context, q DeskQuery) (hand, bySqlx []deskRow, err error) {
	per := q.PerPage
	if per <= 0 {
		per = math.MaxInt32
	}
	args := []any{q.LocationID, q.DayStart, q.DayEnd, q.Now, per, q.Skip[DeskPickup], q.Skip[DeskReturn], q.Skip[DeskOverdue], q.HoldsUntil}
	err = s.withoutParallel(ctx, func(tx *Store) error {
		if err := tx.prepared().Query(ctx, listDeskLinesSQL, args,
			func(r *sql.Rows) error { return scanDeskRows(r, &hand) }); err != nil {
			return err
		}
		return tx.q.SelectContext(ctx, &bySqlx, `SELECT kind, rn, total, booking_id, number, customer_name,
       coalesce(customer_email, '') AS customer_email, coalesce(customer_phone, '') AS customer_phone,
       line_id, item_name, quantity, starts_at, ends_at, units, holds
FROM (`+listDeskLinesSQL+`) x`, args...)
	})
	return hand, bySqlx, err
}

// ExpireHoldsSQLForTest is the periodic expiry's statement, whose plan a
// test reads.
const ExpireHoldsSQLForTest = expireHoldsSQL

// WithoutDeskPoolForTest is s as a store without a desk pool: it reads the
// desk board on the main pool, in a transaction that sets the plan settings.
func (s *Store) WithoutDeskPoolForTest() *Store {
	c := *s
	c.desk = nil
	return &c
}

// PlanSettingsForTest shows the two settings the desk board's reads need
// (max_parallel_workers_per_gather, plan_cache_mode) on a connection of
// the desk pool (desk) or of the main pool.
func (s *Store) PlanSettingsForTest(ctx context.Context, desk bool) (string, error) {
	p := s
	if desk {
		p = s.desk
	}
	var v string
	err := p.q.GetContext(ctx, &v, `SELECT current_setting('max_parallel_workers_per_gather') || ' ' || current_setting('plan_cache_mode')`)
	return v, err
}
