package metrics_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"math"
	"net/url"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/jobs"
	"github.com/rentdesk/rentdesk/internal/mail"
	"github.com/rentdesk/rentdesk/internal/metrics"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
	"github.com/rentdesk/rentdesk/templates/emails"
)

// instance is one app process as the alerts see it: its own registry and
// its reporter, on the shared database.
type instance struct {
	m   *metrics.Metrics
	rep *metrics.Reporter
}

func newInstance(st *store.Store) instance {
	m := metrics.New(metrics.Options{})
	for _, p := range []string{"/items/:slug", "/admin/metrics"} {
		m.AddRoute("GET", p)
	}
	return instance{m: m, rep: metrics.NewReporter(m, st, slog.New(slog.NewTextHandler(io.Discard, nil)))}
}

// serve counts n requests of one route as the middleware does.
func (in instance) serve(n int, pattern string, status int, d time.Duration) {
	for range n {
		in.m.ObserveRequest("GET", pattern, status, d)
	}
}

func (in instance) flush(t *testing.T, at time.Time) {
	t.Helper()
	if err := in.rep.Flush(context.Background(), at); err != nil {
		t.Fatal(err)
	}
}

// alertEnv is a database with one admin and alerters that mail through the
// job queue, as main wires them.
type alertEnv struct {
	st     *store.Store
	url    string
	notify metrics.Notify
}

