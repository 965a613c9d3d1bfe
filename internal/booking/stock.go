package booking

import (
	"context"
	"fmt"
	"strings"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
)

// CapacityError refuses a change to a bulk item's stock or buffers that
// would leave its bookings without pieces: at each listed location the
// bookings from now on need more at one instant than it would keep. It
// matches store.ErrConflict, so pages that do not know it still answer 409.
type CapacityError struct {
	ItemName string
	Short    []store.StockShortfall
}

// LocationMessage says, for a form field, what a location must keep.
func (e *CapacityError) LocationMessage(s store.StockShortfall) string {
	return fmt.Sprintf("Bookings need %d of %s at once at %s; keep at least %d.", s.Peak, e.ItemName, s.LocationName, s.Peak)
}

// Message is every location's shortfall in one sentence per location.
func (e *CapacityError) Message() string {
	msgs := make([]string, len(e.Short))
	for i, s := range e.Short {
		msgs[i] = e.LocationMessage(s)
	}
	return strings.Join(msgs, " ")
}

func (e *CapacityError) Error() string { return "booking: would overbook: " + e.Message() }

// Is lets the refusal match store.ErrConflict.
func (e *CapacityError) Is(target error) bool { return target == store.ErrConflict }

// SetBulkStock sets a bulk item's quantity per location (location id →
// quantity) through the same lock as every bulk booking: a location cannot
// be given fewer pieces than its bookings need at once from now on
// (*CapacityError). The change and its audit row commit together.
func (e *Engine) SetBulkStock(ctx context.Context, itemID int64, qty map[int64]int, a Actor) error {
	return e.st.WithTx(ctx, func(tx *store.Store) error {
		now := e.now()
		if err := e.housekeep(ctx, tx, now); err != nil {
			return err
		}
		it, err := tx.GetItemForUpdate(ctx, itemID)
		if err != nil {
			return err
		}
		if it.Tracking != catalog.Bulk {
			return &RuleError{Msg: "This item has units; add units instead."}
		}
		before, err := tx.ListBulkStock(ctx, itemID)
		if err != nil {
			return err
		}
		if err := tx.SetBulkStock(ctx, itemID, qty); err != nil {
			return err
		}
		if err := e.CheckBulkCapacity(ctx, tx, itemID); err != nil {
			return err
		}
		old := map[int64]int{}
		for _, r := range before {
			old[r.LocationID] = r.Quantity
		}
		return tx.InsertAudit(ctx, store.Audit{ActorID: a.UserID, Action: "stock.update", EntityType: "item",
			EntityID: fmt.Sprint(itemID), Before: old, After: qty, RequestID: a.RequestID})
	})
}

// CheckBulkCapacity refuses, inside the caller's transaction, a change that
// left a bulk item overbooked from now on (a lower stock, or wider buffers
// that make its bookings overlap more). Item edits call it after writing, so
// the refused change rolls back with the transaction.
func (e *Engine) CheckBulkCapacity(ctx context.Context, tx *store.Store, itemID int64) error {
	short, err := tx.BulkShortfalls(ctx, []int64{itemID}, e.now())
	if err != nil || len(short) == 0 {
		return err
	}
	it, err := tx.GetBookableItem(ctx, itemID)
	if err != nil {
		return err
	}
	return &CapacityError{ItemName: it.Name, Short: short}
}
