// Package booking is Rentdesk's booking engine: the one guarded write path
// through which every feature (customer checkout, walk-in bookings, extending,
// shortening, changing a unit, the check-out scan, maintenance blocks, bulk
// stock and buffer changes) takes stock; edits of units (the unit form, the
// CSV import) meet bookings in store.GuardUnitChanges. Each
// operation checks availability and writes in one transaction; PostgreSQL has
// the last word (an exclusion constraint per unit, a row lock around the bulk
// capacity check), and a refusal comes back as a *ConflictError naming what
// could not be had.
package booking

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// Limits on what one booking may ask for; beyond them the request is bad
// input (422), not a conflict.
const (
	MaxQuantity  = 100
	MaxLines     = 30
	MaxDuration  = 366 * 24 * time.Hour
	startGrace   = 5 * time.Minute
	defaultHoldM = 45
)

// Quote is the price of one line as the engine stores it, in minor units.
type Quote struct {
	UnitPrice int64 // one unit or piece for the whole period
	Total     int64 // UnitPrice × quantity, as the rates are stated
	Tax       int64 // the tax in (inclusive) or on top of (exclusive) Total
	Due       int64 // what the customer pays for the line
	// Breakdown is the stored Breakdown the pages, emails and invoices show.
	Breakdown json.RawMessage
}

// Pricer prices a line; Pricing (on internal/pricing) is the real one.
type Pricer interface {
	Quote(item store.BookableItem, start, end time.Time, loc *time.Location, qty int, st store.Settings) (Quote, error)
}

// Actor is who asks for a change: the user (0 = the system) and the request,
// both written to the audit log.
type Actor struct {
	UserID    int64
	RequestID string
}

// Engine is the booking engine. It is safe for concurrent use.
type Engine struct {
	st      *store.Store
	now     func() time.Time
	pricer  Pricer
	payment PaymentStep
	notify  Notifier
	// beforeWrite runs between the availability check and the write of every
	// allocation; tests use it to hold a transaction at that point.
	beforeWrite func(ctx context.Context)
}

// New builds an engine on a store, a clock and the pricing rules. Payment
// defaults to pay at pickup.
func New(st *store.Store, now func() time.Time, pricer Pricer) *Engine {
	if now == nil {
		now = time.Now
	}
	return &Engine{st: st, now: now, pricer: pricer, payment: PayAtPickup{}, notify: silent{}}
}

// WithPayment replaces the payment step (online payment plugs in here).
func (e *Engine) WithPayment(p PaymentStep) *Engine {
	e.payment = p
	return e
}

// Now is the engine's clock, for callers that must agree with it.
func (e *Engine) Now() time.Time { return e.now() }

// housekeep runs at the start of every allocating transaction: holds that ran
// out stop holding stock, and units out past their end keep their unit, so
// the exclusion constraint sees the world as availability does.
// withBooking runs fn in one transaction on a locked booking, after expiring
// stale holds so every change sees the same free stock. A booking of another
// customer than owner (zero: staff, any booking) is ErrNotFound.
func (e *Engine) withBooking(ctx context.Context, id int64, owner Owner, fn func(tx *store.Store, b store.Booking, now time.Time) error) error {
	return e.withBookingTx(ctx, e.st, id, owner, fn)
}

// withBookingTx is withBooking in the transaction of st (a new one when st is
// the pool).
func (e *Engine) withBookingTx(ctx context.Context, st *store.Store, id int64, owner Owner, fn func(tx *store.Store, b store.Booking, now time.Time) error) error {
	return st.WithTx(ctx, func(tx *store.Store) error {
		now := e.now()
		if _, err := e.expireHoldsTx(ctx, tx, now); err != nil {
			return err
		}
		b, err := loadOwned(ctx, tx, id, owner)
		if err != nil {
			return err
		}
		// Whatever fn allocates is a unit of this booking's items.
		if _, err := tx.ExtendOverdueOfBooking(ctx, now, b.ID); err != nil {
			return err
		}
		return fn(tx, b, now)
	})
}

// housekeep runs before a transaction allocates: expired holds give their
// stock back, and the units of itemIDs that are overdue have their
// allocations stretched, so the exclusion constraint keeps them from being
// promised again. Only those items' units: stretching every overdue
// check-out of the shop on every booking cost each one a pass over all of
// them (the periodic job still does that for everyone).
func (e *Engine) housekeep(ctx context.Context, tx *store.Store, now time.Time, itemIDs ...int64) error {
	// One statement for both (a round trip less at the start of every
	// booking); the expired holds are audited and told after it.
	ids, err := tx.ExpireHoldsAndExtendOverdue(ctx, now, itemIDs)
	if err != nil {
		return err
	}
	return e.holdsExpired(ctx, tx, ids)
}

// expireHoldsTx expires the holds whose time ran out, audits each and tells
// the customers, all in the caller's transaction.
func (e *Engine) expireHoldsTx(ctx context.Context, tx *store.Store, now time.Time) (int, error) {
	ids, err := tx.ExpireHolds(ctx, now)
	if err != nil {
		return 0, err
	}
	return len(ids), e.holdsExpired(ctx, tx, ids)
}

