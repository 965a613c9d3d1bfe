package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/lib/pq"
)

// ItemAvailability is an item with how much of it a location has and how much
// is free for a period (each item's window widened by its own buffers).
type ItemAvailability struct {
	BookableItem
	Capacity int `db:"capacity"`
	Free     int `db:"free"`
}

// AvailabilityQuery asks what is free at a location for [From, To) at Now.
type AvailabilityQuery struct {
	LocationID int64
	From, To   time.Time
	Now        time.Time
	// Hidden includes items customers cannot book online (for staff).
	Hidden bool
	// ItemIDs narrows the answer to some items (nil = all).
	ItemIDs []int64
	// AfterID pages by name: only items after this one (0 = from the first).
	AfterID int64
	// Limit is the most items answered (0 = all).
	Limit int
}

// unitBusy is the SQL condition "an allocation keeps unit busy in window
// win at instant at", by the schema's one rule (allocation_blocks). The rule
// alone hides the window from the planner, which then reads each unit's whole
// history; so it is asked in two halves an index can answer: allocations
// overlapping the window (the GiST index on unit and range) and open
// check-outs (few, and the only ones that can block outside their range).
func unitBusy(unit, win, at string) string {
	blocks := `allocation_blocks(a.occupied, a.due_at, a.picked_up_at, a.returned_at, a.hold_expires_at, ` + win + `, ` + at + `)`
	return `(EXISTS (SELECT 1 FROM unit_allocations a
                WHERE a.unit_id = ` + unit + ` AND a.active AND a.occupied && ` + win + ` AND ` + blocks + `)
         OR EXISTS (SELECT 1 FROM unit_allocations a
                WHERE a.unit_id = ` + unit + ` AND a.active AND a.picked_up_at IS NOT NULL AND a.returned_at IS NULL
                  AND ` + blocks + `))`
}

// unitWindowBusy is unitBusy's first half, "an allocation overlapping the
// window blocks the unit", asked of the btree index of migration 00159 on
// each unit's allocations by end, then start, instead of the GiST index:
// a unit's active allocations never overlap (the exclusion constraint), so
// the index bounds, which every allocation overlapping the window meets,
// leave only those overlapping it, and a unit's past stays before where
// the scan starts. The GiST probe read as many pages but tested every key
// on each (about five times the CPU on the large benchmark shop, and it
// grew with the history). The overlap itself is not written out: the
// planner would take the GiST index for it; allocation_blocks tests it,
// and where it lets an open check-out block outside its range, the second
// half finds that allocation too, so the union is unitBusy's.
func unitWindowBusy(unit, win, at string) string {
	blocks := `allocation_blocks(a.occupied, a.due_at, a.picked_up_at, a.returned_at, a.hold_expires_at, ` + win + `, ` + at + `)`
	return `EXISTS (SELECT 1 FROM unit_allocations a
                WHERE a.unit_id = ` + unit + ` AND a.active
                  AND coalesce(upper(a.occupied), 'infinity'::timestamptz) >= coalesce(lower(` + win + `), '-infinity'::timestamptz)
                  AND coalesce(lower(a.occupied), '-infinity'::timestamptz) <= coalesce(upper(` + win + `), 'infinity'::timestamptz)
                  AND ` + blocks + `)`
}

// unitBusyOfOne is unitBusy for the units of one item (the item page, a
// one-line cart): the first half by unitWindowBusy, the second by a probe of
// each unit's open check-outs, since for a few units that is cheaper than
// unitBusyOfMany's read of every unit an open check-out can keep busy (about
// 100 of the one item's 115 buffers on the large benchmark shop).
func unitBusyOfOne(unit, win, at string) string {
	blocks := `allocation_blocks(a.occupied, a.due_at, a.picked_up_at, a.returned_at, a.hold_expires_at, ` + win + `, ` + at + `)`
	return `(` + unitWindowBusy(unit, win, at) + `
         OR EXISTS (SELECT 1 FROM unit_allocations a
                WHERE a.unit_id = ` + unit + ` AND a.active AND a.picked_up_at IS NOT NULL AND a.returned_at IS NULL
                  AND ` + blocks + `))`
}

