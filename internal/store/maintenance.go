package store

import (
	"context"
	"fmt"
	"time"
)

// Maintenance is a unit out of service for a period, with a reason.
type Maintenance struct {
	ID       int64      `db:"id"`
	UnitID   int64      `db:"unit_id"`
	AssetTag string     `db:"asset_tag"`
	StartsAt time.Time  `db:"starts_at"`
	EndsAt   *time.Time `db:"ends_at"`
	Reason   string     `db:"reason"`
}

const insertMaintenanceSQL = `
INSERT INTO maintenance_blocks (unit_id, starts_at, ends_at, reason, created_by)
VALUES ($1, $2, $3, $4, NULLIF($5, 0))
RETURNING id`

// InsertMaintenance records a maintenance block (a zero To is open-ended). It
// does not hold the unit: the booking engine allocates it in the same
// transaction, where the exclusion constraint refuses an occupied slot.
func (s *Store) InsertMaintenance(ctx context.Context, unitID int64, span Span, reason string, actorID int64) (int64, error) {
	var id int64
	if err := s.q.GetContext(ctx, &id, insertMaintenanceSQL, unitID, span.From, span.toArg(), reason, actorID); err != nil {
		return 0, fmt.Errorf("store: insert maintenance: %w", classify(err))
	}
	return id, nil
}

const endOpenMaintenanceSQL = `
WITH ended AS (
    UPDATE maintenance_blocks SET ended_at = $2
    WHERE unit_id = $1 AND ends_at IS NULL AND ended_at IS NULL
    RETURNING id
)
UPDATE unit_allocations a
SET occupied = tstzrange(lower(a.occupied), greatest(lower(a.occupied), $2::timestamptz))
FROM ended WHERE a.maintenance_id = ended.id AND a.active`

// EndOpenMaintenance ends a unit's open-ended blocks at now (the unit is back
// in service), releasing the time after now.
func (s *Store) EndOpenMaintenance(ctx context.Context, unitID int64, now time.Time) error {
	if _, err := s.q.ExecContext(ctx, endOpenMaintenanceSQL, unitID, now); err != nil {
		return fmt.Errorf("store: end maintenance of unit %d: %w", unitID, classify(err))
	}
	return nil
}
