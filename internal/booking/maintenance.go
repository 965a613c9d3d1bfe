package booking

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rentdesk/rentdesk/internal/store"
)

// MaintenanceRequest takes a unit out of service for [Start, End). A zero End
// is until further notice: the unit's status becomes maintenance until it is
// saved as available again, which ends the block.
type MaintenanceRequest struct {
	UnitID     int64
	Start, End time.Time
	Reason     string
	Actor      Actor
}

// BlockForMaintenance holds a unit for maintenance through the same guarded
// write as bookings: a unit booked in that period is refused with a conflict
// naming the booking.
func (e *Engine) BlockForMaintenance(ctx context.Context, m MaintenanceRequest) (int64, error) {
	now := e.now()
	fe := FieldErrors{}
	m.Reason = strings.TrimSpace(m.Reason)
	switch n := utf8.RuneCountInString(m.Reason); {
	case n == 0:
		fe["reason"] = "Say why the unit is out of service."
	case n > 500:
		fe["reason"] = "Use at most 500 characters."
	}
	if m.End.IsZero() {
		switch {
		case m.Start.IsZero():
			fe["start"] = "Choose a start date and time."
		case m.Start.Before(now.Add(-startGrace)):
			fe["start"] = "The start is in the past."
		}
	} else {
		checkPeriod(fe, m.Start, m.End, now)
	}
	settings, err := e.st.GetSettings(ctx)
	if err != nil {
		return 0, err
	}
	checkHorizon(fe, "start", m.Start, settings, now)
	checkHorizon(fe, "end", m.End, settings, now)
	if len(fe) > 0 {
		return 0, fe
	}
	var id int64
	err = e.st.WithTx(ctx, func(tx *store.Store) error {
		var err error
		id, err = e.block(ctx, tx, m, now)
		return err
	})
	return id, err
}

func (e *Engine) block(ctx context.Context, tx *store.Store, m MaintenanceRequest, now time.Time) (int64, error) {
	if _, err := e.expireHoldsTx(ctx, tx, now); err != nil {
		return 0, err
	}
	if _, err := tx.ExtendOverdueOfUnit(ctx, now, m.UnitID); err != nil {
		return 0, err
	}
	unit, err := tx.LockUnit(ctx, m.UnitID)
	if err != nil {
		return 0, err
	}
	span := store.Span{From: m.Start, To: m.End}
	id, err := tx.InsertMaintenance(ctx, unit.ID, span, m.Reason, m.Actor.UserID)
	if err != nil {
		return 0, err
	}
	e.pause(ctx)
	if _, err := tx.InsertAllocation(ctx, store.NewAllocation{UnitID: unit.ID, MaintenanceID: id, Occupied: span}); err != nil {
		if !isConflict(err) {
			return 0, err
		}
		it, ierr := tx.GetBookableItem(ctx, unit.ItemID)
		if ierr != nil {
			return 0, ierr
		}
		end := m.End
		if end.IsZero() {
			end = m.Start.Add(MaxDuration)
		}
		loc, lerr := tx.GetBookingLocation(ctx, unit.LocationID)
		if lerr != nil {
			return 0, lerr
		}
		return 0, &ConflictError{ItemName: it.Name, AssetTag: unit.AssetTag, Start: m.Start, End: m.End, Zone: loc.TimeZone,
			Detail: e.describeUnitConflict(ctx, tx, it, unit, m.Start, end, 0)}
	}
	if m.End.IsZero() && unit.Status == "available" {
		if err := e.outOfService(ctx, tx, unit, m.Start); err != nil {
			return 0, err
		}
	}
	return id, tx.InsertAudit(ctx, store.Audit{ActorID: m.Actor.UserID, Action: "unit.maintenance", EntityType: "unit",
		EntityID: fmt.Sprint(unit.ID), After: map[string]any{"maintenance_id": id, "from": m.Start, "to": m.End, "reason": m.Reason},
		RequestID: m.Actor.RequestID})
}

// outOfService marks a unit with an open-ended block as in maintenance: the
// unit's status says so, and saving it as available again ends the block. A
// booking before the block's start still holds the unit, so the block is
// refused naming it (a dated block fits after it).
func (e *Engine) outOfService(ctx context.Context, tx *store.Store, unit store.BookingUnit, start time.Time) error {
	if err := tx.SetUnitStatusRow(ctx, unit.ID, "maintenance"); err != nil {
		return err
	}
	var held *store.UnitHeldError
	err := tx.GuardUnitChanges(ctx, []int64{unit.ID})
	if !errors.As(err, &held) {
		return err
	}
	it, err := tx.GetBookableItem(ctx, unit.ItemID)
	if err != nil {
		return err
	}
	loc, err := tx.GetBookingLocation(ctx, unit.LocationID)
	if err != nil {
		return err
	}
	return &ConflictError{ItemName: it.Name, AssetTag: unit.AssetTag, Start: start, Zone: loc.TimeZone,
		Detail: "held by booking " + held.BookingNumber + "; an open-ended block can start only after it is back, or give the block an end"}
}

// EndBlock ends a maintenance block early (the unit is clean or repaired),
// freeing the unit from now on; an open-ended block also puts the unit back
// in service. A block already over is ErrNotFound.
func (e *Engine) EndBlock(ctx context.Context, id int64, a Actor) error {
	return e.st.WithTx(ctx, func(tx *store.Store) error {
		now := e.now()
		unitID, openEnded, err := tx.EndMaintenance(ctx, id, now)
		if err != nil {
			return err
		}
		if openEnded {
			if err := tx.SetUnitStatusRow(ctx, unitID, "available"); err != nil {
				return err
			}
		}
		return tx.InsertAudit(ctx, store.Audit{ActorID: a.UserID, Action: "unit.maintenance.end", EntityType: "unit",
			EntityID: fmt.Sprint(unitID), After: map[string]any{"maintenance_id": id, "ended_at": now}, RequestID: a.RequestID})
	})
}
