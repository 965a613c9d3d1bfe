package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/config"
	"github.com/rentdesk/rentdesk/internal/metrics"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

const testMetricsToken = "test-scrape-token-0123456789"

func scrape(t *testing.T, app *testApp, auth string) *testResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, app.ts.URL+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return app.client().do(req)
}

// /metrics answers only the configured bearer token; without one configured
// it does not exist.
func TestMetricsScrapeNeedsTheToken(t *testing.T) {
	off := newTestApp(t)
	scrape(t, off, "").expectStatus(t, http.StatusNotFound)
	scrape(t, off, "Bearer "+testMetricsToken).expectStatus(t, http.StatusNotFound)

	app := off.restarted(withConfig(func(c *config.Config) { c.MetricsToken = testMetricsToken }))
	for _, auth := range []string{"", "Bearer", "Bearer wrong-token-0123456789", "Basic " + testMetricsToken, testMetricsToken} {
		res := scrape(t, app, auth)
		res.expectStatus(t, http.StatusUnauthorized)
		if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%q: WWW-Authenticate %q", auth, res.Header.Get("WWW-Authenticate"))
		}
		if strings.Contains(res.Body, "go_goroutines") {
			t.Errorf("%q: metrics leaked", auth)
		}
	}
	app.client().get("/catalog").expectStatus(t, http.StatusOK)
	body := scrape(t, app, "Bearer "+testMetricsToken).expectStatus(t, http.StatusOK).Body
	for _, want := range []string{
		`go_goroutines `, `process_resident_memory_bytes `,
		`go_sql_in_use_connections{db_name="app"}`,
		`rentdesk_jobs{state="dead"} 0`, `rentdesk_jobs_oldest_queued_age_seconds `, `rentdesk_database_size_bytes `,
		`rentdesk_uptime_seconds `, `rentdesk_build_info{version=`,
		`rentdesk_http_requests_total{code="2xx",method="GET",route="/catalog"} 1`,
		`rentdesk_http_request_duration_seconds_bucket{group="public",le="0.1"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
}

// Requests are labelled by route pattern: a thousand junk paths (and junk
// Host headers) add no series, and hits of one route with different ids
// share one.
func TestRequestMetricsLabelByRoutePattern(t *testing.T) {
	app := newTestApp(t)
	series := func() int {
		fams, err := app.srv.Metrics.Registry().Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fams {
			if f.GetName() == metrics.RequestsTotal {
				return len(f.GetMetric())
			}
		}
		return 0
	}
	c := app.client()
	c.get("/no-such-page").expectStatus(t, http.StatusNotFound)
	c.get("/photos/999999").expectStatus(t, http.StatusNotFound)
	before := series()
	for i := range 1000 {
		req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/junk-%d/x?y=%d", app.ts.URL, i, i), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = fmt.Sprintf("host-%d.example", i)
		c.do(req)
		if i%100 == 0 {
			c.get(fmt.Sprintf("/photos/%d", 1000000+i))
			c.get(fmt.Sprintf("/admin/users/%d/junk", i))
		}
	}
	if after := series(); after != before {
		t.Fatalf("request series grew from %d to %d", before, after)
	}
	s, err := app.srv.Metrics.Sample()
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Groups["unmatched"].Count; got < 1000 {
		t.Fatalf("unmatched requests counted: %v", got)
	}
}

func getWithAuth(t *testing.T, app *testApp, path, auth string) *testResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, app.ts.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return app.client().do(req)
}

// The monitoring JSON answers the scrape token as well as an admin's
// session (the W8 matrix covers sessions); a wrong token is a 401.
func TestMonitoringJSONWithToken(t *testing.T) {
	app := newTestApp(t, withConfig(func(c *config.Config) { c.MetricsToken = testMetricsToken }))
	getWithAuth(t, app, "/monitoring/health", "Bearer wrong-token-0123456789").expectStatus(t, http.StatusUnauthorized)
	auth := "Bearer " + testMetricsToken
	var health struct {
		Status   string `json:"status"`
		Database struct {
			OK bool `json:"ok"`
		} `json:"database"`
		Jobs map[string]float64 `json:"jobs"`
		SMTP struct {
			Configured bool `json:"configured"`
		} `json:"smtp"`
	}
	res := getWithAuth(t, app, "/monitoring/health", auth).expectStatus(t, http.StatusOK)
	if err := json.Unmarshal([]byte(res.Body), &health); err != nil {
		t.Fatal(err)
	}
	if health.Status != "ok" || !health.Database.OK || health.SMTP.Configured {
		t.Errorf("health %+v", health)
	}
	if _, ok := health.Jobs["dead"]; !ok {
		t.Errorf("health has no job counts: %s", res.Body)
	}
	var sys struct {
		Pools []struct {
			Pool string `json:"pool"`
		} `json:"pools"`
		Version string `json:"version"`
	}
	res = getWithAuth(t, app, "/monitoring/system", auth).expectStatus(t, http.StatusOK)
	if err := json.Unmarshal([]byte(res.Body), &sys); err != nil || len(sys.Pools) != 2 || sys.Version == "" {
		t.Errorf("system %s: %v", res.Body, err)
	}
	for _, p := range []string{"/monitoring/alerts", "/monitoring/metrics?period=90d"} {
		res = getWithAuth(t, app, p, auth).expectStatus(t, http.StatusOK)
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: %s", p, res.Header.Get("Content-Type"))
		}
	}
	getWithAuth(t, app, "/monitoring/metrics?period=junk", auth).expectStatus(t, http.StatusBadRequest)
}

// The desk board reads on a small pool of its own (RENTDESK_DB_DESK_CONNS):
// its figures stand beside the main pool's on /metrics and in the
// dashboard's pool panel, so an operator sees when the desk waits for a
// connection while the main pool is idle.
func TestDeskPoolBesideTheMainPool(t *testing.T) {
	s := newShop(t, "Europe/Berlin", withConfig(func(c *config.Config) { c.MetricsToken = testMetricsToken }))
	desk := testenv.ShippedPool(t).DeskConns
	if desk < 1 {
		t.Fatalf("fixture: the shipped settings have no desk pool (%d)", desk)
	}
	s.createUser(store.RoleStaff, "desk@example.test", "staff password 1")
	s.createUser(store.RoleAdmin, "admin@example.test", "admin password 1")
	staff := s.client()
	staff.login("desk@example.test", "staff password 1")
	staff.get("/desk").expectStatus(t, http.StatusOK)

	body := scrape(t, s.testApp, "Bearer "+testMetricsToken).expectStatus(t, http.StatusOK).Body
	for _, want := range []string{
		`go_sql_max_open_connections{db_name="app"} `,
		fmt.Sprintf(`go_sql_max_open_connections{db_name="desk"} %d`, desk),
		`go_sql_open_connections{db_name="desk"} `, `go_sql_wait_count_total{db_name="desk"} `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}

	admin := s.client()
	admin.login("admin@example.test", "admin password 1")
	req, _ := http.NewRequest(http.MethodGet, s.ts.URL+"/admin/metrics/system", nil)
	req.Header.Set("HX-Request", "true")
	frag := admin.do(req).expectStatus(t, http.StatusOK)
	rows := map[string][]string{}
	frag.Doc.Find(`[data-testid="pool-table"] tbody tr`).Each(func(_ int, tr *goquerySelection) {
		var cells []string
		tr.Find("td").Each(func(_ int, td *goquerySelection) { cells = append(cells, strings.TrimSpace(td.Text())) })
		rows[strings.TrimSpace(tr.Find("th").Text())] = cells
	})
	// Columns: open, in use, idle, max, waits, wait time. The board just
	// read opened at least one desk connection, which stays open.
	d, ok := rows["desk"]
	if _, app := rows["app"]; !app || !ok || len(rows) != 2 || len(d) != 6 {
		t.Fatalf("pool rows: %v", rows)
	}
	if d[3] != strconv.Itoa(desk) || d[0] == "0" {
		t.Errorf("desk pool row %v: want max %d and an open connection", d, desk)
	}
}
