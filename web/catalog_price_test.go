package web

import (
	"context"
	"flag"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/catalog"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files (price fragments, pages)")

// golden returns the golden file at path, after writing got into it when
// the tests run with -update.
func golden(t *testing.T, path, got string) string {
	t.Helper()
	if *updateGolden {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	return string(want)
}

// fragmentText is the price fragment as a reader sees it: one line per
// period, breakdown row and note.
func fragmentText(doc *goquery.Document) string {
	var lines []string
	doc.Find(`#price-result`).Children().Each(func(_ int, s *goquery.Selection) {
		if s.Is("dl") {
			s.Children().Each(func(_ int, row *goquery.Selection) {
				lines = append(lines, strings.TrimSpace(row.Find("dt").Text())+" | "+strings.TrimSpace(row.Find("dd").Text()))
			})
			return
		}
		lines = append(lines, strings.Join(strings.Fields(s.Text()), " "))
	})
	return strings.Join(lines, "\n") + "\n"
}

// TestPriceCalculatorGolden prices periods through the htmx fragment and
// compares the breakdown with golden files (go test -run Golden -update
// rewrites them). Dates are wall-clock times in the chosen location's zone.
func TestPriceCalculatorGolden(t *testing.T) {
	app := newTestApp(t)
	fx := app.seedCatalog()
	ctx := context.Background()
	app.st.CreateItem(ctx, catalog.Item{Name: "Drill", Slug: "drill", Tracking: catalog.Serialized, RateHour: ptr64(500),
		RateDay: ptr64(1800), RateWeek: ptr64(6000), MinDurationMinutes: 120, TaxCategory: "zero", OnlineBookable: true})
	st, _ := app.st.GetSettings(ctx)
	st.TaxMode, st.TaxRateBP = "inclusive", 1900
	st.BookingHorizonMonths = 120 // the fixed dates of 2030 stay within the horizon
	if err := app.st.UpdateSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	berlin, sf := idOf(fx.berlin.ID), idOf(fx.sf.ID)
	cases := []struct{ name, item, loc, start, end string }{
		{"one-day", "canon-r6", berlin, "2030-06-03T10:00", "2030-06-04T10:00"},
		{"one-week", "canon-r6", berlin, "2030-06-03T10:00", "2030-06-10T10:00"},
		{"eight-days-week-plus-day", "canon-r6", berlin, "2030-06-03T10:00", "2030-06-11T10:00"},
		{"six-days-cheaper-as-week", "canon-r6", berlin, "2030-06-03T10:00", "2030-06-09T10:00"},
		{"week-across-dst-berlin", "canon-r6", berlin, "2030-03-28T10:00", "2030-04-04T10:00"},
		{"day-across-dst-los-angeles", "canon-r6", sf, "2030-03-09T12:00", "2030-03-10T12:00"},
		{"hours-with-minimum", "drill", berlin, "2030-06-03T10:00", "2030-06-03T11:00"},
		{"hours-untaxed-category", "drill", sf, "2030-06-03T10:00", "2030-06-03T13:30"},
		{"end-before-start", "canon-r6", berlin, "2030-06-04T10:00", "2030-06-03T10:00"},
		{"garbage-dates", "canon-r6", berlin, "next tuesday", "2030-06-03T10:00"},
		{"eleven-years", "canon-r6", berlin, "2030-06-03T10:00", "2041-06-03T10:00"},
	}
	c := app.client()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{"location": {tc.loc}, "start": {tc.start}, "end": {tc.end}}
			req, _ := http.NewRequest(http.MethodGet, app.ts.URL+"/items/"+tc.item+"/price?"+q.Encode(), nil)
			req.Header.Set("HX-Request", "true")
			res := c.do(req)
			if res.StatusCode != http.StatusOK || res.Doc == nil {
				t.Fatalf("status %d", res.StatusCode)
			}
			got := fragmentText(res.Doc)
			path := filepath.Join("testdata", "price", tc.name+".golden")
			if want := golden(t, path, got); got != want {
				t.Fatalf("fragment differs from %s:\n--- got\n%s--- want\n%s", path, got, want)
			}
		})
	}
}

// The calculator is priced by the booking's own pricing, so what it says
// about a price matches what the cart and checkout say: an item without rates
// gets the booking's message, not one of the calculator's own.
func TestPriceCalculatorSharesBookingPricing(t *testing.T) {
	app := newTestApp(t)
	fx := app.seedCatalog()
	ctx := context.Background()
	it, err := app.st.CreateItem(ctx, catalog.Item{Name: "Lamp", Slug: "lamp", Tracking: catalog.Serialized, TaxCategory: "standard", OnlineBookable: true})
	if err != nil {
		t.Fatal(err)
	}
	bi, err := app.st.GetBookableItem(ctx, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := app.st.GetSettings(ctx)
	st.BookingHorizonMonths = 120 // the fixed dates of 2030 stay within the horizon
	if err := app.st.UpdateSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	zone, _ := fx.berlin.Zone()
	start, end := time.Date(2030, 6, 3, 10, 0, 0, 0, zone), time.Date(2030, 6, 4, 10, 0, 0, 0, zone)
	_, want := booking.Pricing{}.Quote(bi, start, end, zone, 1, st)
	if want == nil {
		t.Fatal("an item without rates was priced")
	}
	q := url.Values{"location": {idOf(fx.berlin.ID)}, "start": {"2030-06-03T10:00"}, "end": {"2030-06-04T10:00"}}
	res := app.client().get("/items/lamp/price?"+q.Encode()).expectStatus(t, http.StatusOK)
	if got := strings.TrimSpace(res.Doc.Find(`#price-result`).Text()); got != want.Error() {
		t.Fatalf("calculator says %q, the booking says %q", got, want.Error())
	}
}
