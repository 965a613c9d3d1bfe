package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/store"
)

// staffOf logs in a new staff member of the shop.
func (s *shop) staffOf(email string) *testClient {
	s.t.Helper()
	s.createUser(store.RoleStaff, email, "correct horse battery")
	c := s.client()
	c.login(email, "correct horse battery")
	return c
}

func (r *testResponse) text(sel string) string {
	if r.Doc == nil {
		return ""
	}
	return strings.TrimSpace(r.Doc.Find(sel).First().Text())
}

// Staff take cash and card-terminal payments with a reference, take and
// return the security deposit; the balance due is right on the staff and
// the customer page after each step, and bad input is refused beside its
// field with what was typed kept.
func TestDeskPayments(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Bike", 1) // €25.00 a day, €100.00 deposit
	cust, _ := s.customer("ann@example.com")
	res := cust.bookOne(s.loc, item, s.local(1, 10), s.local(2, 10)).expectStatus(t, http.StatusSeeOther)
	id := s.id(`SELECT max(id) FROM bookings`)
	path := "/staff/bookings/" + itoa(id)
	_ = res
	desk := s.staffOf("sam@example.com")
	page := desk.get(path).expectStatus(t, http.StatusOK)
	total := page.text(`[data-testid="balance-due"]`)
	if total == "" || total == "€0.00" {
		t.Fatalf("balance due %q before any payment", total)
	}
	if got := desk.get("/staff/bookings?status=balance_due").expectStatus(t, http.StatusOK); !strings.Contains(got.Body, "R"+pad6(id)) {
		t.Error("the balance-due filter misses an unpaid booking")
	}

	bad := desk.post(path+"/payments", withOnce("pay_", url.Values{"pay_amount": {"12,3x"}, "pay_method": {"cash"}, "pay_reference": {"RC-1"}})).
		expectStatus(t, http.StatusUnprocessableEntity)
	if bad.fieldError("pay_amount") == "" || bad.inputValue("pay_amount") != "12,3x" || bad.inputValue("pay_reference") != "RC-1" {
		t.Errorf("bad amount: message %q, kept %q", bad.fieldError("pay_amount"), bad.inputValue("pay_amount"))
	}
	desk.post(path+"/payments", withOnce("pay_", url.Values{"pay_amount": {"10"}, "pay_method": {"cheque"}})).expectStatus(t, http.StatusUnprocessableEntity)

	desk.post(path+"/payments", withOnce("pay_", url.Values{"pay_amount": {"20.00"}, "pay_method": {"cash"}, "pay_reference": {"RC-1"}})).expectStatus(t, http.StatusSeeOther)
	desk.post(path+"/payments", withOnce("pay_", url.Values{"pay_amount": {"5"}, "pay_method": {"card_terminal"}, "pay_reference": {"TX-77"}})).expectStatus(t, http.StatusSeeOther)
	page = desk.get(path).expectStatus(t, http.StatusOK)
	if got := page.text(`[data-testid="balance-due"]`); got != "€0.00" {
		t.Fatalf("balance due %q after paying €25.00", got)
	}
	if !strings.Contains(page.text(`[data-testid="ledger"]`), "TX-77") || !strings.Contains(page.Body, "card terminal") {
		t.Error("the ledger does not show the terminal payment and its reference")
	}
	if got := cust.get("/bookings/"+itoa(id)).expectStatus(t, http.StatusOK); got.text(`[data-testid="due"]`) != "€0.00" || got.text(`[data-testid="paid"]`) != "Paid: €25.00" {
		t.Errorf("customer sees due %q, %q", got.text(`[data-testid="due"]`), got.text(`[data-testid="paid"]`))
	}
	if got := desk.get("/staff/bookings?status=balance_due"); strings.Contains(got.Body, "R"+pad6(id)) {
		t.Error("the balance-due filter lists a paid booking")
	}
	desk.get("/staff/bookings?status=owes_money").expectStatus(t, http.StatusBadRequest)

	// The deposit: taken, €30.00 damage charged, €70.00 given back.
	desk.post(path+"/deposit", withOnce("dep_", url.Values{"dep_amount": {"100.00"}, "dep_method": {"cash"}, "dep_reference": {"D-1"}})).expectStatus(t, http.StatusSeeOther)
	page = desk.get(path)
	if page.text(`[data-testid="deposit-held"]`) != "€100.00" || page.text(`[data-testid="balance-due"]`) != "€0.00" {
		t.Fatalf("after the deposit: held %q, due %q", page.text(`[data-testid="deposit-held"]`), page.text(`[data-testid="balance-due"]`))
	}
	if _, err := s.srv.Payments.Ledger().AddCharge(t.Context(), nil, id, store.ChargeDamage, 3000, "bent wheel", 0); err != nil {
		t.Fatal(err)
	}
	desk.post(path+"/deposit/return", withOnce("ret_", url.Values{"ret_amount": {"170"}, "ret_method": {"cash"}})).expectStatus(t, http.StatusUnprocessableEntity)
	desk.post(path+"/deposit/return", withOnce("ret_", url.Values{"ret_amount": {"70.00"}, "ret_method": {"cash"}})).expectStatus(t, http.StatusSeeOther)
	page = desk.get(path)
	if page.text(`[data-testid="balance-due"]`) != "€0.00" || page.Doc.Find(`[data-testid="deposit-held"]`).Length() != 0 {
		t.Fatalf("after returning the deposit less damage: due %q", page.text(`[data-testid="balance-due"]`))
	}
	// A cash refund of part of a payment.
	cashID := s.id(`SELECT id FROM ledger_entries WHERE reference = 'RC-1'`)
	desk.post(path+"/refunds", withOnce("ref_", url.Values{"ref_payment": {itoa(cashID)}, "ref_amount": {"20.01"}})).expectStatus(t, http.StatusUnprocessableEntity)
	desk.post(path+"/refunds", withOnce("ref_", url.Values{"ref_payment": {itoa(cashID)}, "ref_amount": {"5"}, "ref_note": {"goodwill"}})).expectStatus(t, http.StatusSeeOther)
	if got := desk.get(path).text(`[data-testid="balance-due"]`); got != "€5.00" {
		t.Errorf("due %q after a €5.00 refund", got)
	}
	if n := s.id(`SELECT count(*) FROM ledger_entries WHERE kind = 'refund' AND method = 'cash' AND refund_of = $1`, cashID); n != 1 {
		t.Errorf("%d cash refunds recorded", n)
	}
}

