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

// Kinds of desk lines.
const (
	DeskPickup  = "pickup"
	DeskReturn  = "return"
	DeskOverdue = "overdue"
)

// DeskLine is one booking line on the desk board: to hand out, to take back,
// or overdue.
type DeskLine struct {
	Kind         string `db:"kind"`
	BookingID    int64  `db:"booking_id"`
	Number       string `db:"number"`
	CustomerName string `db:"customer_name"`
	// The customer's email and phone, for overdue lines only (the board
	// shows them there, to call the customer); "" on the others.
	CustomerEmail string    `db:"customer_email"`
	CustomerPhone string    `db:"customer_phone"`
	LineID        int64     `db:"line_id"`
	ItemName      string    `db:"item_name"`
	Quantity      int       `db:"quantity"`
	StartsAt      time.Time `db:"starts_at"`
	EndsAt        time.Time `db:"ends_at"`
	Units         string    `db:"units"` // asset tags, comma separated
}

// DeskQuery asks for a location's board of the local day [DayStart, DayEnd)
// as of Now (overdue lines are those past due at Now, whatever the day): a
// page of PerPage lines of each section, after the first Skip[kind] of it
// (PerPage 0: every line).
type DeskQuery struct {
	LocationID       int64
	DayStart, DayEnd time.Time
	Now              time.Time
	PerPage          int
	Skip             map[string]int // by kind: DeskPickup, DeskReturn, DeskOverdue
	// HoldsUntil: the board also says whether a live hold at the location
	// lapses after Now and at or before HoldsUntil (ListExpiringHolds), so
	// the holds are asked only when there are some (ReadDesk).
	HoldsUntil time.Time
}

// DeskPerPage is how many lines of each section the desk board shows at a
// time: about the next hour of a busy counter. Each shown line costs about
// thirteen buffers (its booking, customer, item and units read by key), so
// the page size, not the day's size, sets what the board costs.
const DeskPerPage = 25

// DeskBoard is a page of each section of the board, in board order (by the
// time each line is due at the counter), and how many lines each section
// has in all, by kind.
type DeskBoard struct {
	Lines  []DeskLine
	Counts map[string]int
	// holdsLapse says whether a hold lapses by the query's HoldsUntil; it
	// comes with the lines, so it is known (holdsKnown) only when a row
	// came back.
	holdsLapse, holdsKnown bool
}

// listDeskLinesSQL: pickups are lines of confirmed (or partly out) bookings
// starting in the day and not yet out; returns are lines out and due back in
// the day, not yet overdue; overdue lines are out past their end.
//
// A busy shop has hundreds of lines a day, so the board shows a page of
// each section ($5 lines after the first $6/$7/$8) and counts the rest. Each
// line carries its booking's status and location (migration 00110), so the
// location's lines are read from its indexes without probing a booking per
// line. Each section's page is read in board order from its index, no
// further than its end (the page sizes are read through sub-selects, so the
// statement keeps one generic plan); the counts are taken from the same
// indexes apart, so the day's lines are never gathered, numbered and sorted
// as a whole (about 750 on the benchmark's large shop's busiest day). The
// first line of each section always comes back, so its count is known even
// on a page past its end; the caller drops it when it is not on the page.
// Only the lines that come back are joined to their booking, customer, item
// and units; only the overdue lines send their customer's email and phone,
// the only lines that show them. Each shown line's item name is read by key (a line's item
// always exists): joined, the generic plan hashed the whole catalog on every
// call (5,000 items on the benchmark's large shop) for at most 75 lines.
// The booking, the item's name and the units' tags are read from indexes
// that hold them (migration 00160), without visiting their tables: the
// booking is asked among those the board shows (confirmed or out, as the
// line's copy of its status already says), whose index carries its number,
// status and customer. On the benchmark's large shop a line costs about 13
// buffers instead of 17 (73 lines: 1,073 instead of 1,332 with the counts).
// Every row also says whether a live hold at the location lapses by $9
// (holds): most of the time none does, and the board then skips the holds'
// statement, a round trip of its own for an empty list.
const listDeskLinesSQL = `
WITH l AS MATERIALIZED (
    SELECT * FROM (
        SELECT 'pickup' AS kind, id, booking_id, item_id, quantity, starts_at, ends_at, starts_at AS at,
               row_number() OVER (ORDER BY starts_at, id) AS rn
        FROM booking_lines
        WHERE booking_location_id = $1 AND booking_status IN ('confirmed', 'out')
          AND picked_up_at IS NULL AND returned_at IS NULL AND starts_at >= $2 AND starts_at < $3
        ORDER BY starts_at, id
        LIMIT (SELECT $6::bigint + $5::bigint)) p
    WHERE rn > $6::bigint OR rn = 1
    UNION ALL
    SELECT * FROM (
        SELECT 'return', id, booking_id, item_id, quantity, starts_at, ends_at, ends_at,
               row_number() OVER (ORDER BY ends_at, id) AS rn
        FROM booking_lines
        WHERE booking_location_id = $1 AND booking_status IN ('confirmed', 'out')
          AND picked_up_at IS NOT NULL AND returned_at IS NULL
          AND ends_at >= $2 AND ends_at >= $4 AND ends_at < $3
        ORDER BY ends_at, id
        LIMIT (SELECT $7::bigint + $5::bigint)) r
    WHERE rn > $7::bigint OR rn = 1
    UNION ALL
    SELECT * FROM (
        SELECT 'overdue', id, booking_id, item_id, quantity, starts_at, ends_at, ends_at,
               row_number() OVER (ORDER BY ends_at, id) AS rn
        FROM booking_lines
        WHERE booking_location_id = $1 AND booking_status IN ('confirmed', 'out')
          AND picked_up_at IS NOT NULL AND returned_at IS NULL AND ends_at < $4
        ORDER BY ends_at, id
        LIMIT (SELECT $8::bigint + $5::bigint)) o
    WHERE rn > $8::bigint OR rn = 1
),
n AS (
    SELECT (SELECT count(*) FROM booking_lines
            WHERE booking_location_id = $1 AND booking_status IN ('confirmed', 'out')
              AND picked_up_at IS NULL AND returned_at IS NULL AND starts_at >= $2 AND starts_at < $3) AS pickup,
           count(*) FILTER (WHERE ends_at >= $2 AND ends_at >= $4) AS return,
           count(*) FILTER (WHERE ends_at < $4) AS overdue,
           EXISTS (SELECT 1 FROM bookings hb
                   WHERE hb.status = 'hold' AND hb.location_id = $1
                     AND hb.expires_at > $4 AND hb.expires_at <= $9::timestamptz) AS holds
    FROM booking_lines
    WHERE booking_location_id = $1 AND booking_status IN ('confirmed', 'out')
      AND picked_up_at IS NOT NULL AND returned_at IS NULL
      AND ends_at < greatest($3::timestamptz, $4::timestamptz)
      AND ((ends_at >= $2 AND ends_at < $3) OR ends_at < $4)
)
SELECT r.kind, r.rn, CASE r.kind WHEN 'pickup' THEN n.pickup WHEN 'return' THEN n.return ELSE n.overdue END AS total,
       b.id AS booking_id, b.number, cu.name AS customer_name,
       CASE r.kind WHEN 'overdue' THEN cu.email::text END AS customer_email,
       CASE r.kind WHEN 'overdue' THEN cu.phone END AS customer_phone, r.id AS line_id,
       (SELECT i.name FROM items i WHERE i.id = r.item_id) AS item_name,
       r.quantity, r.starts_at, r.ends_at,
       coalesce((SELECT string_agg(u.asset_tag, ', ' ORDER BY u.asset_tag)
                 FROM unit_allocations a JOIN units u ON u.id = a.unit_id
                 WHERE a.booking_line_id = r.id AND a.active), '') AS units, n.holds
FROM l r
CROSS JOIN n
JOIN bookings b ON b.id = r.booking_id AND b.status IN ('confirmed', 'out')
JOIN users cu ON cu.id = b.customer_id
ORDER BY r.at, r.id`