// unitBusyOfMany is unitBusy for many units at one instant (a page of items):
// the first half by unitWindowBusy, the second asked only of the units that an open
// check-out can keep busy outside its range. Such a check-out is past its
// due time at the instant or was handed out before its range starts: for
// any other one, allocation_blocks tests the range itself (an endless one
// included), which the first half finds. Those units are read once for the whole query (an uncorrelated
// IN, hashed) from the index of migration 00143, by index alone, instead of
// one probe of each unit's open check-outs (2 to 3 buffers a unit).
func unitBusyOfMany(unit, win, at string) string {
	blocks := `allocation_blocks(a.occupied, a.due_at, a.picked_up_at, a.returned_at, a.hold_expires_at, ` + win + `, ` + at + `)`
	return `(` + unitWindowBusy(unit, win, at) + `
         OR ` + unit + ` IN (SELECT o.unit_id FROM unit_allocations o
                WHERE o.active AND o.picked_up_at IS NOT NULL AND o.returned_at IS NULL
                  AND (CASE WHEN o.picked_up_at < lower(o.occupied) THEN '-infinity'::timestamptz ELSE o.due_at END) <= ` + at + `)
            AND EXISTS (SELECT 1 FROM unit_allocations a
                WHERE a.unit_id = ` + unit + ` AND a.active AND a.picked_up_at IS NOT NULL AND a.returned_at IS NULL
                  AND ` + blocks + `))`
}

// availabilitySQL counts, per item, the units at location $1 free for the
// period [$2, $3) widened by the item's buffers at instant $4, or for bulk
// items the stock left after the peak use; $5 includes items customers cannot
// book online. filter narrows the items and tail orders and limits them.
//
// Each item reads only its own kind of stock: the units of a serialized
// item, the bulk_stock row of a bulk one. The lateral subqueries test the
// item's tracking themselves (a one-time filter, no index probe), since a
// join condition on it was tested only after the probe: a /book page of 51
// serialized items probed bulk_stock 51 times for nothing (102 of its 836
// buffers). OFFSET 0 keeps the bulk_stock subquery from being flattened
// into a join, which would lose that.
//
// The query is planned in more time than it runs, so it runs prepared (a
// generic plan, made once per connection). That is why it comes in one text
// per shape (some items; a page of all) instead of one text with optional
// filters: a generic plan of "$6 IS NULL OR i.id = ANY($6)" would have to
// serve both.
func availabilitySQL(filter, tail string) string {
	return availabilitySQLWith(unitBusyOfMany, filter, tail)
}

// availabilitySQLWith is availabilitySQL with busy as its rule for a unit.
func availabilitySQLWith(busy func(unit, win, at string) string, filter, tail string) string {
	return availabilitySQLOf(bookableItemColumns, busy, filter, tail)
}