func newAlertEnv(t *testing.T) alertEnv {
	t.Helper()
	st, dbURL := testenv.Store(t)
	base, _ := url.Parse("http://rent.example.test")
	jb, err := jobs.New(jobs.Options{Store: st, Render: emails.Render, BaseURL: base, NoPeriodic: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(t.Context(), `INSERT INTO users (email, name, role, password_hash) VALUES ('a@example.com', 'A', 'admin', 'x')`); err != nil {
		t.Fatal(err)
	}
	return alertEnv{st: st, url: dbURL, notify: func(ctx context.Context, tx *store.Store, al store.Alert, r metrics.RuleInfo) error {
		return jb.EnqueueAdminAlert(ctx, tx, mail.AdminAlert{Rule: r.Label, Value: r.Format(al.Value),
			Threshold: r.Format(al.Threshold), Started: al.StartedAt}, al.ID)
	}}
}

func (e alertEnv) check(t *testing.T, at time.Time) {
	t.Helper()
	if err := metrics.NewAlerter(e.st, e.notify).Check(context.Background(), at); err != nil {
		t.Fatal(err)
	}
}

func (e alertEnv) count(t *testing.T, q string) int {
	t.Helper()
	var n int
	if err := e.st.DB().QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (e alertEnv) firing(t *testing.T) map[string]store.Alert {
	t.Helper()
	as, err := e.st.ListFiringAlerts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.Alert{}
	for _, a := range as {
		out[a.Rule] = a
	}
	return out
}

// Slow requests and 5xx answers split over two instances: instance A
// answers 100 fast requests, B 100 slow ones of which 10 fail. Neither
// instance alone has the shop's figures (A: p95 under 10 ms and no errors;
// B: p95 2425 ms and 10 % errors); the check adds up both instances'
// minutes, whichever instance runs it, and gives what one instance with all
// 200 requests would: p95 2350 ms (the 190th request, linear in the
// 1–2.5 s bucket as histogram_quantile) and 5 % errors. Each alert opens
// once, with one history row and one email, however many instances check;
// it ends when its minutes leave the five-minute window.
func TestAlertAddsUpInstancesAndFiresOnce(t *testing.T) {
	e := newAlertEnv(t)
	a, b := newInstance(e.st), newInstance(e.st)
	if a.m.Instance() == b.m.Instance() {
		t.Fatalf("two instances share the id %q", a.m.Instance())
	}
	t0 := time.Date(2026, 6, 1, 12, 0, 10, 0, time.UTC)
	// Spread over flushes and two minutes, as the ticker would.
	a.serve(50, "/items/:slug", 200, 10*time.Millisecond)
	b.serve(40, "/items/:slug", 200, 2*time.Second)
	a.flush(t, t0)
	b.flush(t, t0)
	a.serve(50, "/items/:slug", 200, 10*time.Millisecond)
	b.serve(40, "/items/:slug", 200, 2*time.Second)
	a.flush(t, t0.Add(30*time.Second))
	b.flush(t, t0.Add(30*time.Second))
	b.serve(10, "/admin/metrics", 500, 2*time.Second)
	b.serve(10, "/items/:slug", 200, 2*time.Second)
	b.flush(t, t0.Add(55*time.Second)) // 12:01:05
	a.flush(t, t0.Add(56*time.Second)) // nothing new: writes nothing more

	at := t0.Add(80 * time.Second) // 12:01:30
	obs, err := metrics.NewAlerter(e.st, nil).Observe(context.Background(), at)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(obs["p95_latency_ms"]-2350) > 1e-6 || math.Abs(obs["error_rate_percent"]-5) > 1e-9 {
		t.Fatalf("p95 %v ms, errors %v %%; want 2350 and 5 (both instances added up)", obs["p95_latency_ms"], obs["error_rate_percent"])
	}
	// Three instances run the check at once, then again a minute later.
	errs := make(chan error, 3)
	for range 3 {
		go func() { errs <- metrics.NewAlerter(e.st, e.notify).Check(context.Background(), at) }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	e.check(t, at.Add(time.Minute))
	firing := e.firing(t)
	p95, errRate := firing["p95_latency_ms"], firing["error_rate_percent"]
	if len(firing) != 2 || !p95.Notified || !errRate.Notified || !p95.StartedAt.Equal(at) ||
		math.Abs(p95.Value-2350) > 1e-6 || math.Abs(errRate.Value-5) > 1e-9 {
		t.Fatalf("firing %+v", firing)
	}
	if n := e.count(t, `SELECT count(*) FROM alerts WHERE rule = 'p95_latency_ms'`); n != 1 {
		t.Errorf("latency history rows: %d", n)
	}
	if n := e.count(t, `SELECT count(*) FROM alerts WHERE rule = 'error_rate_percent'`); n != 1 {
		t.Errorf("error rate history rows: %d", n)
	}
	if n := e.count(t, `SELECT count(*) FROM emails WHERE kind = 'admin_alert'`); n != 2 {
		t.Errorf("alert emails: %d, want one per alert for the one admin", n)
	}

	// 12:05:30: B's 12:01 minute (20 slow requests, 10 failed) is still in
	// the window.
	e.check(t, t0.Add(5*time.Minute+20*time.Second))
	if f := e.firing(t); len(f) != 2 {
		t.Fatalf("ended while its requests are in the window: %+v", f)
	}
	// 12:06:30: no minute of the window has requests; "no data" never fires.
	e.check(t, t0.Add(6*time.Minute+20*time.Second))
	if f := e.firing(t); len(f) != 0 {
		t.Fatalf("still firing after the window: %+v", f)
	}
	if n := e.count(t, `SELECT count(*) FROM alerts WHERE ended_at IS NOT NULL`); n != 2 {
		t.Errorf("ended alerts: %d", n)
	}
}

// An instance that stops writing (crashed, scaled down) drops out of the
// figures once its minutes leave the window, while the instance still
// running keeps reporting fast requests: the alert its slow requests raised
// ends instead of firing for ever.
func TestAlertEndsWhenAnInstanceStopsReporting(t *testing.T) {
	e := newAlertEnv(t)
	if err := e.st.UpdateAlertRule(context.Background(), "error_rate_percent", 5, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	a, b := newInstance(e.st), newInstance(e.st)
	t0 := time.Date(2026, 6, 1, 12, 0, 30, 0, time.UTC)
	b.serve(100, "/items/:slug", 200, 3*time.Second)
	b.flush(t, t0) // and never again
	for i := range 8 {
		at := t0.Add(time.Duration(i) * time.Minute)
		a.serve(100, "/items/:slug", 200, 5*time.Millisecond)
		a.flush(t, at)
		e.check(t, at.Add(10*time.Second))
		_, firing := e.firing(t)["p95_latency_ms"]
		// B's 12:00 minute is in the window until 12:05:00.
		if want := at.Add(10 * time.Second).Before(t0.Add(4*time.Minute + 30*time.Second)); firing != want {
			t.Fatalf("at %s firing %v, want %v", at.Add(10*time.Second).Format("15:04:05"), firing, want)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM alerts`); n != 1 {
		t.Errorf("history rows: %d, want the one alert", n)
	}
}

// The reporter writes each minute's whole count so far (a second flush in
// the same minute replaces, never doubles), labels rows by the route group
// of the matched pattern (a raw path never shows; anything unrouted is
// "unmatched"), and deletes rows older than two hours.
func TestAlertReporterRows(t *testing.T) {
	e := newAlertEnv(t)
	a := newInstance(e.st)
	t0 := time.Date(2026, 6, 1, 12, 0, 5, 0, time.UTC)
	a.serve(3, "/items/:slug", 200, 20*time.Millisecond)
	a.m.ObserveRequest("GET", "/items/canon-eos-r5-body", 404, time.Millisecond)
	a.flush(t, t0)
	a.serve(2, "/items/:slug", 503, 20*time.Millisecond)
	a.serve(1, "/admin/metrics", 200, 400*time.Millisecond)
	a.flush(t, t0.Add(40*time.Second))
	type row struct {
		Group            string
		Requests, Errors int64
		Buckets          string
	}
	read := func() map[string]row {
		rows, err := e.st.DB().QueryContext(context.Background(), `SELECT route_group, requests, errors, buckets::text FROM request_minutes
			WHERE instance = $1 ORDER BY route_group`, a.m.Instance())
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]row{}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.Group, &r.Requests, &r.Errors, &r.Buckets); err != nil {
				t.Fatal(err)
			}
			out[r.Group] = r
		}
		return out
	}
	got := read()
	want := map[string]row{
		"public":    {"public", 5, 2, "{0,0,0,5,0,0,0,0,0,0,0,0,0}"},
		"admin":     {"admin", 1, 0, "{0,0,0,0,0,0,0,1,0,0,0,0,0}"},
		"unmatched": {"unmatched", 1, 0, "{1,0,0,0,0,0,0,0,0,0,0,0,0}"},
	}
	if len(got) != len(want) {
		t.Fatalf("rows %+v", got)
	}
	for g, w := range want {
		if got[g] != w {
			t.Errorf("group %s: %+v, want %+v", g, got[g], w)
		}
	}
	// Two hours later the old minute goes, whichever instance writes.
	b := newInstance(e.st)
	b.serve(1, "/items/:slug", 200, time.Millisecond)
	b.flush(t, t0.Add(2*time.Hour+time.Minute))
	if n := len(read()); n != 0 {
		t.Errorf("%d rows older than two hours kept", n)
	}
}

// waitOnce makes one query of db wait for a connection: the pool's only
// connection is held until the query is seen waiting.
func waitOnce(t *testing.T, db *sql.DB) {
	t.Helper()
	ctx := context.Background()
	before := db.Stats().WaitCount
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := db.ExecContext(ctx, `SELECT 1`); done <- err }()
	for db.Stats().WaitCount == before {
		time.Sleep(time.Millisecond)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Pool waits add up across instances too: one wait on each of two
// instances reaches a threshold of two, which neither reaches alone.
func TestAlertPoolWaitsAddUp(t *testing.T) {
	e := newAlertEnv(t)
	if err := e.st.UpdateAlertRule(context.Background(), "pool_waits", 2, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 6, 1, 12, 0, 30, 0, time.UTC)
	for i := range 2 {
		db, err := sql.Open("postgres", e.url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		db.SetMaxOpenConns(1)
		m := metrics.New(metrics.Options{Pools: map[string]*sql.DB{"app": db}})
		rep := metrics.NewReporter(m, e.st, slog.New(slog.NewTextHandler(io.Discard, nil)))
		waitOnce(t, db)
		if err := rep.Flush(context.Background(), t0.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
		e.check(t, t0.Add(time.Duration(i)*time.Second+time.Second))
		if _, firing := e.firing(t)["pool_waits"]; firing != (i == 1) {
			t.Fatalf("after %d instances waited once: firing %v", i+1, firing)
		}
	}
	if a := e.firing(t)["pool_waits"]; a.Value != 2 {
		t.Errorf("pool waits %v, want 2", a.Value)
	}
}
