package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lib/pq"
)

// Stock is held in two ways. A serialized unit is held by an allocation row
// whose range the exclusion constraint unit_allocations_no_overlap keeps from
// overlapping any other active row of the same unit: PostgreSQL refuses a
// double booking whatever code wrote it. Bulk stock has no rows per piece; its
// capacity check runs under a row lock on bulk_stock (LockBulkStock), so the
// check and the write of one transaction cannot interleave with another's.

// NoOverlapConstraint is the exclusion constraint on unit allocations.
const NoOverlapConstraint = "unit_allocations_no_overlap"

// Span is a half-open range of instants [From, To); a zero To is open-ended.
type Span struct {
	From, To time.Time
}

func (sp Span) toArg() any {
	if sp.To.IsZero() {
		return nil
	}
	return sp.To
}

func int64Array(ids []int64) any { return pq.Array(ids) }

// classifyAlloc is classify plus the lock errors an allocating transaction can
// meet: a deadlock between two bookings is a conflict to retry, not a 500.
func classifyAlloc(err error) error {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && (pqErr.Code == "40P01" || pqErr.Code == "40001") {
		return fmt.Errorf("%w: %s: %w", ErrConflict, pqErr.Code, err)
	}
	return classify(err)
}

// expireHoldsSQL asks for the due holds through the expression of
// bookings_hold_due_idx (migration 00320), which no other index answers: as
// "status = 'hold' AND expires_at <= $1", a planner whose statistics had seen
// no hold read every live hold through bookings_status_idx. The updates take
// the ids as arrays, so a guess of many due holds (the expression has no
// statistics before an ANALYZE sees a hold) cannot make them hash joins over
// all bookings and lines. booking_housekeep asks the same way.
const expireHoldsSQL = `
WITH due AS (
    SELECT id FROM bookings
    WHERE (CASE WHEN status = 'hold' THEN expires_at END) <= $1
    ORDER BY id
    FOR UPDATE SKIP LOCKED
), expired AS (
    UPDATE bookings b SET status = 'expired', updated_at = $1
    WHERE b.id = ANY(ARRAY(SELECT id FROM due))
    RETURNING b.id
), freed AS (
    UPDATE unit_allocations a SET active = false
    FROM booking_lines l
    WHERE a.booking_line_id = l.id AND l.booking_id = ANY(ARRAY(SELECT id FROM expired)) AND a.active
)
SELECT id FROM expired ORDER BY id`

// ExpireHolds turns holds whose time ran out at now into expired bookings and
// frees their units. The booking engine runs it inside every allocating
// transaction (before inserting), so an expired hold's rows never trip the
// exclusion constraint; a periodic job runs it too. Holds another
// transaction is already expiring are skipped rather than waited for.
func (s *Store) ExpireHolds(ctx context.Context, now time.Time) ([]int64, error) {
	var ids []int64
	if err := s.prepared().SelectContext(ctx, &ids, expireHoldsSQL, now); err != nil {
		return nil, fmt.Errorf("store: expire holds: %w", classifyAlloc(err))
	}
	return ids, nil
}

// extendOverdueSQL stretches overdue check-outs; %s narrows it to some
// units (or to none of the narrowing, for all). The narrowing is an array
// computed once, so the planner tests it before the costly subqueries; as a
// join (IN (SELECT ...)) it was applied after them, to every overdue row.
const extendOverdueSQL = `
UPDATE unit_allocations a
SET occupied = tstzrange(lower(a.occupied), (
        SELECT min(lower(n.occupied)) FROM unit_allocations n
        WHERE n.unit_id = a.unit_id AND n.active AND n.id <> a.id AND lower(n.occupied) >= upper(a.occupied)))
WHERE a.active AND a.picked_up_at IS NOT NULL AND a.returned_at IS NULL
  AND NOT upper_inf(a.occupied) AND a.due_at <= %[1]s
  -- The open-due expression (migration 00062): its index and statistics
  -- find the few overdue check-outs instead of scanning every allocation.
  AND (CASE WHEN a.active AND a.picked_up_at IS NOT NULL AND a.returned_at IS NULL THEN a.due_at END) <= %[1]s
  AND upper(a.occupied) IS DISTINCT FROM (
        SELECT min(lower(n.occupied)) FROM unit_allocations n
        WHERE n.unit_id = a.unit_id AND n.active AND n.id <> a.id AND lower(n.occupied) >= upper(a.occupied))
  %[2]s`