// availabilitySQLOf is availabilitySQLWith answering the item columns cols
// before capacity and free.
func availabilitySQLOf(cols string, busy func(unit, win, at string) string, filter, tail string) string {
	return `
SELECT ` + cols + `,
       CASE WHEN i.tracking = 'serialized' THEN coalesce(u.total, 0) ELSE coalesce(b.quantity, 0) END AS capacity,
       CASE WHEN i.tracking = 'serialized' THEN coalesce(u.free, 0)
            ELSE greatest(coalesce(b.quantity, 0) - bulk_peak(i.id, $1,
                     tstzrange($2::timestamptz - make_interval(mins => i.buffer_before_minutes),
                               $3::timestamptz + make_interval(mins => i.buffer_after_minutes)), $4, 0), 0)
       END AS free
FROM items i
LEFT JOIN LATERAL (
    SELECT count(*)::int AS total,
           (count(*) FILTER (WHERE NOT ` + busy("un.id", `tstzrange($2::timestamptz - make_interval(mins => i.buffer_before_minutes),
                                 $3::timestamptz + make_interval(mins => i.buffer_after_minutes))`, "$4") + `))::int AS free
    FROM units un
    WHERE i.tracking = 'serialized' AND un.item_id = i.id AND un.location_id = $1 AND un.status = 'available'
) u ON true
LEFT JOIN LATERAL (
    SELECT bs.quantity FROM bulk_stock bs
    WHERE i.tracking = 'bulk' AND bs.item_id = i.id AND bs.location_id = $1
    OFFSET 0
) b ON true
WHERE i.archived_at IS NULL AND ($5::boolean OR i.online_bookable)
  AND ` + filter + `
ORDER BY lower(i.name), i.id` + tail
}

// The texts below keep the planner's estimates independent of the values of
// the item list and the page's limit: PostgreSQL switches a prepared statement
// to its generic plan only when that plan's estimate is no worse than the
// custom plans' it made for the first calls, and a custom plan that sees "51
// items" or "one id in the list" always looks cheaper than the generic one,
// which must assume 10% of the rows or 10 ids. Then every call is planned
// again: with 5,000 items /book and the item page planned their availability
// on every request, which cost about as long as running it. Read through a
// sub-select, the value is unknown to every plan alike, so the generic plan
// is taken after the first five calls, as for the other hot queries.

// availabilityOfSQL: the items $6 only (a list of any length).
var availabilityOfSQL = availabilitySQL(`i.id = ANY((SELECT $6::bigint[])::bigint[])`, ``)

// fewItems is the most items availabilityFewSQL and availabilityPageFewSQL
// answer; longer lists and pages take availabilityOfSQL and
// availabilityPageSQL.
//
// Below it each unit probes its own open check-outs (unitBusyOfOne) instead
// of unitBusyOfMany's read of every unit an open check-out can keep busy,
// which costs the same whatever the list's length: on the large benchmark
// shop (two units an item at a location) 515 index entries, 240 of them
// checked in the table, and their hash. The probes read more
// buffers (a catalog page of 24 items 334 against 281, a /book page of 51
// items 596 against 483) for less of the backend's CPU (generic plans, jit
// off, 24 items 481 to 339 µs a call, 51 items 588 to 473, 100 items 1,265
// to 1,088); the two cost the same at about 200 items (400 units), so the
// limit leaves room for shops with a few more units an item.
const fewItems = 64

// availabilityFewSQL: the items $6 when they are few (a catalog page, a
// cart): each unit probes its own open check-outs (unitBusyOfOne), as for
// one item.
var availabilityFewSQL = availabilitySQLWith(unitBusyOfOne, `i.id = ANY((SELECT $6::bigint[])::bigint[])`, ``)

// availabilityItemSQL: the one item $6 (the item page, a one-line cart):
// its generic plan is the exact one-row lookup, where the list's would read
// as if there were 10 items; its few units probe their own open check-outs
// (unitBusyOfOne).
var availabilityItemSQL = availabilitySQLWith(unitBusyOfOne, `i.id = $6::bigint`, ``)

// availabilityPageSQL: every item by name after item $6 (0: from the first),
// at most $7 of them (0: all). "From the first" is asked through a
// sub-select too: a custom plan for a later page dropped "$6 = 0" as false
// and so looked cheaper than the generic plan, which must keep it, and a
// later page was planned again on every call.
var availabilityPageSQL = availabilitySQL(availabilityPageFilter, availabilityPageTail)

const (
	availabilityPageFilter = `((SELECT $6::bigint = 0) OR (lower(i.name), i.id) > (SELECT lower(p.name), p.id FROM items p WHERE p.id = $6))`
	availabilityPageTail   = `
LIMIT (SELECT CASE WHEN $7::int > 0 THEN $7::int END)`
)