// deskRow is a board line with its place in its section.
type deskRow struct {
	DeskLine
	Rn    int  `db:"rn"`
	Total int  `db:"total"`
	Holds bool `db:"holds"` // a hold lapses by HoldsUntil (the same on every row)
}

// deskRowNames are the desk lines queries' columns, for the hand scan
// (rowscan.go): up to 75 rows on every board.
var deskRowNames = []string{"kind", "rn", "total", "booking_id", "number", "customer_name", "customer_email",
	"customer_phone", "line_id", "item_name", "quantity", "starts_at", "ends_at", "units", "holds"}

// scanDeskRows reads rows of the desk lines queries by hand, in column order.
func scanDeskRows(rows *sql.Rows, out *[]deskRow) error {
	return newRowScan(deskRowNames...).each(rows, func(r *rowScan) {
		var d deskRow
		d.Kind, d.Rn, d.Total = r.string(), r.int(), r.int()
		d.BookingID, d.Number, d.CustomerName = r.int64(), r.string(), r.string()
		d.CustomerEmail, d.CustomerPhone = r.optString(), r.optString()
		d.LineID, d.ItemName, d.Quantity = r.int64(), r.string(), r.int()
		d.StartsAt, d.EndsAt, d.Units, d.Holds = r.time(), r.time(), r.string(), r.bool()
		*out = append(*out, d)
	})
}

// ListDeskLines loads a page of a location's pickups, returns and overdue
// lines for one local day, and their counts, in one query. It runs without
// parallel workers: on a busy shop (hundreds of lines a day) the planner
// hands the day's short index reads to workers whose start-up costs more
// than they save (on the benchmark's large shop 170–510 ms with workers,
// 90–100 ms without, on a loaded machine). It runs prepared: planned for its
// arguments, the query cost more to plan than to run (about a thousand
// buffers of index probes at each call on the large shop), and its generic
// plan is the same index reads.
func (s *Store) ListDeskLines(ctx context.Context, q DeskQuery) (DeskBoard, error) {
	return s.listDeskLines(ctx, listDeskLinesSQL, q)
}

// listDeskLines runs a form of the desk lines query (its arguments and
// columns are listDeskLinesSQL's).
func (s *Store) listDeskLines(ctx context.Context, query string, q DeskQuery) (DeskBoard, error) {
	per := q.PerPage
	if per <= 0 {
		per = math.MaxInt32
	}
	skip := func(kind string) int { return min(q.Skip[kind], math.MaxInt32-per) }
	var rows []deskRow
	err := s.withoutParallel(ctx, func(tx *Store) error {
		return tx.prepared().Query(ctx, query, []any{q.LocationID, q.DayStart, q.DayEnd, q.Now,
			per, skip(DeskPickup), skip(DeskReturn), skip(DeskOverdue), q.HoldsUntil},
			func(r *sql.Rows) error { return scanDeskRows(r, &rows) })
	})
	if err != nil {
		return DeskBoard{}, fmt.Errorf("store: desk lines: %w", classify(err))
	}
	out := DeskBoard{Counts: map[string]int{DeskPickup: 0, DeskReturn: 0, DeskOverdue: 0}}
	for _, r := range rows {
		out.Counts[r.Kind] = r.Total
		out.holdsLapse, out.holdsKnown = r.Holds, true
		if sk := skip(r.Kind); r.Rn > sk && r.Rn <= sk+per {
			out.Lines = append(out.Lines, r.DeskLine)
		}
	}
	return out, nil
}