var (
	extendAllOverdueSQL       = fmt.Sprintf(extendOverdueSQL, "$1", "")
	extendOverdueOfBookingSQL = fmt.Sprintf(extendOverdueSQL, "$1",
		"AND a.unit_id = ANY(ARRAY(SELECT id FROM units WHERE item_id IN (SELECT item_id FROM booking_lines WHERE booking_id = $2)))")
	extendOverdueOfUnitSQL = fmt.Sprintf(extendOverdueSQL, "$1", "AND a.unit_id = $2")
)

// ExtendOverdue stretches the allocation of every unit that is out past its
// end up to the next booking of that unit (or for ever), so the constraint
// itself keeps an overdue unit from being promised again. Availability treats
// an overdue unit as taken from its pick-up on regardless (allocation_blocks).
func (s *Store) ExtendOverdue(ctx context.Context, now time.Time) (int64, error) {
	return s.extendOverdue(ctx, s.q, extendAllOverdueSQL, now)
}

// ExtendOverdueOfBooking is ExtendOverdue for the units of a booking's items.
//
// Every change of a booking (each check-out and check-in scan among them)
// runs it, so it runs prepared: unprepared, lib/pq sent it in two round
// trips (parse, then bind and execute) on every call. PostgreSQL still plans
// it for each call's instant (on the benchmark's large shop the plan made for
// the instant reads the overdue check-outs by due time, 31 buffers; the
// generic plan 23–30 through the open ones by unit, and PostgreSQL, guessing
// it dearer, kept to the former after eight calls), so a prepared statement
// changes what is read in no case.
func (s *Store) ExtendOverdueOfBooking(ctx context.Context, now time.Time, bookingID int64) (int64, error) {
	return s.extendOverdue(ctx, s.prepared(), extendOverdueOfBookingSQL, now, bookingID)
}

// ExtendOverdueOfUnit is ExtendOverdue for one unit; prepared, as
// ExtendOverdueOfBooking.
func (s *Store) ExtendOverdueOfUnit(ctx context.Context, now time.Time, unitID int64) (int64, error) {
	return s.extendOverdue(ctx, s.prepared(), extendOverdueOfUnitSQL, now, unitID)
}

