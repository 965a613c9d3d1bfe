package store

import (
	"context"
	"fmt"
	"time"
)

// Ledger entry kinds, charge types, payment methods and statuses.
const (
	EntryCharge  = "charge"
	EntryPayment = "payment"
	EntryRefund  = "refund"

	ChargeDeposit = "deposit"
	ChargeLateFee = "late_fee"
	ChargeDamage  = "damage"

	MethodStripe       = "stripe"
	MethodCash         = "cash"
	MethodCardTerminal = "card_terminal"

	EntryPending = "pending"
	EntryDone    = "done"
	EntryFailed  = "failed"
)

// LedgerEntry is one charge, payment or refund of a booking.
type LedgerEntry struct {
	ID         int64     `db:"id"`
	BookingID  int64     `db:"booking_id"`
	Kind       string    `db:"kind"`
	ChargeType string    `db:"charge_type"`
	Method     string    `db:"method"`
	Amount     int64     `db:"amount"`
	Currency   string    `db:"currency"`
	Reference  string    `db:"reference"`
	Note       string    `db:"note"`
	StripeID   string    `db:"stripe_id"`
	RefundOf   int64     `db:"refund_of"`
	Status     string    `db:"status"`
	RecordedBy string    `db:"recorded_by"` // the staff member's name, "" = the system or the customer online
	CreatedAt  time.Time `db:"created_at"`
}

// NewLedgerEntry is what InsertLedgerEntry needs. Zero values are NULL or
// defaults: ChargeType only for charges, Method only for payments and refunds.
type NewLedgerEntry struct {
	BookingID  int64
	Kind       string
	ChargeType string
	Method     string
	Amount     int64
	Currency   string
	Reference  string
	Note       string
	StripeID   string
	RefundOf   int64
	Status     string // "" = done
	RecordedBy int64  // 0 = the system
	Now        time.Time
}

const insertLedgerEntrySQL = `
INSERT INTO ledger_entries (booking_id, kind, charge_type, method, amount, currency, reference, note,
                            stripe_id, refund_of, status, recorded_by, created_at)
VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''), $5, $6, $7, $8, NULLIF($9, ''), NULLIF($10, 0),
        COALESCE(NULLIF($11, ''), 'done'), NULLIF($12, 0), $13)
RETURNING id`

// InsertLedgerEntry records an entry; a Stripe id recorded before is
// ErrConflict (constraint ledger_entries_stripe_id_key).
func (s *Store) InsertLedgerEntry(ctx context.Context, e NewLedgerEntry) (int64, error) {
	var id int64
	err := s.q.GetContext(ctx, &id, insertLedgerEntrySQL, e.BookingID, e.Kind, e.ChargeType, e.Method, e.Amount,
		e.Currency, e.Reference, e.Note, e.StripeID, e.RefundOf, e.Status, e.RecordedBy, e.Now)
	if err != nil {
		return 0, fmt.Errorf("store: insert ledger entry for booking %d: %w", e.BookingID, classify(err))
	}
	return id, nil
}

// LedgerStripeIDConstraint names the rule that records a Stripe object once.
const LedgerStripeIDConstraint = "ledger_entries_stripe_id_key"

const ledgerColumns = `e.id, e.booking_id, e.kind, COALESCE(e.charge_type, '') AS charge_type,
       COALESCE(e.method, '') AS method, e.amount, e.currency, e.reference, e.note,
       COALESCE(e.stripe_id, '') AS stripe_id, COALESCE(e.refund_of, 0) AS refund_of, e.status,
       COALESCE(u.name, '') AS recorded_by, e.created_at
FROM ledger_entries e LEFT JOIN users u ON u.id = e.recorded_by`

const listLedgerSQL = `SELECT ` + ledgerColumns + ` WHERE e.booking_id = $1 ORDER BY e.id`

// ListLedgerEntries returns a booking's entries, oldest first. It runs
// prepared: the booking pages read it on every view.
func (s *Store) ListLedgerEntries(ctx context.Context, bookingID int64) ([]LedgerEntry, error) {
	var out []LedgerEntry
	if err := s.prepared().SelectContext(ctx, &out, listLedgerSQL, bookingID); err != nil {
		return nil, fmt.Errorf("store: list ledger of booking %d: %w", bookingID, classify(err))
	}
	return out, nil
}

const getLedgerEntrySQL = `SELECT ` + ledgerColumns + ` WHERE e.id = $1`

// GetLedgerEntry loads one entry.
func (s *Store) GetLedgerEntry(ctx context.Context, id int64) (LedgerEntry, error) {
	var e LedgerEntry
	if err := s.q.GetContext(ctx, &e, getLedgerEntrySQL, id); err != nil {
		return e, fmt.Errorf("store: get ledger entry %d: %w", id, classify(err))
	}
	return e, nil
}