// Endangered is a confirmed booking line that may not be handed out in time
// because something is still out, overdue, on another booking: the very unit
// it holds, or (bulk) so many pieces that too few are left.
type Endangered struct {
	BookingID    int64     `db:"booking_id"`
	Number       string    `db:"number"`
	CustomerName string    `db:"customer_name"`
	LineID       int64     `db:"line_id"`
	ItemName     string    `db:"item_name"`
	Quantity     int       `db:"quantity"`
	StartsAt     time.Time `db:"starts_at"`
	AssetTag     string    `db:"asset_tag"` // "" for bulk lines
	BlockedBy    string    `db:"blocked_by"`
	// Substitute is a unit of the same item free for the line's whole
	// period, to swap in ("" when none is).
	Substitute string `db:"substitute"`
	// Short is how many bulk pieces are missing (0 for units).
	Short int `db:"short"`
}

// EndangeredQuery asks for a location's endangered bookings as of Now: the
// lines starting before Until (the board's look ahead) and those starting in
// the shown day [DayStart, DayEnd), whose pickups the board flags.
type EndangeredQuery struct {
	LocationID       int64
	Now, Until       time.Time
	DayStart, DayEnd time.Time
}

// endangeredWindow keeps a waiting line nl to what the board shows: starting
// before the look ahead ($3) or in the shown day ([$4, $5)). Without it every
// future booking of an overdue unit, months ahead, was listed and checked.
const endangeredWindow = `(nl.starts_at < $3 OR (nl.starts_at >= $4 AND nl.starts_at < $5))`

