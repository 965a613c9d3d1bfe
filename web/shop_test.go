package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/catalog"
)

// Pages use the shop's own name from the settings (as its emails do), and
// the footer gives the first location's address and opening hours.
func TestPagesUseTheShopsName(t *testing.T) {
	app := newTestApp(t)
	ctx := t.Context()
	st, err := app.st.GetSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.ShopName = "Harbour Hire"
	if err := app.st.UpdateSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	if _, err := app.st.CreateLocation(ctx, catalog.Location{Name: "Quay", Slug: "quay", TimeZone: "Europe/Berlin",
		Address: "Kaiserkai 1, Hamburg", OpeningHours: catalog.OpeningHours{1: {{Open: "09:00", Close: "18:00"}},
			2: {{Open: "09:00", Close: "18:00"}}, 6: {{Open: "10:00", Close: "14:00"}}}}); err != nil {
		t.Fatal(err)
	}
	res := app.client().get("/catalog").expectStatus(t, http.StatusOK)
	if title := res.Doc.Find("title").Text(); title != "Catalog · Harbour Hire" {
		t.Errorf("title %q", title)
	}
	if brand := strings.TrimSpace(res.Doc.Find(".brand").Text()); brand != "Harbour Hire" {
		t.Errorf("header %q", brand)
	}
	if got := strings.Join(strings.Fields(res.Doc.Find(`[data-testid="footer-shop"]`).Text()), " "); got != "Harbour Hire · Kaiserkai 1, Hamburg" {
		t.Errorf("footer %q", got)
	}
	if got := res.Doc.Find(`[data-testid="footer-hours"]`).Text(); got != "Opening hours: Mon–Tue 09:00–18:00 · Sat 10:00–14:00" {
		t.Errorf("footer hours %q", got)
	}
	if strings.Contains(res.Body, "Rentdesk") {
		t.Error("the page still says Rentdesk")
	}
}
