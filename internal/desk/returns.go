package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/payment"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
)

// CleaningTime is how long a unit back "needs cleaning" is blocked: a dated
// block that staff end early once it is clean. A damaged unit is blocked
// until further notice (its status becomes maintenance until repaired).
const CleaningTime = 24 * time.Hour

// MaxReturnPhotos is how many photos staff may attach to one unit (or bulk
// line) coming back.
const MaxReturnPhotos = 4

// ItemBack is one unit (Tag) or one bulk line (LineID) coming back, in the
// condition staff saw.
type ItemBack struct {
	Tag       string
	LineID    int64
	Condition string // store.ConditionOK, ConditionNeedsCleaning or ConditionDamaged
	Note      string
	// Photos (checked already) show the damage or the dirt; only for a
	// unit that came back damaged or needing cleaning.
	Photos []catalog.Photo
}

// Return is what staff record when things come back.
type Return struct {
	BookingID int64
	Items     []ItemBack
	// WaiveReason, when not empty, waives the late fees of this return.
	WaiveLateFee bool
	WaiveReason  string
	// DamageAmount (minor units) is charged with DamageNote.
	DamageAmount int64
	DamageNote   string
	// GiveDepositBack returns DepositBack of the deposit held by Method (the
	// rest is kept against the charges).
	GiveDepositBack bool
	DepositBack     int64
	DepositMethod   string
	Actor           booking.Actor
}

// ReturnResult says what the return did.
type ReturnResult struct {
	LateFees int64
	Waived   int64
	// Notices are things staff must still do (a unit that could not be
	// blocked because a booking holds it, say).
	Notices []string
	Closed  bool
}