func pad6(id int64) string {
	s := itoa(id)
	for len(s) < 6 {
		s = "0" + s
	}
	return s
}

// Refunds of online payments go through Stripe with an idempotency key from
// the refund's own row; Stripe down leaves the refund pending, and sending
// it again later uses the same key.
func TestStaffStripeRefund(t *testing.T) {
	p := newPayShop(t, booking.PaymentModeOnlineFull)
	c, _ := p.customer("ann@example.com")
	_, id := p.checkoutOnline(c, p.item("Kayak", 1))
	if p.paid(id) != http.StatusOK {
		t.Fatal("payment refused")
	}
	path := "/staff/bookings/" + itoa(id)
	desk := p.staffOf("sam@example.com")
	payID := p.id(`SELECT id FROM ledger_entries WHERE kind = 'payment'`)
	desk.post(path+"/refunds", withOnce("ref_", url.Values{"ref_payment": {itoa(payID)}, "ref_amount": {"10.00"}, "ref_note": {"late start"}})).expectStatus(t, http.StatusSeeOther)
	var keys []string
	for _, call := range p.stripe.Calls() {
		if call.Path == "/v1/refunds" {
			keys = append(keys, call.IdempotencyKey)
			if call.Form.Get("amount") != "1000" || !strings.HasPrefix(call.Form.Get("payment_intent"), "pi_") {
				t.Errorf("refund call %v", call.Form)
			}
		}
	}
	if len(keys) != 1 || keys[0] == "" {
		t.Fatalf("refund calls with keys %q", keys)
	}
	if n := p.count(`SELECT count(*) FROM ledger_entries WHERE kind = 'refund' AND method = 'stripe' AND status = 'done' AND stripe_id IS NOT NULL`); n != 1 {
		t.Fatalf("%d stripe refunds done", n)
	}
	if n := p.count(`SELECT count(*) FROM invoices WHERE kind = 'credit_note' AND booking_id = $1`, id); n != 1 {
		t.Errorf("%d credit notes for the refund", n)
	}

	// Stripe unreachable: pending, and the staff member is told.
	down := p.restarted(withStripe("http://127.0.0.1:1"))
	deskDown := down.client()
	deskDown.login("sam@example.com", "correct horse battery")
	res := deskDown.post(path+"/refunds", withOnce("ref_", url.Values{"ref_payment": {itoa(payID)}, "ref_amount": {"5.00"}})).expectStatus(t, http.StatusSeeOther)
	if page := deskDown.get(res.Header.Get("Location")); !strings.Contains(page.Body, "Stripe could not be reached") ||
		page.Doc.Find(`[data-testid="send-refund"]`).Length() != 1 {
		t.Fatalf("no clear message or retry after Stripe was down:\n%s", page.Body)
	}
	pending := p.id(`SELECT id FROM ledger_entries WHERE kind = 'refund' AND status = 'pending'`)
	desk.get(path)
	desk.post(path+"/refunds/"+itoa(pending)+"/send", nil).expectStatus(t, http.StatusSeeOther)
	if n := p.count(`SELECT count(*) FROM ledger_entries WHERE kind = 'refund' AND status = 'done'`); n != 2 {
		t.Fatalf("%d refunds done after sending again", n)
	}
	last := p.stripe.Calls()[len(p.stripe.Calls())-1]
	if last.IdempotencyKey != "rentdesk-refund-"+itoa(pending) {
		t.Errorf("sent again with key %q", last.IdempotencyKey)
	}
	// A refund made in Stripe's dashboard arrives as charge.refunded and is
	// recorded once; what the ledger already holds is not recorded again.
	charge := map[string]any{"id": "ch_test_1", "object": "charge", "payment_intent": "pi_" + strings.TrimPrefix(p.latestSession(id)["id"].(string), "cs_"),
		"amount_refunded": 1500 + 700, "refunded": false}
	ev := p.event("charge.refunded", charge)
	for range 2 {
		if got := p.deliver(ev, testWebhookSecret, time.Time{}); got != http.StatusOK {
			t.Fatalf("charge.refunded: %d", got)
		}
	}
	if n := p.count(`SELECT COALESCE(sum(amount), 0) FROM ledger_entries WHERE kind = 'refund' AND status <> 'failed'`); n != 2200 {
		t.Errorf("refunds sum to %d after charge.refunded of 2200", n)
	}
	// A charge refunded in full, then an event claiming more than it ever
	// took: the rest of the payment is refunded once, and the second event is
	// taken (200, recorded as seen) with nothing to add, not refused with a
	// 500 that Stripe would send again for days.
	paid := p.count(`SELECT amount FROM ledger_entries WHERE id = $1`, payID)
	for _, refunded := range []int{paid + 5000, paid + 9000} {
		charge["amount_refunded"] = refunded
		if got := p.deliver(p.event("charge.refunded", charge), testWebhookSecret, time.Time{}); got != http.StatusOK {
			t.Fatalf("charge.refunded of %d (paid %d): %d", refunded, paid, got)
		}
	}
	if n := p.count(`SELECT COALESCE(sum(amount), 0) FROM ledger_entries WHERE kind = 'refund' AND status <> 'failed'`); n != paid {
		t.Errorf("refunds sum to %d after charges refunded beyond the payment of %d", n, paid)
	}
}