// listEndangeredSQL starts from the open overdue check-outs (a short list,
// indexed) and finds the confirmed bookings waiting for the same units, with
// the first other unit free over the waiting allocation's range; then the
// bulk lines that an overdue bulk line leaves short. The overdue list is
// materialized and asked through the open-due expression (migration
// 00062), whose index holds the columns read here (migration 00181): left to itself, the planner misjudges how few rows it has
// and starts from all confirmed bookings instead. The waiting allocations are
// asked by unit and start (migration 00137): those starting before the
// window's end, from the index, of which those still to come (ending after
// now, as the bulk lines below) are kept. The start bound is implied by the
// overlap and only lets the index skip the unit's later allocations. The bulk candidates of the window are materialized
// first, so the peaks are taken for the candidate lines of this location
// only, never for lines the booking's status or location drop.
var listEndangeredSQL = `
WITH oa AS MATERIALIZED (
    SELECT id, unit_id, booking_line_id FROM unit_allocations
    WHERE active AND picked_up_at IS NOT NULL AND returned_at IS NULL
      -- Due at or before now, written as a range whose lower end (minus
      -- infinity) is unknown to a generic plan: one bound unknown reads as
      -- a third of all allocations, which made that plan hash every waiting
      -- allocation; a range of two unknown ends reads as a short list, as
      -- the overdue ones are.
      AND (CASE WHEN active AND picked_up_at IS NOT NULL AND returned_at IS NULL THEN due_at END)
          BETWEEN '-infinity'::timestamptz + ($2::timestamptz - $2::timestamptz) AND $2
      -- A unit whose check-out holds it over the whole window has no other
      -- active allocation in it (the exclusion constraint): no booking waits
      -- for it there. An overdue check-out is stretched up to the unit's
      -- next allocation (ExtendOverdue), so this keeps the few overdue units
      -- booked again soon and drops the rest before they are probed.
      AND NOT occupied @> tstzrange($2::timestamptz, greatest($3::timestamptz, $5::timestamptz))
),
bl AS MATERIALIZED (
    SELECT b.id AS booking_id, b.number, cu.name AS customer_name, nl.id AS line_id, i.name AS item_name,
           nl.quantity, nl.starts_at, late.bookings, coalesce(bs.quantity, 0) AS stock,
           nl.item_id, tstzrange(nl.starts_at - make_interval(mins => i.buffer_before_minutes),
                                 nl.ends_at + make_interval(mins => i.buffer_after_minutes)) AS win,
           make_interval(mins => i.buffer_before_minutes) AS bb, make_interval(mins => i.buffer_after_minutes) AS ba
    -- The late bulk items and their bookings' ids, from the location's
    -- index of open check-outs alone; the bookings' numbers are read only
    -- for the lines listed short (below).
    FROM (SELECT l.item_id, array_agg(DISTINCT l.booking_id) AS bookings
          FROM booking_lines l
          JOIN items li ON li.id = l.item_id AND li.tracking = 'bulk'
          WHERE l.booking_location_id = $1 AND l.booking_status = 'out' AND l.picked_up_at IS NOT NULL
            AND l.returned_at IS NULL AND l.ends_at <= $2
          GROUP BY l.item_id) late
    -- Lines still to come (their end ahead), through the location's (item,
    -- end) index of confirmed lines, which holds every column read here
    -- (migration 00182), not the item's whole history nor other
    -- locations' lines: asked per late item (a lateral subquery kept whole
    -- by OFFSET 0). Joined as a set, the generic plan merged the late items
    -- with the location's whole future book of every item (about 60,000
    -- lines and 45,000 buffers on the benchmark's large shop).
    CROSS JOIN LATERAL (
        SELECT nl.id, nl.item_id, nl.booking_id, nl.quantity, nl.starts_at, nl.ends_at
        FROM booking_lines nl
        WHERE nl.booking_location_id = $1 AND nl.booking_status = 'confirmed'
          AND nl.item_id = late.item_id AND nl.picked_up_at IS NULL AND nl.returned_at IS NULL
          AND nl.ends_at > $2
          AND ` + endangeredWindow + `
        OFFSET 0) nl
    -- The item's name and buffers by key, for the lines found only: joined
    -- to the late items, the generic plan hashed the whole catalog (5,000
    -- items, 156 pages on the benchmark's large shop) for a few of them.
    CROSS JOIN LATERAL (
        SELECT i.name, i.buffer_before_minutes, i.buffer_after_minutes FROM items i WHERE i.id = nl.item_id
        OFFSET 0) i
    JOIN bookings b ON b.id = nl.booking_id
    JOIN users cu ON cu.id = b.customer_id
    LEFT JOIN bulk_stock bs ON bs.item_id = nl.item_id AND bs.location_id = $1
),
-- The peaks of all the bulk candidates in one pass, by bulk_peak's rule,
-- as a bulk item's calendar takes them (itemCalendarSQL): each late item's
-- lines that can reach the span of its candidates' windows are read once
-- (the same two index reads as bulk_peak, from the span's start), with the
-- occupied range [lo, hi) of each that counts (at this location; confirmed,
-- out, returned or a live hold); ev is the running sum of their starts and
-- ends per item. A line's booking status and location are its copies
-- (migration 00110): only a hold's booking is read, for its expiry.
-- Called per candidate, bulk_peak read the item's whole future book each
-- time and probed the booking of every line of it, at any location.
span AS MATERIALIZED (
    SELECT item_id, min(lower(win)) AS lo, max(upper(win)) AS hi, bb, ba FROM bl GROUP BY item_id, bb, ba
),
-- Each item's lines by key, per item (a lateral subquery kept whole by
-- OFFSET 0): joined as a set, the generic plan, which cannot know how few
-- items there are, hashed the location's whole book.
occ AS MATERIALIZED (
    SELECT l.item_id, l.quantity, l.lo, CASE WHEN l.hi IS NULL THEN NULL ELSE greatest(l.lo, l.hi) END AS hi
    FROM span sp
    CROSS JOIN LATERAL (
        SELECT l.item_id, l.booking_id, l.booking_location_id, l.booking_status, l.quantity,
               least(l.picked_up_at, l.starts_at - sp.bb) AS lo,
               CASE WHEN l.returned_at IS NOT NULL THEN l.returned_at + sp.ba
                    WHEN l.picked_up_at IS NOT NULL AND l.ends_at + sp.ba <= $2 THEN NULL
                    ELSE l.ends_at + sp.ba
               END AS hi
        FROM booking_lines l
        WHERE l.item_id = sp.item_id AND greatest(l.ends_at, l.returned_at) > sp.lo - sp.ba
        UNION ALL
        SELECT l.item_id, l.booking_id, l.booking_location_id, l.booking_status, l.quantity,
               least(l.picked_up_at, l.starts_at - sp.bb),
               CASE WHEN l.ends_at + sp.ba <= $2 THEN NULL ELSE l.ends_at + sp.ba END
        FROM booking_lines l
        WHERE l.item_id = sp.item_id AND l.picked_up_at IS NOT NULL AND l.returned_at IS NULL
          AND l.ends_at <= sp.lo - sp.ba
        OFFSET 0) l
    WHERE l.booking_location_id = $1 AND l.lo < sp.hi
      AND (l.booking_status IN ('confirmed', 'out', 'returned')
           OR (l.booking_status = 'hold' AND (SELECT hb.expires_at > $2 FROM bookings hb WHERE hb.id = l.booking_id)))
),
ev AS MATERIALIZED (
    SELECT item_id, t, sum(sum(dq)) OVER (PARTITION BY item_id ORDER BY t) AS occ
    FROM (SELECT item_id, lo AS t, quantity AS dq FROM occ
          UNION ALL
          SELECT item_id, hi, -quantity FROM occ WHERE hi IS NOT NULL) e
    GROUP BY item_id, t
)
SELECT b.id AS booking_id, b.number, cu.name AS customer_name, nl.id AS line_id, i.name AS item_name,
       nl.quantity, nl.starts_at, u.asset_tag, ob.number AS blocked_by, coalesce(sub.asset_tag, '') AS substitute,
       0 AS short
FROM oa
JOIN booking_lines ol ON ol.id = oa.booking_line_id
JOIN bookings ob ON ob.id = ol.booking_id
JOIN unit_allocations na ON na.unit_id = oa.unit_id AND na.active AND na.id <> oa.id
     AND na.picked_up_at IS NULL AND na.booking_line_id IS NOT NULL
     AND na.occupied && tstzrange($2::timestamptz, greatest($3::timestamptz, $5::timestamptz))
     AND coalesce(lower(na.occupied), '-infinity') < greatest($3::timestamptz, $5::timestamptz)
JOIN booking_lines nl ON nl.id = na.booking_line_id AND ` + endangeredWindow + `
     AND nl.booking_location_id = $1 AND nl.booking_status = 'confirmed'
JOIN bookings b ON b.id = nl.booking_id
JOIN users cu ON cu.id = b.customer_id
JOIN items i ON i.id = nl.item_id
JOIN units u ON u.id = na.unit_id
LEFT JOIN LATERAL (
    SELECT su.asset_tag FROM units su
    WHERE su.item_id = nl.item_id AND su.location_id = $1 AND su.status = 'available' AND su.id <> na.unit_id
      AND NOT ` + unitBusy("su.id", "na.occupied", "$2") + `
    ORDER BY su.id LIMIT 1) sub ON true
UNION ALL
-- OFFSET 0 keeps the subquery whole: the peak is computed once per line
-- and read twice, where a pulled-up expression would be evaluated twice.
-- A line's own range is its window (it is confirmed, here, and not yet
-- out), so it counts at every instant of the window: the peak without it,
-- bulk_peak's exclude_line, is the peak with it less its quantity.
-- The late bookings' numbers are read for the short lines only: read for
-- every late line, they were most of the bulk half's reads (on the
-- benchmark's large shop, 25 late lines probed 100 buffers of bookings for
-- the 1 short line listed).
SELECT booking_id, number, customer_name, line_id, item_name, quantity, starts_at, '',
       (SELECT string_agg(lb.number, ', ' ORDER BY lb.number) FROM bookings lb WHERE lb.id = ANY (c.bookings)), '',
       quantity - (stock - peak)
FROM (SELECT bl.*, greatest(
          coalesce((SELECT e.occ FROM ev e WHERE e.item_id = bl.item_id AND e.t <= lower(bl.win) ORDER BY e.t DESC LIMIT 1), 0),
          coalesce((SELECT max(e.occ) FROM ev e WHERE e.item_id = bl.item_id AND e.t > lower(bl.win) AND e.t < upper(bl.win)), 0)
      )::int - bl.quantity AS peak
      FROM bl OFFSET 0) c
WHERE quantity > stock - peak
ORDER BY starts_at, line_id`