const setLedgerEntryStripeSQL = `
UPDATE ledger_entries SET status = $2, stripe_id = COALESCE(NULLIF($3, ''), stripe_id) WHERE id = $1`

// SetLedgerEntryStripe records Stripe's answer to a refund asked for: its
// status and, when it made one, the refund's id.
func (s *Store) SetLedgerEntryStripe(ctx context.Context, id int64, status, stripeID string) error {
	if _, err := s.q.ExecContext(ctx, setLedgerEntryStripeSQL, id, status, stripeID); err != nil {
		return fmt.Errorf("store: set ledger entry %d: %w", id, classify(err))
	}
	return nil
}

// LedgerTotals sums a booking's entries that count: refunds that failed do not.
type LedgerTotals struct {
	Charges       int64 `db:"charges"`        // every charge (deposit, late fee, damage)
	DepositHeld   int64 `db:"deposit_held"`   // deposit charges net of releases
	Payments      int64 `db:"payments"`       // money received
	Refunds       int64 `db:"refunds"`        // money given back, pending included
	StripeRefunds int64 `db:"stripe_refunds"` // of which through Stripe
}

const ledgerTotalsSQL = `
SELECT COALESCE(sum(amount) FILTER (WHERE kind = 'charge'), 0) AS charges,
       COALESCE(sum(amount) FILTER (WHERE kind = 'charge' AND charge_type = 'deposit'), 0) AS deposit_held,
       COALESCE(sum(amount) FILTER (WHERE kind = 'payment'), 0) AS payments,
       COALESCE(sum(amount) FILTER (WHERE kind = 'refund' AND status <> 'failed'), 0) AS refunds,
       COALESCE(sum(amount) FILTER (WHERE kind = 'refund' AND status <> 'failed' AND method = 'stripe'), 0) AS stripe_refunds
FROM ledger_entries WHERE booking_id = $1`

// GetLedgerTotals sums a booking's ledger. It runs prepared: the customer's
// booking page and every money action read it.
func (s *Store) GetLedgerTotals(ctx context.Context, bookingID int64) (LedgerTotals, error) {
	var t LedgerTotals
	if err := s.prepared().GetContext(ctx, &t, ledgerTotalsSQL, bookingID); err != nil {
		return t, fmt.Errorf("store: ledger totals of booking %d: %w", bookingID, classify(err))
	}
	return t, nil
}

// TotalsOf sums a booking's whole ledger, as ListLedgerEntries reads it, by
// the rules of ledgerTotalsSQL: a page that lists the entries anyway gets
// the totals without asking the database again (TestTotalsOfAgreesWithLedgerTotals).
func TotalsOf(entries []LedgerEntry) LedgerTotals {
	var t LedgerTotals
	for _, e := range entries {
		switch {
		case e.Kind == EntryCharge:
			t.Charges += e.Amount
			if e.ChargeType == ChargeDeposit {
				t.DepositHeld += e.Amount
			}
		case e.Kind == EntryPayment:
			t.Payments += e.Amount
		case e.Kind == EntryRefund && e.Status != EntryFailed:
			t.Refunds += e.Amount
			if e.Method == MethodStripe {
				t.StripeRefunds += e.Amount
			}
		}
	}
	return t
}

const refundedOfSQL = `
SELECT COALESCE(sum(amount), 0) FROM ledger_entries
WHERE kind = 'refund' AND refund_of = $1 AND status <> 'failed'`

// RefundedOf sums what was given back of one payment (pending refunds count).
func (s *Store) RefundedOf(ctx context.Context, paymentID int64) (int64, error) {
	var n int64
	if err := s.q.GetContext(ctx, &n, refundedOfSQL, paymentID); err != nil {
		return 0, fmt.Errorf("store: refunded of payment %d: %w", paymentID, classify(err))
	}
	return n, nil
}

const paymentByStripeSQL = `SELECT ` + ledgerColumns + ` WHERE e.kind = 'payment' AND (e.stripe_id = $1 OR (e.method = 'stripe' AND e.reference = $1))`

// PaymentByStripe finds the payment recorded for a checkout session or a
// payment intent.
func (s *Store) PaymentByStripe(ctx context.Context, id string) (LedgerEntry, error) {
	var e LedgerEntry
	if err := s.q.GetContext(ctx, &e, paymentByStripeSQL, id); err != nil {
		return e, fmt.Errorf("store: payment for %s: %w", id, classify(err))
	}
	return e, nil
}

const setBookingPaidSQL = `UPDATE bookings SET paid = $2, updated_at = $3 WHERE id = $1`

