package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/payment"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Confirming the cart in an online mode keeps the hold, makes one Checkout
// Session from our own prices with the booking named, an expiry matching
// the hold and an idempotency key, and answers 303 to its URL; the CSP lets
// that form go to Stripe's checkout origin, and only when Stripe is set up.
func TestOnlineCheckoutRedirectsToStripe(t *testing.T) {
	p := newPayShop(t, booking.PaymentModeOnlineFull)
	item := p.item("Canoe", 1)
	c, u := p.customer("ann@example.com")
	res, id := p.checkoutOnline(c, item)
	res.expectStatus(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "https://checkout.stripe.com/") {
		t.Fatalf("checkout answered Location %q, want Stripe Checkout", loc)
	}
	if got := p.status(id); got != store.BookingHold {
		t.Fatalf("booking is %s, want hold", got)
	}
	calls := p.stripe.Calls()
	if len(calls) != 1 || calls[0].Path != "/v1/checkout/sessions" {
		t.Fatalf("stripe calls %+v, want one session create", calls)
	}
	f := calls[0].Form
	var total, expires int64
	if err := p.st.DB().QueryRow(`SELECT total, floor(extract(epoch FROM expires_at))::bigint FROM bookings WHERE id = $1`, id).Scan(&total, &expires); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"client_reference_id": itoa(id), "metadata[booking_id]": itoa(id), "customer_email": u.Email,
		"expires_at": itoa(expires), "mode": "payment", "line_items[0][price_data][unit_amount]": itoa(total),
		"line_items[0][price_data][currency]": "eur",
		"success_url":                         "http://localhost:8080/bookings/" + itoa(id) + "/payment/success",
	}
	for k, v := range want {
		if f.Get(k) != v {
			t.Errorf("session %s = %q, want %q", k, f.Get(k), v)
		}
	}
	if !strings.Contains(f.Get("line_items[0][price_data][product_data][name]"), "Canoe") {
		t.Errorf("line item name %q", f.Get("line_items[0][price_data][product_data][name]"))
	}
	if calls[0].IdempotencyKey == "" || !strings.Contains(calls[0].IdempotencyKey, itoa(id)) {
		t.Errorf("idempotency key %q is not derived from the booking", calls[0].IdempotencyKey)
	}
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "form-action 'self' https://checkout.stripe.com;") {
		t.Errorf("CSP %q does not let the form go to Stripe Checkout", csp)
	}
	// Paying again while the session is open goes to the same page, without
	// a second session.
	again := c.post("/bookings/"+itoa(id)+"/pay", nil).expectStatus(t, http.StatusSeeOther)
	if again.Header.Get("Location") != res.Header.Get("Location") || len(p.stripe.Calls()) != 1 {
		t.Errorf("try again went to %q after %d calls", again.Header.Get("Location"), len(p.stripe.Calls()))
	}
	// Once the session ran out (the hold still running), trying again makes
	// a new session under a new key.
	if got := p.deliver(p.event("checkout.session.expired", p.latestSession(id)), testWebhookSecret, time.Time{}); got != http.StatusOK {
		t.Fatalf("expired: %d", got)
	}
	c.post("/bookings/"+itoa(id)+"/pay", nil).expectStatus(t, http.StatusSeeOther)
	if calls := p.stripe.Calls(); len(calls) != 2 || calls[1].IdempotencyKey == calls[0].IdempotencyKey {
		t.Errorf("after the session expired: %d calls, keys %q", len(calls), calls[len(calls)-1].IdempotencyKey)
	}
	plain := newTestApp(t)
	if csp := plain.client().get("/").Header.Get("Content-Security-Policy"); strings.Contains(csp, "stripe") {
		t.Errorf("CSP without Stripe configured allows %q", csp)
	}
}

