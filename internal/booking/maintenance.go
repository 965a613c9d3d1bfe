package booking

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rentdesk/rentdesk/internal/store"
)

// MaintenanceRequest takes a unit out of service for [Start, End) (a zero End
// is until further notice).
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
		if m.Start.IsZero() {
			fe["start"] = "Choose a start date and time."
		}
	} else {
		checkPeriod(fe, m.Start, m.End, now)
	}
	if len(fe) > 0 {
		return 0, fe
	}
	var id int64
	err := e.st.WithTx(ctx, func(tx *store.Store) error {
		var err error
		id, err = e.block(ctx, tx, m, now)
		return err
	})
	return id, err
}

func (e *Engine) block(ctx context.Context, tx *store.Store, m MaintenanceRequest, now time.Time) (int64, error) {
	if err := e.housekeep(ctx, tx, now); err != nil {
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
	return id, tx.InsertAudit(ctx, store.Audit{ActorID: m.Actor.UserID, Action: "unit.maintenance", EntityType: "unit",
		EntityID: fmt.Sprint(unit.ID), After: map[string]any{"maintenance_id": id, "from": m.Start, "to": m.End, "reason": m.Reason},
		RequestID: m.Actor.RequestID})
}

// SetUnitStatus changes a unit's status for the catalog pages and the CSV
// import. Taking a unit out (maintenance, retired) holds it from now on
// through an open-ended maintenance block, so a unit that bookings still hold
// is refused (a *ConflictError naming the booking) instead of silently
// stranding them; putting it back ends the open block.
func (e *Engine) SetUnitStatus(ctx context.Context, unitID int64, status string, a Actor) error {
	return e.st.WithTx(ctx, func(tx *store.Store) error {
		return e.SetUnitStatusTx(ctx, tx, unitID, status, a)
	})
}

// SetUnitStatusTx is SetUnitStatus inside the caller's transaction (the CSV
// import applies all rows or none).
func (e *Engine) SetUnitStatusTx(ctx context.Context, tx *store.Store, unitID int64, status string, a Actor) error {
	now := e.now()
	unit, err := tx.LockUnit(ctx, unitID)
	if err != nil {
		return err
	}
	if unit.Status == status {
		return nil
	}
	switch status {
	case "available":
		if err := tx.EndOpenMaintenance(ctx, unit.ID, now); err != nil {
			return err
		}
	case "maintenance", "retired":
		if unit.Status == "available" {
			if _, err := e.block(ctx, tx, MaintenanceRequest{UnitID: unit.ID, Start: now, Reason: "status: " + status, Actor: a}, now); err != nil {
				return err
			}
		}
	default:
		return FieldErrors{"status": "Choose available, maintenance or retired."}
	}
	if err := tx.SetUnitStatusRow(ctx, unit.ID, status); err != nil {
		return err
	}
	return tx.InsertAudit(ctx, store.Audit{ActorID: a.UserID, Action: "unit.status", EntityType: "unit",
		EntityID: fmt.Sprint(unit.ID), Before: map[string]string{"status": unit.Status},
		After: map[string]string{"status": status}, RequestID: a.RequestID})
}