// availabilityPageFewSQL: availabilityPageSQL for a page of at most fewItems
// items (/book's), each unit probing its own open check-outs (unitBusyOfOne).
var availabilityPageFewSQL = availabilitySQLWith(unitBusyOfOne, availabilityPageFilter, availabilityPageTail)

// freeFewSQL and freeOfSQL are availabilityFewSQL and availabilityOfSQL
// answering only each item's id, capacity and free count (ListFree).
var (
	freeFewSQL = availabilitySQLOf(`i.id`, unitBusyOfOne, `i.id = ANY((SELECT $6::bigint[])::bigint[])`, ``)
	freeOfSQL  = availabilitySQLOf(`i.id`, unitBusyOfMany, `i.id = ANY((SELECT $6::bigint[])::bigint[])`, ``)
)

// ItemFree is how many of an item a location has and how many are free for
// a period: ItemAvailability without the item.
type ItemFree struct {
	ID       int64
	Capacity int
	Free     int
}

// ListFree answers what ListAvailability answers for the items q.ItemIDs,
// without the items: for a page that already holds them (the catalog, from
// the public item list) and only needs the counts. Each row of
// ListAvailability carries 15 item columns that the driver decodes value by
// value, most of the rows' allocations; these rows carry three integers.
// The answer is in the items' order by name, as ListAvailability's.
func (s *Store) ListFree(ctx context.Context, q AvailabilityQuery) ([]ItemFree, error) {
	if q.ItemIDs == nil || q.AfterID != 0 || q.Limit != 0 {
		return nil, fmt.Errorf("store: free counts: a list of items is needed, without paging")
	}
	out := make([]ItemFree, 0, len(q.ItemIDs))
	scan := func(rows *sql.Rows) error {
		return newRowScan("id", "capacity", "free").each(rows, func(r *rowScan) {
			out = append(out, ItemFree{ID: r.int64(), Capacity: r.int(), Free: r.int()})
		})
	}
	text := freeFewSQL
	if len(q.ItemIDs) > fewItems {
		text = freeOfSQL
	}
	if err := s.prepared().Query(ctx, text, []any{q.LocationID, q.From, q.To, q.Now, q.Hidden, pq.Array(q.ItemIDs)}, scan); err != nil {
		return nil, fmt.Errorf("store: free counts: %w", classify(err))
	}
	return out, nil
}

// ListAvailability answers, in one query, how many of every item are free at a
// location for a period.
func (s *Store) ListAvailability(ctx context.Context, q AvailabilityQuery) ([]ItemAvailability, error) {
	var out []ItemAvailability
	// As many rows as asked for, at most: the rows are large, so growing the
	// slice by doubling copied most of a page's rows again.
	size := q.Limit
	if q.ItemIDs != nil {
		size = len(q.ItemIDs)
	}
	scan := func(rows *sql.Rows) error { return scanAvailability(rows, &out, size) }
	var err error
	switch {
	case len(q.ItemIDs) == 1:
		err = s.prepared().Query(ctx, availabilityItemSQL, []any{q.LocationID, q.From, q.To, q.Now, q.Hidden, q.ItemIDs[0]}, scan)
	case q.ItemIDs != nil && len(q.ItemIDs) <= fewItems:
		err = s.prepared().Query(ctx, availabilityFewSQL, []any{q.LocationID, q.From, q.To, q.Now, q.Hidden, pq.Array(q.ItemIDs)}, scan)
	case q.ItemIDs != nil:
		err = s.prepared().Query(ctx, availabilityOfSQL, []any{q.LocationID, q.From, q.To, q.Now, q.Hidden, pq.Array(q.ItemIDs)}, scan)
	case q.Limit > 0 && q.Limit <= fewItems:
		err = s.prepared().Query(ctx, availabilityPageFewSQL, []any{q.LocationID, q.From, q.To, q.Now, q.Hidden, q.AfterID, q.Limit}, scan)
	default:
		err = s.prepared().Query(ctx, availabilityPageSQL, []any{q.LocationID, q.From, q.To, q.Now, q.Hidden, q.AfterID, q.Limit}, scan)
	}
	if err != nil {
		return nil, fmt.Errorf("store: availability: %w", classify(err))
	}
	return out, nil
}

