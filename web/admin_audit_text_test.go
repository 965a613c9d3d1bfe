package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

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
