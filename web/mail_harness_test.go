package web

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/rentdesk/rentdesk/internal/config"
	"github.com/rentdesk/rentdesk/internal/jobs"
	"github.com/rentdesk/rentdesk/internal/mail"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
	"github.com/rentdesk/rentdesk/templates/emails"
)

// testJobs builds a job system that is not working jobs; sender nil keeps
// mail unsent, as an install without SMTP settings does.
func testJobs(t testing.TB, st *store.Store, sender mail.Sender, base *url.URL, mutate ...func(*jobs.Options)) *jobs.Jobs {
	t.Helper()
	o := jobs.Options{Store: st, Sender: sender, Render: emails.Render, BaseURL: base,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), NoPeriodic: true,
		PollInterval: 50 * time.Millisecond, RetryPolicy: quickRetry{}, StopTimeout: 5 * time.Second}
	for _, m := range mutate {
		m(&o)
	}
	j, err := jobs.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// quickRetry retries after 200 ms, doubling, so retry ladders fit in a test.
type quickRetry struct{}

func (quickRetry) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(200 * time.Millisecond << (job.Attempt - 1))
}

// mailApp is a test app whose mail goes to its own Mailpit, with workers
// running. Links in the mail point at the test server.
type mailApp struct {
	*testApp
	mp *testenv.MailpitServer
}

func newMailApp(t *testing.T, mutate ...func(*jobs.Options)) *mailApp {
	t.Helper()
	mp := testenv.Mailpit(t)
	m, err := mail.NewMailer(config.SMTP{Host: mp.SMTPHost, Port: mp.SMTPPort, TLS: "none",
		From: "Rentdesk <shop@rentdesk.test>", ConnectTimeout: 2 * time.Second, SendTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// The server's address is known only once it runs; the job system reads
	// the base URL when it writes an email, so it is filled in below.
	base := &url.URL{}
	var j *jobs.Jobs
	app := newTestApp(t, func(d *Deps) {
		j = testJobs(t, d.Store, m, base, mutate...)
		d.Jobs = j
	})
	u, _ := url.Parse(app.ts.URL)
	*base = *u
	if err := j.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Stop(context.Background()) })
	return &mailApp{testApp: app, mp: mp}
}

// mailFixtures gives the authorization matrix a queued mail job and an email
// kept unsent. The app's mail counts as configured (a sender that drops
// everything) but no worker runs, so the job stays where it is.
func mailFixtures(t *testing.T, app *testApp, u store.User) (jobID, unsentID string) {
	t.Helper()
	ctx := context.Background()
	app.srv.Jobs = testJobs(t, app.st, nopSender{}, app.srv.Config.BaseURL)
	id, err := app.srv.Jobs.EnqueueWelcome(ctx, app.st, u)
	if err != nil {
		t.Fatal(err)
	}
	e, err := app.st.GetEmail(ctx, id)
	if err != nil || e.JobID == nil {
		t.Fatalf("fixture email %+v: %v", e, err)
	}
	unsent, err := testJobs(t, app.st, nil, app.srv.Config.BaseURL).EnqueuePasswordReset(ctx, app.st, u, "fixture-token", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(*e.JobID, 10), strconv.FormatInt(unsent, 10)
}
