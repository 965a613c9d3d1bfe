package booking

import (
	"context"

	"github.com/rentdesk/rentdesk/internal/store"
)

// Notifier tells people about booking events (internal/jobs mails them). The
// engine calls it inside the transaction of the change, after the change is
// written, so what it queues commits or rolls back with the change itself.
type Notifier interface {
	// BookingConfirmed: the booking b stands, confirmed in this transaction
	// (a checkout paid at pickup, a walk-in, a hold confirmed by its payment
	// or at the desk), as read there (GetBooking after its lines took their
	// stock when it was made here, LockBooking when it was a hold); online says the customer booked it themself (staff are told about
	// those). What it queues may be rendered after the commit, as long as it
	// commits or rolls back with tx.
	BookingConfirmed(ctx context.Context, tx *store.Store, b store.Booking, online bool) error
	// BookingCancelled: the booking was cancelled; reason may be empty.
	BookingCancelled(ctx context.Context, tx *store.Store, bookingID int64, reason string) error
	// HoldsExpired: these holds ran out before they were confirmed.
	HoldsExpired(ctx context.Context, tx *store.Store, bookingIDs []int64) error
}

// silent is the Notifier of an engine nobody listens to.
type silent struct{}

func (silent) BookingConfirmed(context.Context, *store.Store, store.Booking, bool) error { return nil }
func (silent) BookingCancelled(context.Context, *store.Store, int64, string) error       { return nil }
func (silent) HoldsExpired(context.Context, *store.Store, []int64) error                 { return nil }

// WithNotifier sets who hears about confirmations, cancellations and expired
// holds.
func (e *Engine) WithNotifier(n Notifier) *Engine {
	if n == nil {
		n = silent{}
	}
	e.notify = n
	return e
}

// shopCancelReason is what the customer reads when staff cancelled.
const shopCancelReason = "It was cancelled by the shop; please get in touch if you did not expect this."
