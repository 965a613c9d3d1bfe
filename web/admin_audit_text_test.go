package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// The audit log reads as sentences: who (by name) did what to which object
// (by name, linked), with the changed fields in money and the shop's time.
func TestAdminAuditSentences(t *testing.T) {
	app := newTestApp(t)
	fx := app.seedCatalog()
	boss := app.adminClient()
	admin, err := app.st.GetUserByEmail(t.Context(), "boss@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := app.st.InsertAudit(t.Context(), store.Audit{ActorID: admin.ID, Action: "item.update", EntityType: "item",
		EntityID: fmt.Sprint(fx.r6.ID), Before: map[string]any{"rate_day": 4500, "name": "Canon R6"},
		After: map[string]any{"rate_day": 5000, "name": "Canon R6", "starts_at": "2030-06-03T08:00:00Z", "location_id": fx.berlin.ID}}); err != nil {
		t.Fatal(err)
	}
	res := boss.get("/admin/audit").expectStatus(t, http.StatusOK)
	row := res.Doc.Find(`[data-testid="audit-row"]`).First()
	text := strings.Join(strings.Fields(row.Text()), " ")
	for _, want := range []string{admin.Name + " changed item Canon R6.", "rate day: €45.00 → €50.00",
		"starts at: Mon 3 Jun 2030, 10:00", "location: Berlin"} {
		if !strings.Contains(text, want) {
			t.Errorf("audit entry %q lacks %q", text, want)
		}
	}
	if href, _ := row.Find("a").Attr("href"); href != fmt.Sprintf("/staff/items/%d", fx.r6.ID) {
		t.Errorf("link to the item %q", href)
	}
	if strings.Contains(text, "{") || strings.Contains(text, "4500") {
		t.Errorf("raw JSON or cents in %q", text)
	}
}

// looksRFC3339 only spares time.Parse the strings it would refuse: every
// instant an audit entry can hold still reads as an instant.
func TestLooksRFC3339KeepsEveryInstant(t *testing.T) {
	for _, s := range []string{
		"2026-01-05T09:12:00Z", "2026-03-02T16:40:11.123456Z", "2026-03-29T01:30:00+01:00", "2026-10-25T02:30:00-07:00",
		"0001-01-01T00:00:00Z", "2026-12-31T23:59:59.999999999+13:45", "2026-1-05T09:12:00Z", "2026-01-05 09:12:00Z",
		"2026-01-05T9:12:00Z", "2026-01-05T09:12Z", "2026-01-05", "hold", "", "Łódź Müller", "R000693", "12345",
	} {
		_, err := time.Parse(time.RFC3339, s)
		if got := looksRFC3339(s); err == nil && !got {
			t.Errorf("%q parses as an instant but is passed over", s)
		}
	}
	for _, s := range []string{"hold", "confirmed", "Canon R6 body 7", "", "2026-01-05"} {
		if looksRFC3339(s) {
			t.Errorf("%q is tried as an instant", s)
		}
	}
}
