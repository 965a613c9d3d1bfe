package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/jobs"
	"github.com/rentdesk/rentdesk/internal/mail"
	"github.com/rentdesk/rentdesk/internal/store"
)

func signup(c *testClient, name, email string) *testResponse {
	c.t.Helper()
	c.get("/signup")
	return c.post("/signup", url.Values{"name": {name}, "email": {email}, "phone": {""}, "password": {"correct horse battery"}})
}

// Without SMTP settings sign-up works, and the welcome email is kept and
// shown to admins, marked as not sent; once a server is set they can send it.
func TestSignupWithoutSMTPKeepsWelcomeUnsent(t *testing.T) {
	app := newTestApp(t)
	signup(app.client(), "Nora", "nora@example.test").expectStatus(t, http.StatusSeeOther)
	var status string
	var job *int64
	if err := app.st.DB().QueryRow(`SELECT status, job_id FROM emails WHERE kind = 'welcome' AND to_address = 'nora@example.test'`).Scan(&status, &job); err != nil {
		t.Fatal(err)
	}
	if status != store.EmailNotSent || job != nil {
		t.Fatalf("welcome email status %q job %v, want not_sent without a job", status, job)
	}
	app.createUser(store.RoleAdmin, "admin@example.test", "admin password 1")
	admin := app.client()
	admin.login("admin@example.test", "admin password 1")
	res := admin.get("/admin/mail?status=not_sent").expectStatus(t, http.StatusOK)
	if res.Doc.Find(`[data-testid="smtp-missing"]`).Length() != 1 {
		t.Error("no warning that mail is not sent")
	}
	row := res.Doc.Find(`[data-testid="emails-table"] tbody tr`)
	if row.Length() != 1 || !strings.Contains(row.Text(), "nora@example.test") || !strings.Contains(row.Text(), "not sent") {
		t.Errorf("not-sent list: %q", row.Text())
	}
}

// A sign-up sends the welcome email, with the shop's name and a link to the site.
func TestSignupSendsWelcomeEmail(t *testing.T) {
	app := newMailApp(t)
	signup(app.client(), "Olga", "olga@example.test").expectStatus(t, http.StatusSeeOther)
	msg := app.mp.FindTo(t, "olga@example.test", 10*time.Second)
	if msg.Subject != "Welcome to Rentdesk" {
		t.Errorf("subject %q", msg.Subject)
	}
	if !strings.Contains(msg.Text, "Hello Olga,") || !strings.Contains(msg.Text, app.ts.URL+"/catalog") {
		t.Errorf("text:\n%s", msg.Text)
	}
	if !strings.Contains(msg.HTML, app.ts.URL+"/account") {
		t.Errorf("html has no account link")
	}
}

var resetLink = regexp.MustCompile(`https?://[^\s"<>]+/password/reset\?token=[A-Za-z0-9_-]+`)

// linkIn finds the password reset link in an email and returns its path and query.
func linkIn(t *testing.T, text string) string {
	t.Helper()
	m := resetLink.FindString(text)
	if m == "" {
		t.Fatalf("no reset link in:\n%s", text)
	}
	u, _ := url.Parse(m)
	return u.RequestURI()
}

