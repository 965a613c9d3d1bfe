package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/config"
	"github.com/rentdesk/rentdesk/internal/testenv"
	"github.com/rentdesk/rentdesk/static"
)

// BenchmarkStripeWebhook measures signed webhook deliveries per second over
// a real HTTP connection from parallel senders, as Stripe retries them:
// three in four are duplicates of an event already handled (a no-op after
// the signature check and the event-id lookup), one in four a new event
// recorded once (make bench).
func BenchmarkStripeWebhook(b *testing.B) {
	st, dbURL := testenv.Store(b)
	assets, err := static.New()
	if err != nil {
		b.Fatal(err)
	}
	cfg := testConfig(b, dbURL)
	cfg.Stripe = config.Stripe{SecretKey: "sk_test_bench", WebhookSecret: testWebhookSecret, APIURL: testenv.StripeMock(b)}
	srv := New(Deps{Config: cfg, Store: st, Assets: assets, Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError})),
		Hasher: testHasher, Policy: auth.NewPolicy(), Sessions: NewSessions(cfg, st.SessionStore())})
	ts := httptest.NewServer(srv.Handler())
	b.Cleanup(ts.Close)
	db := st.DB()
	var loc, item, cust int64
	for q, dst := range map[string]*int64{
		`INSERT INTO locations (name, slug, time_zone) VALUES ('Bench', 'bench', 'Europe/Berlin') RETURNING id`:                     &loc,
		`INSERT INTO items (name, slug, tracking, rate_day) VALUES ('Bench kayak', 'bench-kayak', 'serialized', 3000) RETURNING id`: &item,
		`INSERT INTO users (email, name, password_hash, role) VALUES ('bench@example.com', 'Bench', 'x', 'customer') RETURNING id`:  &cust,
	} {
		if err := db.QueryRow(q).Scan(dst); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO units (item_id, location_id, asset_tag) VALUES ($1, $2, 'BK-1')`, item, loc); err != nil {
		b.Fatal(err)
	}
	start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	res, err := srv.Booking.Book(b.Context(), booking.Request{CustomerID: cust, LocationID: loc,
		Lines: []booking.LineRequest{{ItemID: item, Quantity: 1, Start: start, End: start.Add(24 * time.Hour)}}})
	if err != nil {
		b.Fatal(err)
	}
	p := &payShop{}
	session := p.session(res.BookingID, "cs_bench_1", 3000, "paid")
	event := func(id, typ string) []byte {
		raw, _ := json.Marshal(map[string]any{"id": id, "object": "event", "api_version": stripe.APIVersion, "type": typ,
			"created": time.Now().Unix(), "data": map[string]any{"object": session}})
		return raw
	}
	deliver := func(c *http.Client, body []byte) error {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/webhooks/stripe", bytes.NewReader(body))
		req.Header.Set("Stripe-Signature", signed(body, testWebhookSecret, time.Now()))
		r, err := c.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
		if r.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", r.StatusCode)
		}
		return nil
	}
	completed := event("evt_bench_completed", "checkout.session.completed")
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	b.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	if err := deliver(client, completed); err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	b.ResetTimer()
	began := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			body := completed
			if i%4 == 0 {
				body = event(fmt.Sprintf("evt_bench_%d", i), "checkout.session.expired")
			}
			if err := deliver(client, body); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(n.Load())/time.Since(began).Seconds(), "deliveries/s")
	b.StopTimer()
	var payments int
	if err := db.QueryRow(`SELECT count(*) FROM ledger_entries WHERE kind = 'payment'`).Scan(&payments); err != nil || payments != 1 {
		b.Fatalf("%d payments after %d deliveries (%v)", payments, n.Load(), err)
	}
}
