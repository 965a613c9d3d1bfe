package payment

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// TestLedgerBalance walks a booking through desk money: rental paid in part,
// a deposit taken, a damage charge, the deposit given back less the damage,
// and checks the balance and bookings.paid after each step, to the cent.
func TestLedgerBalance(t *testing.T) {
	w := newWorld(t)
	staff, cust := w.user("staff"), w.user("customer")
	bike := w.item("Bike", 1, 1250, 10000)
	id := w.book(cust, bike, 2, false)
	rental := w.booking(id).Total
	if rental <= 0 {
		t.Fatalf("rental %d", rental)
	}
	steps := []struct {
		name               string
		do                 func() error
		due, paid, depHeld int64
	}{
		{"nothing yet", func() error { return nil }, rental, 0, 0},
		{"part paid in cash", func() error {
			_, err := w.ledger.RecordPayment(w.ctx, nil, Payment{BookingID: id, Method: store.MethodCash, Amount: 1000, Reference: "R-1", StaffID: staff})
			return err
		}, rental - 1000, 1000, 0},
		{"rest on the terminal", func() error {
			_, err := w.ledger.RecordPayment(w.ctx, nil, Payment{BookingID: id, Method: store.MethodCardTerminal, Amount: rental - 1000, Reference: "T-9", StaffID: staff})
			return err
		}, 0, rental, 0},
		{"deposit taken", func() error {
			return w.ledger.TakeDeposit(w.ctx, nil, id, 10000, store.MethodCash, "D-1", staff)
		}, 0, rental + 10000, 10000},
		{"damage charged", func() error {
			_, err := w.ledger.AddCharge(w.ctx, nil, id, store.ChargeDamage, 3050, "scratched frame", staff)
			return err
		}, 3050, rental + 10000, 10000},
		{"deposit back less damage", func() error {
			return w.ledger.ReturnDeposit(w.ctx, nil, id, 10000-3050, store.MethodCash, "D-1", staff)
		}, 0, rental + 3050, 0},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		bal := w.balance(id)
		if bal.Due != s.due || bal.Paid != s.paid || bal.DepositHeld != s.depHeld {
			t.Fatalf("%s: due %d paid %d deposit %d, want %d %d %d", s.name, bal.Due, bal.Paid, bal.DepositHeld, s.due, s.paid, s.depHeld)
		}
		if got := w.booking(id).Paid; got != s.paid {
			t.Fatalf("%s: bookings.paid %d, want %d", s.name, got, s.paid)
		}
	}
	entries, err := w.st.ListLedgerEntries(w.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 7 || entries[0].RecordedBy == "" || entries[0].Reference != "R-1" {
		t.Fatalf("entries: %+v", entries)
	}
}

// TestLedgerRefusals: bad amounts and methods are field errors, refunds never
// exceed what was paid (in all, or of one payment), and a cancelled booking
// owes nothing but is owed what it paid.
func TestLedgerRefusals(t *testing.T) {
	w := newWorld(t)
	staff, cust := w.user("staff"), w.user("customer")
	id := w.book(cust, w.item("Kayak", 1, 2000, 0), 1, false)
	pay, err := w.ledger.RecordPayment(w.ctx, nil, Payment{BookingID: id, Method: store.MethodCash, Amount: 1500, StaffID: staff})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		err   error
		field string
	}{
		{"zero payment", must2(w.ledger.RecordPayment(w.ctx, nil, Payment{BookingID: id, Method: store.MethodCash, Amount: 0, StaffID: staff})), "amount"},
		{"stripe is not a desk method", w.ledger.TakeDeposit(w.ctx, nil, id, 100, store.MethodStripe, "", staff), "method"},
		{"unknown method", must2(w.ledger.RecordPayment(w.ctx, nil, Payment{BookingID: id, Method: "cheque", Amount: 10, StaffID: staff})), "method"},
		{"refund over paid", must2(w.ledger.RecordRefund(w.ctx, nil, Refund{BookingID: id, Method: store.MethodCash, Amount: 1501, StaffID: staff})), "amount"},
		{"refund over the payment", must2(w.ledger.RecordRefund(w.ctx, nil, Refund{BookingID: id, PaymentID: pay, Method: store.MethodCash, Amount: 1501, StaffID: staff})), "amount"},
		{"negative charge", must2(w.ledger.AddCharge(w.ctx, nil, id, store.ChargeLateFee, -5, "", staff)), "amount"},
		{"deposit back over held", w.ledger.ReturnDeposit(w.ctx, nil, id, 1, store.MethodCash, "", staff), ""},
	}
	for _, c := range cases {
		var fe booking.FieldErrors
		var re *booking.RuleError
		switch {
		case c.field != "" && (!errors.As(c.err, &fe) || fe[c.field] == ""):
			t.Errorf("%s: %v, want a message for %s", c.name, c.err, c.field)
		case c.field == "" && !errors.As(c.err, &re):
			t.Errorf("%s: %v, want a rule error", c.name, c.err)
		}
	}
	if err := w.eng.Cancel(w.ctx, id, 0, booking.Actor{UserID: staff}); err != nil {
		t.Fatal(err)
	}
	if bal := w.balance(id); bal.Due != -1500 {
		t.Fatalf("cancelled booking due %d, want -1500 (the shop owes the payment back)", bal.Due)
	}
}