// The audit rows of money entries carry the request id of the form that made
// them, as every account and booking action's row does, so a payment, a
// deposit, its return and a refund can be found beside the request's log line.
func TestMoneyAuditRequestID(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Bike", 1)
	cust, _ := s.customer("ann@example.com")
	cust.bookOne(s.loc, item, s.local(1, 10), s.local(2, 10)).expectStatus(t, http.StatusSeeOther)
	id := s.id(`SELECT max(id) FROM bookings`)
	path := "/staff/bookings/" + itoa(id)
	desk := s.staffOf("sam@example.com")
	desk.get(path).expectStatus(t, http.StatusOK)

	steps := []struct {
		path    string
		form    func() url.Values
		actions []string
	}{
		{"/payments", func() url.Values {
			return withOnce("pay_", url.Values{"pay_amount": {"20.00"}, "pay_method": {"cash"}, "pay_reference": {"RC-1"}})
		}, []string{"payment.record"}},
		{"/deposit", func() url.Values {
			return withOnce("dep_", url.Values{"dep_amount": {"100.00"}, "dep_method": {"cash"}})
		},
			[]string{"payment.charge", "payment.record"}},
		{"/deposit/return", func() url.Values {
			return withOnce("ret_", url.Values{"ret_amount": {"70.00"}, "ret_method": {"cash"}})
		},
			[]string{"payment.refund"}},
		{"/refunds", func() url.Values {
			cash := s.id(`SELECT id FROM ledger_entries WHERE reference = 'RC-1'`)
			return withOnce("ref_", url.Values{"ref_payment": {itoa(cash)}, "ref_amount": {"5"}, "ref_note": {"goodwill"}})
		}, []string{"payment.refund"}},
	}
	for _, st := range steps {
		last := s.id(`SELECT coalesce(max(id), 0) FROM audit_log`)
		res := desk.post(path+st.path, st.form()).expectStatus(t, http.StatusSeeOther)
		rid := res.Header.Get("X-Request-Id")
		if rid == "" {
			t.Fatalf("%s: no request id on the answer", st.path)
		}
		rows, err := s.st.DB().Query(`SELECT action, request_id FROM audit_log WHERE id > $1 AND action LIKE 'payment.%' ORDER BY id`, last)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			var action, req string
			if err := rows.Scan(&action, &req); err != nil {
				t.Fatal(err)
			}
			got = append(got, action)
			if req != rid {
				t.Errorf("%s: audit row %s has request id %q, want %q", st.path, action, req, rid)
			}
		}
		rows.Close()
		if strings.Join(got, " ") != strings.Join(st.actions, " ") {
			t.Errorf("%s: audit rows %v, want %v", st.path, got, st.actions)
		}
	}
}

