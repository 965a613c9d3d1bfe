package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
)

// Signed Stripe webhook deliveries: events about real bookings of the data
// set, signed as Stripe signs them, one in five a duplicate of an earlier
// delivery (Stripe delivers at least once). The served app needs the
// webhook secret and a secret key to take them, so they go to a rentdesk
// process of their own on the same database (with Stripe switched on, the
// hold scenario's checkouts would leave for Stripe); the events chosen
// (sessions that expired, failed or still wait for their payment) call no
// Stripe API, and the API address is a closed local port all the same.

// webhookRun makes the deliveries of one run.
type webhookRun struct {
	secret   string
	run      string // part of every event id, so runs do not see each other's events
	bookings []int64
	mu       sync.Mutex
	sent     []string // bodies of earlier deliveries, for duplicates
	seq      int
	fresh    int // distinct events delivered
}

func newWebhookRun(ctx context.Context, db *sql.DB, secret string) (*webhookRun, error) {
	h := &webhookRun{secret: secret, run: fmt.Sprintf("%x", time.Now().UnixNano())}
	rows, err := db.QueryContext(ctx, `SELECT id FROM bookings ORDER BY id DESC LIMIT 2000`)
	if err != nil {
		return nil, fmt.Errorf("bench: bookings for webhooks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		h.bookings = append(h.bookings, id)
	}
	if len(h.bookings) == 0 {
		return nil, fmt.Errorf("bench: no bookings for webhook events")
	}
	return h, rows.Err()
}

// webhookEvent is the body of event n: a Checkout Session event of the API
// version the app reads, naming booking id.
func webhookEvent(run string, n int, booking int64) string {
	kinds := []struct{ typ, payment string }{
		{"checkout.session.expired", "unpaid"},
		{"checkout.session.async_payment_failed", "unpaid"},
		{"checkout.session.completed", "unpaid"}, // paid later (bank transfer): recorded only
	}
	k := kinds[n%len(kinds)]
	ev := map[string]any{
		"id": fmt.Sprintf("evt_bench_%s_%d", run, n), "object": "event", "type": k.typ,
		"api_version": stripe.APIVersion, "created": time.Now().Unix(), "livemode": false,
		"data": map[string]any{"object": map[string]any{
			"id": fmt.Sprintf("cs_bench_%s_%d", run, n), "object": "checkout.session",
			"payment_status": k.payment, "amount_total": 1000, "currency": "eur",
			"client_reference_id": fmt.Sprint(booking),
			"metadata":            map[string]string{"booking_id": fmt.Sprint(booking)},
		}},
	}
	b, _ := json.Marshal(ev)
	return string(b)
}

// next is the body of the next delivery and whether it repeats an earlier one.
func (h *webhookRun) next() (string, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	if h.seq%5 == 0 && len(h.sent) > 0 {
		return h.sent[(h.seq*7919)%len(h.sent)], true
	}
	body := webhookEvent(h.run, h.seq, h.bookings[h.seq%len(h.bookings)])
	h.fresh++
	if len(h.sent) < 10000 {
		h.sent = append(h.sent, body)
	}
	return body, false
}

// step delivers one event, signed now, and expects 200.
func (h *webhookRun) step(clients []*client) step {
	return func(w, _ int) (string, error) {
		body, dup := h.next()
		sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(body), Secret: h.secret, Timestamp: time.Now()})
		c := clients[w]
		req, err := http.NewRequest("POST", c.base+"/webhooks/stripe", strings.NewReader(body))
		if err != nil {
			return "", err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Stripe-Signature", sp.Header)
		res, err := c.http.Do(req)
		if err != nil {
			return "", err
		}
		var msg strings.Builder
		fmt.Fprint(&msg, res.Status)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return "", fmt.Errorf("webhook: %s", msg.String())
		}
		if dup {
			return "duplicate", nil
		}
		return "", nil
	}
}

// recorded counts the run's events the app recorded: each once, duplicates
// included, so it must equal the distinct events delivered.
func (h *webhookRun) recorded(ctx context.Context, db *sql.DB) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM stripe_events WHERE id LIKE $1`, "evt_bench_"+h.run+"_%").Scan(&n)
	return n, err
}