// ListEndangered lists the confirmed bookings at a location that wait for a
// unit, or bulk pieces, still out overdue at q.Now: those starting before
// q.Until or in the day [q.DayStart, q.DayEnd).
//
// It runs prepared, on its generic plan: planned for its arguments on each
// call, the query took about as long to plan as to run (large bench set,
// 20 calls: 13 ms planning, 15 ms running). PostgreSQL would keep planning
// it anyway, since the generic plan's estimate is higher than the plans made
// for the arguments, although it reads the same indexes and buffers; so the
// transaction asks for the generic plan (withGenericPlan).
func (s *Store) ListEndangered(ctx context.Context, q EndangeredQuery) ([]Endangered, error) {
	var out []Endangered
	err := s.withGenericPlan(ctx, func(tx *Store) error {
		return tx.prepared().SelectContext(ctx, &out, listEndangeredSQL, q.LocationID, q.Now, q.Until, q.DayStart, q.DayEnd)
	})
	if err != nil {
		return nil, fmt.Errorf("store: endangered bookings: %w", classify(err))
	}
	return out, nil
}

// listEndangered runs a form of the endangered query unprepared (its
// arguments and columns are listEndangeredSQL's).
func (s *Store) listEndangered(ctx context.Context, query string, q EndangeredQuery) ([]Endangered, error) {
	var out []Endangered
	if err := s.q.SelectContext(ctx, &out, query, q.LocationID, q.Now, q.Until, q.DayStart, q.DayEnd); err != nil {
		return nil, fmt.Errorf("store: endangered bookings: %w", classify(err))
	}
	return out, nil
}

// ExpiringHold is a hold at a location that lapses soon unless confirmed.
type ExpiringHold struct {
	BookingID     int64     `db:"booking_id"`
	Number        string    `db:"number"`
	CustomerName  string    `db:"customer_name"`
	CustomerEmail string    `db:"customer_email"`
	CustomerPhone string    `db:"customer_phone"`
	ExpiresAt     time.Time `db:"expires_at"`
	Total         int64     `db:"total"`
	Currency      string    `db:"currency"`
}

const listExpiringHoldsSQL = `
SELECT b.id AS booking_id, b.number, cu.name AS customer_name, cu.email AS customer_email, cu.phone AS customer_phone,
       b.expires_at, b.total, b.currency
FROM bookings b JOIN users cu ON cu.id = b.customer_id
WHERE b.status = 'hold' AND b.location_id = $1 AND b.expires_at > $2 AND b.expires_at <= $3
ORDER BY b.expires_at, b.id`

// ListExpiringHolds lists the live holds at a location that lapse before
// until. It runs prepared: its plan (the holds by status, then their
// location and expiry) is the same for every argument.
func (s *Store) ListExpiringHolds(ctx context.Context, locationID int64, now, until time.Time) ([]ExpiringHold, error) {
	var out []ExpiringHold
	if err := s.prepared().SelectContext(ctx, &out, listExpiringHoldsSQL, locationID, now, until); err != nil {
		return nil, fmt.Errorf("store: expiring holds: %w", classify(err))
	}
	return out, nil
}