// A desk payment above what the booking owes (a slip of a few zeros) is
// not recorded at once: the form comes back with the amount kept, a message
// beside it giving what is owed and what the shop would owe back, and a box
// confirming that very amount; sent again with the box ticked it is
// recorded. A ticked box for another amount, or for a balance another desk
// changed in between, asks again.
func TestDeskPaymentAboveOwedAsksFirst(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Bike", 1) // €25.00 a day
	cust, _ := s.customer("ann@example.com")
	cust.bookOne(s.loc, item, s.local(1, 10), s.local(2, 10)).expectStatus(t, http.StatusSeeOther)
	path := "/staff/bookings/" + itoa(s.id(`SELECT max(id) FROM bookings`))
	desk := s.staffOf("sam@example.com")
	once := desk.get(path).expectStatus(t, http.StatusOK).inputValue("pay_once")
	payments := func() int64 { return s.id(`SELECT count(*) FROM ledger_entries WHERE kind = 'payment'`) }

	form := url.Values{"pay_amount": {"100000"}, "pay_method": {"cash"}, "pay_reference": {"RC-9"}, "pay_once": {once}}
	res := desk.post(path+"/payments", form).expectStatus(t, http.StatusUnprocessableEntity)
	msg := res.fieldError("pay_amount")
	if !strings.Contains(msg, "€100,000.00 is more than the €25.00 owed") || !strings.Contains(msg, "owe the customer €99,975.00") {
		t.Errorf("message beside the amount %q", msg)
	}
	if res.inputValue("pay_amount") != "100000" || res.inputValue("pay_reference") != "RC-9" || res.inputValue("pay_once") != once {
		t.Errorf("the form did not keep what was typed: %q %q", res.inputValue("pay_amount"), res.inputValue("pay_reference"))
	}
	box := res.Doc.Find(`[data-testid="pay-confirm"] input[name="pay_confirm"]`)
	if v, _ := box.Attr("value"); v != "10000000" {
		t.Fatalf("confirm box value %q, want the amount in cents", v)
	}
	if n := payments(); n != 0 {
		t.Fatalf("%d payments recorded before confirming", n)
	}

	form.Set("pay_confirm", "10000000")
	form.Set("pay_asked", res.inputValue("pay_asked")) // sent with the box, as the page has it
	form.Set("pay_amount", "1000000")
	desk.post(path+"/payments", form).expectStatus(t, http.StatusUnprocessableEntity)
	if n := payments(); n != 0 {
		t.Fatalf("a box confirming another amount recorded %d payments", n)
	}

	// Another desk takes €5.00 meanwhile: the box was ticked for €25.00
	// owed, the shop would now owe €5.00 more than the desk agreed to, so
	// it is asked again with what is owed now.
	other := s.staffOf("kim@example.com")
	pay := formFields(t, other.get(path).expectStatus(t, http.StatusOK), `[data-testid="payment-form"]`)
	pay.Set("pay_amount", "5.00")
	other.post(path+"/payments", pay).expectStatus(t, http.StatusSeeOther)
	form.Set("pay_amount", "100000")
	res = desk.post(path+"/payments", form).expectStatus(t, http.StatusUnprocessableEntity)
	if msg := res.fieldError("pay_amount"); !strings.Contains(msg, "more than the €20.00 owed") {
		t.Errorf("confirmed for another balance: message %q, want it asked again with €20.00 owed", msg)
	}
	if n := payments(); n != 1 {
		t.Fatalf("a box ticked for another balance recorded a payment (%d payments, want the other desk's 1)", n)
	}
	form.Set("pay_asked", res.inputValue("pay_asked"))
	desk.post(path+"/payments", form).expectStatus(t, http.StatusSeeOther)
	if n := payments(); n != 2 {
		t.Fatalf("%d payments after confirming, want 2", n)
	}
	// What is owed, or less, goes through without asking.
	desk.post(path+"/payments", withOnce("pay_", url.Values{"pay_amount": {"0.01"}, "pay_method": {"cash"}})).expectStatus(t, http.StatusUnprocessableEntity)
	if n := payments(); n != 2 {
		t.Fatalf("a payment on a booking owing nothing went through unasked (%d)", n)
	}
}