// SetBookingPaid keeps bookings.paid (money received net of refunds) in step
// with the ledger, for lists and emails.
func (s *Store) SetBookingPaid(ctx context.Context, bookingID, paid int64, now time.Time) error {
	if _, err := s.q.ExecContext(ctx, setBookingPaidSQL, bookingID, paid, now); err != nil {
		return fmt.Errorf("store: set paid of booking %d: %w", bookingID, classify(err))
	}
	return nil
}

// Checkout Session statuses, as far as a booking is concerned.
const (
	SessionOpen     = "open"
	SessionComplete = "complete"
	SessionExpired  = "expired"
	SessionFailed   = "failed"
)

// CheckoutSession is a Stripe Checkout Session made for a booking.
type CheckoutSession struct {
	ID        string    `db:"id"`
	BookingID int64     `db:"booking_id"`
	Amount    int64     `db:"amount"`
	Currency  string    `db:"currency"`
	URL       string    `db:"url"`
	Status    string    `db:"status"`
	ExpiresAt time.Time `db:"expires_at"`
	CreatedAt time.Time `db:"created_at"`
}

const insertCheckoutSessionSQL = `
INSERT INTO checkout_sessions (id, booking_id, amount, currency, url, expires_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (id) DO NOTHING`

// InsertCheckoutSession records a session Stripe made (the same id twice,
// from an idempotent retry, is kept once).
func (s *Store) InsertCheckoutSession(ctx context.Context, cs CheckoutSession) error {
	if _, err := s.q.ExecContext(ctx, insertCheckoutSessionSQL, cs.ID, cs.BookingID, cs.Amount, cs.Currency, cs.URL,
		cs.ExpiresAt, cs.CreatedAt); err != nil {
		return fmt.Errorf("store: insert checkout session for booking %d: %w", cs.BookingID, classify(err))
	}
	return nil
}

const checkoutSessionColumns = `id, booking_id, amount, currency, url, status, expires_at, created_at FROM checkout_sessions`

const latestCheckoutSessionSQL = `SELECT ` + checkoutSessionColumns + ` WHERE booking_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`

// LatestCheckoutSession returns the newest session of a booking.
func (s *Store) LatestCheckoutSession(ctx context.Context, bookingID int64) (CheckoutSession, error) {
	var cs CheckoutSession
	if err := s.q.GetContext(ctx, &cs, latestCheckoutSessionSQL, bookingID); err != nil {
		return cs, fmt.Errorf("store: latest checkout session of booking %d: %w", bookingID, classify(err))
	}
	return cs, nil
}

const countCheckoutSessionsSQL = `SELECT count(*) FROM checkout_sessions WHERE booking_id = $1`

// CountCheckoutSessions counts the sessions made for a booking.
func (s *Store) CountCheckoutSessions(ctx context.Context, bookingID int64) (int, error) {
	var n int
	if err := s.q.GetContext(ctx, &n, countCheckoutSessionsSQL, bookingID); err != nil {
		return 0, fmt.Errorf("store: count checkout sessions of booking %d: %w", bookingID, classify(err))
	}
	return n, nil
}

const setCheckoutSessionStatusSQL = `UPDATE checkout_sessions SET status = $2 WHERE id = $1 AND status <> 'complete'`

// SetCheckoutSessionStatus marks a session; a completed one stays complete,
// whatever arrives after it.
func (s *Store) SetCheckoutSessionStatus(ctx context.Context, id, status string) error {
	if _, err := s.q.ExecContext(ctx, setCheckoutSessionStatusSQL, id, status); err != nil {
		return fmt.Errorf("store: set checkout session %s: %w", id, classify(err))
	}
	return nil
}

const recordStripeEventSQL = `
INSERT INTO stripe_events (id, type, booking_id, received_at)
VALUES ($1, $2, (SELECT id FROM bookings WHERE id = $3), $4)
ON CONFLICT (id) DO NOTHING`

// RecordStripeEvent notes a webhook event inside the transaction that acts on
// it, and says whether it is new. A concurrent delivery of the same event
// waits here for the first to commit and then reads as a duplicate; if the
// first rolls back, the second goes ahead.
func (s *Store) RecordStripeEvent(ctx context.Context, id, typ string, bookingID int64, now time.Time) (bool, error) {
	res, err := s.q.ExecContext(ctx, recordStripeEventSQL, id, typ, bookingID, now)
	if err != nil {
		return false, fmt.Errorf("store: record stripe event %s: %w", id, classify(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: record stripe event %s: %w", id, err)
	}
	return n == 1, nil
}

const countStripeEventsSQL = `SELECT count(*) FROM stripe_events`

// CountStripeEvents counts the webhook events handled.
func (s *Store) CountStripeEvents(ctx context.Context) (int, error) {
	var n int
	if err := s.q.GetContext(ctx, &n, countStripeEventsSQL); err != nil {
		return 0, fmt.Errorf("store: count stripe events: %w", classify(err))
	}
	return n, nil
}