// DeskReads is what the desk board shows of a location: a page of each
// section of its lines, the bookings an overdue return endangers and the
// holds about to lapse.
type DeskReads struct {
	Board      DeskBoard
	Endangered []Endangered
	Holds      []ExpiringHold
}

// ReadDesk reads the board: lines (q), endangered bookings (e) and the
// holds at q's location lapsing between q.Now and holdsUntil, each as its
// own method returns it. The three run prepared on their generic plans,
// without parallel workers, and the holds are asked only when the lines say
// some lapse by holdsUntil (or when no line came back to say).
//
// With a desk pool (Options.DeskConns) they run there, outside any
// transaction: its connections carry those settings from the start, so a
// board is two round trips (lines, endangered; three when holds lapse)
// where a transaction that sets them takes five (begin, set, lines,
// endangered, commit). Each read then has a snapshot of its own, a moment
// after the one before, as if the board's parts had been read a moment
// apart; that is harmless for staff: each part is a true picture of the
// shop as of Now (given, not taken from the snapshot), what a change
// committed in between moves shows on the next board, and nothing is
// decided on the board's word alone: a hand-out, a return or a hold's
// confirmation reads and locks what it changes in its own transaction.
// Without a desk pool, or inside a caller's transaction, they share one
// transaction that sets both settings in one statement.
func (s *Store) ReadDesk(ctx context.Context, q DeskQuery, e EndangeredQuery, holdsUntil time.Time) (DeskReads, error) {
	q.HoldsUntil = holdsUntil
	if s.tx == nil && s.desk != nil {
		return s.desk.readDesk(ctx, q, e)
	}
	var out DeskReads
	err := s.WithTx(ctx, func(tx *Store) error {
		if s.tx == nil {
			if _, err := tx.q.ExecContext(ctx, deskPlanSettings); err != nil {
				return fmt.Errorf("store: desk plan settings: %w", classify(err))
			}
		}
		var err error
		out, err = tx.readDesk(ctx, q, e)
		return err
	})
	return out, err
}

// readDesk runs ReadDesk's reads on s: a transaction that has the board's
// plan settings, or the desk pool.
func (s *Store) readDesk(ctx context.Context, q DeskQuery, e EndangeredQuery) (DeskReads, error) {
	var out DeskReads
	var err error
	if out.Board, err = s.ListDeskLines(ctx, q); err != nil {
		return DeskReads{}, err
	}
	if out.Endangered, err = s.ListEndangered(ctx, e); err != nil {
		return DeskReads{}, err
	}
	if out.Board.holdsKnown && !out.Board.holdsLapse {
		return out, nil
	}
	if out.Holds, err = s.ListExpiringHolds(ctx, q.LocationID, q.Now, q.HoldsUntil); err != nil {
		return DeskReads{}, err
	}
	return out, nil
}

// deskPlanSettings are withoutParallel's and withGenericPlan's settings in
// one statement (no parameters: one round trip), for ReadDesk's transaction.
const deskPlanSettings = serialPlanSetting + `; ` + genericPlanSetting

// BookingSummary is a booking as staff lists show it.
type BookingSummary struct {
	ID            int64      `db:"id"`
	Number        string     `db:"number"`
	Status        string     `db:"status"`
	CustomerName  string     `db:"customer_name"`
	CustomerEmail string     `db:"customer_email"`
	LocationName  string     `db:"location_name"`
	TimeZone      string     `db:"time_zone"`
	Currency      string     `db:"currency"`
	Total         int64      `db:"total"`
	FirstStart    *time.Time `db:"first_start"`
	LastEnd       *time.Time `db:"last_end"`
}

const bookingSummarySelect = `
SELECT b.id, b.number, b.status, cu.name AS customer_name, cu.email AS customer_email, lo.name AS location_name,
       lo.time_zone, b.currency, b.total, r.first_start, r.last_end
FROM bookings b
JOIN users cu ON cu.id = b.customer_id
JOIN locations lo ON lo.id = b.location_id
LEFT JOIN LATERAL (SELECT min(l.starts_at) AS first_start, max(l.ends_at) AS last_end
                   FROM booking_lines l WHERE l.booking_id = b.id) r ON true`

// bookingSummaryNames are bookingSummarySelect's columns, for hand scans (rowscan.go).
var bookingSummaryNames = []string{"id", "number", "status", "customer_name", "customer_email", "location_name",
	"time_zone", "currency", "total", "first_start", "last_end"}

// scanBookingSummaries reads rows of bookingSummarySelect by hand (the staff list).
func scanBookingSummaries(rows *sql.Rows, out *[]BookingSummary) error {
	return newRowScan(bookingSummaryNames...).each(rows, func(r *rowScan) {
		*out = append(*out, BookingSummary{
			ID: r.int64(), Number: r.string(), Status: r.string(), CustomerName: r.string(), CustomerEmail: r.string(),
			LocationName: r.string(), TimeZone: r.string(), Currency: r.string(), Total: r.int64(),
			FirstStart: r.optTime(), LastEnd: r.optTime(),
		})
	})
}

// BookingStatuses are the statuses a booking list may be filtered by.
var BookingStatuses = []string{BookingHold, BookingConfirmed, BookingOut, BookingReturned, BookingClosed, BookingCancelled, BookingExpired}

// BookingFilter pages through bookings, newest first. Status "" is any; the
// caller checks it against BookingStatuses. BeforeID is the keyset cursor.
type BookingFilter struct {
	Status   string
	BeforeID int64
	Limit    int
	// BalanceDue keeps bookings whose customer still owes money: the rental
	// (none once cancelled or expired) plus ledger charges, less net paid.
	BalanceDue bool
}