// A customer who paid and then cancelled is owed the money: the booking page
// says what is to be refunded, not a negative balance due.
func TestCancelledPaidBookingSaysWhatIsRefunded(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Bike", 1) // €25.00 a day
	cust, _ := s.customer("ann@example.com")
	cust.bookOne(s.loc, item, s.local(10, 10), s.local(11, 10)).expectStatus(t, http.StatusSeeOther)
	id := s.id(`SELECT max(id) FROM bookings`)
	desk := s.staffOf("sam@example.com")
	desk.post("/staff/bookings/"+itoa(id)+"/payments", withOnce("pay_", url.Values{"pay_amount": {"25.00"}, "pay_method": {"cash"}})).
		expectStatus(t, http.StatusSeeOther)
	cust.post("/bookings/"+itoa(id)+"/cancel", nil).expectStatus(t, http.StatusSeeOther)
	page := cust.get("/bookings/"+itoa(id)).expectStatus(t, http.StatusOK)
	label := strings.TrimSpace(page.Doc.Find(`[data-testid="due"]`).Prev().Text())
	if due := page.text(`[data-testid="due"]`); label != "To be refunded to you" || due != "€25.00" {
		t.Errorf("a cancelled paid booking reads %q %q, want To be refunded to you €25.00", label, due)
	}
}
