package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

func TestCSVImportDryRunThenApply(t *testing.T) {
	app := newTestApp(t)
	app.seedCatalog()
	c := app.roleClient("staff")
	c.get("/staff/import").expectStatus(t, http.StatusOK)

	broken := "slug,name,tracking,rate_day,category\ngopro,GoPro,serialized,abc,cameras\nx,X,bulk,5,nope\n"
	res := c.postFile("/staff/import", url.Values{"kind": {"items"}}, "file", "items.csv", []byte(broken)).expectStatus(t, http.StatusSeeOther)
	report := c.get(res.Header.Get("Location")).expectStatus(t, http.StatusOK)
	rows := report.Doc.Find(`[data-testid="problems-table"] tbody tr`)
	if rows.Length() != 2 || !strings.Contains(rows.First().Text(), "rate_day") || !strings.Contains(rows.Last().Text(), "category") {
		t.Fatalf("report:\n%s", report.Body)
	}
	if report.Doc.Find(`[data-testid="apply-import"]`).Length() != 0 {
		t.Fatal("a file with problems can be applied")
	}
	// Forcing the apply re-checks and refuses; nothing is written.
	c.post(res.Header.Get("Location")+"/apply", nil).expectStatus(t, http.StatusUnprocessableEntity)
	if _, err := app.st.GetPublicItem(context.Background(), "gopro"); err == nil {
		t.Fatal("a refused import wrote a row")
	}

	good := "slug,name,tracking,rate_day,category\ngopro,GoPro,serialized,15,cameras\ncanon-r6,Canon R6 (2020),serialized,44,cameras\n"
	res = c.postFile("/staff/import", url.Values{"kind": {"items"}}, "file", "items.csv", []byte(good)).expectStatus(t, http.StatusSeeOther)
	report = c.get(res.Header.Get("Location")).expectStatus(t, http.StatusOK)
	if report.Doc.Find(`[data-testid="import-ok"]`).Length() != 1 {
		t.Fatalf("clean file not accepted:\n%s", report.Body)
	}
	if _, err := app.st.GetPublicItem(context.Background(), "gopro"); err == nil {
		t.Fatal("the dry run wrote a row")
	}
	c.post(res.Header.Get("Location")+"/apply", nil).expectStatus(t, http.StatusSeeOther)
	if it, err := app.st.GetPublicItem(context.Background(), "canon-r6"); err != nil || it.Name != "Canon R6 (2020)" {
		t.Fatalf("update by slug: %+v %v", it, err)
	}
	// Applying twice (double submit) changes nothing more.
	c.post(res.Header.Get("Location")+"/apply", nil).expectStatus(t, http.StatusSeeOther)
	var audits int
	app.st.DB().QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'import.apply'`).Scan(&audits)
	if audits != 1 {
		t.Fatalf("import audited %d times", audits)
	}

	units := "asset_tag,item,location,status\nGP-1,gopro,berlin,available\nGP-1,gopro,berlin,available\nGP-2,gopro,berlin,stolen\n"
	res = c.postFile("/staff/import", url.Values{"kind": {"units"}}, "file", "units.csv", []byte(units)).expectStatus(t, http.StatusSeeOther)
	if n := c.get(res.Header.Get("Location")).Doc.Find(`[data-testid="problems-table"] tbody tr`).Length(); n != 2 {
		t.Fatalf("duplicate tag and bad status: %d problems", n)
	}
	for name, upload := range map[string]func() *testResponse{
		"no kind": func() *testResponse { return c.postFile("/staff/import", nil, "file", "a.csv", []byte("a")) },
		"empty": func() *testResponse {
			return c.postFile("/staff/import", url.Values{"kind": {"items"}}, "file", "a.csv", nil)
		},
		"no file": func() *testResponse { return c.post("/staff/import", url.Values{"kind": {"items"}}) },
	} {
		if r := upload(); r.StatusCode != http.StatusUnprocessableEntity && r.StatusCode != http.StatusSeeOther {
			t.Errorf("%s: status %d", name, r.StatusCode)
		}
	}
	c.get("/staff/import/424242").expectStatus(t, http.StatusNotFound)
}

func TestCSVExportRoundTrip(t *testing.T) {
	app := newTestApp(t)
	app.seedCatalog()
	c := app.roleClient("staff")
	res := c.get("/staff/export/items.csv").expectStatus(t, http.StatusOK)
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("type %q", res.Header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(res.Body)).ReadAll()
	if err != nil || len(recs) != 2 || recs[1][0] != "canon-r6" || recs[1][6] != "45.00" {
		t.Fatalf("items export: %v %v", recs, err)
	}
	// The export imports back cleanly and changes nothing but updated_at.
	up := c.postFile("/staff/import", url.Values{"kind": {"items"}}, "file", "items.csv", []byte(res.Body)).expectStatus(t, http.StatusSeeOther)
	if c.get(up.Header.Get("Location")).Doc.Find(`[data-testid="import-ok"]`).Length() != 1 {
		t.Fatal("export does not re-import")
	}
	units := c.get("/staff/export/units.csv").expectStatus(t, http.StatusOK)
	if recs, _ := csv.NewReader(strings.NewReader(units.Body)).ReadAll(); len(recs) != 3 || recs[1][0] != "R6-001" || recs[1][2] != "berlin" {
		t.Fatalf("units export: %v", recs)
	}
}

// TestCSVImportTenThousandRowsThroughHTTP uploads, checks and applies a
// 10,000-row items file through the pages and logs the time of each step.
func TestCSVImportTenThousandRowsThroughHTTP(t *testing.T) {
	app := newTestApp(t)
	app.seedCatalog()
	c := app.roleClient("staff")
	c.get("/staff/import")
	var b strings.Builder
	b.WriteString("slug,name,category,tracking,description,rate_day,rate_week,deposit\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&b, "bulk-%05d,Bulk item %d,cameras,bulk,\"Item %d, in stock\",5.00,20.00,10\n", i, i, i)
	}
	start := time.Now()
	res := c.postFile("/staff/import", url.Values{"kind": {"items"}}, "file", "big.csv", []byte(b.String())).expectStatus(t, http.StatusSeeOther)
	dry := time.Since(start)
	start = time.Now()
	c.post(res.Header.Get("Location")+"/apply", nil).expectStatus(t, http.StatusSeeOther)
	apply := time.Since(start)
	rows, _ := app.st.ListItems(context.Background(), store.ItemFilter{Tracking: "bulk", Limit: 20000})
	if len(rows) != 10000 {
		t.Fatalf("imported %d items", len(rows))
	}
	t.Logf("10,000-row items CSV (%d KB) over HTTP: upload + dry run %v, apply %v", b.Len()/1024, dry.Round(time.Millisecond), apply.Round(time.Millisecond))
}

// An import refused at apply because it would take a booked unit out of
// service, or move it away, says so on the report page (422), naming the
// asset tag and the booking; nothing is written and it can be fixed and tried
// again.
func TestCSVImportRefusedForABookedUnitSaysWhich(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Drill", 1)
	slug := fmt.Sprint("item-", s.seq.Load())
	cust, _ := s.customer("ann@example.com")
	cust.bookOne(s.loc, item, s.local(3, 10), s.local(4, 10)).expectStatus(t, http.StatusSeeOther)
	var number string
	if err := s.st.DB().QueryRow(`SELECT number FROM bookings`).Scan(&number); err != nil {
		t.Fatal(err)
	}
	s.createUser("staff", "desk@example.com", "correct horse battery")
	c := s.client()
	c.login("desk@example.com", "correct horse battery")
	c.get("/staff/import")
	file := "asset_tag,item,location,status\nDrill-1," + slug + ",main,retired\n"
	res := c.postFile("/staff/import", url.Values{"kind": {"units"}}, "file", "units.csv", []byte(file)).expectStatus(t, http.StatusSeeOther)
	c.get(res.Header.Get("Location")).expectStatus(t, http.StatusOK)
	refused := c.post(res.Header.Get("Location")+"/apply", nil).expectStatus(t, http.StatusUnprocessableEntity)
	got := refused.Doc.Find(`[data-testid="problems-table"]`).Text()
	if !strings.Contains(got, "Drill-1") || !strings.Contains(got, number) {
		t.Fatalf("report says %q; want the unit Drill-1 and booking %s named", got, number)
	}
	if refused.Doc.Find(`[data-testid="import-applied"]`).Length() != 0 {
		t.Fatal("a refused import is reported as applied")
	}
	var status string
	if err := s.st.DB().QueryRow(`SELECT status FROM units WHERE asset_tag = 'Drill-1'`).Scan(&status); err != nil || status != "available" {
		t.Fatalf("unit status %q, %v; want it untouched", status, err)
	}
}