const listBookingsSQL = bookingSummarySelect + `
WHERE ($1 = '' OR b.status = $1) AND ($2 = 0 OR b.id < $2)
  AND (NOT $4 OR (CASE WHEN b.status IN ('cancelled', 'expired') THEN 0 ELSE b.total END)
                 + COALESCE((SELECT sum(e.amount) FROM ledger_entries e WHERE e.booking_id = b.id AND e.kind = 'charge'), 0)
                 - b.paid > 0)
ORDER BY b.id DESC
LIMIT $3`

// listAllBookingsSQL is the staff list without a filter, the list staff
// open most: a fixed text, prepared like the other hot queries, that walks
// the primary key back from the cursor (the first page from the largest id).
// The page size is written into the text ({limit}, see allBookingsText). The
// filtered lists run the general form unprepared, so each is planned for the
// status it asks.
//
// Unfiltered, a page holds every booking between its first and last id, so
// the lines' dates are read in one range of the (booking_id, id) index,
// which holds them (migration 00144), instead of a lookup per booking: on the
// benchmark's large shop 5 index pages instead of about 150, and the page
// 110 buffers instead of 258 (335 before that index covered the dates).
const listAllBookingsSQL = `
WITH page AS MATERIALIZED (
    SELECT b.id, b.number, b.status, cu.name AS customer_name, cu.email AS customer_email, lo.name AS location_name,
           lo.time_zone, b.currency, b.total
    FROM bookings b
    JOIN users cu ON cu.id = b.customer_id
    JOIN locations lo ON lo.id = b.location_id
    WHERE b.id < $1
    ORDER BY b.id DESC
    LIMIT {limit}
)
SELECT p.id, p.number, p.status, p.customer_name, p.customer_email, p.location_name,
       p.time_zone, p.currency, p.total, r.first_start, r.last_end
FROM page p
LEFT JOIN (
    SELECT l.booking_id, min(l.starts_at) AS first_start, max(l.ends_at) AS last_end
    FROM booking_lines l
    WHERE l.booking_id >= (SELECT min(id) FROM page) AND l.booking_id <= (SELECT max(id) FROM page)
    GROUP BY l.booking_id
) r ON r.booking_id = p.id
ORDER BY p.id DESC`

// allBookingsText is listAllBookingsSQL with its page size written in.
func allBookingsText(limit int) string {
	return strings.ReplaceAll(listAllBookingsSQL, "{limit}", limitText(limit))
}

// ListBookings pages through every booking, newest first.
func (s *Store) ListBookings(ctx context.Context, f BookingFilter) ([]BookingSummary, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var out []BookingSummary
	var err error
	if f.Status == "" && !f.BalanceDue {
		before := f.BeforeID
		if before == 0 {
			before = math.MaxInt64
		}
		err = s.prepared().Query(ctx, allBookingsText(f.Limit), []any{before},
			func(rows *sql.Rows) error { return scanBookingSummaries(rows, &out) })
	} else {
		err = s.q.SelectContext(ctx, &out, listBookingsSQL, f.Status, f.BeforeID, f.Limit, f.BalanceDue)
	}
	if err != nil {
		return nil, fmt.Errorf("store: list bookings: %w", classify(err))
	}
	return out, nil
}

// searchFewCustomers is how many matching customers the search still asks
// one by one; beyond it the search walks the newest bookings instead.
const searchFewCustomers = 300

// searchMatchCustomersSQL finds the customers whose email or name holds the
// term, through the trigram indexes on both: all of them when there are few,
// or one more than searchFewCustomers to say there are many (which ones
// then does not matter). It runs unprepared so each term gets a plan of its
// own: a term without a trigram in it ("a", "12") reads the table until
// enough match, where the index would list every customer first. It reads
// their names and emails too (their rows are read to check the term anyway),
// so the bookings found through them need not read each customer again.
var searchMatchCustomersSQL = `
SELECT cu.id, cu.name, cu.email::text AS email FROM users cu
WHERE cu.email::text ILIKE $1 ESCAPE '\' OR cu.name ILIKE $1 ESCAPE '\'
LIMIT ` + strconv.Itoa(searchFewCustomers+1)

// searchCustomer is a row of searchMatchCustomersSQL.
type searchCustomer struct {
	ID    int64  `db:"id"`
	Name  string `db:"name"`
	Email string `db:"email"`
}

