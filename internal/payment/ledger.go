// Package payment is the money of a booking: a ledger of charges, payments
// and refunds with the balance due, Stripe Checkout for online payment, the
// Stripe webhook that fulfils it, and refunds.
//
// Every change of the ledger runs in the caller's transaction (or one of its
// own) with the booking row locked, so two desks and a webhook recording money
// at the same moment each see the other's entries.
package payment

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Charge types the ledger takes on top of the rental (the booking's total).
var ChargeTypes = []string{store.ChargeDeposit, store.ChargeLateFee, store.ChargeDamage}

// DeskMethods are how staff take money at the desk; Stripe payments come only
// through Checkout.
var DeskMethods = []string{store.MethodCash, store.MethodCardTerminal}

// DepositNote marks the payment and refund entries of a security deposit,
// which is not invoiced, so giving it back never makes a credit note.
const DepositNote = "security deposit"

// MaxEntry is the largest amount (minor units) one payment or charge may put
// on a booking's ledger: ten billion in a currency of cents. Amounts parse up
// to int64's limit and a booking's totals sum its entries, so one near that
// limit overflowed them and every later read of the booking's money failed.
// No rental takes this much at once: a larger amount is a slip (a barcode
// scanned into the field reads as hundreds of billions).
const MaxEntry = money.MaxEntry

// checkEntry refuses an amount above MaxEntry, beside the amount field.
func checkEntry(amount int64, currency string) error {
	if amount > MaxEntry {
		return booking.FieldErrors{"amount": "Enter at most " + money.Format(MaxEntry, currency) + "; check the amount."}
	}
	return nil
}

// Ledger records and sums a booking's money.
type Ledger struct {
	st  *store.Store
	now func() time.Time
}

// NewLedger builds a ledger on a store and a clock (nil: time.Now).
func NewLedger(st *store.Store, now func() time.Time) *Ledger {
	if now == nil {
		now = time.Now
	}
	return &Ledger{st: st, now: now}
}

// Balance is where a booking's money stands, in minor units of Currency.
type Balance struct {
	Currency string
	// Rental is what the booking costs: its total, or nothing once it is
	// cancelled or expired.
	Rental int64
	// Charges are deposit, late fee and damage charges net of releases.
	Charges int64
	// DepositHeld is the security deposit taken and not yet returned.
	DepositHeld int64
	// Paid is money received net of refunds (pending Stripe refunds count).
	Paid int64
	// Due is what the customer still owes; negative: the shop owes them.
	Due int64
}

// Balance sums a booking's ledger. q is the pool or a transaction.
func (l *Ledger) Balance(ctx context.Context, q *store.Store, b store.Booking) (Balance, error) {
	t, err := q.GetLedgerTotals(ctx, b.ID)
	if err != nil {
		return Balance{}, err
	}
	return BalanceOf(b, t), nil
}

// BalanceOf is the balance of a booking whose ledger sums to t, for a page
// that reads the totals once for several uses.
func BalanceOf(b store.Booking, t store.LedgerTotals) Balance {
	bal := Balance{Currency: b.Currency, Rental: RentalDue(b), Charges: t.Charges, DepositHeld: t.DepositHeld,
		Paid: t.Payments - t.Refunds}
	bal.Due = bal.Rental + bal.Charges - bal.Paid
	return bal
}

// RentalDue is the rental a booking's customer owes: nothing for a booking
// that was cancelled or expired, its total otherwise.
func RentalDue(b store.Booking) int64 {
	if b.Status == store.BookingCancelled || b.Status == store.BookingExpired {
		return 0
	}
	return b.Total
}

// AddCharge adds a deposit, late fee or damage charge (amountCents > 0) to a
// booking, recorded by staffID (0 = the system), in tx (nil: a transaction of
// its own). It returns the entry's id.
func (l *Ledger) AddCharge(ctx context.Context, tx *store.Store, bookingID int64, kind string, amountCents int64, note string, staffID int64) (int64, error) {
	if !slices.Contains(ChargeTypes, kind) {
		return 0, fmt.Errorf("payment: unknown charge type %q", kind)
	}
	if amountCents <= 0 {
		return 0, booking.FieldErrors{"amount": "Enter an amount above zero."}
	}
	var id int64
	err := l.inTx(ctx, tx, bookingID, func(tx *store.Store, b store.Booking) error {
		if err := checkEntry(amountCents, b.Currency); err != nil {
			return err
		}
		var err error
		id, err = tx.InsertLedgerEntry(ctx, store.NewLedgerEntry{BookingID: b.ID, Kind: store.EntryCharge, ChargeType: kind,
			Amount: amountCents, Currency: b.Currency, Note: note, RecordedBy: staffID, Now: l.now()})
		if err != nil {
			return err
		}
		return l.audit(ctx, tx, staffID, "payment.charge", b.ID, map[string]any{"type": kind, "amount": amountCents, "note": note})
	})
	return id, err
}

// ReleaseCharge takes back amountCents (> 0) of a late fee or damage charge
// already on the ledger: a negative charge of the same type, the way a
// released deposit is recorded, so the charges and the balance drop while
// no money moves (revenue counts payments and refunds only). The caller
// checks the amount against the charge and audits why; it runs in tx (nil:
// a transaction of its own) and returns the entry's id.
func (l *Ledger) ReleaseCharge(ctx context.Context, tx *store.Store, bookingID int64, kind string, amountCents int64, note string, staffID int64) (int64, error) {
	if kind != store.ChargeLateFee && kind != store.ChargeDamage {
		return 0, fmt.Errorf("payment: charge type %q cannot be released", kind)
	}
	if amountCents <= 0 {
		return 0, booking.FieldErrors{"amount": "Enter an amount above zero."}
	}
	var id int64
	err := l.inTx(ctx, tx, bookingID, func(tx *store.Store, b store.Booking) error {
		var err error
		id, err = tx.InsertLedgerEntry(ctx, store.NewLedgerEntry{BookingID: b.ID, Kind: store.EntryCharge, ChargeType: kind,
			Amount: -amountCents, Currency: b.Currency, Note: note, RecordedBy: staffID, Now: l.now()})
		return err
	})
	return id, err
}

// Payment is money received.
type Payment struct {
	BookingID int64
	Method    string // cash, card_terminal (desk) or stripe (Checkout)
	Amount    int64
	Reference string // receipt or slip number; for Stripe the payment intent
	Note      string
	StripeID  string // the checkout session, for Stripe payments
	StaffID   int64  // 0 = online
	// AboveOwed is the staff's confirmation of a desk payment above what
	// the booking owes; without it such a payment is an *AboveOwedError.
	AboveOwed bool
	// AskedOwed, when set, is what the booking owed when the staff were
	// asked to confirm (AboveOwed). If it owes something else when the
	// payment is recorded (another desk took a payment in between), the
	// confirmation was given for another balance and they are asked again.
	AskedOwed *int64
}

// AboveOwedError refuses a desk payment above what the booking owes until
// the staff confirm it (Payment.AboveOwed): a typo of a few zeros would
// otherwise leave the shop owing the customer the difference.
type AboveOwedError struct {
	Amount, Owed int64 // Owed may be zero or below (nothing owed)
	Currency     string
}

func (e *AboveOwedError) Error() string {
	owed := "Nothing is owed on this booking"
	if e.Owed > 0 {
		owed = money.Format(e.Amount, e.Currency) + " is more than the " + money.Format(e.Owed, e.Currency) + " owed"
	}
	return owed + ": the shop would then owe the customer " + money.Format(e.Amount-max(e.Owed, 0), e.Currency) +
		". Check the amount; if it is right, confirm below and record it again."
}

// RecordPayment records money received, in tx (nil: a transaction of its
// own), and returns the entry's id. A Stripe payment recorded before is
// store.ErrConflict.
func (l *Ledger) RecordPayment(ctx context.Context, tx *store.Store, p Payment) (int64, error) {
	if err := checkMethod(p.Method, p.StaffID); err != nil {
		return 0, err
	}
	if p.Amount <= 0 {
		return 0, booking.FieldErrors{"amount": "Enter an amount above zero."}
	}
	var id int64
	err := l.inTx(ctx, tx, p.BookingID, func(tx *store.Store, b store.Booking) error {
		if err := checkEntry(p.Amount, b.Currency); err != nil {
			return err
		}
		if p.StaffID != 0 && (!p.AboveOwed || p.AskedOwed != nil) {
			// The booking is locked (inTx): two desks recording at once
			// are checked one after the other, each against what the
			// other recorded.
			t, err := tx.GetLedgerTotals(ctx, b.ID)
			if err != nil {
				return err
			}
			owed := BalanceOf(b, t).Due
			if p.Amount > owed && (!p.AboveOwed || *p.AskedOwed != owed) {
				return &AboveOwedError{Amount: p.Amount, Owed: owed, Currency: b.Currency}
			}
		}
		var err error
		if id, err = l.recordPayment(ctx, tx, b, p); err != nil {
			return err
		}
		return l.syncPaid(ctx, tx, b.ID)
	})
	return id, err
}

func (l *Ledger) recordPayment(ctx context.Context, tx *store.Store, b store.Booking, p Payment) (int64, error) {
	id, err := tx.InsertLedgerEntry(ctx, store.NewLedgerEntry{BookingID: b.ID, Kind: store.EntryPayment, Method: p.Method,
		Amount: p.Amount, Currency: b.Currency, Reference: p.Reference, Note: p.Note, StripeID: p.StripeID,
		RecordedBy: p.StaffID, Now: l.now()})
	if err != nil {
		return 0, err
	}
	return id, l.audit(ctx, tx, p.StaffID, "payment.record", b.ID,
		map[string]any{"method": p.Method, "amount": p.Amount, "reference": p.Reference})
}

func checkMethod(method string, staffID int64) error {
	if method == store.MethodStripe || slices.Contains(DeskMethods, method) {
		return nil
	}
	if staffID != 0 {
		return booking.FieldErrors{"method": "Choose cash or card terminal."}
	}
	return fmt.Errorf("payment: unknown method %q", method)
}

// Refund is money given back.
type Refund struct {
	BookingID int64
	// PaymentID is the payment given back (0 = none in particular: cash back
	// at the desk, or a deposit returned).
	PaymentID int64
	Method    string
	Amount    int64
	Reference string
	Note      string
	// Status is pending for a Stripe refund asked for and not yet answered.
	Status  string
	StaffID int64
}

// RecordRefund records money given back, in tx (nil: a transaction of its
// own), and returns the entry's id. A refund of a payment is at most what is
// left of it; any refund is at most what was paid.
func (l *Ledger) RecordRefund(ctx context.Context, tx *store.Store, r Refund) (int64, error) {
	if err := checkMethod(r.Method, r.StaffID); err != nil {
		return 0, err
	}
	if r.Amount <= 0 {
		return 0, booking.FieldErrors{"amount": "Enter an amount above zero."}
	}
	var id int64
	err := l.inTx(ctx, tx, r.BookingID, func(tx *store.Store, b store.Booking) error {
		if err := l.checkRefundable(ctx, tx, b, r); err != nil {
			return err
		}
		var err error
		id, err = tx.InsertLedgerEntry(ctx, store.NewLedgerEntry{BookingID: b.ID, Kind: store.EntryRefund, Method: r.Method,
			Amount: r.Amount, Currency: b.Currency, Reference: r.Reference, Note: r.Note, RefundOf: r.PaymentID,
			Status: r.Status, RecordedBy: r.StaffID, Now: l.now()})
		if err != nil {
			return err
		}
		if err := l.audit(ctx, tx, r.StaffID, "payment.refund", b.ID,
			map[string]any{"method": r.Method, "amount": r.Amount, "payment": r.PaymentID, "note": r.Note}); err != nil {
			return err
		}
		return l.syncPaid(ctx, tx, b.ID)
	})
	return id, err
}

func (l *Ledger) checkRefundable(ctx context.Context, tx *store.Store, b store.Booking, r Refund) error {
	t, err := tx.GetLedgerTotals(ctx, b.ID)
	if err != nil {
		return err
	}
	if r.Amount > t.Payments-t.Refunds {
		return booking.FieldErrors{"amount": "That is more than was paid (" + money.Format(t.Payments-t.Refunds, b.Currency) + ")."}
	}
	if r.PaymentID == 0 {
		return nil
	}
	p, err := tx.GetLedgerEntry(ctx, r.PaymentID)
	if err != nil || p.BookingID != b.ID || p.Kind != store.EntryPayment {
		return booking.FieldErrors{"payment": "Choose a payment of this booking."}
	}
	done, err := tx.RefundedOf(ctx, p.ID)
	if err != nil {
		return err
	}
	if r.Amount > p.Amount-done {
		return booking.FieldErrors{"amount": "That is more than is left of the payment (" + money.Format(p.Amount-done, b.Currency) + ")."}
	}
	return nil
}

// TakeDeposit charges a security deposit and records it paid at the desk,
// together. A booking holds one deposit at a time: while one is held, taking
// another is refused (the form sent twice must not take it twice); the desk
// returns it first to take a different amount.
func (l *Ledger) TakeDeposit(ctx context.Context, tx *store.Store, bookingID, amount int64, method, reference string, staffID int64) error {
	if !slices.Contains(DeskMethods, method) {
		return booking.FieldErrors{"method": "Choose cash or card terminal."}
	}
	return l.inTx(ctx, tx, bookingID, func(tx *store.Store, b store.Booking) error {
		t, err := tx.GetLedgerTotals(ctx, b.ID)
		if err != nil {
			return err
		}
		if t.DepositHeld > 0 {
			return &booking.RuleError{Msg: "A security deposit of " + money.Format(t.DepositHeld, b.Currency) +
				" is already held for this booking; nothing more was taken."}
		}
		if _, err := l.AddCharge(ctx, tx, b.ID, store.ChargeDeposit, amount, "security deposit", staffID); err != nil {
			return err
		}
		_, err = l.RecordPayment(ctx, tx, Payment{BookingID: b.ID, Method: method, Amount: amount, Reference: reference,
			Note: DepositNote, StaffID: staffID, AboveOwed: true}) // it pays the charge just added
		return err
	})
}

// ReturnDeposit releases the whole deposit held and gives back giveBack of
// it (what is kept pays the damage or late fee charged beside it).
func (l *Ledger) ReturnDeposit(ctx context.Context, tx *store.Store, bookingID, giveBack int64, method, reference string, staffID int64) error {
	if !slices.Contains(DeskMethods, method) {
		return booking.FieldErrors{"method": "Choose cash or card terminal."}
	}
	return l.inTx(ctx, tx, bookingID, func(tx *store.Store, b store.Booking) error {
		t, err := tx.GetLedgerTotals(ctx, b.ID)
		if err != nil {
			return err
		}
		if t.DepositHeld <= 0 {
			return &booking.RuleError{Msg: "No security deposit is held for this booking."}
		}
		if giveBack < 0 || giveBack > t.DepositHeld {
			return booking.FieldErrors{"amount": "Give back from nothing up to the deposit held (" + money.Format(t.DepositHeld, b.Currency) + ")."}
		}
		if _, err := tx.InsertLedgerEntry(ctx, store.NewLedgerEntry{BookingID: b.ID, Kind: store.EntryCharge,
			ChargeType: store.ChargeDeposit, Amount: -t.DepositHeld, Currency: b.Currency, Note: "security deposit released",
			RecordedBy: staffID, Now: l.now()}); err != nil {
			return err
		}
		if giveBack == 0 {
			return l.audit(ctx, tx, staffID, "payment.deposit_kept", b.ID, map[string]any{"amount": t.DepositHeld})
		}
		_, err = l.RecordRefund(ctx, tx, Refund{BookingID: b.ID, Method: method, Amount: giveBack, Reference: reference,
			Note: "security deposit returned", StaffID: staffID})
		return err
	})
}

// inTx runs fn in tx (or a transaction of its own) with the booking locked.
func (l *Ledger) inTx(ctx context.Context, tx *store.Store, bookingID int64, fn func(tx *store.Store, b store.Booking) error) error {
	if tx == nil {
		tx = l.st
	}
	return tx.WithTx(ctx, func(tx *store.Store) error {
		b, err := tx.LockBooking(ctx, bookingID)
		if err != nil {
			return err
		}
		return fn(tx, b)
	})
}

// syncPaid keeps bookings.paid in step with the ledger.
func (l *Ledger) syncPaid(ctx context.Context, tx *store.Store, bookingID int64) error {
	t, err := tx.GetLedgerTotals(ctx, bookingID)
	if err != nil {
		return err
	}
	return tx.SetBookingPaid(ctx, bookingID, t.Payments-t.Refunds, l.now())
}

func (l *Ledger) audit(ctx context.Context, tx *store.Store, actorID int64, action string, bookingID int64, after any) error {
	return tx.InsertAudit(ctx, store.Audit{ActorID: actorID, Action: action, EntityType: "booking",
		EntityID: fmt.Sprint(bookingID), After: after})
}