// availabilityNames are availabilitySQL's columns.
var availabilityNames = append(slices.Clip(bookableItemNames), "capacity", "free")

// scanAvailability reads availabilitySQL's rows by hand (rowscan.go): with
// every item on a page, sqlx's reflection was a tenth of the page's CPU.
// size is how many rows there can be (0: unknown).
func scanAvailability(rows *sql.Rows, out *[]ItemAvailability, size int) error {
	return newRowScan(availabilityNames...).each(rows, func(r *rowScan) {
		if *out == nil && size > 0 {
			*out = make([]ItemAvailability, 0, size)
		}
		var a ItemAvailability
		scanBookableItem(r, &a.BookableItem)
		a.Capacity = r.int()
		a.Free = r.int()
		*out = append(*out, a)
	})
}

// itemCalendarSQL answers, for item $1 at location $2, how many are free for
// the whole of each span ($3 starts, $4 ends) at instant $5, and how many the
// location has (capacity, the same on every row); no rows for an archived or
// unknown item. Its shape never changes, so it runs prepared.
//
// A serialized item's units are looked up in the allocations once for the
// whole calendar, not once per day: cand holds every active allocation of
// its units that overlaps the span of all the days (widened by the item's
// buffers) or is an open check-out, which is every allocation unitBusy could
// find for any one day, since each day's window lies inside that span. Each
// day then counts the units cand keeps busy by the same rule. Asked per day,
// the index was probed twice per unit and day (56 probes for a unit's four
// weeks, most of the query's time). The span is asked of the btree index
// of migration 00159, by each allocation's end then start (as
// unitWindowBusy asks it), not of the GiST index by overlap: the GiST probe
// tested every key of each page it read, a cost that grew with each unit's
// history (on the large benchmark shop the calendar of the bench's 500 items
// ran in a median 0.38 ms against 0.50, 34.5 buffers against 35.5). The
// bounds keep also allocations that only touch the span, and empty ones;
// each day's own test leaves them out.
//
// A bulk item's lines are read once for the whole calendar too, not by one
// bulk_peak call per day (each of which read the item's whole future book):
// bl holds, by bulk_peak's rule, the occupied range [lo, hi) of each line
// that counts (at this location, confirmed, out, returned or a live hold)
// and can reach the span of all the days' windows (the same two index reads
// as bulk_peak, the span's start for its window's, the open check-outs not
// found by the first); a range ending at or before its start (hi <= lo) is
// empty and counts nowhere. ev is the running sum of their starts and ends
// over the sorted instants: how many are out from each instant on. A day's
// peak is then bulk_peak's: the most out at its window's start or at any
// instant inside it (the count only rises at a line's start).
var itemCalendarSQL = `
WITH cand AS MATERIALIZED (
    SELECT a.unit_id, a.occupied, a.due_at, a.picked_up_at, a.returned_at, a.hold_expires_at
    FROM items it
    JOIN units un ON un.item_id = it.id AND un.location_id = $2 AND un.status = 'available'
    JOIN unit_allocations a ON a.unit_id = un.id AND a.active
     AND coalesce(upper(a.occupied), 'infinity'::timestamptz) >= (SELECT min(s) FROM unnest($3::timestamptz[]) s) - make_interval(mins => it.buffer_before_minutes)
     AND coalesce(lower(a.occupied), '-infinity'::timestamptz) <= (SELECT max(e) FROM unnest($4::timestamptz[]) e) + make_interval(mins => it.buffer_after_minutes)
    WHERE it.id = $1 AND it.tracking = 'serialized'
    UNION ALL
    SELECT a.unit_id, a.occupied, a.due_at, a.picked_up_at, a.returned_at, a.hold_expires_at
    FROM items it
    JOIN units un ON un.item_id = it.id AND un.location_id = $2 AND un.status = 'available'
    JOIN unit_allocations a ON a.unit_id = un.id AND a.active AND a.picked_up_at IS NOT NULL AND a.returned_at IS NULL
    WHERE it.id = $1 AND it.tracking = 'serialized'
), span AS (
    SELECT it.id, make_interval(mins => it.buffer_before_minutes) AS bb, make_interval(mins => it.buffer_after_minutes) AS ba,
           (SELECT min(s) FROM unnest($3::timestamptz[]) s) - make_interval(mins => it.buffer_before_minutes) AS lo,
           (SELECT max(e) FROM unnest($4::timestamptz[]) e) + make_interval(mins => it.buffer_after_minutes) AS hi
    FROM items it WHERE it.id = $1 AND it.tracking = 'bulk'
), bl AS MATERIALIZED (
    SELECT l.quantity, lo, CASE WHEN hi IS NULL THEN NULL ELSE greatest(lo, hi) END AS hi
    FROM (
        SELECT l.booking_id, l.quantity,
               least(l.picked_up_at, l.starts_at - sp.bb) AS lo,
               CASE WHEN l.returned_at IS NOT NULL THEN l.returned_at + sp.ba
                    WHEN l.picked_up_at IS NOT NULL AND l.ends_at + sp.ba <= $5 THEN NULL
                    ELSE l.ends_at + sp.ba
               END AS hi, sp.hi AS span_hi
        FROM span sp
        JOIN booking_lines l ON l.item_id = sp.id AND greatest(l.ends_at, l.returned_at) > sp.lo - sp.ba
        UNION ALL
        SELECT l.booking_id, l.quantity,
               least(l.picked_up_at, l.starts_at - sp.bb),
               CASE WHEN l.ends_at + sp.ba <= $5 THEN NULL ELSE l.ends_at + sp.ba END, sp.hi
        FROM span sp
        JOIN booking_lines l ON l.item_id = sp.id AND l.picked_up_at IS NOT NULL AND l.returned_at IS NULL
         AND l.ends_at <= sp.lo - sp.ba
    ) l
    JOIN bookings b ON b.id = l.booking_id
    WHERE b.location_id = $2 AND l.lo < l.span_hi
      AND (b.status IN ('confirmed', 'out', 'returned') OR (b.status = 'hold' AND b.expires_at > $5))
), ev AS MATERIALIZED (
    SELECT t, sum(sum(dq)) OVER (ORDER BY t) AS occ
    FROM (SELECT lo AS t, quantity AS dq FROM bl UNION ALL SELECT hi, -quantity FROM bl WHERE hi IS NOT NULL) e
    GROUP BY t
)
SELECT d.n::int AS day,
       CASE WHEN i.tracking = 'serialized' THEN coalesce(u.total, 0) ELSE coalesce(bs.quantity, 0) END AS capacity,
       CASE WHEN i.tracking = 'serialized' THEN coalesce(u.total, 0) - (
           SELECT count(DISTINCT c.unit_id)::int FROM cand c
           WHERE (c.occupied && w.win OR (c.picked_up_at IS NOT NULL AND c.returned_at IS NULL))
             AND allocation_blocks(c.occupied, c.due_at, c.picked_up_at, c.returned_at, c.hold_expires_at, w.win, $5))
       ELSE greatest(coalesce(bs.quantity, 0) - greatest(
                coalesce((SELECT e.occ FROM ev e WHERE e.t <= lower(w.win) ORDER BY e.t DESC LIMIT 1), 0),
                coalesce((SELECT max(e.occ) FROM ev e WHERE e.t > lower(w.win) AND e.t < upper(w.win)), 0))::int, 0)
       END AS free
FROM items i
LEFT JOIN LATERAL (
    SELECT count(*)::int AS total FROM units un
    WHERE un.item_id = i.id AND un.location_id = $2 AND un.status = 'available'
) u ON i.tracking = 'serialized'
LEFT JOIN bulk_stock bs ON bs.item_id = i.id AND bs.location_id = $2
CROSS JOIN unnest($3::timestamptz[], $4::timestamptz[]) WITH ORDINALITY AS d(s, e, n)
CROSS JOIN LATERAL (
    SELECT tstzrange(d.s - make_interval(mins => i.buffer_before_minutes),
                     d.e + make_interval(mins => i.buffer_after_minutes)) AS win
) w
WHERE i.id = $1 AND i.archived_at IS NULL
ORDER BY d.n`

