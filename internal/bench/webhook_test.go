package bench

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
)

// The deliveries read as the app reads them (signature, API version, the
// booking named), and one in five repeats an earlier body exactly.
func TestWebhookDeliveriesVerifyAndRepeat(t *testing.T) {
	h := &webhookRun{secret: "whsec_test", run: "r1", bookings: []int64{7, 8, 9}}
	dups := 0
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		body, dup := h.next()
		sp := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(body), Secret: h.secret, Timestamp: time.Now()})
		ev, err := webhook.ConstructEvent([]byte(body), sp.Header, h.secret)
		if err != nil {
			t.Fatal(err)
		}
		if ev.APIVersion != stripe.APIVersion {
			t.Fatalf("api version %s", ev.APIVersion)
		}
		var cs stripe.CheckoutSession
		if err := json.Unmarshal(ev.Data.Raw, &cs); err != nil || cs.Metadata["booking_id"] == "" {
			t.Fatalf("session %+v: %v", cs, err)
		}
		if dup {
			dups++
			if !seen[ev.ID] {
				t.Fatalf("duplicate %s was never sent before", ev.ID)
			}
		} else if seen[ev.ID] {
			t.Fatalf("fresh event %s sent twice", ev.ID)
		}
		seen[ev.ID] = true
	}
	if dups != 10 || h.fresh != 40 || len(seen) != 40 {
		t.Fatalf("%d duplicates, %d fresh, %d distinct", dups, h.fresh, len(seen))
	}
}
