package booking

import (
	"context"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// AvailabilityPage is Availability for customers, one page of at most limit
// items by name after item afterID (0: the first page). No page asks for it
// any more (/book takes its items from the public list and asks FreeOf for
// their counts); the calendar tests keep it as the reference the page forms
// are compared with.
func (e *Engine) AvailabilityPage(ctx context.Context, locationID int64, start, end time.Time, afterID int64, limit int) ([]store.ItemAvailability, error) {
	return e.st.ListAvailability(ctx, store.AvailabilityQuery{LocationID: locationID, From: start, To: end, Now: e.now(),
		AfterID: afterID, Limit: limit})
}
