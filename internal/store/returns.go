package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// LateFeeRule is an item's late fee rule as stored.
type LateFeeRule struct {
	Per          string `db:"late_fee_per"`
	Amount       int64  `db:"late_fee_amount"`
	GraceMinutes int    `db:"late_fee_grace_minutes"`
	Cap          int64  `db:"late_fee_cap"`
}

const getLateFeeRuleSQL = `
SELECT late_fee_per, late_fee_amount, late_fee_grace_minutes, late_fee_cap FROM items WHERE id = $1`

// GetLateFeeRule loads an item's late fee rule.
func (s *Store) GetLateFeeRule(ctx context.Context, itemID int64) (LateFeeRule, error) {
	var r LateFeeRule
	if err := s.q.GetContext(ctx, &r, getLateFeeRuleSQL, itemID); err != nil {
		return r, fmt.Errorf("store: late fee rule of item %d: %w", itemID, classify(err))
	}
	return r, nil
}

const setLateFeeRuleSQL = `
UPDATE items SET late_fee_per = $2, late_fee_amount = $3, late_fee_grace_minutes = $4, late_fee_cap = $5 WHERE id = $1`

// SetLateFeeRule stores an item's late fee rule.
func (s *Store) SetLateFeeRule(ctx context.Context, itemID int64, r LateFeeRule) error {
	if _, err := s.q.ExecContext(ctx, setLateFeeRuleSQL, itemID, r.Per, r.Amount, r.GraceMinutes, r.Cap); err != nil {
		return fmt.Errorf("store: set late fee rule of item %d: %w", itemID, classify(err))
	}
	return nil
}

// Unit conditions at return.
const (
	ConditionOK            = "ok"
	ConditionNeedsCleaning = "needs_cleaning"
	ConditionDamaged       = "damaged"
)

// NewUnitReturn is a unit (or bulk line) taken back, as recorded.
type NewUnitReturn struct {
	BookingID, LineID, UnitID int64 // UnitID 0 for a bulk line
	Quantity                  int
	Condition, Note           string
	MaintenanceID             int64
	LateFee                   int64
	LateFeeBreakdown          []string
	LateFeeWaived             string
	LedgerEntryID             int64
	ReceivedBy                int64
	ReturnedAt                time.Time
}

const insertUnitReturnSQL = `
INSERT INTO unit_returns (booking_id, booking_line_id, unit_id, quantity, condition, note, maintenance_id, late_fee,
                          late_fee_breakdown, late_fee_waived, ledger_entry_id, received_by, returned_at,
                          late_fee_waived_amount, late_fee_waived_by, late_fee_waived_at)
VALUES ($1, $2, NULLIF($3, 0), $4, $5, $6, NULLIF($7, 0), $8, $9, $10, NULLIF($11, 0), NULLIF($12, 0), $13,
        CASE WHEN $10::text <> '' THEN $8::bigint ELSE 0 END, CASE WHEN $10::text <> '' THEN NULLIF($12::bigint, 0) END,
        CASE WHEN $10::text <> '' THEN $13::timestamptz END)
RETURNING id`

// InsertUnitReturn records a return. A fee waived at check-in is waived in
// full, by the one who took the return back.
func (s *Store) InsertUnitReturn(ctx context.Context, r NewUnitReturn) (int64, error) {
	bd, err := json.Marshal(r.LateFeeBreakdown)
	if err != nil {
		return 0, fmt.Errorf("store: return breakdown: %w", err)
	}
	if r.LateFeeBreakdown == nil {
		bd = []byte("[]")
	}
	var id int64
	if err := s.q.GetContext(ctx, &id, insertUnitReturnSQL, r.BookingID, r.LineID, r.UnitID, max(r.Quantity, 1), r.Condition,
		r.Note, r.MaintenanceID, r.LateFee, string(bd), r.LateFeeWaived, r.LedgerEntryID, r.ReceivedBy, r.ReturnedAt); err != nil {
		return 0, fmt.Errorf("store: insert return: %w", classify(err))
	}
	return id, nil
}