// extendOverdue runs a form of extendOverdueSQL on q: the store as it is
// (s.q) or its prepared statements (s.prepared()).
func (s *Store) extendOverdue(ctx context.Context, q queryer, query string, args ...any) (int64, error) {
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("store: extend overdue: %w", classifyAlloc(err))
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// housekeepSQL runs the function booking_housekeep (migration 00211):
// expireHoldsSQL, then extendOverdueOfItemsSQL, in one round trip.
const housekeepSQL = `SELECT h.id FROM booking_housekeep($1, $2::bigint[]) AS h (id)`

// ExpireHoldsAndExtendOverdue is ExpireHolds followed by
// ExtendOverdueOfItems, as one statement: what every booking transaction
// does before it allocates, a round trip less while it waits for no lock
// yet. It returns the ids of the holds it expired.
func (s *Store) ExpireHoldsAndExtendOverdue(ctx context.Context, now time.Time, itemIDs []int64) ([]int64, error) {
	if itemIDs == nil {
		itemIDs = []int64{}
	}
	var ids []int64
	if err := s.prepared().SelectContext(ctx, &ids, housekeepSQL, now, pq.Array(itemIDs)); err != nil {
		return nil, fmt.Errorf("store: expire holds and extend overdue: %w", classifyAlloc(err))
	}
	return ids, nil
}

// freeUnitsSQL uses allocation_blocks, the one definition (in the schema) of
// "this allocation keeps its unit busy in that window at that instant".
var freeUnitsSQL = `
SELECT u.id FROM units u
WHERE u.item_id = $1 AND u.location_id = $2 AND u.status = 'available'
  AND u.id <> ALL($6::bigint[])
  AND NOT ` + unitBusy("u.id", "tstzrange($3, $4)", "$5") + `
ORDER BY u.id
LIMIT $7`

// freeUnitSQL is freeUnitsSQL for one unit ($6): the re-check of a locked
// candidate.
var freeUnitSQL = `
SELECT u.id FROM units u
WHERE u.id = $6 AND u.item_id = $1 AND u.location_id = $2 AND u.status = 'available'
  AND NOT ` + unitBusy("u.id", "tstzrange($3, $4)", "$5")

// lockFreeUnitsSQL is freeUnitsSQL that also locks the units it returns (in
// id order, as LockUnits does): a booking's candidates and their locks in one
// round trip. The units' busy check ran on the statement's snapshot, taken
// before any wait for a lock, so a candidate must still be checked again
// after it (InsertFreeAllocation does).
var lockFreeUnitsSQL = freeUnitsSQL + `
FOR NO KEY UPDATE OF u`

// FreeUnitsQuery asks for units of an item at a location free over Occupied.
type FreeUnitsQuery struct {
	ItemID, LocationID int64
	Occupied           Span
	Now                time.Time
	Exclude            []int64
	Limit              int
	// Only narrows the question to one unit (0 = any).
	Only int64
}

// FreeUnits lists units free over the span, lowest id first.
//
// Both texts run prepared: a booking asks them inside its transaction for
// every unit it takes, and planning them cost more than running them. The
// one-unit re-check has a text of its own rather than an optional filter
// ("$8 = 0 OR u.id = $8"), so each keeps a plan made for its own shape.
func (s *Store) FreeUnits(ctx context.Context, q FreeUnitsQuery) ([]int64, error) {
	var ids []int64
	var err error
	if q.Only != 0 {
		if q.Limit <= 0 || slices.Contains(q.Exclude, q.Only) {
			return nil, nil
		}
		err = s.prepared().SelectContext(ctx, &ids, freeUnitSQL, q.ItemID, q.LocationID, q.Occupied.From, q.Occupied.toArg(),
			q.Now, q.Only)
	} else {
		if q.Exclude == nil {
			q.Exclude = []int64{}
		}
		err = s.prepared().SelectContext(ctx, &ids, freeUnitsSQL, q.ItemID, q.LocationID, q.Occupied.From, q.Occupied.toArg(),
			q.Now, int64Array(q.Exclude), q.Limit)
	}
	if err != nil {
		return nil, fmt.Errorf("store: free units: %w", classifyAlloc(err))
	}
	return ids, nil
}

// LockFreeUnits is FreeUnits (Only is not used) that also locks the units
// it lists until the transaction ends, like LockUnits. A unit it returns may
// have been taken by the holder of its lock it waited for: the write must
// check it again (InsertFreeAllocation).
func (s *Store) LockFreeUnits(ctx context.Context, q FreeUnitsQuery) ([]int64, error) {
	if q.Exclude == nil {
		q.Exclude = []int64{}
	}
	var ids []int64
	err := s.prepared().SelectContext(ctx, &ids, lockFreeUnitsSQL, q.ItemID, q.LocationID, q.Occupied.From, q.Occupied.toArg(),
		q.Now, int64Array(q.Exclude), q.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: lock free units: %w", classifyAlloc(err))
	}
	return ids, nil
}

// NewAllocation is one unit held for a booking line or a maintenance block.
type NewAllocation struct {
	UnitID        int64
	LineID        int64 // exactly one of LineID and MaintenanceID
	MaintenanceID int64
	Occupied      Span
	HoldExpiresAt *time.Time
	PickedUpAt    *time.Time
}

// insertAllocationSQL writes nothing when the range overlaps another active
// allocation of the unit: ON CONFLICT DO NOTHING takes the exclusion
// constraint unit_allocations_no_overlap (the table's only unique or
// exclusion rule besides its key) as its arbiter, waits like a plain insert
// for a transaction still writing the other row, and leaves the
// transaction usable without a savepoint.
const insertAllocationSQL = `
INSERT INTO unit_allocations (unit_id, booking_line_id, maintenance_id, occupied, due_at, hold_expires_at, picked_up_at)
VALUES ($1, NULLIF($2, 0), NULLIF($3, 0), tstzrange($4, $5), $5, $6, $7)
ON CONFLICT DO NOTHING
RETURNING id`

// ErrUnitTaken is InsertAllocation's refusal: the range overlaps another
// active allocation of the unit. It matches ErrConflict, ConstraintOf names
// unit_allocations_no_overlap, and the transaction stays usable, so the
// caller can go on and try another unit. Any other error of the insert (a
// deadlock among them, which also matches ErrConflict) leaves the
// transaction failed.
var ErrUnitTaken error = &constraintRefusal{constraint: NoOverlapConstraint}

// constraintRefusal is a refusal by a unique or exclusion constraint that
// PostgreSQL answered as no row written (ON CONFLICT DO NOTHING) rather than
// as an error.
type constraintRefusal struct{ constraint string }

func (e *constraintRefusal) Error() string { return ErrConflict.Error() + ": " + e.constraint }

// Is lets the refusal match ErrConflict.
func (e *constraintRefusal) Is(target error) bool { return target == ErrConflict }

// InsertAllocation holds a unit. An overlap with another active allocation of
// the unit is ErrUnitTaken (constraint unit_allocations_no_overlap), written
// as nothing rather than raised, so no savepoint (two round trips) is needed
// for the transaction to go on.
func (s *Store) InsertAllocation(ctx context.Context, na NewAllocation) (int64, error) {
	var ids []int64
	err := s.prepared().SelectContext(ctx, &ids, insertAllocationSQL, na.UnitID, na.LineID, na.MaintenanceID,
		na.Occupied.From, na.Occupied.toArg(), na.HoldExpiresAt, na.PickedUpAt)
	if err != nil {
		return 0, fmt.Errorf("store: allocate unit %d: %w", na.UnitID, classifyAlloc(err))
	}
	if len(ids) == 0 {
		return 0, fmt.Errorf("store: allocate unit %d: %w", na.UnitID, ErrUnitTaken)
	}
	return ids[0], nil
}

// insertFreeAllocationSQL is freeUnitSQL's re-check and insertAllocationSQL
// in one statement: the row is written only if the unit ($1) is still of the
// item ($8) at the location ($9), available, and free over the range at the
// instant $10 by allocation_blocks; the exclusion constraint stays the last
// word (ON CONFLICT DO NOTHING, as in insertAllocationSQL). Run after the
// unit's lock was taken, its snapshot sees every allocation of the unit
// committed before. The busy check names the unit by the parameter, not by
// u.id: correlated, the planner may hash every allocation in the window of
// every unit (about 490 buffers for one unit on the large bench set) instead
// of probing this unit's.
var insertFreeAllocationSQL = `
INSERT INTO unit_allocations (unit_id, booking_line_id, maintenance_id, occupied, due_at, hold_expires_at, picked_up_at)
SELECT u.id, NULLIF($2, 0), NULLIF($3, 0), tstzrange($4, $5), $5, $6, $7
FROM units u
WHERE u.id = $1 AND u.item_id = $8 AND u.location_id = $9 AND u.status = 'available'
  AND NOT ` + unitBusy("$1", "tstzrange($4, $5)", "$10") + `
ON CONFLICT DO NOTHING
RETURNING id`

// InsertFreeAllocation holds a unit of an item at a location if it is free
// by the same rule as FreeUnits (the re-check of a locked candidate) and the
// exclusion constraint: one round trip instead of FreeUnits' then
// InsertAllocation's. A unit not free, or taken, is ErrUnitTaken, and the
// transaction stays usable. The caller holds the unit's lock (LockUnits or
// LockFreeUnits).
func (s *Store) InsertFreeAllocation(ctx context.Context, itemID, locationID int64, na NewAllocation, now time.Time) (int64, error) {
	var ids []int64
	err := s.prepared().SelectContext(ctx, &ids, insertFreeAllocationSQL, na.UnitID, na.LineID, na.MaintenanceID,
		na.Occupied.From, na.Occupied.toArg(), na.HoldExpiresAt, na.PickedUpAt, itemID, locationID, now)
	if err != nil {
		return 0, fmt.Errorf("store: allocate unit %d: %w", na.UnitID, classifyAlloc(err))
	}
	if len(ids) == 0 {
		return 0, fmt.Errorf("store: allocate unit %d: %w", na.UnitID, ErrUnitTaken)
	}
	return ids[0], nil
}

// savepoint runs fn so that its failure leaves the surrounding transaction
// usable. Outside a transaction it just runs fn.
func (s *Store) savepoint(ctx context.Context, fn func() error) error {
	if s.tx == nil {
		return fn()
	}
	if _, err := s.q.ExecContext(ctx, `SAVEPOINT alloc`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rbErr := s.q.ExecContext(ctx, `ROLLBACK TO SAVEPOINT alloc`); rbErr != nil {
			return errors.Join(err, rbErr)
		}
		return err
	}
	_, err := s.q.ExecContext(ctx, `RELEASE SAVEPOINT alloc`)
	return err
}

// lockUnitsForAllocationSQL runs prepared; the ids are read through a
// subquery so that its plan does not depend on how many there are (see
// availabilityOfSQL).
const lockUnitsForAllocationSQL = `SELECT id FROM units WHERE id = ANY((SELECT $1::bigint[])::bigint[]) ORDER BY id FOR NO KEY UPDATE`

// LockUnits locks unit rows (in id order) until the transaction ends. Every
// write that allocates a unit takes this lock first, so writers of one unit
// queue up instead of racing into the exclusion constraint together (where
// PostgreSQL would make each wait for the others and break the cycles with
// deadlock errors); the constraint stays the last word.
func (s *Store) LockUnits(ctx context.Context, ids []int64) error {
	var got []int64
	if err := s.prepared().SelectContext(ctx, &got, lockUnitsForAllocationSQL, int64Array(ids)); err != nil {
		return fmt.Errorf("store: lock units: %w", classifyAlloc(err))
	}
	return nil
}

const deactivateLineAllocationsSQL = `
UPDATE unit_allocations SET active = false
WHERE booking_line_id = $1 AND active AND ($2 = 0 OR id = $2)
RETURNING unit_id`

// ReleaseLineUnits frees the units a line holds (one allocation when
// allocationID is not 0) and returns the unit ids freed.
func (s *Store) ReleaseLineUnits(ctx context.Context, lineID, allocationID int64) ([]int64, error) {
	var ids []int64
	if err := s.q.SelectContext(ctx, &ids, deactivateLineAllocationsSQL, lineID, allocationID); err != nil {
		return nil, fmt.Errorf("store: release line %d: %w", lineID, classifyAlloc(err))
	}
	return ids, nil
}

const confirmBookingSQL = `
WITH b AS (
    UPDATE bookings SET status = 'confirmed', updated_at = $2, expires_at = NULL,
           confirmed_at = coalesce(confirmed_at, $2)
    WHERE id = $1
    RETURNING id
)
UPDATE unit_allocations a SET hold_expires_at = NULL
FROM booking_lines l, b
WHERE a.booking_line_id = l.id AND l.booking_id = b.id AND a.active`

// ConfirmBooking is SetBookingStatus(id, confirmed, now) and, in the same
// statement, clears its allocations' hold expiry: the booking is confirmed
// and its units block for good instead of running out with the hold.
func (s *Store) ConfirmBooking(ctx context.Context, id int64, now time.Time) error {
	if _, err := s.prepared().ExecContext(ctx, confirmBookingSQL, id, now); err != nil {
		return fmt.Errorf("store: confirm booking %d: %w", id, classifyAlloc(err))
	}
	return nil
}

const markAllocationSQL = `
UPDATE unit_allocations a SET
  picked_up_at = CASE WHEN $2 THEN coalesce(a.picked_up_at, $4::timestamptz) ELSE a.picked_up_at END,
  returned_at  = CASE WHEN $3 THEN $4::timestamptz ELSE a.returned_at END,
  -- At check-in the unit is back: it stays held only for the turnaround after
  -- the return, and never into the next booking of the unit.
  occupied = CASE WHEN $3 THEN tstzrange(lower(a.occupied), greatest(lower(a.occupied), least(
                 $4::timestamptz + make_interval(mins => $5),
                 coalesce((SELECT min(lower(n.occupied)) FROM unit_allocations n
                           WHERE n.unit_id = a.unit_id AND n.active AND n.id <> a.id
                             AND lower(n.occupied) >= lower(a.occupied)), 'infinity'))))
             ELSE a.occupied END
WHERE a.id = $1`

// MarkAllocation records the check-out (pickedUp) or check-in (returned) of
// one unit at now. Check-in closes the range the open check-out kept open.
func (s *Store) MarkAllocation(ctx context.Context, allocationID int64, pickedUp, returned bool, bufferAfterMinutes int, now time.Time) error {
	if _, err := s.prepared().ExecContext(ctx, markAllocationSQL, allocationID, pickedUp, returned, now, bufferAfterMinutes); err != nil {
		return fmt.Errorf("store: mark allocation %d: %w", allocationID, classifyAlloc(err))
	}
	return nil
}

const pickUpAllocationSQL = `
UPDATE unit_allocations
SET picked_up_at = coalesce(picked_up_at, $2),
    occupied = tstzrange(least(lower(occupied), $2), upper(occupied))
WHERE id = $1`

// PickUpAllocation records the check-out of one unit at now. A unit handed
// out before its booked start occupies it from now on: the range's lower
// bound comes down to now, so the exclusion constraint refuses the pickup
// (ErrConflict, the transaction still usable) when another booking or a
// maintenance block holds the unit in between.
func (s *Store) PickUpAllocation(ctx context.Context, allocationID int64, now time.Time) error {
	err := s.savepoint(ctx, func() error {
		_, err := s.prepared().ExecContext(ctx, pickUpAllocationSQL, allocationID, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: pick up allocation %d: %w", allocationID, classifyAlloc(err))
	}
	return nil
}

// PickUpAllocationInRange is PickUpAllocation for a unit handed out at or
// after the start of the range it is held for (now >= its lower bound; a
// line's range starts at its start less the item's buffer, never after
// it): the range stays as it is, so the exclusion constraint, which the
// unchanged range already met, cannot refuse the write, and it needs no
// savepoint. At the counter that is a pickup on time or late: one round
// trip instead of three (savepoint, update, release).
func (s *Store) PickUpAllocationInRange(ctx context.Context, allocationID int64, now time.Time) error {
	if _, err := s.prepared().ExecContext(ctx, pickUpAllocationSQL, allocationID, now); err != nil {
		return fmt.Errorf("store: pick up allocation %d: %w", allocationID, classifyAlloc(err))
	}
	return nil
}

const resizeLineAllocationsSQL = `
UPDATE unit_allocations SET occupied = tstzrange($2, $3), due_at = $3
WHERE booking_line_id = $1 AND active`

// ResizeLineUnits moves the range of every unit a line holds, in place. An
// overlap with another allocation is ErrConflict; the savepoint leaves the
// transaction usable so the caller can try other units.
func (s *Store) ResizeLineUnits(ctx context.Context, lineID int64, occupied Span) error {
	err := s.savepoint(ctx, func() error {
		_, err := s.q.ExecContext(ctx, resizeLineAllocationsSQL, lineID, occupied.From, occupied.toArg())
		return err
	})
	if err != nil {
		return fmt.Errorf("store: resize line %d: %w", lineID, classifyAlloc(err))
	}
	return nil
}

const lockBulkCapacitySQL = `
SELECT quantity FROM bulk_stock WHERE item_id = $1 AND location_id = $2 FOR UPDATE`

// LockBulkStock locks the stock row of a bulk item at a location for the rest
// of the transaction and returns its quantity (0 when the location has none).
// Every bulk booking takes this lock before its capacity check, so checks and
// writes for one item and location happen one transaction at a time.
func (s *Store) LockBulkStock(ctx context.Context, itemID, locationID int64) (int, error) {
	var q int
	err := s.q.GetContext(ctx, &q, lockBulkCapacitySQL, itemID, locationID)
	if err != nil {
		err = classifyAlloc(err)
		if errors.Is(err, ErrNotFound) {
			return 0, nil
		}
		return 0, fmt.Errorf("store: lock bulk stock %d/%d: %w", itemID, locationID, err)
	}
	return q, nil
}

const bulkPeakSQL = `SELECT bulk_peak($1, $2, tstzrange($3, $4), $5, $6)`

// BulkPeak is the most pieces of a bulk item in use at any one instant of the
// span at a location (the peak, not the sum of overlapping lines), ignoring
// line excludeLine (the line being changed).
func (s *Store) BulkPeak(ctx context.Context, itemID, locationID int64, occupied Span, now time.Time, excludeLine int64) (int, error) {
	var n int
	if err := s.q.GetContext(ctx, &n, bulkPeakSQL, itemID, locationID, occupied.From, occupied.toArg(), now, excludeLine); err != nil {
		return 0, fmt.Errorf("store: bulk peak %d: %w", itemID, classifyAlloc(err))
	}
	return n, nil
}

const unitOpenCheckoutSQL = `
SELECT b.number FROM unit_allocations a
JOIN booking_lines l ON l.id = a.booking_line_id
JOIN bookings b ON b.id = l.booking_id
WHERE a.unit_id = $1 AND a.active AND a.picked_up_at IS NOT NULL AND a.returned_at IS NULL
LIMIT 1`

// UnitOpenCheckout reports whether a unit is out (picked up, not checked in)
// and on which booking.
func (s *Store) UnitOpenCheckout(ctx context.Context, unitID int64) (bool, string, error) {
	var numbers []string
	if err := s.prepared().SelectContext(ctx, &numbers, unitOpenCheckoutSQL, unitID); err != nil {
		return false, "", fmt.Errorf("store: open check-out of unit %d: %w", unitID, classify(err))
	}
	if len(numbers) == 0 {
		return false, "", nil
	}
	return true, numbers[0], nil
}

const unitChangeStrandsSQL = `
SELECT u.asset_tag, b.number
FROM units u
JOIN unit_allocations a ON a.unit_id = u.id AND a.active AND a.booking_line_id IS NOT NULL AND a.returned_at IS NULL
JOIN booking_lines l ON l.id = a.booking_line_id
JOIN bookings b ON b.id = l.booking_id
WHERE u.id = ANY($1::bigint[])
  AND (u.status <> 'available' OR u.location_id <> b.location_id OR u.item_id <> l.item_id)
  AND (a.hold_expires_at IS NULL OR a.hold_expires_at > now())
  AND (a.picked_up_at IS NOT NULL OR upper_inf(a.occupied) OR upper(a.occupied) > now())
ORDER BY u.asset_tag
LIMIT 1`

// GuardUnitChanges refuses (ErrConflict, naming the unit and the booking) a
// change that took a unit out of service, moved it to another location or
// made it a unit of another item while a booking still holds it, now or later. Unit edits and the CSV import call it after
// writing, inside their transaction, so the refused change rolls back.
func (s *Store) GuardUnitChanges(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var rows []struct {
		Tag    string `db:"asset_tag"`
		Number string `db:"number"`
	}
	if err := s.q.SelectContext(ctx, &rows, unitChangeStrandsSQL, int64Array(ids)); err != nil {
		return fmt.Errorf("store: check unit changes: %w", classify(err))
	}
	if len(rows) > 0 {
		return &UnitHeldError{AssetTag: rows[0].Tag, BookingNumber: rows[0].Number}
	}
	return nil
}

// UnitHolder is a booking line holding a unit in a window: what stands in the
// way of a maintenance block of that unit.
type UnitHolder struct {
	BookingID    int64      `db:"booking_id"`
	Number       string     `db:"number"`
	Status       string     `db:"status"`
	CustomerName string     `db:"customer_name"`
	TimeZone     string     `db:"time_zone"`
	LineID       int64      `db:"line_id"`
	ItemID       int64      `db:"item_id"`
	StartsAt     time.Time  `db:"starts_at"`
	EndsAt       time.Time  `db:"ends_at"`
	PickedUpAt   *time.Time `db:"picked_up_at"`
}

// unitHoldersSQL asks allocation_blocks, the same rule the exclusion check
// and FreeUnits follow, which booking allocations of the unit keep it busy
// in the window at that instant.
const unitHoldersSQL = `
SELECT b.id AS booking_id, b.number, b.status, cu.name AS customer_name, lo.time_zone, l.id AS line_id, l.item_id,
       l.starts_at, l.ends_at, a.picked_up_at
FROM unit_allocations a
JOIN booking_lines l ON l.id = a.booking_line_id
JOIN bookings b ON b.id = l.booking_id
JOIN locations lo ON lo.id = b.location_id
JOIN users cu ON cu.id = b.customer_id
WHERE a.unit_id = $1 AND a.active AND a.returned_at IS NULL
  AND allocation_blocks(a.occupied, a.due_at, a.picked_up_at, a.returned_at, a.hold_expires_at, tstzrange($2, $3), $4)
ORDER BY l.starts_at, b.id`

// UnitHolders lists the booking lines that hold a unit somewhere in the
// window (an open window when its end is zero), earliest first.
func (s *Store) UnitHolders(ctx context.Context, unitID int64, win Span, now time.Time) ([]UnitHolder, error) {
	var out []UnitHolder
	if err := s.q.SelectContext(ctx, &out, unitHoldersSQL, unitID, win.From, win.toArg(), now); err != nil {
		return nil, fmt.Errorf("store: holders of unit %d: %w", unitID, classify(err))
	}
	return out, nil
}