// S6: Stripe unreachable → a clear message, the hold kept until its expiry,
// and the booking page offers to pay again.
func TestStripeUnreachableKeepsHold(t *testing.T) {
	s := newShop(t, "Europe/Berlin", withStripe("http://127.0.0.1:1"))
	s.id(`UPDATE shop_settings SET payment_mode = 'online_full', hold_minutes = 60 RETURNING 1`)
	p := &payShop{shop: s}
	c, _ := p.customer("ann@example.com")
	res, id := p.checkoutOnline(c, p.item("Tent", 1))
	res.expectStatus(t, http.StatusSeeOther)
	if loc := res.Header.Get("Location"); loc != "/bookings/"+itoa(id) {
		t.Fatalf("Location %q, want the booking", loc)
	}
	page := c.get(res.Header.Get("Location")).expectStatus(t, http.StatusOK)
	if !strings.Contains(page.Body, "could not reach the payment service") {
		t.Errorf("booking page does not say what went wrong:\n%s", page.Body)
	}
	if page.Doc.Find(`[data-testid="pay-now"]`).Length() != 1 {
		t.Error("booking page offers no way to pay again")
	}
	if got := p.status(id); got != store.BookingHold {
		t.Fatalf("booking is %s, want the hold kept", got)
	}
}

// S1: the webhook checks Stripe-Signature over the raw body (300 s
// tolerance, body capped); any bad delivery is a 400 (413) and changes nothing.
func TestWebhookSignature(t *testing.T) {
	p := newPayShop(t, booking.PaymentModeOnlineFull)
	c, _ := p.customer("ann@example.com")
	_, id := p.checkoutOnline(c, p.item("Kayak", 1))
	body := p.event("checkout.session.completed", p.latestSession(id))
	good := func(ts time.Time) string {
		return signed(body, testWebhookSecret, ts)
	}
	// Each signature is made as its case is posted (sig runs then): a
	// timestamp 301 s ahead made when the table is built would be less
	// than 300 s ahead once a slow machine reaches its case. The future
	// case is a minute beyond the window, not a second: the header carries
	// whole seconds (up to one lost) and a loaded machine takes a moment
	// between signing and checking. stripe-go alone accepts any timestamp
	// ahead of now, so the case still fails without the app's own check.
	cases := []struct {
		name string
		body []byte
		sig  func() string
		want int
	}{
		{"no signature", body, func() string { return "" }, http.StatusBadRequest},
		{"garbage signature", body, func() string { return "t=1,v1=abc" }, http.StatusBadRequest},
		{"wrong secret", body, func() string { return signed(body, "whsec_other", time.Now()) }, http.StatusBadRequest},
		{"body changed", []byte(strings.Replace(string(body), "paid", "PAID", 1)), func() string { return good(time.Now()) }, http.StatusBadRequest},
		{"too old", body, func() string { return good(time.Now().Add(-301 * time.Second)) }, http.StatusBadRequest},
		{"from the future", body, func() string { return good(time.Now().Add(payment.WebhookTolerance + time.Minute)) }, http.StatusBadRequest},
		{"too large", append(body, make([]byte, maxWebhookBody)...), func() string { return good(time.Now()) }, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range cases {
		if got := p.post("/webhooks/stripe", tc.body, tc.sig()); got != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.want)
		}
	}
	if n := p.count(`SELECT count(*) FROM stripe_events`) + p.count(`SELECT count(*) FROM ledger_entries`); n != 0 || p.status(id) != store.BookingHold {
		t.Fatalf("refused deliveries changed something: %d rows, booking %s", n, p.status(id))
	}
	if got := p.post("/webhooks/stripe", body, good(time.Now())); got != http.StatusOK {
		t.Fatalf("valid delivery: status %d", got)
	}
	if p.status(id) != store.BookingConfirmed {
		t.Fatalf("booking %s after a valid delivery", p.status(id))
	}
}