// UnitReturn is a recorded return, for the booking page.
type UnitReturn struct {
	ID               int64           `db:"id"`
	What             string          `db:"what"` // asset tag, or "3 × Chair"
	Condition        string          `db:"condition"`
	Note             string          `db:"note"`
	Maintenance      bool            `db:"maintenance"`
	MaintenanceID    int64           `db:"maintenance_id"`
	MaintenanceOn    bool            `db:"maintenance_on"` // the block has not ended
	LateFee          int64           `db:"late_fee"`
	LateFeeBreakdown json.RawMessage `db:"late_fee_breakdown"`
	LateFeeWaived    string          `db:"late_fee_waived"`
	// LateFeeWaivedAmount is what was waived (all of it at check-in, all or
	// part of the charge later); WaivedLater marks a charge reversed on the
	// ledger after the return.
	LateFeeWaivedAmount int64     `db:"late_fee_waived_amount"`
	WaivedLater         bool      `db:"waived_later"`
	WaivedBy            string    `db:"waived_by"`
	Charged             bool      `db:"charged"` // the late fee went on the ledger
	ReceivedBy          string    `db:"received_by"`
	ReturnedAt          time.Time `db:"returned_at"`
}

const listUnitReturnsSQL = `
SELECT r.id, coalesce(u.asset_tag, r.quantity || ' × ' || i.name) AS what, r.condition, r.note,
       r.maintenance_id IS NOT NULL AS maintenance, coalesce(r.maintenance_id, 0) AS maintenance_id,
       (m.id IS NOT NULL AND m.ended_at IS NULL AND (m.ends_at IS NULL OR m.ends_at > $2)) AS maintenance_on, r.late_fee, r.late_fee_breakdown, r.late_fee_waived,
       r.late_fee_waived_amount, r.late_fee_waiver_entry_id IS NOT NULL AS waived_later, coalesce(wb.name, '') AS waived_by,
       r.ledger_entry_id IS NOT NULL AS charged, coalesce(st.name, '') AS received_by, r.returned_at
FROM unit_returns r
JOIN booking_lines l ON l.id = r.booking_line_id
JOIN items i ON i.id = l.item_id
LEFT JOIN units u ON u.id = r.unit_id
LEFT JOIN users st ON st.id = r.received_by
LEFT JOIN users wb ON wb.id = r.late_fee_waived_by
LEFT JOIN maintenance_blocks m ON m.id = r.maintenance_id
WHERE r.booking_id = $1
ORDER BY r.id`

// ListUnitReturns lists a booking's returns, oldest first, with whether their
// maintenance blocks still run at now. It runs prepared: the staff booking
// page reads it on every view.
func (s *Store) ListUnitReturns(ctx context.Context, bookingID int64, now time.Time) ([]UnitReturn, error) {
	var out []UnitReturn
	if err := s.prepared().SelectContext(ctx, &out, listUnitReturnsSQL, bookingID, now); err != nil {
		return nil, fmt.Errorf("store: returns of booking %d: %w", bookingID, classify(err))
	}
	return out, nil
}

// ReturnFee is a return's late fee as charged, for waiving it afterwards.
type ReturnFee struct {
	ID            int64  `db:"id"`
	BookingID     int64  `db:"booking_id"`
	What          string `db:"what"`
	LateFee       int64  `db:"late_fee"`
	LateFeeWaived string `db:"late_fee_waived"`
	LedgerEntryID int64  `db:"ledger_entry_id"` // 0: never charged
}

const lockReturnFeeSQL = `
SELECT r.id, r.booking_id, coalesce(u.asset_tag, r.quantity || ' × ' || i.name) AS what, r.late_fee, r.late_fee_waived,
       coalesce(r.ledger_entry_id, 0) AS ledger_entry_id
FROM unit_returns r
JOIN booking_lines l ON l.id = r.booking_line_id
JOIN items i ON i.id = l.item_id
LEFT JOIN units u ON u.id = r.unit_id
WHERE r.id = $1 AND r.booking_id = $2
FOR UPDATE OF r`