// holdsExpired audits the holds just expired in tx and tells their
// customers.
func (e *Engine) holdsExpired(ctx context.Context, tx *store.Store, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	for _, id := range ids {
		if err := tx.InsertAudit(ctx, store.Audit{Action: "booking.expire", EntityType: "booking",
			EntityID: fmt.Sprint(id), Before: map[string]string{"status": store.BookingHold},
			After: map[string]string{"status": store.BookingExpired}}); err != nil {
			return err
		}
	}
	return e.notify.HoldsExpired(ctx, tx, ids)
}

// ExpireHolds expires every hold whose time ran out, frees its stock and
// mails its customer. The periodic job calls it; allocating transactions do
// the same on their own.
func (e *Engine) ExpireHolds(ctx context.Context) (int, error) {
	var n int
	err := e.st.WithTx(ctx, func(tx *store.Store) error {
		now := e.now()
		var err error
		if n, err = e.expireHoldsTx(ctx, tx, now); err != nil {
			return err
		}
		_, err = tx.ExtendOverdue(ctx, now)
		return err
	})
	return n, err
}

func (e *Engine) audit(ctx context.Context, tx *store.Store, a Actor, action string, bookingID int64, before, after any) error {
	return tx.InsertAudit(ctx, bookingAudit(a, action, bookingID, before, after))
}

func bookingAudit(a Actor, action string, bookingID int64, before, after any) store.Audit {
	return store.Audit{ActorID: a.UserID, Action: action, EntityType: "booking",
		EntityID: fmt.Sprint(bookingID), Before: before, After: after, RequestID: a.RequestID}
}

func (e *Engine) pause(ctx context.Context) {
	if e.beforeWrite != nil {
		e.beforeWrite(ctx)
	}
}

// PriceLine is one row of a line's price breakdown ("1 week", "2 days").
type PriceLine struct {
	Label  string `json:"label"`
	Amount int64  `json:"amount"`
}

// Breakdown is the stored form of Quote.Breakdown: every page, email and
// invoice reads the same rows.
type Breakdown struct {
	Lines    []PriceLine `json:"lines"`
	Quantity int         `json:"quantity"`
	Tax      int64       `json:"tax"`
	Due      int64       `json:"due"`
	// TaxRate is the rate Tax was computed with, in basis points; invoices
	// group their tax by it. Breakdowns stored before it existed lack it.
	TaxRate *int64 `json:"tax_rate_bp,omitempty"`
	// MinimumApplied says the period was billed as the item's minimum.
	MinimumApplied bool `json:"minimum_applied,omitempty"`
}

// ParseBreakdown reads a stored breakdown; anything unreadable is empty.
func ParseBreakdown(raw []byte) Breakdown {
	var b Breakdown
	_ = json.Unmarshal(raw, &b)
	return b
}

// SumQuotes adds line quotes into booking totals.
func SumQuotes(qs []Quote, deposit int64) store.Totals {
	t := store.Totals{Deposit: deposit}
	for _, q := range qs {
		t.Subtotal += q.Total
		t.Tax += q.Tax
		t.Total += q.Due
	}
	return t
}

// Quote prices a line without booking it, for the catalog and cart pages; the
// booking itself is priced again when it is made.
func (e *Engine) Quote(item store.BookableItem, start, end time.Time, loc *time.Location, qty int, st store.Settings) (Quote, error) {
	return e.pricer.Quote(item, start, end, loc, qty, st)
}

// amountsPricer is a Pricer that can leave the breakdown out (Pricing can).
type amountsPricer interface {
	Price(item store.BookableItem, start, end time.Time, loc *time.Location, qty int, st store.Settings) (Quote, error)
}

// spanPricer is a Pricer that prices many items over one period together
// (Pricing can).
type spanPricer interface {
	Prices(start, end time.Time, loc *time.Location, st store.Settings) PriceFunc
}

// Prices is Price for the items of one page over one period (the catalog
// with dates, /book): the same figures, the period's calendar found once.
func (e *Engine) Prices(start, end time.Time, loc *time.Location, st store.Settings) PriceFunc {
	if p, ok := e.pricer.(spanPricer); ok {
		return p.Prices(start, end, loc, st)
	}
	return func(it store.BookableItem, qty int) (Quote, error) {
		return e.Price(it, start, end, loc, qty, st)
	}
}

// Price is Quote for pages that show only the amounts (the catalog, /book,
// similar items, the walk-in form): the Breakdown may be nil. A page of
// prices made and threw away one JSON breakdown per item otherwise.
func (e *Engine) Price(item store.BookableItem, start, end time.Time, loc *time.Location, qty int, st store.Settings) (Quote, error) {
	if p, ok := e.pricer.(amountsPricer); ok {
		return p.Price(item, start, end, loc, qty, st)
	}
	return e.pricer.Quote(item, start, end, loc, qty, st)
}
