package web

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/config"
	"github.com/rentdesk/rentdesk/internal/testenv"
	"github.com/rentdesk/rentdesk/static"
)

// FuzzStripeWebhook (R6) posts any body with any signature to the webhook,
// and bodies correctly signed at any time. It must never panic, never answer
// 2xx without a valid signature within the tolerance, and never fail with a
// 5xx on a signed event, however odd its content.
func FuzzStripeWebhook(f *testing.F) {
	st, dbURL := testenv.Store(f)
	assets, err := static.New()
	if err != nil {
		f.Fatal(err)
	}
	cfg := testConfig(f, dbURL)
	cfg.Stripe = config.Stripe{SecretKey: "sk_test_fuzz", WebhookSecret: testWebhookSecret, APIURL: testenv.StripeMock(f)}
	srv := New(Deps{Config: cfg, Store: st, Assets: assets, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Hasher: testHasher, Policy: auth.NewPolicy(), Sessions: NewSessions(cfg, st.SessionStore())})
	ev := func(typ, obj string) []byte {
		return []byte(`{"id":"evt_seed_` + typ + `","object":"event","api_version":"2023-10-16","type":"` + typ + `","data":{"object":` + obj + `}}`)
	}
	session := `{"id":"cs_test_1","object":"checkout.session","client_reference_id":"1","metadata":{"booking_id":"1"},"amount_total":2500,"payment_status":"paid","payment_intent":"pi_1"}`
	f.Add(ev("checkout.session.completed", session), "", true, int64(0))
	f.Add(ev("checkout.session.expired", session), "", true, int64(-299))
	f.Add(ev("checkout.session.async_payment_failed", session), "", true, int64(0))
	f.Add(ev("charge.refunded", `{"id":"ch_1","payment_intent":"pi_1","amount_refunded":99999}`), "", true, int64(0))
	f.Add(ev("checkout.session.completed", `{"id":"cs_\u0000","metadata":{"booking_id":"-5"},"amount_total":-1}`), "", true, int64(0))
	f.Add(ev("checkout.session.completed", session), "t=1,v1=00", false, int64(0))
	f.Add([]byte(`{"id":"evt_1","api_version":"2019-01-01","type":"checkout.session.completed"}`), "", true, int64(0))
	f.Add([]byte(`not json`), "", true, int64(400))
	f.Add([]byte{}, "t=,v1=", false, int64(0))
	f.Fuzz(func(t *testing.T, body []byte, sig string, sign bool, offset int64) {
		offset %= 3600
		if sign {
			sig = signed(body, testWebhookSecret, time.Now().Add(time.Duration(offset)*time.Second))
		}
		req := httptest.NewRequest(http.MethodPost, "/webhooks/stripe", bytes.NewReader(body))
		req.Header.Set("Stripe-Signature", sig)
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		valid := sign && offset > -300+5 && offset < 300-5 // the tolerance, with room for the clock moving on
		switch {
		case rec.Code/100 == 2 && !valid && !(sign && offset >= -300 && offset <= 300):
			t.Fatalf("status %d without a valid signature (sign %v, offset %d)", rec.Code, sign, offset)
		case rec.Code >= 500:
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	})
}