// LockReturnFee loads a return of a booking with its row locked (run it
// inside WithTx); a return of another booking is ErrNotFound.
func (s *Store) LockReturnFee(ctx context.Context, bookingID, returnID int64) (ReturnFee, error) {
	var f ReturnFee
	if err := s.q.GetContext(ctx, &f, lockReturnFeeSQL, returnID, bookingID); err != nil {
		return f, fmt.Errorf("store: return %d of booking %d: %w", returnID, bookingID, classify(err))
	}
	return f, nil
}

// LateFeeWaiver is a charged late fee waived afterwards.
type LateFeeWaiver struct {
	ReturnID, Amount, EntryID, By int64
	Reason                        string
	At                            time.Time
}

const waiveReturnFeeSQL = `
UPDATE unit_returns SET late_fee_waived = $2, late_fee_waived_amount = $3, late_fee_waiver_entry_id = $4,
       late_fee_waived_by = NULLIF($5, 0), late_fee_waived_at = $6
WHERE id = $1 AND late_fee_waived = ''`

// WaiveReturnFee records a waiver on its return; a fee waived already is
// ErrConflict.
func (s *Store) WaiveReturnFee(ctx context.Context, w LateFeeWaiver) error {
	res, err := s.q.ExecContext(ctx, waiveReturnFeeSQL, w.ReturnID, w.Reason, w.Amount, w.EntryID, w.By, w.At)
	if err != nil {
		return fmt.Errorf("store: waive late fee of return %d: %w", w.ReturnID, classify(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("store: waive late fee of return %d: %w", w.ReturnID, ErrConflict)
	}
	return nil
}

const openCheckoutOfTagSQL = `
SELECT l.booking_id FROM unit_allocations a
JOIN units u ON u.id = a.unit_id
JOIN booking_lines l ON l.id = a.booking_line_id
WHERE u.asset_tag = $1 AND a.active AND a.picked_up_at IS NOT NULL AND a.returned_at IS NULL
LIMIT 1`

// OpenCheckoutOfTag finds the booking a unit is out on, by its tag; a unit
// that is not out is ErrNotFound.
func (s *Store) OpenCheckoutOfTag(ctx context.Context, tag string) (int64, error) {
	var id int64
	if err := s.q.GetContext(ctx, &id, openCheckoutOfTagSQL, tag); err != nil {
		return 0, fmt.Errorf("store: open check-out of %q: %w", tag, classify(err))
	}
	return id, nil
}

// InSavepoint runs fn under a savepoint of the transaction: when fn fails,
// its writes are undone and the transaction can go on.
func (s *Store) InSavepoint(ctx context.Context, fn func() error) error {
	return s.savepoint(ctx, fn)
}

const endMaintenanceSQL = `
WITH ended AS (
    UPDATE maintenance_blocks SET ended_at = $2
    WHERE id = $1 AND ended_at IS NULL AND (ends_at IS NULL OR ends_at > $2)
    RETURNING id, unit_id, ends_at IS NULL AS open_ended
), freed AS (
    UPDATE unit_allocations a
    SET occupied = tstzrange(lower(a.occupied), greatest(lower(a.occupied), $2::timestamptz))
    FROM ended WHERE a.maintenance_id = ended.id AND a.active
)
SELECT unit_id, open_ended FROM ended`

// EndMaintenance ends one block at now, early, releasing the time after now.
// A block already over is ErrNotFound.
func (s *Store) EndMaintenance(ctx context.Context, id int64, now time.Time) (unitID int64, openEnded bool, err error) {
	row := struct {
		UnitID    int64 `db:"unit_id"`
		OpenEnded bool  `db:"open_ended"`
	}{}
	if err := s.q.GetContext(ctx, &row, endMaintenanceSQL, id, now); err != nil {
		return 0, false, fmt.Errorf("store: end maintenance %d: %w", id, classify(err))
	}
	return row.UnitID, row.OpenEnded, nil
}