// ItemCalendar returns, for each span (a local day, computed by the caller in
// the location's zone), how many of an item are free for the whole span, and
// how many the location has; ErrNotFound for an archived or unknown item.
func (s *Store) ItemCalendar(ctx context.Context, itemID, locationID int64, days []Span, now time.Time) (free []int, capacity int, err error) {
	starts, ends := spanBounds(days)
	free, capacity = make([]int, 0, len(days)), 0
	scan := func(rows *sql.Rows) error {
		return newRowScan("day", "capacity", "free").each(rows, func(r *rowScan) {
			r.int() // the day, for the order only
			capacity = r.int()
			free = append(free, r.int())
		})
	}
	if err := s.prepared().Query(ctx, itemCalendarSQL, []any{itemID, locationID, pq.Array(starts), pq.Array(ends), now}, scan); err != nil {
		return nil, 0, fmt.Errorf("store: item calendar %d: %w", itemID, classify(err))
	}
	if len(free) == 0 && len(days) > 0 {
		return nil, 0, fmt.Errorf("store: item calendar %d: %w", itemID, ErrNotFound)
	}
	return free, capacity, nil
}

// spanBounds are the spans' starts and ends as itemCalendarSQL takes them.
func spanBounds(spans []Span) (starts, ends []string) {
	starts, ends = make([]string, len(spans)), make([]string, len(spans))
	for i, d := range spans {
		starts[i] = d.From.UTC().Format(time.RFC3339Nano)
		ends[i] = d.To.UTC().Format(time.RFC3339Nano)
	}
	return starts, ends
}

