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
		if !unitTaken(err) {
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

// BlockHolder is a booking in the way of a maintenance block: the line that
// holds the unit, and the units of the same item at the location free for
// that line's whole period (with its buffers), to swap it to first.
type BlockHolder struct {
	store.UnitHolder
	// Out is true when the unit is with the customer: it cannot be swapped
	// until it is back.
	Out         bool
	Substitutes []string // asset tags, lowest unit id first
}

// maxSubstitutes bounds the swap choices offered per booking.
const maxSubstitutes = 5

// BlockHolders lists the bookings that keep a block of unitID for [start,
// end) from fitting (an open-ended block when end is zero: then also those
// before the start, which the unit's status would strand), each with its
// free substitutes. The substitutes come from FreeUnits, the rule the swap
// itself checks again inside its own transaction, so an offer taken
// meanwhile is refused there, not here.
func (e *Engine) BlockHolders(ctx context.Context, unitID int64, start, end time.Time) ([]BlockHolder, error) {
	now := e.now()
	unit, err := e.st.GetUnit(ctx, unitID)
	if err != nil {
		return nil, err
	}
	win := store.Span{From: start, To: end}
	if end.IsZero() && now.Before(start) {
		win.From = now
	}
	holders, err := e.st.UnitHolders(ctx, unitID, win, now)
	if err != nil || len(holders) == 0 {
		return nil, err
	}
	it, err := e.st.GetBookableItem(ctx, unit.ItemID)
	if err != nil {
		return nil, err
	}
	units, err := e.st.ListUnits(ctx, unit.ItemID)
	if err != nil {
		return nil, err
	}
	tags := make(map[int64]string, len(units))
	for _, u := range units {
		tags[u.ID] = u.AssetTag
	}
	out := make([]BlockHolder, 0, len(holders))
	for _, h := range holders {
		bh := BlockHolder{UnitHolder: h, Out: h.PickedUpAt != nil}
		if !bh.Out {
			ids, err := e.st.FreeUnits(ctx, store.FreeUnitsQuery{ItemID: it.ID, LocationID: unit.LocationID,
				Occupied: it.Occupied(h.StartsAt, h.EndsAt), Now: now, Exclude: []int64{unitID}, Limit: maxSubstitutes})
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				bh.Substitutes = append(bh.Substitutes, tags[id])
			}
		}
		out = append(out, bh)
	}
	return out, nil
}
