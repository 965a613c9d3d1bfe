package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The dashboard and its fragments: admins only (the W8 matrix covers every
// actor); the system panel draws SVG charts with a title and role="img", and
// its fragment carries its own refresh so htmx keeps polling.
func TestAdminMetricsSystemPanel(t *testing.T) {
	app := newTestApp(t)
	app.createUser("admin", "admin@example.com", authzPassword)
	app.createUser("staff", "staff@example.com", authzPassword)
	staff := app.client()
	staff.login("staff@example.com", authzPassword)
	staff.get("/admin/metrics").expectStatus(t, http.StatusForbidden)
	staff.get("/admin/metrics/system").expectStatus(t, http.StatusForbidden)

	c := app.client()
	c.login("admin@example.com", authzPassword)
	page := c.get("/admin/metrics").expectStatus(t, http.StatusOK)
	if page.Doc.Find(`nav a[href="/admin/metrics"]`).Length() != 1 {
		t.Error("no Metrics link in the admin navigation")
	}
	for _, sel := range []string{`[data-testid="system-panel"][hx-trigger="every 5s"]`, `[data-testid="business-panel"]`,
		`[data-testid="pool-table"]`, `[data-testid="stat-version"]`} {
		if page.Doc.Find(sel).Length() == 0 {
			t.Errorf("page lacks %s", sel)
		}
	}
	for range 3 {
		c.get("/catalog")
	}
	req, _ := http.NewRequest(http.MethodGet, app.ts.URL+"/admin/metrics/system", nil)
	req.Header.Set("HX-Request", "true")
	frag := c.do(req).expectStatus(t, http.StatusOK)
	if strings.Contains(frag.Body, "<html") || !strings.HasPrefix(strings.TrimSpace(frag.Body), `<section id="system-panel"`) {
		t.Fatalf("fragment is not the panel alone: %.200s", frag.Body)
	}
	pools := frag.Doc.Find(`[data-testid="pool-table"] tbody th`)
	// The app's pool and the desk board's: sessions are stored through the
	// app's pool, not one of their own.
	if pools.Length() != 2 || pools.First().Text() != "app" || pools.Last().Text() != "desk" {
		t.Errorf("pools: %q", pools.Text())
	}
	if strings.Contains(frag.Body, "style=") || strings.Contains(frag.Body, "<script") {
		t.Error("inline style or script in the panel")
	}
	// Two samples exist only after minSampleGap; the charts may say "No data
	// yet" until then, but every SVG drawn has its title and role.
	frag.Doc.Find("svg").Each(func(_ int, s *goquerySelection) {
		if r, _ := s.Attr("role"); r != "img" || s.Find("title").Length() == 0 {
			t.Errorf("svg without role=img or title")
		}
	})
}

// The business panel reads live bookings: a new confirmed booking shows in
// the refreshed fragment. Junk filters are a 400, an unknown location a 404.
func TestAdminMetricsBusinessPanel(t *testing.T) {
	app := newTestApp(t)
	admin := app.createUser("admin", "admin@example.com", authzPassword)
	cust := app.createUser("customer", "c@example.com", authzPassword)
	ctx := t.Context()
	var loc int64
	if err := app.st.DB().QueryRowContext(ctx, `INSERT INTO locations (name, slug, time_zone) VALUES ('Shop', 'shop', 'Europe/Berlin') RETURNING id`).Scan(&loc); err != nil {
		t.Fatal(err)
	}
	c := app.client()
	c.login("admin@example.com", authzPassword)
	c.get("/admin/metrics?period=junk").expectStatus(t, http.StatusBadRequest)
	c.get("/admin/metrics?location=x").expectStatus(t, http.StatusBadRequest)
	c.get("/admin/metrics?location=999999").expectStatus(t, http.StatusNotFound)
	path := "/admin/metrics/business?period=7d&location=" + itoa(loc)
	before := c.get(path).expectStatus(t, http.StatusOK)
	if got := before.Doc.Find(`[data-testid="bookings-made"] .stat-value`).Text(); got != "0" {
		t.Fatalf("bookings made before: %q", got)
	}
	now := app.clock()
	if _, err := app.st.DB().ExecContext(ctx, `INSERT INTO bookings (customer_id, location_id, status, currency, total, created_by, confirmed_at, created_at)
		VALUES ($1, $2, 'confirmed', 'EUR', 12345, $3, $4, $4)`, cust.ID, loc, admin.ID, now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	after := c.get(path).expectStatus(t, http.StatusOK)
	if got := after.Doc.Find(`[data-testid="bookings-made"] .stat-value`).Text(); got != "1" {
		t.Errorf("bookings made after: %q", got)
	}
	if got := after.Doc.Find(`[data-testid="funnel-table"] tbody th`).Text(); got != "desk" {
		t.Errorf("funnel channels: %q", got)
	}
	if after.Doc.Find(`[data-testid="business-panel"][hx-trigger="every 5s"]`).Length() != 1 {
		t.Error("fragment does not refresh itself")
	}
	if strings.Contains(after.Body, "<html") {
		t.Error("fragment is a whole page")
	}
}

// Firing alerts show as a banner on admin pages (not to staff); thresholds
// are admin-set, a bad one is re-shown beside its field with what was typed.
func TestAdminAlertsBannerAndThresholds(t *testing.T) {
	app := newTestApp(t)
	app.createUser("admin", "admin@example.com", authzPassword)
	app.createUser("staff", "staff@example.com", authzPassword)
	if _, _, err := app.st.OpenAlert(t.Context(), "dead_jobs", 3, 1, app.clock()); err != nil {
		t.Fatal(err)
	}
	c := app.client()
	c.login("admin@example.com", authzPassword)
	users := c.get("/admin/users").expectStatus(t, http.StatusOK)
	if got := users.Doc.Find(`[data-testid="alert-banner"] li`).Text(); got != "Dead jobs: 3 jobs (threshold 1 jobs)" {
		t.Errorf("banner %q", got)
	}
	staff := app.client()
	staff.login("staff@example.com", authzPassword)
	if staff.get("/desk").Doc.Find(`[data-testid="alert-banner"]`).Length() != 0 {
		t.Error("staff see the alert banner")
	}
	page := c.get("/admin/metrics").expectStatus(t, http.StatusOK)
	if page.Doc.Find(`[data-testid="alert-history"] .badge-danger`).Length() != 1 {
		t.Error("history does not show the firing alert")
	}
	form := url.Values{}
	for _, k := range []string{"p95_latency_ms", "error_rate_percent", "pool_waits", "dead_jobs", "oldest_queued_minutes", "overdue_units"} {
		form.Set("threshold_"+k, "5")
		form.Set("enabled_"+k, "1")
	}
	form.Set("threshold_pool_waits", "-2")
	bad := c.post("/admin/metrics/alerts", form).expectStatus(t, http.StatusUnprocessableEntity)
	if bad.fieldError("threshold_pool_waits") == "" || bad.inputValue("threshold_pool_waits") != "-2" {
		t.Errorf("bad threshold: error %q, value %q", bad.fieldError("threshold_pool_waits"), bad.inputValue("threshold_pool_waits"))
	}
	form.Set("threshold_pool_waits", "2.5")
	form.Del("enabled_overdue_units")
	c.post("/admin/metrics/alerts", form).expectStatus(t, http.StatusSeeOther)
	rules, err := app.st.ListAlertRules(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		want := 5.0
		if r.Key == "pool_waits" {
			want = 2.5
		}
		if r.Threshold != want || r.Enabled != (r.Key != "overdue_units") {
			t.Errorf("rule %+v", r)
		}
	}
	var audited int
	if err := app.st.DB().QueryRowContext(t.Context(), `SELECT count(*) FROM audit_log WHERE action = 'alert_rules.update'`).Scan(&audited); err != nil || audited != 1 {
		t.Errorf("audit rows %d %v", audited, err)
	}
}

// The CSV exports: bookings of the period (text that a spreadsheet would
// run as a formula is defused) and the utilization rollup, which the
// rollup job fills from the first activity.
func TestAdminMetricsCSV(t *testing.T) {
	app := newTestApp(t)
	app.createUser("admin", "admin@example.com", authzPassword)
	cust := app.createUser("customer", "c@example.com", authzPassword)
	ctx := t.Context()
	db := app.st.DB()
	now := app.clock()
	var loc, item int64
	if err := db.QueryRowContext(ctx, `INSERT INTO locations (name, slug, time_zone) VALUES ('=Shop', 'shop', 'UTC') RETURNING id`).Scan(&loc); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `INSERT INTO items (name, slug, tracking) VALUES ('Drill', 'drill', 'serialized') RETURNING id`).Scan(&item); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO units (item_id, location_id, asset_tag, created_at) VALUES ($1, $2, 'D1', $3)`,
		item, loc, now.Add(-72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO bookings (customer_id, location_id, status, currency, total, confirmed_at, created_at)
		VALUES ($1, $2, 'confirmed', 'EUR', 4250, $3, $3)`, cust.ID, loc, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	var booking int64
	if err := db.QueryRowContext(ctx, `SELECT id FROM bookings WHERE location_id = $1`, loc).Scan(&booking); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO ledger_entries (booking_id, kind, method, amount, currency, reference, status, created_at)
		VALUES ($1, 'payment', 'cash', 4250, 'EUR', 'R-1', 'done', $2), ($1, 'refund', 'cash', 1000, 'EUR', '@SUM(A1)', 'done', $3),
		       ($1, 'refund', 'stripe', 500, 'EUR', '', 'pending', $3)`, booking, now.Add(-50*time.Minute), now.Add(-10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := app.srv.Jobs.RollupMetrics(ctx, now); err != nil {
		t.Fatal(err)
	}
	c := app.client()
	c.login("admin@example.com", authzPassword)
	res := c.get("/admin/metrics/export/bookings.csv?period=7d").expectStatus(t, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("content type %q", ct)
	}
	lines := strings.Split(strings.TrimSpace(res.Body), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "number,status,channel,location,customer,email") ||
		!strings.Contains(lines[1], ",confirmed,online,'=Shop,") || !strings.Contains(lines[1], ",42.50,EUR") {
		t.Fatalf("bookings csv:\n%s", res.Body)
	}
	// Payments and refunds of the period, refunds negative, every status;
	// text a spreadsheet would run is defused.
	res = c.get("/admin/metrics/export/payments.csv?period=7d&location="+itoa(loc)).expectStatus(t, http.StatusOK)
	lines = strings.Split(strings.TrimSpace(res.Body), "\n")
	if len(lines) != 4 || lines[0] != "at,booking,location,customer,kind,method,status,amount,currency,reference,recorded_by" ||
		!strings.Contains(lines[1], ",'=Shop,") || !strings.HasSuffix(lines[1], ",payment,cash,done,42.50,EUR,R-1,") ||
		!strings.HasSuffix(lines[2], ",refund,cash,done,-10.00,EUR,'@SUM(A1),") ||
		!strings.HasSuffix(lines[3], ",refund,stripe,pending,-5.00,EUR,,") {
		t.Fatalf("payments csv:\n%s", res.Body)
	}
	c.get("/admin/metrics/export/payments.csv?period=7d&location="+itoa(loc+1000)).expectStatus(t, http.StatusNotFound)
	res = c.get("/admin/metrics/export/utilization.csv?period=7d&location="+itoa(loc)).expectStatus(t, http.StatusOK)
	lines = strings.Split(strings.TrimSpace(res.Body), "\n")
	// The unit was added three days ago: four local days have a row
	// (the first and today partial), each with nothing out.
	if len(lines) != 5 || lines[0] != "day,location,item,unit_hours_available,unit_hours_out,utilization" ||
		!strings.HasSuffix(lines[2], ",'=Shop,Drill,24.00,0.00,0.0000") {
		t.Fatalf("utilization csv:\n%s", res.Body)
	}
}
