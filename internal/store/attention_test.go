package store_test

import (
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// wholeHistoryAttentionSQL is the attention figures' definition read
// straight off every booking line and allocation, as the dashboard first
// computed them. GetAttention reads only short indexed lists instead; on
// check-outs of every odd shape it must agree with this.
const wholeHistoryAttentionSQL = `
WITH overdue AS (
    SELECT CASE WHEN i.tracking = 'bulk' THEN l.quantity ELSE 1 END AS n, i.replacement_value,
           coalesce(a.due_at, l.ends_at) AS due
    FROM booking_lines l JOIN bookings b ON b.id = l.booking_id JOIN items i ON i.id = l.item_id
    LEFT JOIN unit_allocations a ON a.booking_line_id = l.id AND a.active
    WHERE b.status IN ('confirmed', 'out') AND ($4 = 0 OR b.location_id = $4)
      AND coalesce(a.picked_up_at, l.picked_up_at) IS NOT NULL
      AND coalesce(a.returned_at, l.returned_at) IS NULL
      AND coalesce(a.due_at, l.ends_at) < $1
)
SELECT (SELECT coalesce(sum(n), 0) FROM overdue),
       (SELECT coalesce(sum(n * replacement_value), 0)::bigint FROM overdue),
       (SELECT min(due) FROM overdue),
       (SELECT count(*) FROM bookings b
        WHERE b.status = 'confirmed' AND ($4 = 0 OR b.location_id = $4)
          AND (SELECT min(starts_at) FROM booking_lines WHERE booking_id = b.id) < $1 - $2::interval
          AND NOT EXISTS (SELECT 1 FROM booking_lines WHERE booking_id = b.id AND picked_up_at IS NOT NULL)),
       (SELECT count(*) FROM booking_lines l JOIN bookings b ON b.id = l.booking_id
        WHERE b.status IN ('confirmed', 'out') AND ($4 = 0 OR b.location_id = $4)
          AND l.picked_up_at IS NULL AND l.starts_at >= $1 AND l.starts_at < $1 + $3::interval),
       (SELECT count(*) FROM booking_lines l JOIN bookings b ON b.id = l.booking_id
        WHERE b.status IN ('confirmed', 'out') AND ($4 = 0 OR b.location_id = $4)
          AND l.picked_up_at IS NOT NULL AND l.returned_at IS NULL
          AND l.ends_at >= $1 AND l.ends_at < $1 + $3::interval)`

// The attention figures on check-outs of every shape the schema allows:
// units of one line out one by one (the line not yet marked out), some of
// them back; a unit out without a due time; a line marked out whose unit
// was never scanned; a line "returned" that never went out; a no-show
// whose line is marked returned; a booking marked out whose line is not; a
// booking still confirmed with a line picked up; a line out with one unit
// out on its own and the other never scanned; a bulk line out; a line out
// whose only unit was swapped away.
// At several instants and per location, they equal the whole-history
// definition.
func TestAttentionOddCheckouts(t *testing.T) {
	w := newBizWorld(t)
	u3 := w.id(t, `INSERT INTO units (item_id, location_id, asset_tag) VALUES ($1, $2, 'U3') RETURNING id`, w.r6, w.berlin)
	u4 := w.id(t, `INSERT INTO units (item_id, location_id, asset_tag) VALUES ($1, $2, 'U4') RETURNING id`, w.r6, w.berlin)
	line := func(b int64, starts, ends, picked, returned string) int64 {
		null := func(s string) any {
			if s == "" {
				return nil
			}
			return ts(s)
		}
		return w.id(t, `INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at, picked_up_at, returned_at)
			VALUES ($1, $2, 1, $3, $4, $5, $6) RETURNING id`, b, w.r6, ts(starts), ts(ends), null(picked), null(returned))
	}
	// Two units on one line, the line not marked out: u3 out and overdue,
	// u4 out and back.
	b, l := w.booking(t, w.berlin, w.staff, "out", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", 1000, w.r6, 2,
		"2026-03-02T09:00:00Z", "2026-03-03T09:00:00Z", "", "")
	w.allocate(t, u3, l, "2026-03-02T09:00:00Z", "2026-03-03T09:00:00Z", "2026-03-02T09:00:00Z", "")
	w.allocate(t, u4, l, "2026-03-04T09:00:00Z", "2026-03-05T09:00:00Z", "2026-03-04T09:00:00Z", "2026-03-05T08:00:00Z")
	// A unit out with no due time on a line that ended.
	l = line(b, "2026-03-06T09:00:00Z", "2026-03-07T09:00:00Z", "", "")
	w.id(t, `INSERT INTO unit_allocations (unit_id, booking_line_id, occupied, picked_up_at) VALUES ($1, $2, tstzrange($3, $4), $3) RETURNING id`,
		u3, l, ts("2026-03-06T09:00:00Z"), ts("2026-03-07T09:00:00Z"))
	// A line marked out whose unit was never scanned, due after the line's end.
	l = line(b, "2026-03-08T09:00:00Z", "2026-03-09T09:00:00Z", "2026-03-08T09:00:00Z", "")
	w.allocate(t, u4, l, "2026-03-08T09:00:00Z", "2026-03-09T10:00:00Z", "", "")
	// A line marked out with its unit out on its own too (the usual
	// check-out), the unit due an hour after the line's end; and the same
	// on a cancelled booking, which counts nowhere.
	u5 := w.id(t, `INSERT INTO units (item_id, location_id, asset_tag) VALUES ($1, $2, 'U5') RETURNING id`, w.r6, w.berlin)
	l = line(b, "2026-03-10T09:00:00Z", "2026-03-11T09:00:00Z", "2026-03-10T09:00:00Z", "")
	w.allocate(t, u5, l, "2026-03-10T09:00:00Z", "2026-03-11T10:00:00Z", "2026-03-10T09:00:00Z", "")
	_, cl := w.booking(t, w.berlin, w.staff, "cancelled", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", 1000, w.r6, 1,
		"2026-03-12T09:00:00Z", "2026-03-13T09:00:00Z", "2026-03-12T09:00:00Z", "")
	w.allocate(t, u5, cl, "2026-03-12T09:00:00Z", "2026-03-13T10:00:00Z", "2026-03-12T09:00:00Z", "")
	// The same at the depot, its only overdue unit: the depot's oldest due
	// time is the unit's own, an hour after its line's end.
	u6 := w.id(t, `INSERT INTO units (item_id, location_id, asset_tag) VALUES ($1, $2, 'U6') RETURNING id`, w.r6, w.depot)
	_, dl := w.booking(t, w.depot, w.staff, "out", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", 1000, w.r6, 1,
		"2026-03-14T09:00:00Z", "2026-03-15T09:00:00Z", "2026-03-14T09:00:00Z", "")
	w.allocate(t, u6, dl, "2026-03-14T09:00:00Z", "2026-03-15T10:00:00Z", "2026-03-14T09:00:00Z", "")
	// A line of two units marked out, one unit out on its own and due
	// before the line's end, the other never scanned; a line of chairs
	// marked out (bulk: no unit at all); and a line marked out whose only
	// unit was swapped away (its allocation no longer active): no unit
	// either.
	u7 := w.id(t, `INSERT INTO units (item_id, location_id, asset_tag) VALUES ($1, $2, 'U7') RETURNING id`, w.r6, w.berlin)
	u8 := w.id(t, `INSERT INTO units (item_id, location_id, asset_tag) VALUES ($1, $2, 'U8') RETURNING id`, w.r6, w.berlin)
	l = line(b, "2026-03-16T09:00:00Z", "2026-03-17T09:00:00Z", "2026-03-16T09:00:00Z", "")
	w.allocate(t, u7, l, "2026-03-16T09:00:00Z", "2026-03-17T06:00:00Z", "2026-03-16T09:00:00Z", "")
	w.allocate(t, u8, l, "2026-03-16T09:00:00Z", "2026-03-17T09:00:00Z", "", "")
	w.booking(t, w.berlin, w.staff, "out", "2026-03-01T09:00:00Z", "2026-03-01T09:00:00Z", 1000, w.chair, 4,
		"2026-03-16T09:00:00Z", "2026-03-17T10:00:00Z", "2026-03-16T09:00:00Z", "")
	l = line(b, "2026-03-18T09:00:00Z", "2026-03-19T09:00:00Z", "2026-03-18T09:00:00Z", "")
	w.id(t, `INSERT INTO unit_allocations (unit_id, booking_line_id, occupied, active) VALUES ($1, $2, tstzrange($3, $4), false) RETURNING id`,
		u7, l, ts("2026-03-18T09:00:00Z"), ts("2026-03-19T09:00:00Z"))
	// A line "returned" that never went out, starting within the horizon.
	line(b, "2026-03-30T12:00:00Z", "2026-03-30T18:00:00Z", "", "2026-03-30T09:00:00Z")
	// A no-show whose only line is marked returned, and one at the depot.
	nb, _ := w.booking(t, w.berlin, nil, "confirmed", "2026-03-20T09:00:00Z", "2026-03-20T09:00:00Z", 1000, w.r6, 1,
		"2026-03-29T09:00:00Z", "2026-03-29T12:00:00Z", "", "2026-03-29T12:00:00Z")
	line(nb, "2026-04-02T09:00:00Z", "2026-04-03T09:00:00Z", "", "")
	w.booking(t, w.depot, nil, "confirmed", "2026-03-20T09:00:00Z", "2026-03-20T09:00:00Z", 1000, w.chair, 3,
		"2026-03-28T09:00:00Z", "2026-03-28T12:00:00Z", "", "")
	// A booking still confirmed with one line picked up and back and the
	// other never: no no-show, as something was picked up.
	pb, _ := w.booking(t, w.depot, nil, "confirmed", "2026-03-20T09:00:00Z", "2026-03-20T09:00:00Z", 1000, w.chair, 1,
		"2026-03-27T09:00:00Z", "2026-03-27T12:00:00Z", "2026-03-27T09:00:00Z", "2026-03-27T12:00:00Z")
	line(pb, "2026-03-28T09:00:00Z", "2026-03-28T12:00:00Z", "", "")
	// A booking marked out whose only line never was: no no-show, as it
	// is not confirmed.
	w.booking(t, w.depot, w.staff, "out", "2026-03-20T09:00:00Z", "2026-03-20T09:00:00Z", 1000, w.chair, 2,
		"2026-03-27T09:00:00Z", "2026-03-27T12:00:00Z", "", "")

	type figures struct {
		overdue, value            int64
		oldest                    *time.Time
		noShows, pickups, returns int64
	}
	for _, now := range []time.Time{w.now, ts("2026-03-02T12:00:00Z"), ts("2026-03-05T09:00:00Z"), ts("2026-03-09T09:30:00Z"),
		ts("2026-03-11T09:30:00Z"), ts("2026-03-13T12:00:00Z"), ts("2026-03-15T09:30:00Z"), ts("2026-03-16T12:00:00Z"),
		ts("2026-03-17T08:00:00Z"), ts("2026-03-17T12:00:00Z"), ts("2026-03-19T12:00:00Z"), ts("2026-04-05T00:00:00Z")} {
		for _, loc := range []int64{0, w.berlin, w.depot} {
			grace, horizon := 2*time.Hour, 48*time.Hour
			var want figures
			err := w.st.DB().QueryRowContext(w.ctx, wholeHistoryAttentionSQL, now, "7200000000 microseconds", "172800000000 microseconds", loc).
				Scan(&want.overdue, &want.value, &want.oldest, &want.noShows, &want.pickups, &want.returns)
			if err != nil {
				t.Fatal(err)
			}
			a, err := w.st.GetAttention(w.ctx, now, grace, horizon, loc)
			if err != nil {
				t.Fatal(err)
			}
			got := figures{a.Overdue, a.OverdueValue, a.OldestDue, a.NoShows, a.PickupsComing, a.ReturnsComing}
			same := got.oldest == nil && want.oldest == nil || got.oldest != nil && want.oldest != nil && got.oldest.Equal(*want.oldest)
			wantOldest := want.oldest
			got.oldest, want.oldest = nil, nil
			if !same || got != want {
				t.Errorf("at %s, location %d: %+v (oldest %v), want %+v (oldest %v)", now.Format(time.RFC3339), loc, got, a.OldestDue, want, wantOldest)
			}
		}
	}
}

// revenueByLinesSQL is revenue as the per-line split (revenueCTE) sums it,
// as the dashboard first computed its totals.
const revenueByLinesSQL = `
SELECT coalesce(round(sum((CASE e.kind WHEN 'refund' THEN -e.amount ELSE e.amount END)::numeric
           * CASE WHEN t.total > 0 THEN l.line_total::numeric / t.total ELSE 1::numeric / t.lines END)), 0)::bigint,
       count(DISTINCT b.id)
FROM ledger_entries e
JOIN bookings b ON b.id = e.booking_id
JOIN booking_lines l ON l.booking_id = b.id
CROSS JOIN LATERAL (SELECT sum(line_total) AS total, count(*) AS lines FROM booking_lines WHERE booking_id = b.id) t
WHERE e.kind IN ('payment', 'refund') AND e.status = 'done'
  AND e.created_at >= $1 AND e.created_at < $2 AND ($3 = 0 OR b.location_id = $3)`

// Revenue totals add up the entries themselves; they equal the sums of the
// per-line split, also for a booking split in thirds, a free booking and a
// booking without lines (whose money the split never counted).
func TestRevenueTotalsMatchLineSplit(t *testing.T) {
	w := newBizWorld(t)
	b, _ := w.booking(t, w.depot, nil, "returned", "2026-03-10T09:00:00Z", "2026-03-10T09:00:00Z", 1000, w.chair, 1,
		"2026-03-11T09:00:00Z", "2026-03-11T17:00:00Z", "2026-03-11T09:00:00Z", "2026-03-11T17:00:00Z")
	for range 2 {
		w.id(t, `INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at, unit_price, line_total)
			VALUES ($1, $2, 1, $3, $4, 1000, 1000) RETURNING id`, b, w.chair, ts("2026-03-11T09:00:00Z"), ts("2026-03-11T17:00:00Z"))
	}
	w.money(t, b, "payment", "cash", 1001, "2026-03-11T09:00:00Z", "done")
	free, _ := w.booking(t, w.berlin, nil, "returned", "2026-03-12T09:00:00Z", "2026-03-12T09:00:00Z", 0, w.r6, 1,
		"2026-03-13T09:00:00Z", "2026-03-13T17:00:00Z", "2026-03-13T09:00:00Z", "2026-03-13T17:00:00Z")
	w.money(t, free, "payment", "cash", 700, "2026-03-13T09:00:00Z", "done")
	bare := w.id(t, `INSERT INTO bookings (customer_id, location_id, status, currency, total) VALUES ($1, $2, 'confirmed', 'EUR', 500) RETURNING id`,
		w.cust, w.berlin)
	w.money(t, bare, "payment", "cash", 500, "2026-03-14T09:00:00Z", "done")
	for _, win := range [][2]time.Time{{ts("2026-03-01T00:00:00Z"), w.now}, {ts("2026-03-11T00:00:00Z"), ts("2026-03-14T00:00:00Z")},
		{ts("2026-03-29T00:00:00Z"), w.now}, {ts("2026-03-13T09:00:00Z"), ts("2026-03-14T09:00:00Z")}} {
		for _, loc := range []int64{0, w.berlin, w.depot} {
			var want store.Revenue
			if err := w.st.DB().QueryRowContext(w.ctx, revenueByLinesSQL, win[0], win[1], loc).Scan(&want.Amount, &want.Bookings); err != nil {
				t.Fatal(err)
			}
			got, err := w.st.GetRevenue(w.ctx, win[0], win[1], loc)
			if err != nil || got != want {
				t.Errorf("%s..%s location %d: %+v %v, want %+v", win[0].Format(time.RFC3339), win[1].Format(time.RFC3339), loc, got, err, want)
			}
		}
	}
}