// Forgot password: the link arrives, sets a new password (logging out other
// sessions), works once, and the answer never tells whether an account exists.
func TestPasswordResetByEmail(t *testing.T) {
	app := newMailApp(t)
	app.createUser(store.RoleCustomer, "pia@example.test", "old password 123")
	other := app.client()
	other.login("pia@example.test", "old password 123")

	c := app.client()
	c.get("/password/forgot").expectStatus(t, http.StatusOK)
	known := c.post("/password/forgot", url.Values{"email": {"PIA@example.test"}}).expectStatus(t, http.StatusOK)
	unknown := c.post("/password/forgot", url.Values{"email": {"nobody@example.test"}}).expectStatus(t, http.StatusOK)
	if a, b := known.Doc.Find(`[data-testid="reset-sent"]`).Text(), unknown.Doc.Find(`[data-testid="reset-sent"]`).Text(); strings.ReplaceAll(a, "pia", "x") != strings.ReplaceAll(b, "nobody", "x") {
		t.Errorf("answers differ:\n%q\n%q", a, b)
	}
	msg := app.mp.FindTo(t, "pia@example.test", 10*time.Second)
	if msg.Subject != "Reset your Rentdesk password" {
		t.Errorf("subject %q", msg.Subject)
	}
	link := linkIn(t, msg.Text)
	if !strings.HasPrefix(resetLink.FindString(msg.Text), app.ts.URL) {
		t.Errorf("link does not point at the site: %s", resetLink.FindString(msg.Text))
	}
	c.get(link).expectStatus(t, http.StatusOK)
	token := strings.TrimPrefix(link, "/password/reset?token=")
	res := c.post("/password/reset", url.Values{"token": {token}, "new_password": {"short"}}).expectStatus(t, http.StatusUnprocessableEntity)
	if res.fieldError("new_password") == "" {
		t.Error("no message for a short password")
	}
	c.post("/password/reset", url.Values{"token": {token}, "new_password": {"brand new password 9"}}).expectStatus(t, http.StatusSeeOther)
	// The link is spent.
	c.get(link).expectStatus(t, http.StatusNotFound)
	c.post("/password/reset", url.Values{"token": {token}, "new_password": {"another password 77"}}).expectStatus(t, http.StatusNotFound)
	// The new password works, the old one does not, other sessions are out.
	c.login("pia@example.test", "brand new password 9")
	if other.get("/account").StatusCode != http.StatusSeeOther {
		t.Error("the other session still works after the reset")
	}
	var n int
	_ = app.st.DB().QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'user.password_reset'`).Scan(&n)
	if n != 1 {
		t.Errorf("audit rows for the reset: %d", n)
	}
}

// A reset link expires after an hour, and at most three are sent an hour.
func TestPasswordResetExpiresAndIsThrottled(t *testing.T) {
	app := newMailApp(t)
	app.createUser(store.RoleCustomer, "quinn@example.test", "old password 123")
	c := app.client()
	for i := 0; i < 5; i++ {
		c.post("/password/forgot", url.Values{"email": {"quinn@example.test"}}).expectStatus(t, http.StatusOK)
	}
	var n int
	_ = app.st.DB().QueryRow(`SELECT count(*) FROM emails WHERE kind = 'password_reset'`).Scan(&n)
	if n != 3 {
		t.Fatalf("reset emails = %d, want 3 (throttled)", n)
	}
	// The link is issued when the email goes out, so it is read from the mail.
	link := linkIn(t, app.mp.FindTo(t, "quinn@example.test", 10*time.Second).Text)
	app.mp.WaitCount(t, 3, 10*time.Second)
	app.advance(61 * time.Minute)
	c.get(link).expectStatus(t, http.StatusNotFound)
	token := strings.TrimPrefix(link, "/password/reset?token=")
	c.post("/password/reset", url.Values{"token": {token}, "new_password": {"brand new password 9"}}).expectStatus(t, http.StatusNotFound)
}

// E4 as admins see it: a job that kept failing is dead on the admin page with
// its last error; "Retry" (a POST with CSRF, audited) sends the email.
func TestAdminSeesDeadMailAndRetrySendsIt(t *testing.T) {
	app := newMailApp(t, func(o *jobs.Options) { o.MailMaxAttempts = 2 })
	if err := app.mp.SetChaos(451); err != nil {
		t.Fatal(err)
	}
	app.createUser(store.RoleAdmin, "admin@example.test", "admin password 1")
	signup(app.client(), "Rita", "rita@example.test").expectStatus(t, http.StatusSeeOther)
	deadline := time.Now().Add(15 * time.Second)
	for {
		var n int
		_ = app.st.DB().QueryRow(`SELECT count(*) FROM river_job WHERE state = 'discarded'`).Scan(&n)
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the job did not die")
		}
		time.Sleep(50 * time.Millisecond)
	}
	admin := app.client()
	admin.login("admin@example.test", "admin password 1")
	res := admin.get("/admin/mail?status=dead").expectStatus(t, http.StatusOK)
	row := res.Doc.Find(`[data-testid="jobs-table"] tbody tr`)
	if row.Length() != 1 {
		t.Fatalf("dead jobs listed: %d", row.Length())
	}
	if e := row.Find(`[data-testid="last-error"]`).Text(); !strings.Contains(e, "451") {
		t.Errorf("last error %q, want the 451", e)
	}
	if got := strings.TrimSpace(res.Doc.Find(`[data-testid="count-dead"]`).Text()); got != "1" {
		t.Errorf("dead count %q", got)
	}
	id, _ := row.Attr("data-testid")
	id = strings.TrimPrefix(id, "job-")
	// Without the CSRF token the retry is refused.
	admin.postRaw("/admin/mail/jobs/"+id+"/retry", url.Values{}, nil).expectStatus(t, http.StatusForbidden)
	if err := app.mp.SetChaos(0); err != nil {
		t.Fatal(err)
	}
	admin.post("/admin/mail/jobs/"+id+"/retry", nil).expectStatus(t, http.StatusSeeOther)
	app.mp.FindTo(t, "rita@example.test", 10*time.Second)
	var audits int
	_ = app.st.DB().QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'job.retry' AND entity_id = $1`, id).Scan(&audits)
	if audits != 1 {
		t.Errorf("audit rows for the retry: %d", audits)
	}
}

