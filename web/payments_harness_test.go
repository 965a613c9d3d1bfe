package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/rentdesk/rentdesk/internal/config"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

const testWebhookSecret = "whsec_rentdesk_test"

// stripeCall is one request the app made to the Stripe API.
type stripeCall struct {
	Method, Path, IdempotencyKey string
	Form                         url.Values
}

// stripeRecorder passes every request on to stripe-mock unchanged and
// remembers what the app asked, so tests can check what was sent.
type stripeRecorder struct {
	mu    sync.Mutex
	calls []stripeCall
	URL   string
}

func newStripeRecorder(t *testing.T) *stripeRecorder {
	t.Helper()
	target, err := url.Parse(testenv.StripeMock(t))
	if err != nil {
		t.Fatal(err)
	}
	r := &stripeRecorder{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var body bytes.Buffer
		_, _ = body.ReadFrom(req.Body)
		form, _ := url.ParseQuery(body.String())
		r.mu.Lock()
		r.calls = append(r.calls, stripeCall{Method: req.Method, Path: req.URL.Path, IdempotencyKey: req.Header.Get("Idempotency-Key"), Form: form})
		r.mu.Unlock()
		req.Body = http.NoBody
		if body.Len() > 0 {
			req.Body = nopCloser{bytes.NewReader(body.Bytes())}
			req.ContentLength = int64(body.Len())
		}
		proxy.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func (r *stripeRecorder) Calls() []stripeCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]stripeCall(nil), r.calls...)
}

// withStripe points the app's Stripe client at apiURL.
func withStripe(apiURL string) func(*Deps) {
	return withConfig(func(c *config.Config) {
		c.Stripe = config.Stripe{SecretKey: "sk_test_rentdesk", WebhookSecret: testWebhookSecret, APIURL: apiURL}
	})
}

// payShop is a shop taking payment online through stripe-mock.
type payShop struct {
	*shop
	stripe *stripeRecorder
	evSeq  atomic.Int64
}

// newPayShop starts a shop in an online payment mode with an hour's hold.
func newPayShop(t *testing.T, mode string) *payShop {
	t.Helper()
	rec := newStripeRecorder(t)
	s := newShop(t, "Europe/Berlin", withStripe(rec.URL))
	s.id(`UPDATE shop_settings SET payment_mode = $1, hold_minutes = 60 RETURNING 1`, mode)
	return &payShop{shop: s, stripe: rec}
}

// checkoutOnline books one of item tomorrow for a day and confirms the
// cart; it returns the answer and the booking made.
func (p *payShop) checkoutOnline(c *testClient, item int64) (*testResponse, int64) {
	p.t.Helper()
	res := c.bookOne(p.loc, item, p.local(1, 10), p.local(2, 10))
	id := p.id(`SELECT COALESCE(max(id), 0) FROM bookings`)
	return res, id
}

// session is the Checkout Session object of an event about booking id.
func (p *payShop) session(bookingID int64, csID string, amount int64, paymentStatus string) map[string]any {
	return map[string]any{
		"id": csID, "object": "checkout.session", "client_reference_id": fmt.Sprint(bookingID),
		"metadata":     map[string]string{"booking_id": fmt.Sprint(bookingID)},
		"amount_total": amount, "currency": "eur", "payment_status": paymentStatus, "status": "complete",
		"payment_intent": "pi_" + strings.TrimPrefix(csID, "cs_"), "mode": "payment",
	}
}

// event wraps an object into a Stripe event of type typ, with a new id.
func (p *payShop) event(typ string, obj map[string]any) []byte {
	return p.eventWithID(fmt.Sprintf("evt_test_%d_%d", time.Now().UnixNano(), p.evSeq.Add(1)), typ, stripe.APIVersion, obj)
}

func (p *payShop) eventWithID(id, typ, apiVersion string, obj map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"id": id, "object": "event", "api_version": apiVersion, "type": typ,
		"created": time.Now().Unix(), "livemode": false, "pending_webhooks": 1, "data": map[string]any{"object": obj}})
	if err != nil {
		p.t.Fatal(err)
	}
	return b
}

// deliver posts a webhook body signed with secret at ts (zero: now) and
// returns the status.
func (p *payShop) deliver(body []byte, secret string, ts time.Time) int {
	p.t.Helper()
	sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: ts})
	return p.post("/webhooks/stripe", body, sp.Header)
}

// post sends a raw webhook request with a Stripe-Signature header ("" = none).
func (p *payShop) post(path string, body []byte, sig string) int {
	p.t.Helper()
	req, err := http.NewRequest(http.MethodPost, p.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set("Stripe-Signature", sig)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// paid delivers a signed checkout.session.completed for the booking's
// latest session and returns the status.
func (p *payShop) paid(bookingID int64) int {
	p.t.Helper()
	return p.deliver(p.event("checkout.session.completed", p.latestSession(bookingID)), testWebhookSecret, time.Time{})
}

// latestSession is the session object of the booking's newest Checkout
// Session, as Stripe would send it once paid.
func (p *payShop) latestSession(bookingID int64) map[string]any {
	p.t.Helper()
	var id string
	var amount int64
	if err := p.st.DB().QueryRow(`SELECT id, amount FROM checkout_sessions WHERE booking_id = $1 ORDER BY created_at DESC LIMIT 1`,
		bookingID).Scan(&id, &amount); err != nil {
		p.t.Fatalf("no checkout session for booking %d: %v", bookingID, err)
	}
	return p.session(bookingID, id, amount, "paid")
}

func (p *payShop) status(bookingID int64) string {
	p.t.Helper()
	var s string
	if err := p.st.DB().QueryRow(`SELECT status FROM bookings WHERE id = $1`, bookingID).Scan(&s); err != nil {
		p.t.Fatal(err)
	}
	return s
}

// count runs a count query.
func (p *payShop) count(q string, args ...any) int {
	return int(p.id(q, args...))
}

// signed is the Stripe-Signature header of body with secret at ts.
func signed(body []byte, secret string, ts time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: ts}).Header
}

// getHX fetches a page as htmx does (the fragment only).
func (c *testClient) getHX(path string) *testResponse {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.app.ts.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("HX-Request", "true")
	return c.do(req)
}

// overlaps counts pairs of active allocations of one unit that overlap.
func (p *payShop) overlaps() int {
	return p.count(`SELECT count(*) FROM unit_allocations a JOIN unit_allocations b
		ON a.unit_id = b.unit_id AND a.id < b.id AND a.occupied && b.occupied WHERE a.active AND b.active`)
}

// getQuiet fetches a page from several goroutines at once (the client's
// cookie jar is safe for that; its page state is not touched).
func (c *testClient) getQuiet(path string) int {
	res, err := c.http.Get(c.app.ts.URL + path)
	if err != nil {
		c.t.Error(err)
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}