// searchByCustomersSQL is the search when few customers match ($2, read
// through a sub-select so the statement keeps its generic plan): each one's
// newest bookings through (customer_id, id), and the booking with the
// number $1. Only the customers' ids are sent: a booking found through its
// customer is shown with the name and email the customers' lookup read
// (scanSearchRows), so only the booking with the number, when its customer
// is not among them, reads its customer here (NULL otherwise). Each
// customer's bookings leave out the booking with the number, which comes
// from its own branch, so the branches never overlap and the newest
// {limit} are taken from their ids alone, without grouping the candidates
// (about 1,550 for a term matching 150 customers on the benchmark's large
// shop). The page size is written into the text ({limit}, see limitText),
// so it runs prepared on one plan, never planned per call.
const searchByCustomersSQL = `
WITH hit AS (
    SELECT id FROM (
        SELECT b.id FROM bookings b WHERE b.id = $1
        UNION ALL
        SELECT x.id
        FROM unnest((SELECT $2::bigint[])) m(id)
        CROSS JOIN LATERAL (SELECT b.id FROM bookings b WHERE b.customer_id = m.id AND b.id <> $1
                            ORDER BY b.id DESC LIMIT {limit}) x
    ) u
    ORDER BY id DESC LIMIT {limit}
)
SELECT b.id, b.number, b.status,
       CASE WHEN b.customer_id <> ALL ($2::bigint[]) THEN (SELECT cu.name FROM users cu WHERE cu.id = b.customer_id) END AS customer_name,
       CASE WHEN b.customer_id <> ALL ($2::bigint[]) THEN (SELECT cu.email::text FROM users cu WHERE cu.id = b.customer_id) END AS customer_email,
       lo.name AS location_name, lo.time_zone, b.currency, b.total, r.first_start, r.last_end, b.customer_id
FROM hit h
JOIN bookings b ON b.id = h.id
JOIN locations lo ON lo.id = b.location_id
LEFT JOIN LATERAL (SELECT min(l.starts_at) AS first_start, max(l.ends_at) AS last_end
                   FROM booking_lines l WHERE l.booking_id = b.id) r ON true
ORDER BY b.id DESC
LIMIT {limit}`

// scanSearchRows reads rows of searchByCustomersSQL by hand: a booking
// without its customer's name and email (NULL) is one of the customers
// found, whose name and email come from found.
func scanSearchRows(rows *sql.Rows, found map[int64]searchCustomer, out *[]BookingSummary) error {
	return newRowScan(append(bookingSummaryNames[:len(bookingSummaryNames):len(bookingSummaryNames)], "customer_id")...).each(rows, func(r *rowScan) {
		b := BookingSummary{ID: r.int64(), Number: r.string(), Status: r.string()}
		b.CustomerName, b.CustomerEmail = r.optString(), r.optString()
		b.LocationName, b.TimeZone, b.Currency, b.Total = r.string(), r.string(), r.string(), r.int64()
		b.FirstStart, b.LastEnd = r.optTime(), r.optTime()
		if c, ok := found[r.int64()]; ok {
			b.CustomerName, b.CustomerEmail = c.Name, c.Email
		}
		*out = append(*out, b)
	})
}

// searchWalkSQL is the search when many customers match (a common part
// such as the mail domain): taking the newest bookings of each of thousands
// and sorting them costs seconds, so the newest bookings are walked back
// until {limit} match, about {limit} ÷ (the share of matching customers)
// bookings whatever the history, plus the booking with the number $1. The
// customer test is a per-row subquery on the primary key so the plan never
// reads users whole.
const searchWalkSQL = `
WITH hit AS (
    SELECT id FROM (
        SELECT b.id FROM bookings b WHERE b.id = $1
        UNION
        (SELECT b.id FROM bookings b
         WHERE (SELECT cu.email::text ILIKE $2 ESCAPE '\' OR cu.name ILIKE $2 ESCAPE '\'
                FROM users cu WHERE cu.id = b.customer_id)
         ORDER BY b.id DESC LIMIT {limit})
    ) u
    ORDER BY id DESC LIMIT {limit}
)` + bookingSummarySelect + `
WHERE b.id IN (SELECT id FROM hit)
ORDER BY b.id DESC
LIMIT {limit}`

// searchText is a search statement with its page size written in.
func searchText(query string, limit int) string {
	return strings.ReplaceAll(query, "{limit}", limitText(limit))
}

// SearchBookings finds bookings by number ("R000042" or "42") or by a part
// of the customer's email or name, newest first.
//
// The booking number and the customers are asked apart, each through its
// index: an OR over both would walk every booking backwards. First the
// matching customers (searchMatchCustomersSQL), then, unless none match and
// the term is no number, their bookings: searchByCustomersSQL for a few,
// searchWalkSQL for many. The bookings' statements run prepared on their
// generic plans (the single statement this replaces was planned on every
// call, about as long as its run on a warm connection).
func (s *Store) SearchBookings(ctx context.Context, q string, limit int) ([]BookingSummary, error) {
	q = strings.TrimSpace(q)
	var id int64
	if n, err := strconv.ParseInt(strings.TrimPrefix(strings.ToUpper(q), "R"), 10, 64); err == nil {
		id = n
	}
	pattern := "%" + likeEscape(q) + "%"
	var customers []searchCustomer
	if err := s.q.SelectContext(ctx, &customers, searchMatchCustomersSQL, pattern); err != nil {
		return nil, fmt.Errorf("store: search bookings: %w", classify(err))
	}
	if len(customers) == 0 && id == 0 {
		return nil, nil
	}
	var out []BookingSummary
	var err error
	if len(customers) > searchFewCustomers {
		err = s.prepared().Query(ctx, searchText(searchWalkSQL, limit), []any{id, pattern},
			func(rows *sql.Rows) error { return scanBookingSummaries(rows, &out) })
	} else {
		ids := make([]int64, len(customers))
		found := make(map[int64]searchCustomer, len(customers))
		for i, c := range customers {
			ids[i], found[c.ID] = c.ID, c
		}
		err = s.prepared().Query(ctx, searchText(searchByCustomersSQL, limit), []any{id, pq.Array(ids)},
			func(rows *sql.Rows) error { return scanSearchRows(rows, found, &out) })
	}
	if err != nil {
		return nil, fmt.Errorf("store: search bookings: %w", classify(err))
	}
	return out, nil
}
