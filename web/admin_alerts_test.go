package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/mail"
	"github.com/rentdesk/rentdesk/internal/metrics"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Two servers on one database, as behind a load balancer, each counting its
// own requests through the middleware and writing them with its reporter:
// the latency alert (threshold 0, so any request fires it) opens once, with
// one history row and one email, from whichever instance checks; the rows are
// labelled by route group, never by a raw path; the page no longer says the
// figures are one instance's; the alert ends once the minutes leave the
// window.
func TestAdminAlertsAddUpInstances(t *testing.T) {
	a := newTestApp(t)
	b := a.restarted()
	a.createUser("admin", "admin@example.com", authzPassword)
	ctx := context.Background()
	for _, info := range metrics.Rules {
		if err := a.st.UpdateAlertRule(ctx, info.Key, 0, info.Key == "p95_latency_ms", a.clock()); err != nil {
			t.Fatal(err)
		}
	}
	if a.srv.Metrics.Instance() == b.srv.Metrics.Instance() {
		t.Fatal("both servers have one instance id")
	}
	ca, cb := a.client(), b.client()
	for range 3 {
		ca.get("/catalog").expectStatus(t, http.StatusOK)
	}
	cb.get("/items/no-such-item-x91").expectStatus(t, http.StatusNotFound)
	cb.get("/no/such/path/x92").expectStatus(t, http.StatusNotFound)
	for _, app := range []*testApp{a, b} {
		if err := metrics.NewReporter(app.srv.Metrics, app.st, nil).Flush(ctx, app.clock()); err != nil {
			t.Fatal(err)
		}
	}
	var instances int
	var groups string
	if err := a.st.DB().QueryRowContext(ctx, `SELECT count(DISTINCT instance), string_agg(DISTINCT route_group, ',' ORDER BY route_group)
		FROM request_minutes`).Scan(&instances, &groups); err != nil {
		t.Fatal(err)
	}
	if instances != 2 || groups != "public,unmatched" {
		t.Fatalf("request minutes of %d instances, groups %q; want 2 and public,unmatched", instances, groups)
	}

	notify := func(ctx context.Context, tx *store.Store, al store.Alert, r metrics.RuleInfo) error {
		return a.srv.Jobs.EnqueueAdminAlert(ctx, tx, mail.AdminAlert{Rule: r.Label, Value: r.Format(al.Value),
			Threshold: r.Format(al.Threshold), Started: al.StartedAt}, al.ID)
	}
	for range 2 { // each instance runs the check
		if err := metrics.NewAlerter(a.st, notify).Check(ctx, a.clock()); err != nil {
			t.Fatal(err)
		}
	}
	var alerts, mails int
	if err := a.st.DB().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM alerts),
		(SELECT count(*) FROM emails WHERE kind = 'admin_alert')`).Scan(&alerts, &mails); err != nil {
		t.Fatal(err)
	}
	if alerts != 1 || mails != 1 {
		t.Fatalf("alerts %d, emails %d; want 1 and 1", alerts, mails)
	}

	admin := b.client()
	admin.login("admin@example.com", authzPassword)
	page := admin.get("/admin/metrics").expectStatus(t, http.StatusOK)
	if got := page.Doc.Find(`[data-testid="alert-banner"] li`).Text(); !strings.HasPrefix(got, "Latency p95: ") {
		t.Errorf("banner %q", got)
	}
	if hint := page.Doc.Find(`[data-testid="alert-rules"] .hint`).Text(); strings.Contains(hint, "instance that runs") ||
		!strings.Contains(hint, "every instance") {
		t.Errorf("thresholds hint %q", hint)
	}

	a.advance(7 * time.Minute)
	if err := metrics.NewAlerter(a.st, notify).Check(ctx, a.clock()); err != nil {
		t.Fatal(err)
	}
	if firing, err := a.st.ListFiringAlerts(ctx); err != nil || len(firing) != 0 {
		t.Fatalf("firing after the window: %+v %v", firing, err)
	}
}