// Blocker is one thing keeping an item from being free in a window: a
// booking (maybe only through its turnaround buffer), a maintenance block, an
// overdue check-out, or a unit's status.
type Blocker struct {
	Kind          string     `db:"kind"` // booking, maintenance, overdue, status
	UnitID        *int64     `db:"unit_id"`
	AssetTag      string     `db:"asset_tag"`
	UnitStatus    string     `db:"unit_status"`
	From          *time.Time `db:"occ_from"`
	To            *time.Time `db:"occ_to"`
	BookingID     *int64     `db:"booking_id"`
	BookingNumber string     `db:"booking_number"`
	BookingStatus string     `db:"booking_status"`
	CustomerName  string     `db:"customer_name"`
	LineStart     *time.Time `db:"line_start"`
	LineEnd       *time.Time `db:"line_end"`
	Quantity      int        `db:"quantity"`
	Reason        string     `db:"reason"`
}

// InBufferOnly reports whether a booking blocks the window [from, to) only
// through its turnaround buffer, not its own period.
func (b Blocker) InBufferOnly(from, to time.Time) bool {
	if b.LineStart == nil || b.LineEnd == nil {
		return false
	}
	return !(b.LineStart.Before(to) && b.LineEnd.After(from))
}

const explainSQL = `
WITH item AS (
    SELECT id, tracking, tstzrange($3::timestamptz - make_interval(mins => buffer_before_minutes),
                                   $4::timestamptz + make_interval(mins => buffer_after_minutes)) AS win
    FROM items WHERE id = $1
)
SELECT CASE WHEN a.maintenance_id IS NOT NULL THEN 'maintenance'
            WHEN a.picked_up_at IS NOT NULL AND a.returned_at IS NULL AND a.due_at <= $5 THEN 'overdue'
            ELSE 'booking' END AS kind,
       un.id AS unit_id, un.asset_tag, un.status AS unit_status,
       lower(a.occupied) AS occ_from, upper(a.occupied) AS occ_to,
       b.id AS booking_id, coalesce(b.number, '') AS booking_number, coalesce(b.status, '') AS booking_status,
       coalesce(cu.name, '') AS customer_name, l.starts_at AS line_start, l.ends_at AS line_end,
       coalesce(l.quantity, 1) AS quantity, coalesce(m.reason, '') AS reason
FROM item
JOIN units un ON un.item_id = item.id AND un.location_id = $2
JOIN unit_allocations a ON a.unit_id = un.id AND a.active
     AND (a.occupied && item.win OR (a.picked_up_at IS NOT NULL AND a.returned_at IS NULL))
     AND allocation_blocks(a.occupied, a.due_at, a.picked_up_at, a.returned_at, a.hold_expires_at, item.win, $5)
LEFT JOIN booking_lines l ON l.id = a.booking_line_id
LEFT JOIN bookings b ON b.id = l.booking_id
LEFT JOIN users cu ON cu.id = b.customer_id
LEFT JOIN maintenance_blocks m ON m.id = a.maintenance_id
WHERE item.tracking = 'serialized'
UNION ALL
SELECT 'status', un.id, un.asset_tag, un.status, NULL, NULL, NULL, '', '', '', NULL, NULL, 1, ''
FROM item JOIN units un ON un.item_id = item.id AND un.location_id = $2
WHERE item.tracking = 'serialized' AND un.status <> 'available'
UNION ALL
SELECT CASE WHEN l.picked_up_at IS NOT NULL AND l.returned_at IS NULL AND l.ends_at <= $5 THEN 'overdue' ELSE 'booking' END,
       NULL, '', '', least(l.picked_up_at, l.starts_at), l.ends_at, b.id, b.number, b.status, cu.name, l.starts_at, l.ends_at, l.quantity, ''
FROM item
JOIN items i ON i.id = item.id
JOIN booking_lines l ON l.item_id = item.id
JOIN bookings b ON b.id = l.booking_id AND b.location_id = $2
JOIN users cu ON cu.id = b.customer_id
WHERE item.tracking = 'bulk'
  AND (b.status IN ('confirmed', 'out', 'returned') OR (b.status = 'hold' AND b.expires_at > $5))
  AND l.returned_at IS NULL
  -- Bounds the lines read to those that can reach the window (see bulk_peak).
  AND (greatest(l.ends_at, l.returned_at) > lower(item.win) - make_interval(mins => i.buffer_after_minutes)
       OR l.picked_up_at IS NOT NULL)
  AND (tstzrange(least(l.picked_up_at, l.starts_at - make_interval(mins => i.buffer_before_minutes)),
                 l.ends_at + make_interval(mins => i.buffer_after_minutes)) && item.win
       OR (l.picked_up_at IS NOT NULL AND l.ends_at <= $5
           AND tstzrange(least(l.picked_up_at, l.starts_at), NULL) && item.win))
ORDER BY 3, 5 NULLS FIRST`

// ExplainUnavailable lists everything in the way of booking an item at a
// location for [from, to), for the staff "why is this unavailable" view.
func (s *Store) ExplainUnavailable(ctx context.Context, itemID, locationID int64, from, to, now time.Time) ([]Blocker, error) {
	var out []Blocker
	if err := s.q.SelectContext(ctx, &out, explainSQL, itemID, locationID, from, to, now); err != nil {
		return nil, fmt.Errorf("store: explain availability of %d: %w", itemID, classify(err))
	}
	return out, nil
}