// Discarding a queued job stops it and marks its email failed.
func TestAdminDiscardsQueuedJob(t *testing.T) {
	app := newTestApp(t)
	// Mail is "configured" but no worker runs, so the job stays queued.
	app.srv.Jobs = testJobs(t, app.st, nopSender{}, app.srv.Config.BaseURL)
	signup(app.client(), "Sam", "sam@example.test").expectStatus(t, http.StatusSeeOther)
	app.createUser(store.RoleAdmin, "admin@example.test", "admin password 1")
	admin := app.client()
	admin.login("admin@example.test", "admin password 1")
	res := admin.get("/admin/mail?status=queued&kind=send_email").expectStatus(t, http.StatusOK)
	id, _ := res.Doc.Find(`[data-testid="jobs-table"] tbody tr`).Attr("data-testid")
	id = strings.TrimPrefix(id, "job-")
	admin.post("/admin/mail/jobs/"+id+"/discard", nil).expectStatus(t, http.StatusSeeOther)
	var state, status string
	_ = app.st.DB().QueryRow(`SELECT j.state::text, e.status FROM river_job j JOIN emails e ON e.job_id = j.id`).Scan(&state, &status)
	if state != "cancelled" || status != store.EmailFailed {
		t.Errorf("after discard: job %s, email %s", state, status)
	}
}

type nopSender struct{}

func (nopSender) Send(context.Context, mail.Message) error { return nil }

// The mail page is for admins only, and its filters come from allowlists.
func TestAdminMailAccessAndFilters(t *testing.T) {
	app := newTestApp(t)
	app.createUser(store.RoleAdmin, "admin@example.test", "admin password 1")
	app.createUser(store.RoleStaff, "staff@example.test", "staff password 1")
	app.createUser(store.RoleCustomer, "cust@example.test", "cust password 12")
	anon := app.client()
	if res := anon.get("/admin/mail"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous: %d", res.StatusCode)
	}
	for _, who := range []string{"staff", "cust"} {
		c := app.client()
		c.login(who+"@example.test", map[string]string{"staff": "staff password 1", "cust": "cust password 12"}[who])
		c.get("/admin/mail").expectStatus(t, http.StatusForbidden)
		c.post("/admin/mail/jobs/1/retry", nil).expectStatus(t, http.StatusForbidden)
	}
	admin := app.client()
	admin.login("admin@example.test", "admin password 1")
	for _, q := range []string{"", "?status=dead", "?status=sent&kind=welcome", "?status=retrying&kind=send_email&before=10"} {
		admin.get("/admin/mail"+q).expectStatus(t, http.StatusOK)
	}
	for _, q := range []string{"?status=nope", "?status=dead&kind=welcome", "?status=sent&kind=send_email", "?before=abc", "?kind=%27%3Bdrop"} {
		admin.get("/admin/mail"+q).expectStatus(t, http.StatusBadRequest)
	}
	admin.post("/admin/mail/jobs/999999/retry", nil).expectStatus(t, http.StatusNotFound)
}