// A signed body that is not a Stripe event is a 400 that says so (not
// "invalid signature"), and the refusal is logged; nothing changes.
func TestWebhookUnreadableEvent(t *testing.T) {
	p := newPayShop(t, booking.PaymentModeOnlineFull)
	for _, body := range []string{`not json`, `{"id": 12}`, `{"object": "event", "type": "checkout.session.completed"}`} {
		req, err := http.NewRequest(http.MethodPost, p.ts.URL+"/webhooks/stripe", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Stripe-Signature", signed([]byte(body), testWebhookSecret, time.Now()))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || strings.Contains(string(msg), "signature") || !strings.Contains(string(msg), "cannot be read") {
			t.Errorf("%s: %d %q, want 400 saying the event cannot be read", body, res.StatusCode, msg)
		}
	}
	if !strings.Contains(p.logs.String(), "event refused") {
		t.Errorf("the refusal is not logged:\n%s", p.logs.String())
	}
	if n := p.count(`SELECT count(*) FROM stripe_events`); n != 0 {
		t.Fatalf("unreadable events recorded: %d", n)
	}
}

// Events of another API version are refused (Stripe keeps them) and logged.
func TestWebhookOtherAPIVersion(t *testing.T) {
	p := newPayShop(t, booking.PaymentModeOnlineFull)
	c, _ := p.customer("ann@example.com")
	_, id := p.checkoutOnline(c, p.item("Kayak", 1))
	body := p.eventWithID("evt_old_version", "checkout.session.completed", "2020-08-27", p.latestSession(id))
	if got := p.deliver(body, testWebhookSecret, time.Time{}); got != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", got)
	}
	if p.status(id) != store.BookingHold || p.count(`SELECT count(*) FROM stripe_events`) != 0 {
		t.Fatal("an event of another API version changed something")
	}
	if !strings.Contains(p.logs.String(), "2020-08-27") || !strings.Contains(p.logs.String(), "API version") {
		t.Errorf("the refusal is not logged clearly:\n%s", p.logs.String())
	}
}