// check validates a return before anything is written.
func (r Return) check() error {
	fe := booking.FieldErrors{}
	if len(r.Items) == 0 {
		fe["items"] = "Choose what came back."
	}
	for _, it := range r.Items {
		key, photos := "condition_"+it.Tag, "photos_"+it.Tag
		if it.LineID != 0 {
			key, photos = fmt.Sprintf("condition_line_%d", it.LineID), fmt.Sprintf("photos_line_%d", it.LineID)
		}
		switch {
		case len(it.Photos) > MaxReturnPhotos:
			fe[photos] = fmt.Sprintf("Attach at most %d photos.", MaxReturnPhotos)
		case len(it.Photos) > 0 && it.Condition == store.ConditionOK:
			fe[photos] = "Photos are for a unit that came back damaged or needing cleaning."
		}
		switch it.Condition {
		case store.ConditionOK, store.ConditionNeedsCleaning:
		case store.ConditionDamaged:
			if strings.TrimSpace(it.Note) == "" {
				fe[key] = "Say what is damaged."
			}
		default:
			fe[key] = "Choose the condition."
		}
		if utf8.RuneCountInString(it.Note) > 500 {
			fe[key] = "Use at most 500 characters."
		}
	}
	if r.WaiveLateFee && strings.TrimSpace(r.WaiveReason) == "" {
		fe["waive_reason"] = "Say why the late fee is waived."
	}
	if r.DamageAmount < 0 {
		fe["damage_amount"] = "Enter an amount of zero or more."
	}
	if r.DamageAmount > payment.MaxEntry {
		fe["damage_amount"] = "That amount is too large for a charge; check it."
	}
	if r.DamageAmount > 0 && strings.TrimSpace(r.DamageNote) == "" {
		fe["damage_note"] = "Say what the damage charge is for."
	}
	if r.GiveDepositBack && r.DepositBack < 0 {
		fe["deposit_back"] = "Enter an amount of zero or more."
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
}

// TakeBack records a return in one transaction: each unit or bulk line is
// checked in through the booking engine, its condition recorded (damaged or
// needing cleaning blocks the unit for maintenance), its late fee computed by
// the item's rule in the location's zone and charged on the ledger (or waived
// with a reason, audited), a damage charge and the deposit settled; when
// everything is back and nothing is due, the booking is closed.
func (d *Desk) TakeBack(ctx context.Context, r Return) (ReturnResult, error) {
	if err := r.check(); err != nil {
		return ReturnResult{}, err
	}
	var res ReturnResult
	err := d.st.WithTx(ctx, func(tx *store.Store) error {
		res = ReturnResult{}
		b, err := tx.LockBooking(ctx, r.BookingID)
		if err != nil {
			return err
		}
		loc, err := tx.GetBookingLocation(ctx, b.LocationID)
		if err != nil {
			return err
		}
		for _, it := range r.Items {
			if err := d.takeOne(ctx, tx, b, loc, r, it, &res); err != nil {
				return err
			}
		}
		if err := d.settle(ctx, tx, b, r); err != nil {
			return err
		}
		closed, err := d.closeIfSettled(ctx, tx, b.ID, r.Actor)
		res.Closed = closed
		return err
	})
	return res, err
}

// takeOne checks one unit or bulk line in and records how it came back.
func (d *Desk) takeOne(ctx context.Context, tx *store.Store, b store.Booking, loc store.BookingLocation, r Return, it ItemBack, res *ReturnResult) error {
	line, unitID, err := findOut(b, it)
	if err != nil {
		return err
	}
	if it.LineID != 0 {
		err = d.engine.ReturnBulkLineTx(ctx, tx, b.ID, line.ID, r.Actor)
	} else {
		err = d.engine.CheckInTx(ctx, tx, b.ID, it.Tag, r.Actor)
	}
	if err != nil {
		return err
	}
	now := d.now()
	ur := store.NewUnitReturn{BookingID: b.ID, LineID: line.ID, UnitID: unitID, Quantity: 1, Condition: it.Condition,
		Note: strings.TrimSpace(it.Note), ReceivedBy: r.Actor.UserID, ReturnedAt: now}
	if it.LineID != 0 {
		ur.Quantity = line.Quantity
	}
	if unitID != 0 && it.Condition != store.ConditionOK {
		ur.MaintenanceID, err = d.blockAfterReturn(ctx, tx, line, unitID, it, now, r.Actor, res)
		if err != nil {
			return err
		}
	}
	if err := d.lateFee(ctx, tx, b, loc, line, r, &ur, res); err != nil {
		return err
	}
	id, err := tx.InsertUnitReturn(ctx, ur)
	if err != nil || len(it.Photos) == 0 {
		return err
	}
	ids := make([]int64, 0, len(it.Photos))
	for _, p := range it.Photos {
		pid, err := tx.AddReturnPhoto(ctx, id, p, r.Actor.UserID, now)
		if err != nil {
			return err
		}
		ids = append(ids, pid)
	}
	return tx.InsertAudit(ctx, store.Audit{ActorID: r.Actor.UserID, Action: "booking.return.photos", EntityType: "booking",
		EntityID: fmt.Sprint(b.ID), After: map[string]any{"return": id, "photos": ids}, RequestID: r.Actor.RequestID})
}

// findOut finds the line (and unit) of a thing coming back that is out on
// the booking.
func findOut(b store.Booking, it ItemBack) (store.BookingLine, int64, error) {
	for _, l := range b.Lines {
		if it.LineID != 0 {
			if l.ID == it.LineID && l.Tracking == "bulk" {
				return l, 0, nil
			}
			continue
		}
		for _, u := range l.Units {
			if u.AssetTag == strings.TrimSpace(it.Tag) && u.PickedUpAt != nil && u.ReturnedAt == nil {
				return l, u.UnitID, nil
			}
		}
	}
	if it.LineID != 0 {
		return store.BookingLine{}, 0, booking.ErrNotFound
	}
	return store.BookingLine{}, 0, booking.FieldErrors{"items": "No unit " + it.Tag + " is out on booking " + b.Number + "."}
}

// blockAfterReturn puts a unit that came back damaged or dirty into a
// maintenance block starting after its turnaround buffer. A booking that
// already holds the unit then wins: the return still goes through and staff
// are told to swap that booking to another unit.
func (d *Desk) blockAfterReturn(ctx context.Context, tx *store.Store, line store.BookingLine, unitID int64, it ItemBack,
	now time.Time, a booking.Actor, res *ReturnResult) (int64, error) {
	item, err := tx.GetBookableItem(ctx, line.ItemID)
	if err != nil {
		return 0, err
	}
	m := booking.MaintenanceRequest{UnitID: unitID, Start: now.Add(time.Duration(item.BufferAfterMinutes) * time.Minute),
		Reason: "Returned damaged: " + strings.TrimSpace(it.Note), Actor: a}
	if it.Condition == store.ConditionNeedsCleaning {
		m.End, m.Reason = m.Start.Add(CleaningTime), "Returned needing cleaning"
		if n := strings.TrimSpace(it.Note); n != "" {
			m.Reason += ": " + n
		}
	}
	var id int64
	err = tx.InSavepoint(ctx, func() error {
		var err error
		id, err = d.engine.BlockInTx(ctx, tx, m)
		return err
	})
	var ce *booking.ConflictError
	if errors.As(err, &ce) {
		res.Notices = append(res.Notices, fmt.Sprintf("%s could not be blocked for maintenance (%s): swap that booking to another unit, then block it.",
			it.Tag, ce.Detail))
		return 0, nil
	}
	return id, err
}

// lateFee computes the line's late fee for this return by the item's rule, in
// the location's zone, and charges it (or records the waiver).
func (d *Desk) lateFee(ctx context.Context, tx *store.Store, b store.Booking, loc store.BookingLocation, line store.BookingLine,
	r Return, ur *store.NewUnitReturn, res *ReturnResult) error {
	rule, err := tx.GetLateFeeRule(ctx, line.ItemID)
	if err != nil {
		return err
	}
	f := ComputeLateFee(LateFeeRule(rule), LateReturn{Due: line.EndsAt, Returned: ur.ReturnedAt,
		Zone: period.Zone(loc.TimeZone), Closed: ClosedOn(loc), Quantity: ur.Quantity})
	what := line.ItemName
	if ur.UnitID != 0 {
		for _, u := range line.Units {
			if u.UnitID == ur.UnitID {
				what = u.AssetTag
			}
		}
	}
	ur.LateFeeBreakdown = f.Breakdown(b.Currency)
	if f.Total == 0 {
		return nil
	}
	ur.LateFee = f.Total
	if r.WaiveLateFee {
		ur.LateFeeWaived = strings.TrimSpace(r.WaiveReason)
		res.Waived += f.Total
		return tx.InsertAudit(ctx, store.Audit{ActorID: r.Actor.UserID, Action: "booking.late_fee.waive", EntityType: "booking",
			EntityID: fmt.Sprint(b.ID), After: map[string]any{"unit": what, "amount": f.Total, "reason": ur.LateFeeWaived,
				"breakdown": ur.LateFeeBreakdown}, RequestID: r.Actor.RequestID})
	}
	note := "Late fee, " + what + ": " + strings.Join(ur.LateFeeBreakdown, " ")
	ur.LedgerEntryID, err = d.ledger.AddCharge(ctx, tx, b.ID, store.ChargeLateFee, f.Total, note, r.Actor.UserID)
	res.LateFees += f.Total
	return err
}

// settle adds the damage charge and returns the deposit.
func (d *Desk) settle(ctx context.Context, tx *store.Store, b store.Booking, r Return) error {
	if r.DamageAmount > 0 {
		if _, err := d.ledger.AddCharge(ctx, tx, b.ID, store.ChargeDamage, r.DamageAmount, strings.TrimSpace(r.DamageNote), r.Actor.UserID); err != nil {
			return err
		}
	}
	if !r.GiveDepositBack {
		return nil
	}
	return d.ledger.ReturnDeposit(ctx, tx, b.ID, r.DepositBack, r.DepositMethod, "", r.Actor.UserID)
}

// closeIfSettled closes a returned booking once nothing is due either way.
func (d *Desk) closeIfSettled(ctx context.Context, tx *store.Store, bookingID int64, a booking.Actor) (bool, error) {
	b, err := tx.GetBooking(ctx, bookingID)
	if err != nil || b.Status != store.BookingReturned {
		return false, err
	}
	bal, err := d.ledger.Balance(ctx, tx, b)
	if err != nil || bal.Due != 0 || bal.DepositHeld != 0 {
		return false, err
	}
	if err := tx.SetBookingStatus(ctx, b.ID, store.BookingClosed, d.now()); err != nil {
		return false, err
	}
	return true, tx.InsertAudit(ctx, store.Audit{ActorID: a.UserID, Action: "booking.close", EntityType: "booking",
		EntityID: fmt.Sprint(b.ID), Before: map[string]string{"status": b.Status},
		After: map[string]string{"status": store.BookingClosed}, RequestID: a.RequestID})
}

// Close closes a returned booking whose balance is settled (after a desk
// payment, say); otherwise it says what stands in the way.
func (d *Desk) Close(ctx context.Context, bookingID int64, a booking.Actor) error {
	return d.st.WithTx(ctx, func(tx *store.Store) error {
		b, err := tx.LockBooking(ctx, bookingID)
		if err != nil {
			return err
		}
		if b.Status != store.BookingReturned {
			return &booking.RuleError{Msg: "Booking " + b.Number + " is " + b.Status + "; only a returned booking can be closed."}
		}
		closed, err := d.closeIfSettled(ctx, tx, b.ID, a)
		if err != nil || closed {
			return err
		}
		return &booking.RuleError{Msg: "The balance is not settled yet: take the payment or return the deposit first."}
	})
}

// ClosedOn says on which local days a location is closed: its closed dates,
// and weekdays without opening hours (a location without hours is always
// open).
func ClosedOn(loc store.BookingLocation) func(day time.Time) bool {
	return func(day time.Time) bool {
		if loc.ClosedDates.Contains(day) {
			return true
		}
		return len(loc.OpeningHours) > 0 && len(loc.OpeningHours.On(day.Weekday())) == 0
	}
}

// OutItem is a unit or a bulk line out on a booking, with the late fee it
// would cost if it came back now.
type OutItem struct {
	Key     string // the asset tag, or line:ID for a bulk line
	Label   string
	Tag     string
	LineID  int64 // bulk lines only
	LateFee LateFee
}

// OutItems lists what is out on a booking with its late fee as of now.
func (d *Desk) OutItems(ctx context.Context, b store.Booking) ([]OutItem, error) {
	return OutItemsAt(ctx, d.st, b, d.now())
}

// OutItemsAt lists what is out on a booking with its late fee as of now: the
// return form, the customer's booking page and the overdue email read it.
func OutItemsAt(ctx context.Context, st *store.Store, b store.Booking, now time.Time) ([]OutItem, error) {
	loc, err := st.GetBookingLocation(ctx, b.LocationID)
	if err != nil {
		return nil, err
	}
	var out []OutItem
	for _, l := range b.Lines {
		rule, err := st.GetLateFeeRule(ctx, l.ItemID)
		if err != nil {
			return nil, err
		}
		fee := func(qty int) LateFee {
			return ComputeLateFee(LateFeeRule(rule), LateReturn{Due: l.EndsAt, Returned: now, Zone: period.Zone(loc.TimeZone),
				Closed: ClosedOn(loc), Quantity: qty})
		}
		if l.Tracking == "bulk" {
			if l.PickedUpAt != nil && l.ReturnedAt == nil {
				out = append(out, OutItem{Key: fmt.Sprintf("line:%d", l.ID), Label: fmt.Sprintf("%d × %s", l.Quantity, l.ItemName),
					LineID: l.ID, LateFee: fee(l.Quantity)})
			}
			continue
		}
		for _, u := range l.Units {
			if u.PickedUpAt != nil && u.ReturnedAt == nil {
				out = append(out, OutItem{Key: u.AssetTag, Label: l.ItemName + " " + u.AssetTag, Tag: u.AssetTag, LateFee: fee(1)})
			}
		}
	}
	return out, nil
}