// Customers switch reminders off on their account page.
func TestMailPreferencesOnAccountPage(t *testing.T) {
	app := newTestApp(t)
	u := app.createUser(store.RoleCustomer, "tia@example.test", "tia password 12")
	c := app.client()
	c.login("tia@example.test", "tia password 12")
	res := c.get("/account").expectStatus(t, http.StatusOK)
	if _, on := res.Doc.Find(`input[name="reminders"]`).Attr("checked"); !on {
		t.Error("reminders should start on")
	}
	c.post("/account/mail", url.Values{"news": {"1"}}).expectStatus(t, http.StatusSeeOther)
	p, err := app.st.GetMailPreferences(context.Background(), u.ID)
	if err != nil || p.Reminders || !p.News {
		t.Fatalf("preferences %+v %v, want reminders off, news on", p, err)
	}
	res = c.get("/account").expectStatus(t, http.StatusOK)
	if _, on := res.Doc.Find(`input[name="reminders"]`).Attr("checked"); on {
		t.Error("reminders still shown as on")
	}
}

// A reset link never lives in the database: the queued email holds a
// placeholder, the token is issued as the email is sent, and afterwards no
// table (emails, the job queue, the resets) holds the live token.
func TestResetLinkNotStoredInDatabase(t *testing.T) {
	app := newMailApp(t)
	app.createUser(store.RoleCustomer, "rob@example.test", "old password 123")
	c := app.client()
	c.get("/password/forgot")
	c.post("/password/forgot", url.Values{"email": {"rob@example.test"}}).expectStatus(t, http.StatusOK)
	link := linkIn(t, app.mp.FindTo(t, "rob@example.test", 10*time.Second).Text)
	token := strings.TrimPrefix(link, "/password/reset?token=")
	var n int
	if err := app.st.DB().QueryRow(`
		SELECT (SELECT count(*) FROM emails WHERE text_body LIKE '%' || $1 || '%' OR html_body LIKE '%' || $1 || '%' OR subject LIKE '%' || $1 || '%')
		     + (SELECT count(*) FROM river_job WHERE args::text LIKE '%' || $1 || '%' OR metadata::text LIKE '%' || $1 || '%')
		     + (SELECT count(*) FROM password_resets WHERE encode(token_hash, 'escape') LIKE '%' || $1 || '%')`, token).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("the live token is stored in %d rows", n)
	}
	var text, html string
	_ = app.st.DB().QueryRow(`SELECT text_body, html_body FROM emails WHERE kind = 'password_reset'`).Scan(&text, &html)
	for _, body := range []string{text, html} {
		for _, m := range regexp.MustCompile(`token=([A-Za-z0-9_-]+)`).FindAllStringSubmatch(body, -1) {
			if m[1] != mail.ResetTokenPlaceholder {
				t.Errorf("stored body carries a token %q", m[1])
			}
		}
	}
	// The mailed link still works, once.
	c.get(link).expectStatus(t, http.StatusOK)
	c.post("/password/reset", url.Values{"token": {token}, "new_password": {"brand new password 9"}}).expectStatus(t, http.StatusSeeOther)
	c.get(link).expectStatus(t, http.StatusNotFound)
}