// S2: the same event delivered 10 times at once → one confirmation, one
// payment row, one confirmation email.
func TestWebhookDuplicatesConcurrent(t *testing.T) {
	p := newPayShop(t, booking.PaymentModeOnlineFull)
	c, _ := p.customer("ann@example.com")
	_, id := p.checkoutOnline(c, p.item("Kayak", 1))
	body := p.event("checkout.session.completed", p.latestSession(id))
	var ok atomic.Int64
	parallel(t, 10, 60*time.Second, func(int) {
		if p.deliver(body, testWebhookSecret, time.Time{}) == http.StatusOK {
			ok.Add(1)
		}
	})
	if ok.Load() != 10 {
		t.Errorf("%d of 10 deliveries answered 200", ok.Load())
	}
	// The confirmation's emails are written by a job after the commit.
	p.mailWritten()
	checks := map[string]int{
		`SELECT count(*) FROM river_job WHERE kind = 'booking_made_mail' AND state = 'completed'`: 1,
		`SELECT count(*) FROM ledger_entries WHERE kind = 'payment'`:                              1,
		`SELECT count(*) FROM audit_log WHERE action = 'booking.confirm'`:                         1,
		`SELECT count(*) FROM emails WHERE dedupe_key = 'booking-confirmed:` + itoa(id) + `'`:     1,
		`SELECT count(*) FROM stripe_events`:                                                      1,
		`SELECT count(*) FROM bookings WHERE status = 'confirmed' AND paid = total AND paid > 0`:  1,
	}
	for q, want := range checks {
		if got := p.count(q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
}

// S3: in any order. expired after completed leaves the booking paid;
// completed after expired confirms while the hold still runs.
func TestWebhookOutOfOrder(t *testing.T) {
	t.Run("expired after completed", func(t *testing.T) {
		p := newPayShop(t, booking.PaymentModeOnlineFull)
		c, _ := p.customer("ann@example.com")
		_, id := p.checkoutOnline(c, p.item("Kayak", 1))
		cs := p.latestSession(id)
		if p.paid(id) != http.StatusOK {
			t.Fatal("completed refused")
		}
		if got := p.deliver(p.event("checkout.session.expired", cs), testWebhookSecret, time.Time{}); got != http.StatusOK {
			t.Fatalf("expired: %d", got)
		}
		if p.status(id) != store.BookingConfirmed || p.count(`SELECT count(*) FROM checkout_sessions WHERE status = 'complete'`) != 1 {
			t.Fatalf("booking %s after a late expired event", p.status(id))
		}
	})
	t.Run("completed after expired", func(t *testing.T) {
		p := newPayShop(t, booking.PaymentModeOnlineFull)
		c, _ := p.customer("ann@example.com")
		_, id := p.checkoutOnline(c, p.item("Kayak", 1))
		cs := p.latestSession(id)
		if got := p.deliver(p.event("checkout.session.expired", cs), testWebhookSecret, time.Time{}); got != http.StatusOK {
			t.Fatalf("expired: %d", got)
		}
		if p.paid(id) != http.StatusOK || p.status(id) != store.BookingConfirmed {
			t.Fatalf("booking %s after completed", p.status(id))
		}
	})
	t.Run("async succeeded after completed unpaid", func(t *testing.T) {
		p := newPayShop(t, booking.PaymentModeOnlineFull)
		c, _ := p.customer("ann@example.com")
		_, id := p.checkoutOnline(c, p.item("Kayak", 1))
		cs := p.latestSession(id)
		cs["payment_status"] = "unpaid"
		if got := p.deliver(p.event("checkout.session.completed", cs), testWebhookSecret, time.Time{}); got != http.StatusOK || p.status(id) != store.BookingHold {
			t.Fatalf("completed unpaid: %d, booking %s", got, p.status(id))
		}
		cs["payment_status"] = "paid"
		for range 2 { // and once more with another event id: one payment still
			if got := p.deliver(p.event("checkout.session.async_payment_succeeded", cs), testWebhookSecret, time.Time{}); got != http.StatusOK {
				t.Fatalf("async succeeded: %d", got)
			}
		}
		if p.status(id) != store.BookingConfirmed || p.count(`SELECT count(*) FROM ledger_entries WHERE kind = 'payment'`) != 1 {
			t.Fatalf("booking %s", p.status(id))
		}
	})
}

// B11: a payment after the hold ran out confirms when the stock is still
// free, and is refunded in full through Stripe (with an idempotency key)
// with staff alerted when someone else has it by then.
func TestLatePayment(t *testing.T) {
	t.Run("stock still free", func(t *testing.T) {
		p := newPayShop(t, booking.PaymentModeOnlineFull)
		c, _ := p.customer("ann@example.com")
		_, id := p.checkoutOnline(c, p.item("Kayak", 1))
		p.advance(2 * time.Hour)
		if p.paid(id) != http.StatusOK || p.status(id) != store.BookingConfirmed {
			t.Fatalf("booking %s after a late payment with the stock free", p.status(id))
		}
		if n := p.count(`SELECT count(*) FROM ledger_entries WHERE kind = 'refund'`); n != 0 {
			t.Fatalf("%d refunds", n)
		}
	})
	t.Run("stock gone", func(t *testing.T) {
		p := newPayShop(t, booking.PaymentModeOnlineFull)
		staff := p.createUser(store.RoleStaff, "sam@example.com", "correct horse battery")
		item := p.item("Kayak", 1)
		c, _ := p.customer("ann@example.com")
		start, end := p.local(1, 10), p.local(2, 10)
		_, id := p.checkoutOnline(c, item)
		p.advance(2 * time.Hour)
		other, _ := p.customer("bob@example.com")
		p.id(`UPDATE shop_settings SET payment_mode = 'pay_at_pickup' RETURNING 1`)
		res := other.bookOne(p.loc, item, start, end).expectStatus(t, http.StatusSeeOther)
		if p.count(`SELECT count(*) FROM bookings WHERE status = 'confirmed'`) != 1 {
			t.Fatalf("the other customer's booking was not made: %s %s", res.Header.Get("Location"), p.status(id))
		}
		p.id(`UPDATE shop_settings SET payment_mode = 'online_full' RETURNING 1`)
		if got := p.paid(id); got != http.StatusOK {
			t.Fatalf("late payment: status %d", got)
		}
		if p.status(id) == store.BookingConfirmed || p.overlaps() != 0 {
			t.Fatalf("late payment double-booked: booking %s", p.status(id))
		}
		var refundStatus string
		var refunded, paid int64
		if err := p.st.DB().QueryRow(`SELECT r.status, r.amount, p.amount FROM ledger_entries r JOIN ledger_entries p ON p.id = r.refund_of
			WHERE r.booking_id = $1 AND r.kind = 'refund'`, id).Scan(&refundStatus, &refunded, &paid); err != nil {
			t.Fatalf("no refund recorded: %v", err)
		}
		if refundStatus != store.EntryDone || refunded != paid || paid <= 0 {
			t.Errorf("refund %s of %d for a payment of %d", refundStatus, refunded, paid)
		}
		var refundCall *stripeCall
		for _, call := range p.stripe.Calls() {
			if call.Path == "/v1/refunds" {
				refundCall = &call
			}
		}
		if refundCall == nil || refundCall.IdempotencyKey == "" || refundCall.Form.Get("amount") != itoa(paid) {
			t.Fatalf("refund call %+v", refundCall)
		}
		if p.count(`SELECT count(*) FROM audit_log WHERE action = 'payment.late_refund'`) != 1 ||
			p.count(`SELECT count(*) FROM emails WHERE kind = 'staff_payment_alert' AND to_address = $1`, staff.Email) != 1 {
			t.Error("staff were not alerted")
		}
		// Delivered again: nothing more.
		p.paid(id)
		if n := p.count(`SELECT count(*) FROM ledger_entries WHERE kind = 'refund'`); n != 1 {
			t.Errorf("%d refunds after a second delivery", n)
		}
		page := c.get("/bookings/"+itoa(id)+"/payment/success").expectStatus(t, http.StatusOK)
		if st, _ := page.Doc.Find(`[data-testid="payment-status"]`).Attr("data-state"); st != "refunded" {
			t.Errorf("success page state %q, want refunded", st)
		}
	})
}

// S4 and S7: the success page reads the state from our records only (its
// query string changes nothing), polls until the webhook is in, and a
// webhook arriving at the same moment as the page fulfils once.
func TestSuccessPage(t *testing.T) {
	p := newPayShop(t, booking.PaymentModeOnlineFull)
	c, _ := p.customer("ann@example.com")
	_, id := p.checkoutOnline(c, p.item("Kayak", 1))
	base := "/bookings/" + itoa(id) + "/payment/success"
	page := c.get(base+"?session_id=cs_forged&paid=true&status=confirmed&payment_status=paid").expectStatus(t, http.StatusOK)
	part := page.Doc.Find(`[data-testid="payment-status"]`)
	if st, _ := part.Attr("data-state"); st != "waiting" || !strings.Contains(part.Text(), "Payment received, confirming") {
		t.Fatalf("success page before the webhook: state %q %q", st, part.Text())
	}
	if poll, _ := part.Attr("hx-get"); poll != "/bookings/"+itoa(id)+"/payment/status" {
		t.Errorf("success page polls %q", poll)
	}
	if p.status(id) != store.BookingHold || p.count(`SELECT count(*) FROM ledger_entries`) != 0 {
		t.Fatal("the query string changed the booking")
	}
	parallel(t, 6, 60*time.Second, func(i int) {
		if i%2 == 0 {
			p.paid(id)
		} else {
			c.getQuiet(base)
		}
	})
	if n := p.count(`SELECT count(*) FROM ledger_entries WHERE kind = 'payment'`); n != 1 {
		t.Fatalf("%d payments", n)
	}
	frag := c.getHX("/bookings/"+itoa(id)+"/payment/status").expectStatus(t, http.StatusOK)
	if st, _ := frag.Doc.Find(`[data-testid="payment-status"]`).Attr("data-state"); st != "confirmed" {
		t.Fatalf("status part %q after the webhook:\n%s", st, frag.Body)
	}
	if _, polls := frag.Doc.Find(`[data-testid="payment-status"]`).Attr("hx-get"); polls {
		t.Error("the confirmed part still polls")
	}
	cancel := c.get("/bookings/"+itoa(id)+"/payment/cancel").expectStatus(t, http.StatusOK)
	if cancel.Doc.Find(`[data-testid="pay-again"]`).Length() != 0 {
		t.Error("a confirmed booking is offered to pay again")
	}
}

// The cancel page returns to the booking with the hold still running and a
// "try again" button that goes back to Checkout.
func TestCancelPage(t *testing.T) {
	p := newPayShop(t, booking.PaymentModeOnlineFull)
	c, _ := p.customer("ann@example.com")
	_, id := p.checkoutOnline(c, p.item("Kayak", 1))
	page := c.get("/bookings/"+itoa(id)+"/payment/cancel").expectStatus(t, http.StatusOK)
	if page.Doc.Find(`[data-testid="hold-until"]`).Text() == "" || page.Doc.Find(`[data-testid="pay-again"]`).Length() != 1 {
		t.Fatalf("cancel page:\n%s", page.Body)
	}
	res := c.post("/bookings/"+itoa(id)+"/pay", url.Values{}).expectStatus(t, http.StatusSeeOther)
	if !strings.HasPrefix(res.Header.Get("Location"), "https://checkout.stripe.com/") {
		t.Fatalf("try again went to %q", res.Header.Get("Location"))
	}
	if p.status(id) != store.BookingHold {
		t.Fatal("the hold did not survive")
	}
}

// W8: another customer gets 404 on a customer's payment pages, anonymous
// visitors are sent to log in, and nobody pays someone else's booking.
func TestPaymentAuthz(t *testing.T) {
	p := newPayShop(t, booking.PaymentModeOnlineFull)
	a, _ := p.customer("ann@example.com")
	b, _ := p.customer("bob@example.com")
	_, id := p.checkoutOnline(a, p.item("Kayak", 1))
	p.paid(id)
	calls := len(p.stripe.Calls())
	anon := p.client()
	for _, path := range []string{"/payment/success", "/payment/status", "/payment/cancel"} {
		b.get("/bookings/"+itoa(id)+path).expectStatus(t, http.StatusNotFound)
		if res := anon.get("/bookings/" + itoa(id) + path); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("anonymous %s: %d %q", path, res.StatusCode, res.Header.Get("Location"))
		}
	}
	b.post("/bookings/"+itoa(id)+"/pay", url.Values{}).expectStatus(t, http.StatusNotFound)
	if res := b.get("/bookings/" + itoa(id)); res.StatusCode != http.StatusNotFound || strings.Contains(res.Body, "Paid") {
		t.Errorf("customer B sees A's booking: %d", res.StatusCode)
	}
	if len(p.stripe.Calls()) != calls {
		t.Error("another customer's request reached Stripe")
	}
}

// Online prepayment: Checkout asks for the shop's share of the total as one
// line; once paid the booking is confirmed and the rest is due at pickup,
// on the success page and the booking page.
func TestOnlineDepositMode(t *testing.T) {
	p := newPayShop(t, booking.PaymentModeOnlineDeposit)
	p.id(`UPDATE shop_settings SET deposit_percent = 30 RETURNING 1`)
	c, _ := p.customer("ann@example.com")
	res, id := p.checkoutOnline(c, p.item("Kayak", 1))
	res.expectStatus(t, http.StatusSeeOther)
	total := p.id(`SELECT total FROM bookings WHERE id = $1`, id)
	want := (total*30 + 50) / 100
	f := p.stripe.Calls()[0].Form
	if f.Get("line_items[0][price_data][unit_amount]") != itoa(want) || f.Get("line_items[1][quantity]") != "" {
		t.Fatalf("prepayment line %v, want one line of %d", f, want)
	}
	if p.paid(id) != http.StatusOK || p.status(id) != store.BookingConfirmed {
		t.Fatalf("booking %s after the prepayment", p.status(id))
	}
	rest := total - want
	page := c.get("/bookings/"+itoa(id)+"/payment/success").expectStatus(t, http.StatusOK)
	if got := page.text(`[data-testid="payment-due"]`); got != formatEUR(rest) {
		t.Errorf("success page: still due %q, want %s", got, formatEUR(rest))
	}
	if got := c.get("/bookings/" + itoa(id)).text(`[data-testid="due"]`); got != formatEUR(rest) {
		t.Errorf("booking page: due %q, want %s", got, formatEUR(rest))
	}
}

func formatEUR(minor int64) string { return money.Format(minor, "EUR") }

// A booking held while its online payment is pending says neither that its
// confirmation was emailed (it goes once paid) nor that the amount is paid by
// card or cash at pickup; once paid, the confirmation line is there.
func TestHeldBookingPageWaitsForPayment(t *testing.T) {
	p := newPayShop(t, booking.PaymentModeOnlineFull)
	a, _ := p.customer("ann@example.com")
	_, id := p.checkoutOnline(a, p.item("Kayak", 1))
	page := a.get("/bookings/"+itoa(id)).expectStatus(t, http.StatusOK)
	if n := page.Doc.Find(`[data-testid="emailed"]`).Length(); n != 0 {
		t.Errorf("held booking says its confirmation was emailed: %q", page.Doc.Find(`[data-testid="emailed"]`).Text())
	}
	if bring := page.Doc.Find(`[data-testid="bring"]`).Text(); strings.Contains(bring, "card or cash") {
		t.Errorf("held booking asks to pay at pickup: %q", bring)
	}
	if page.Doc.Find(`[data-testid="pay-form"]`).Length() == 0 {
		t.Error("held booking has no Pay now form")
	}
	if label := page.Doc.Find(`[data-testid="due"]`).Parent().Find("dt").Text(); label == "Due at pickup" {
		t.Errorf("held booking's balance is labelled %q", label)
	}
	p.paid(id)
	page = a.get("/bookings/"+itoa(id)).expectStatus(t, http.StatusOK)
	if page.Doc.Find(`[data-testid="emailed"]`).Length() == 0 {
		t.Error("paid booking does not say where its confirmation went")
	}
}

// In the prepayment mode the customer reads what they pay online now and
// what is left for pickup before they confirm, and again beside Pay now on
// the held booking (the pages named neither: only Stripe's own page did).
// In full, the whole total is paid now.
func TestCheckoutSaysWhatIsPaidOnlineNow(t *testing.T) {
	for _, tc := range []struct{ mode, want string }{
		{booking.PaymentModeOnlineDeposit, "You pay €7.50 online now and €17.50 at pickup."},
		{booking.PaymentModeOnlineFull, "You pay €25.00 online now."},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			p := newPayShop(t, tc.mode)
			p.id(`UPDATE shop_settings SET deposit_percent = 30 RETURNING 1`)
			a, _ := p.customer("ann@example.com")
			kayak := p.item("Kayak", 1) // €25.00 a day
			a.choose(p.loc, p.local(1, 10), p.local(2, 10)).expectStatus(t, http.StatusSeeOther)
			a.add(kayak, 1).expectStatus(t, http.StatusSeeOther)
			page := a.get("/checkout").expectStatus(t, http.StatusOK)
			if got := strings.Join(strings.Fields(page.Doc.Find(`[data-testid="checkout-form"] [data-testid="pay-split"]`).Text()), " "); got != tc.want {
				t.Errorf("checkout says %q, want %q", got, tc.want)
			}
			// The button goes on to Stripe, not to a confirmed booking.
			if got := page.text(`[data-testid="confirm"]`); got != "Continue to payment" {
				t.Errorf("checkout button reads %q, want Continue to payment", got)
			}
			a.post("/checkout", url.Values{"token": {a.checkoutToken()}}).expectStatus(t, http.StatusSeeOther)
			id := p.id(`SELECT max(id) FROM bookings`)
			page = a.get("/bookings/"+itoa(id)).expectStatus(t, http.StatusOK)
			if got := strings.Join(strings.Fields(page.Doc.Find(`[data-testid="pay-form"] [data-testid="pay-split"]`).Text()), " "); got != tc.want {
				t.Errorf("held booking says %q, want %q", got, tc.want)
			}
		})
	}
}
