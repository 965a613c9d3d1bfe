package web

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// auditBenchRows is a page of the audit log as an edited catalog leaves it:
// items saved whole before and after, one or two fields changed each, and
// bookings whose status moved.
func auditBenchRows(b *testing.B) []store.AuditEntry {
	b.Helper()
	item := func(i, rate int) []byte {
		raw, err := json.Marshal(map[string]any{
			"id": 1000 + i, "name": fmt.Sprintf("Canon R6 body %d", i), "slug": fmt.Sprintf("canon-r6-body-%d", i),
			"description": "Full-frame mirrorless body with two batteries, a charger and a 64 GB card. Clean the sensor only at the desk.",
			"category_id": 7, "kind": "serialized", "rate_hour": 900, "rate_day": rate, "rate_week": 18000, "rate_month": 0,
			"deposit": 50000, "replacement_value": 250000, "buffer_before": 30, "buffer_after": 60, "min_duration": 240,
			"online": true, "archived": false, "tax_rate_bp": 1900, "location_id": 3, "photo_count": 4,
			"created_at": "2026-01-05T09:12:00Z", "updated_at": "2026-03-02T16:40:11Z",
		})
		if err != nil {
			b.Fatal(err)
		}
		return raw
	}
	actor := int64(2)
	rows := make([]store.AuditEntry, 0, 50)
	for i := range 50 {
		r := store.AuditEntry{ID: int64(5000 - i), At: time.Date(2026, 3, 2, 16, 40, i, 0, time.UTC), ActorID: &actor,
			Action: "item.update", EntityType: "item", EntityID: fmt.Sprint(1000 + i), Before: item(i, 4500), After: item(i, 5000)}
		if i%5 == 0 {
			r.Action, r.EntityType = "booking.confirm", "booking"
			r.Before, r.After = []byte(`{"status": "hold"}`), []byte(`{"status": "confirmed", "total": 12345, "customer_id": 77}`)
		}
		rows = append(rows, r)
	}
	return rows
}

// BenchmarkAuditRows is the audit page's own work on a page of 50 entries:
// reading each entry's fields, gathering the ids to name, and writing its
// sentence and changes.
func BenchmarkAuditRows(b *testing.B) {
	rows := auditBenchRows(b)
	labels := map[string]map[string]string{"user": {"2": "Ada Admin", "77": "Bob Customer"}, "location": {"3": "Berlin"}}
	b.ReportAllocs()
	for b.Loop() {
		ids := map[string][]string{}
		entries := make([]auditEntry, len(rows))
		for i, r := range rows {
			entries[i] = decodeAudit(r)
			ids[r.EntityType] = append(ids[r.EntityType], r.EntityID)
			auditRefs(entries[i], ids)
		}
		for _, r := range entries {
			_ = auditRow(r, labels, time.UTC, "EUR")
		}
	}
}
