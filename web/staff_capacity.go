package web

import (
	"context"
	"errors"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
)

// recheckBuffers refuses wider turnaround buffers of a bulk item when its
// bookings would then need more pieces at once than a location keeps.
func (s *Server) recheckBuffers(ctx context.Context, tx *store.Store, before, after catalog.Item, errs components.Errors) error {
	if after.Tracking != catalog.Bulk || (after.BufferBeforeMinutes <= before.BufferBeforeMinutes && after.BufferAfterMinutes <= before.BufferAfterMinutes) {
		return nil
	}
	var short *booking.CapacityError
	if err := s.Booking.CheckBulkCapacity(ctx, tx, after.ID); !errors.As(err, &short) {
		return err
	}
	key := "buffer_after"
	if after.BufferAfterMinutes <= before.BufferAfterMinutes {
		key = "buffer_before"
	}
	errs[key] = short.Message()
	return nil
}
