package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

var checkoutToken = regexp.MustCompile(`name="token" value="([^"]+)"`)

// csrf is the CSRF token of the browser's session, read from page.
func (b *browser) csrf(page string) string {
	b.t.Helper()
	_, body := b.get(page)
	m := csrfMeta.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s", page)
	}
	return m[1]
}

// post sends form to action with the CSRF token csrf; it does not fail the
// test (it may run on another goroutine), so errors come back as status 0.
func (b *browser) post(action, csrf string, form url.Values) (int, string) {
	form.Set("_csrf", csrf)
	res, err := b.c.PostForm(action, form)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header.Get("Location")
}

const instancesWebhookSecret = "whsec_two_instances"

// Two `rentdesk serve` processes on one database, with the pool settings the
// app ships with, online payment through stripe-mock and mail to Mailpit:
// two customers check out the last unit at the same moment, one on each
// instance, and exactly one gets it; the overlap and capacity invariants
// hold. The winner's payment event, signed, is delivered to both instances at
// once and is applied once: one payment, one confirmation, one email.
func TestTwoInstancesBookLastUnitAndApplyWebhookOnce(t *testing.T) {
	dbURL := testenv.DatabaseURL(t)
	mp := testenv.Mailpit(t)
	env := []string{"DATABASE_URL=" + dbURL,
		// Empty values are the shipped defaults (the pool sizes of config.Vars).
		"RENTDESK_DB_MAX_OPEN=", "RENTDESK_DB_MAX_IDLE=",
		"SMTP_HOST=" + mp.SMTPHost, fmt.Sprintf("SMTP_PORT=%d", mp.SMTPPort), "SMTP_TLS=none",
		"STRIPE_SECRET_KEY=sk_test_rentdesk", "STRIPE_WEBHOOK_SECRET=" + instancesWebhookSecret,
		"STRIPE_API_URL=" + testenv.StripeMock(t)}
	st, err := store.Open(t.Context(), dbURL, store.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := st.DB().QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	var loc, item int64
	if err := st.DB().QueryRow(`WITH s AS (UPDATE shop_settings SET payment_mode = 'online_full', hold_minutes = 60 RETURNING 1)
		INSERT INTO locations (name, slug, time_zone) VALUES ('Main store', 'main', 'Europe/Berlin') RETURNING id`).Scan(&loc); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().QueryRow(`INSERT INTO items (name, slug, tracking, rate_day, deposit) VALUES ('Cam', 'cam', 'serialized', 2500, 0) RETURNING id`).Scan(&item); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`INSERT INTO units (item_id, location_id, asset_tag) VALUES ($1, $2, 'Cam-1')`, item, loc); err != nil {
		t.Fatal(err)
	}

	pa, pb := startProgram(t, env, "serve"), startProgram(t, env, "serve")
	a, b := "http://"+pa.waitAddr(t), "http://"+pb.waitAddr(t)
	bases := []string{a, b}

	// Ann shops on A, Bob on B: the same day, the same (only) camera.
	berlin, _ := time.LoadLocation("Europe/Berlin")
	day := time.Now().In(berlin).AddDate(0, 0, 2)
	start := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, berlin).Format("2006-01-02T15:04")
	end := time.Date(day.Year(), day.Month(), day.Day()+1, 10, 0, 0, 0, berlin).Format("2006-01-02T15:04")
	people := []string{"ann@example.com", "bob@example.com"}
	shoppers := make([]*browser, 2)
	tokens, csrfs := make([]string, 2), make([]string, 2)
	for i, base := range bases {
		s := newBrowser(t)
		if code, loc := s.submit(base+"/signup", base+"/signup", url.Values{"name": {"Shopper"}, "email": {people[i]}, "password": {"correct horse battery"}}); code != http.StatusSeeOther {
			t.Fatalf("sign-up of %s: %d %s", people[i], code, loc)
		}
		if code, loc := s.submit(base+"/login", base+"/login", url.Values{"email": {people[i]}, "password": {"correct horse battery"}}); code != http.StatusSeeOther {
			t.Fatalf("login of %s: %d %s", people[i], code, loc)
		}
		if code, loc := s.submit(base+"/book", base+"/book/dates", url.Values{"location": {fmt.Sprint(loc)}, "start": {start}, "end": {end}}); code != http.StatusSeeOther {
			t.Fatalf("dates of %s: %d %s", people[i], code, loc)
		}
		if code, loc := s.submit(base+"/book", base+"/cart/items", url.Values{"item_id": {fmt.Sprint(item)}, "quantity": {"1"}}); code != http.StatusSeeOther {
			t.Fatalf("cart of %s: %d %s", people[i], code, loc)
		}
		_, page := s.get(base + "/checkout")
		m := checkoutToken.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no checkout token for %s:\n%s", people[i], page)
		}
		shoppers[i], tokens[i], csrfs[i] = s, m[1], s.csrf(base+"/checkout")
	}
	codes, wheres := make([]int, 2), make([]string, 2)
	testenv.Together(t, 2, 60*time.Second, func(i int) {
		codes[i], wheres[i] = shoppers[i].post(bases[i]+"/checkout", csrfs[i], url.Values{"token": {tokens[i]}})
	})
	won := -1
	for i, code := range codes {
		switch {
		case code == http.StatusSeeOther && strings.HasPrefix(wheres[i], "http") && won == -1:
			won = i // on to Stripe Checkout
		case code == http.StatusConflict || code == http.StatusUnprocessableEntity: // refused: taken
		default:
			t.Fatalf("checkout of %s: %d %s\n%s", people[i], code, wheres[i], pa.out.String()+pb.out.String())
		}
	}
	if won == -1 {
		t.Fatalf("nobody got the last unit: %v %v", codes, wheres)
	}
	if n := count(`SELECT count(*) FROM bookings WHERE status IN ('hold', 'confirmed', 'out')`); n != 1 {
		t.Errorf("%d live bookings of the last unit, want 1", n)
	}
	invariants := func() {
		t.Helper()
		if n := count(`SELECT count(*) FROM unit_allocations a JOIN unit_allocations b
			ON a.unit_id = b.unit_id AND a.id < b.id AND a.occupied && b.occupied WHERE a.active AND b.active`); n != 0 {
			t.Errorf("%d overlapping allocations", n)
		}
		if n := count(`SELECT count(*) FROM booking_lines l JOIN bookings k ON k.id = l.booking_id
			WHERE k.status IN ('hold', 'confirmed', 'out')
			  AND l.quantity <> (SELECT count(*) FROM unit_allocations a WHERE a.booking_line_id = l.id AND a.active)`); n != 0 {
			t.Errorf("%d live lines without exactly their quantity of units", n)
		}
	}
	invariants()

	// Stripe delivers the winner's payment to both instances at once (as
	// a retry after a slow answer can), signed with the endpoint's secret.
	var bookingID, amount int64
	var session string
	if err := st.DB().QueryRow(`SELECT cs.booking_id, cs.id, cs.amount FROM checkout_sessions cs
		JOIN bookings k ON k.id = cs.booking_id JOIN users u ON u.id = k.customer_id WHERE u.email = $1`, people[won]).Scan(&bookingID, &session, &amount); err != nil {
		t.Fatalf("no checkout session of the winner: %v", err)
	}
	body, _ := json.Marshal(map[string]any{"id": "evt_two_instances_1", "object": "event", "api_version": stripe.APIVersion,
		"type": "checkout.session.completed", "created": time.Now().Unix(), "livemode": false, "pending_webhooks": 1,
		"data": map[string]any{"object": map[string]any{"id": session, "object": "checkout.session", "client_reference_id": fmt.Sprint(bookingID),
			"metadata": map[string]string{"booking_id": fmt.Sprint(bookingID)}, "amount_total": amount, "currency": "eur",
			"payment_status": "paid", "status": "complete", "payment_intent": "pi_two_instances", "mode": "payment"}}})
	sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: instancesWebhookSecret}).Header
	hookCodes := make([]int, 2)
	testenv.Together(t, 2, 60*time.Second, func(i int) {
		req, _ := http.NewRequest(http.MethodPost, bases[i]+"/webhooks/stripe", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Stripe-Signature", sig)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return
		}
		res.Body.Close()
		hookCodes[i] = res.StatusCode
	})
	for i, code := range hookCodes {
		if code/100 != 2 {
			t.Errorf("webhook delivery to instance %d: %d", i, code)
		}
	}
	// The confirmation's emails are written by a job after the commit.
	for deadline := time.Now().Add(60 * time.Second); count(`SELECT count(*) FROM river_job WHERE kind = 'booking_made_mail' AND finalized_at IS NULL`) > 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the confirmation's email job did not complete")
		}
	}
	for q, want := range map[string]int{
		`SELECT count(*) FROM ledger_entries WHERE kind = 'payment'`:                                    1,
		`SELECT count(*) FROM stripe_events WHERE id = 'evt_two_instances_1'`:                           1,
		`SELECT count(*) FROM audit_log WHERE action = 'booking.confirm'`:                               1,
		`SELECT count(*) FROM bookings WHERE status = 'confirmed' AND paid = total AND paid > 0`:        1,
		fmt.Sprintf(`SELECT count(*) FROM emails WHERE dedupe_key = 'booking-confirmed:%d'`, bookingID): 1,
	} {
		if n := count(q); n != want {
			t.Errorf("%s = %d, want %d", q, n, want)
		}
	}
	invariants()

	// The confirmation leaves once, whichever instance's worker sends it.
	var messageID string
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var status string
		_ = st.DB().QueryRow(`SELECT status, message_id FROM emails WHERE dedupe_key = $1`, fmt.Sprintf("booking-confirmed:%d", bookingID)).Scan(&status, &messageID)
		if status == store.EmailSent {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the confirmation email is %q, not sent", status)
		}
	}
	ids, _, err := mp.MessageIDs()
	if err != nil {
		t.Fatal(err)
	}
	if n := ids[strings.Trim(messageID, "<>")] + ids["<"+strings.Trim(messageID, "<>")+">"]; n != 1 {
		t.Errorf("the confirmation arrived %d times, want once (%v)", n, ids)
	}
	// Every email of the run (the sign-ups' and the confirmation) left once,
	// though both instances work the same queue.
	for deadline := time.Now().Add(60 * time.Second); count(`SELECT count(*) FROM emails WHERE status <> 'sent'`) > 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d emails not sent", count(`SELECT count(*) FROM emails WHERE status <> 'sent'`))
		}
	}
	mp.WaitCount(t, count(`SELECT count(*) FROM emails`), 30*time.Second)
	ids, _, err = mp.MessageIDs()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := st.DB().Query(`SELECT message_id FROM emails`)
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		sent++
		if n := ids[strings.Trim(id, "<>")] + ids["<"+strings.Trim(id, "<>")+">"]; n != 1 {
			t.Errorf("email %s arrived %d times, want once", id, n)
		}
	}
	rows.Close()
	if _, total, _ := mp.MessageIDs(); total != sent {
		t.Errorf("Mailpit holds %d messages for %d emails", total, sent)
	}
	t.Logf("checkouts %v (winner %s), webhook deliveries %v, %d emails each delivered once", codes, people[won], hookCodes, sent)
	if s := pa.out.String() + pb.out.String(); strings.Contains(s, "level=ERROR") {
		t.Errorf("errors in the logs:\n%s", s)
	}
}