func must2(_ int64, err error) error { return err }

// TestLedgerDepositTakenOnce: the desk's deposit form sent twice (a double
// click, two desks, a page kept open) takes the deposit once; the others are
// told it is already held.
func TestLedgerDepositTakenOnce(t *testing.T) {
	w := newWorld(t)
	staff, cust := w.user("staff"), w.user("customer")
	id := w.book(cust, w.item("Canoe", 1, 2000, 10000), 1, false)
	var mu sync.Mutex
	ok, told := 0, 0
	testenv.Together(t, 8, 30*time.Second, func(int) {
		err := w.ledger.TakeDeposit(w.ctx, nil, id, 10000, store.MethodCash, "", staff)
		var re *booking.RuleError
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil:
			ok++
		case errors.As(err, &re):
			told++
		default:
			t.Errorf("take deposit: %v", err)
		}
	})
	if bal := w.balance(id); ok != 1 || told != 7 || bal.DepositHeld != 10000 || bal.Paid != 10000 {
		t.Fatalf("%d deposits taken, %d refused; held %d, paid %d; want 1, 7, 10000, 10000", ok, told, bal.DepositHeld, bal.Paid)
	}
}

// TestLedgerConcurrentRefunds: two desks refunding the same payment at once
// can never give back more than it was.
func TestLedgerConcurrentRefunds(t *testing.T) {
	w := newWorld(t)
	staff, cust := w.user("staff"), w.user("customer")
	id := w.book(cust, w.item("Tent", 1, 3000, 0), 1, false)
	pay, err := w.ledger.RecordPayment(w.ctx, nil, Payment{BookingID: id, Method: store.MethodCash, Amount: 3000, StaffID: staff})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	ok := 0
	testenv.Together(t, 8, 30*time.Second, func(int) {
		_, err := w.ledger.RecordRefund(w.ctx, nil, Refund{BookingID: id, PaymentID: pay, Method: store.MethodCash, Amount: 1000, StaffID: staff})
		if err == nil {
			mu.Lock()
			ok++
			mu.Unlock()
		}
	})
	if ok != 3 || w.balance(id).Paid != 0 {
		t.Fatalf("%d refunds of 1000 went through, paid %d; want 3 and 0", ok, w.balance(id).Paid)
	}
}

