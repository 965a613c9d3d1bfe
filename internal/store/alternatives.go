package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/lib/pq"
)

// AlternativesQuery asks what a fully booked item's page offers instead:
// which of Spans (candidate periods, in the order they are offered) is the
// first with any of item ItemID free at LocationID, and the first N of the
// items Similar (in the list's order) with any free for [From, To).
type AlternativesQuery struct {
	ItemID, LocationID int64
	From, To           time.Time
	Now                time.Time
	Spans              []Span
	Similar            []int64
	N                  int
}

// Alternatives answers an AlternativesQuery.
type Alternatives struct {
	// NextFree is the index in Spans of the first span with any free, or -1.
	NextFree int
	// Similar are ListAvailability's rows of the first N items with any
	// free, in the order asked.
	Similar []ItemAvailability
}

// alternativesSQL answers both halves of an AlternativesQuery in one round
// trip: a fully booked item's page asked them one after the other, two
// statements after its availability (three round trips, against one for an
// item with some free).
//
// first is itemCalendarSQL's answer for the item $8 and the spans ($9
// starts, $10 ends) reduced to the first span with any free (-1 for none;
// NULL when the calendar has no rows: an archived or unknown item). The
// similar items are the first $7 of the items $6 with any free for [$2,
// $3), each asked as availabilityItemSQL asks one, one after the other in
// the list's order (the ordinality is a sort order the planner knows, so no
// sort waits for every item), and the limit stops the walk at the last one
// needed. $1 is the location, $4 the instant, $5 whether items customers
// cannot book count (availabilitySQL's). With no similar item free the one
// row carries first and NULLs.
var alternativesSQL = `
SELECT f.first, s.*
FROM (
    SELECT CASE WHEN count(*) > 0 THEN coalesce(min(c.day) FILTER (WHERE c.free > 0), 0) - 1 END AS first
    FROM (` + withParams(itemCalendarSQL, 8, 1, 9, 10, 4) + `) c
) f
LEFT JOIN (
    SELECT l.n, a.* FROM unnest((SELECT $6::bigint[])::bigint[]) WITH ORDINALITY AS l(id, n)
    CROSS JOIN LATERAL (` + availabilitySQLWith(unitBusyOfOne, `i.id = l.id`, ``) + `) a
    WHERE a.free > 0
    ORDER BY l.n
    LIMIT $7
) s ON true
ORDER BY s.n`

// paramRef is a parameter reference ($n) in a query's text.
var paramRef = regexp.MustCompile(`\$([0-9]+)`)

// withParams renumbers the parameters of query, $k becoming $as[k-1], so a
// query can be asked inside another whose parameters are numbered
// otherwise. The texts it is given hold no dollar sign but in parameters.
func withParams(query string, as ...int) string {
	return paramRef.ReplaceAllStringFunc(query, func(ref string) string {
		k, _ := strconv.Atoi(ref[1:])
		if k < 1 || k > len(as) {
			panic(fmt.Sprintf("store: parameter %s has no new number", ref))
		}
		return "$" + strconv.Itoa(as[k-1])
	})
}

// alternativesNames are alternativesSQL's columns.
var alternativesNames = append([]string{"first", "n"}, availabilityNames...)

// GetAlternatives answers q in one query; ErrNotFound for an archived or
// unknown item when there are spans.
func (s *Store) GetAlternatives(ctx context.Context, q AlternativesQuery) (Alternatives, error) {
	out := Alternatives{NextFree: -1}
	found := false
	scan := func(rows *sql.Rows) error {
		return newRowScan(alternativesNames...).each(rows, func(r *rowScan) {
			if first := r.optInt64(); first != nil {
				found, out.NextFree = true, int(*first)
			}
			if r.optInt64() == nil {
				r.skip(len(availabilityNames))
				return
			}
			if out.Similar == nil {
				out.Similar = make([]ItemAvailability, 0, min(q.N, len(q.Similar)))
			}
			var a ItemAvailability
			scanBookableItem(r, &a.BookableItem)
			a.Capacity = r.int()
			a.Free = r.int()
			out.Similar = append(out.Similar, a)
		})
	}
	starts, ends := spanBounds(q.Spans)
	similar := q.Similar
	if similar == nil {
		similar = []int64{}
	}
	args := []any{q.LocationID, q.From, q.To, q.Now, false, pq.Array(similar), q.N, q.ItemID, pq.Array(starts), pq.Array(ends)}
	if err := s.prepared().Query(ctx, alternativesSQL, args, scan); err != nil {
		return Alternatives{}, fmt.Errorf("store: alternatives to %d: %w", q.ItemID, classify(err))
	}
	if !found && len(q.Spans) > 0 {
		return Alternatives{}, fmt.Errorf("store: alternatives to %d: %w", q.ItemID, ErrNotFound)
	}
	return out, nil
}
