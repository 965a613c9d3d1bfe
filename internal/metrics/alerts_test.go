package metrics_test

import (
	"context"
	"io"
	"log/slog"
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

// An overdue rental opens the "overdue units" alert once (a second check,
// as from another instance, changes nothing), mails each admin once, and
// the alert ends when the unit is back. Opening again within the hour goes
// into the history without a second email. The clock is injected.
func TestAlertFiresOnceAndClears(t *testing.T) {
	st, _ := testenv.Store(t)
	ctx := context.Background()
	base, _ := url.Parse("http://rent.example.test")
	jb, err := jobs.New(jobs.Options{Store: st, Render: emails.Render, BaseURL: base, NoPeriodic: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	a := metrics.NewAlerter(st, func(ctx context.Context, tx *store.Store, al store.Alert, r metrics.RuleInfo) error {
		return jb.EnqueueAdminAlert(ctx, tx, mail.AdminAlert{Rule: r.Label, Value: r.Format(al.Value),
			Threshold: r.Format(al.Threshold), Started: al.StartedAt}, al.ID)
	})
	one := func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := st.DB().QueryRowContext(ctx, q, args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	for _, e := range []string{"a1@example.com", "a2@example.com"} {
		one(`INSERT INTO users (email, name, role, password_hash) VALUES ($1, 'Admin', 'admin', 'x') RETURNING id`, e)
	}
	cust := one(`INSERT INTO users (email, name, password_hash) VALUES ('c@example.com', 'C', 'x') RETURNING id`)
	loc := one(`INSERT INTO locations (name, slug, time_zone) VALUES ('Shop', 'shop', 'UTC') RETURNING id`)
	item := one(`INSERT INTO items (name, slug, tracking) VALUES ('Chair', 'chair', 'bulk') RETURNING id`)
	due := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	b := one(`INSERT INTO bookings (customer_id, location_id, status, currency, confirmed_at) VALUES ($1, $2, 'out', 'EUR', $3) RETURNING id`, cust, loc, due.Add(-48*time.Hour))
	line := one(`INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at, picked_up_at) VALUES ($1, $2, 3, $3, $4, $3) RETURNING id`,
		b, item, due.Add(-24*time.Hour), due)

	check := func(at time.Time) {
		t.Helper()
		if err := a.Check(ctx, at); err != nil {
			t.Fatal(err)
		}
	}
	count := func(q string) int64 { t.Helper(); return one(q) }
	alertMails := `SELECT count(*) FROM emails WHERE kind = 'admin_alert'`

	check(due.Add(-time.Minute))
	if n := count(`SELECT count(*) FROM alerts`); n != 0 {
		t.Fatalf("alerts before the due time: %d", n)
	}
	check(due.Add(time.Minute))
	check(due.Add(2 * time.Minute))
	firing, err := st.ListFiringAlerts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(firing) != 1 || firing[0].Rule != "overdue_units" || firing[0].Value != 3 || !firing[0].Notified ||
		!firing[0].StartedAt.Equal(due.Add(time.Minute)) {
		t.Fatalf("firing %+v", firing)
	}
	if n := count(alertMails); n != 2 {
		t.Fatalf("alert emails: %d, want one per admin", n)
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE booking_lines SET returned_at = $2 WHERE id = $1`, line, due.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	check(due.Add(4 * time.Minute))
	if firing, _ = st.ListFiringAlerts(ctx); len(firing) != 0 {
		t.Fatalf("still firing: %+v", firing)
	}
	if _, err := st.DB().ExecContext(ctx, `UPDATE booking_lines SET returned_at = NULL WHERE id = $1`, line); err != nil {
		t.Fatal(err)
	}
	check(due.Add(10 * time.Minute))
	history, err := st.ListAlerts(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(history) != 2 || history[0].EndedAt != nil || history[0].Notified || history[1].EndedAt == nil ||
		!history[1].EndedAt.Equal(due.Add(4*time.Minute)) {
		t.Fatalf("history %+v", history)
	}
	if n := count(alertMails); n != 2 {
		t.Fatalf("alert emails after reopening within the hour: %d", n)
	}
	// A rule turned off closes its alert.
	if err := st.UpdateAlertRule(ctx, "overdue_units", 1, false, due); err != nil {
		t.Fatal(err)
	}
	check(due.Add(11 * time.Minute))
	if firing, _ = st.ListFiringAlerts(ctx); len(firing) != 0 {
		t.Fatalf("disabled rule still firing: %+v", firing)
	}
}

// Two instances checking at the same moment open one alert and mail each
// admin once.
func TestAlertOpensOnceAcrossInstances(t *testing.T) {
	st, _ := testenv.Store(t)
	ctx := context.Background()
	base, _ := url.Parse("http://rent.example.test")
	jb, err := jobs.New(jobs.Options{Store: st, Render: emails.Render, BaseURL: base, NoPeriodic: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	notify := func(ctx context.Context, tx *store.Store, al store.Alert, r metrics.RuleInfo) error {
		return jb.EnqueueAdminAlert(ctx, tx, mail.AdminAlert{Rule: r.Label, Value: r.Format(al.Value),
			Threshold: r.Format(al.Threshold), Started: al.StartedAt}, al.ID)
	}
	if _, err := st.DB().ExecContext(ctx, `INSERT INTO users (email, name, role, password_hash) VALUES ('a@example.com', 'A', 'admin', 'x')`); err != nil {
		t.Fatal(err)
	}
	// Any figure at or above 0 fires: the oldest queued job is at least 0 minutes old.
	if err := st.UpdateAlertRule(ctx, "oldest_queued_minutes", 0, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	errs := make(chan error, 4)
	for range 4 {
		a := metrics.NewAlerter(st, notify)
		go func() { errs <- a.Check(ctx, now) }()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var alerts, mails int
	if err := st.DB().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM alerts WHERE rule = 'oldest_queued_minutes'),
		(SELECT count(*) FROM emails WHERE kind = 'admin_alert')`).Scan(&alerts, &mails); err != nil {
		t.Fatal(err)
	}
	if alerts != 1 || mails != 1 {
		t.Fatalf("alerts %d, emails %d; want 1 and 1", alerts, mails)
	}
}