// TestLedgerDesksPayingAtOnce: desks each taking the whole balance of one
// booking at the same moment (two counters, a customer paying twice) record
// one payment; the others are asked, against the balance the first left,
// before the shop takes more than is owed.
func TestLedgerDesksPayingAtOnce(t *testing.T) {
	w := newWorld(t)
	staff, cust := w.user("staff"), w.user("customer")
	id := w.book(cust, w.item("Kayak", 1, 4000, 0), 1, false)
	owed := w.balance(id).Due
	var mu sync.Mutex
	ok, asked := 0, 0
	testenv.Together(t, 8, 30*time.Second, func(int) {
		_, err := w.ledger.RecordPayment(w.ctx, nil, Payment{BookingID: id, Method: store.MethodCash, Amount: owed, StaffID: staff})
		var above *AboveOwedError
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil:
			ok++
		case errors.As(err, &above) && above.Owed == 0:
			asked++
		default:
			t.Errorf("record payment: %v", err)
		}
	})
	if bal := w.balance(id); ok != 1 || asked != 7 || bal.Paid != owed || bal.Due != 0 {
		t.Fatalf("%d payments recorded, %d asked; paid %d, due %d; want 1, 7, %d, 0", ok, asked, bal.Paid, bal.Due, owed)
	}

	// The same, paused: one desk's payment of the whole balance is written
	// and not yet committed (it holds the booking, as RecordPayment does);
	// a second desk's payment waits for it (seen by PostgreSQL, not guessed
	// by a clock), then is checked against it and asked about.
	id = w.book(cust, w.item("Raft", 1, 4000, 0), 1, false)
	owed = w.balance(id).Due
	first, err := w.st.DB().BeginTx(w.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback()
	for _, q := range []string{`SELECT id FROM bookings WHERE id = $1 FOR UPDATE`,
		`INSERT INTO ledger_entries (booking_id, kind, method, amount, currency, created_at)
		 SELECT id, 'payment', 'cash', $2, currency, now() FROM bookings WHERE id = $1`} {
		args := []any{id}
		if strings.Contains(q, "$2") {
			args = append(args, owed)
		}
		if _, err := first.ExecContext(w.ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	second := make(chan error, 1)
	go func() {
		_, err := w.ledger.RecordPayment(w.ctx, nil, Payment{BookingID: id, Method: store.MethodCash, Amount: owed, StaffID: staff})
		second <- err
	}()
	var early error
	waited := false
	for deadline := time.Now().Add(30 * time.Second); !waited; time.Sleep(20 * time.Millisecond) {
		select {
		case early = <-second: // it did not wait for the first desk
			waited = true
			continue
		default:
		}
		if w.id(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second payment neither waited for the first nor finished")
		}
	}
	if err := first.Commit(); err != nil {
		t.Fatal(err)
	}
	if !waited {
		select {
		case early = <-second:
		case <-time.After(30 * time.Second):
			t.Fatal("the second payment did not finish after the first committed")
		}
	}
	var above *AboveOwedError
	if !errors.As(early, &above) || above.Owed != 0 {
		t.Fatalf("a second desk's payment of the balance while the first was being recorded: %v, want asked (nothing owed)", early)
	}
}

// TestLedgerAboveOwedConfirmedForAnotherBalance: a desk confirms a payment
// above what was owed when it was asked; if another desk took a payment in
// between, the confirmation was for another balance (the shop would now owe
// the customer more than the desk agreed to): it is asked again, with the
// balance of now, and a confirmation for that balance records it.
func TestLedgerAboveOwedConfirmedForAnotherBalance(t *testing.T) {
	w := newWorld(t)
	staff, cust := w.user("staff"), w.user("customer")
	id := w.book(cust, w.item("Canoe", 1, 4000, 0), 1, false)
	owed := w.balance(id).Due // 4000
	pay := func(amount int64, asked *int64) error {
		_, err := w.ledger.RecordPayment(w.ctx, nil, Payment{BookingID: id, Method: store.MethodCash, Amount: amount,
			StaffID: staff, AboveOwed: asked != nil, AskedOwed: asked})
		return err
	}
	var above *AboveOwedError
	if err := pay(owed+1000, nil); !errors.As(err, &above) || above.Owed != owed {
		t.Fatalf("above owed unconfirmed: %v", err)
	}
	if err := pay(1000, nil); err != nil { // another desk, in between
		t.Fatal(err)
	}
	if err := pay(owed+1000, &owed); !errors.As(err, &above) || above.Owed != owed-1000 {
		t.Fatalf("confirmed for %d while %d is owed: %v, want asked again", owed, owed-1000, err)
	}
	now := owed - 1000
	if err := pay(owed+1000, &now); err != nil {
		t.Fatalf("confirmed for the balance of now: %v", err)
	}
	if bal := w.balance(id); bal.Paid != owed+2000 {
		t.Fatalf("paid %d, want %d", bal.Paid, owed+2000)
	}
}
