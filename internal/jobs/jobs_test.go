package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/rentdesk/rentdesk/internal/jobs"
	"github.com/rentdesk/rentdesk/internal/mail"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

func newUser(t testing.TB, st *store.Store, email, name string) store.User {
	t.Helper()
	u, err := st.CreateUser(context.Background(), store.NewUser{Email: email, Name: name, Role: store.RoleCustomer, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// E1: a rolled-back change leaves no email and no job.
func TestE1RolledBackChangeHasNoJob(t *testing.T) {
	st, _ := testenv.Store(t)
	j := newJobs(t, st, newMailer(t, "127.0.0.1", 1))
	u := newUser(t, st, "ann@example.test", "Ann")
	boom := errors.New("the change failed")
	err := st.WithTx(context.Background(), func(tx *store.Store) error {
		if _, err := j.EnqueueWelcome(context.Background(), tx, u); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithTx: %v", err)
	}
	if n := scalar(t, st, `SELECT count(*) FROM river_job`); n != 0 {
		t.Fatalf("river_job rows after rollback = %d, want 0", n)
	}
	if n := scalar(t, st, `SELECT count(*) FROM emails`); n != 0 {
		t.Fatalf("emails after rollback = %d, want 0", n)
	}
}

// E1: a committed change has exactly one job, even when the same event is
// enqueued again, in the same transaction or in 10 concurrent ones; and
// exactly one message reaches the mail server.
func TestE1CommittedChangeHasExactlyOneJob(t *testing.T) {
	st, _ := testenv.Store(t)
	mp := testenv.Mailpit(t)
	j := newJobs(t, st, newMailer(t, mp.SMTPHost, mp.SMTPPort))
	u := newUser(t, st, "bob@example.test", "Bob")
	ctx := context.Background()
	err := st.WithTx(ctx, func(tx *store.Store) error {
		for i := 0; i < 2; i++ {
			if _, err := j.EnqueueWelcome(ctx, tx, u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs <- st.WithTx(ctx, func(tx *store.Store) error {
				_, err := j.EnqueueWelcome(ctx, tx, u)
				return err
			})
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := scalar(t, st, `SELECT count(*) FROM river_job WHERE kind = 'send_email'`); n != 1 {
		t.Fatalf("send jobs = %d, want 1", n)
	}
	if n := scalar(t, st, `SELECT count(*) FROM emails WHERE kind = 'welcome'`); n != 1 {
		t.Fatalf("welcome emails = %d, want 1", n)
	}
	start2 := time.Now()
	startJobs(t, j)
	msg := mp.FindTo(t, "bob@example.test", 10*time.Second)
	waitFor(t, 5*time.Second, "the email marked sent", func() bool {
		return scalar(t, st, `SELECT count(*) FROM emails WHERE status = 'sent'`) == 1
	})
	time.Sleep(300 * time.Millisecond) // room for a wrong second delivery to show up
	if n, _ := mp.Count(); n != 1 {
		t.Fatalf("mailpit holds %d messages, want 1", n)
	}
	var id int64
	_ = st.DB().QueryRow(`SELECT id FROM emails`).Scan(&id)
	if want := fmt.Sprintf("email-%d@rent.example.test", id); msg.MessageID != want {
		t.Errorf("Message-ID = %q, want %q", msg.MessageID, want)
	}
	if msg.Subject != "Welcome to Rentdesk" {
		t.Errorf("subject = %q", msg.Subject)
	}
	t.Logf("delivered in %s", time.Since(start2).Round(time.Millisecond))
}

func startJobs(t testing.TB, j *jobs.Jobs) { start(t, j) }

// E4: a temporary refusal (451) is retried with growing backoff; after the
// last attempt the job is dead (discarded) and the email failed, with the
// error kept; retrying the job once the server is well sends the email.
func TestE4TemporaryFailureRetriesThenDies(t *testing.T) {
	st, _ := testenv.Store(t)
	mp := testenv.Mailpit(t)
	if err := mp.SetChaos(451); err != nil {
		t.Fatal(err)
	}
	j := newJobs(t, st, newMailer(t, mp.SMTPHost, mp.SMTPPort), func(o *jobs.Options) { o.MailMaxAttempts = 4 })
	startJobs(t, j)
	ids := enqueueMany(t, j, st, 1)
	waitFor(t, 20*time.Second, "the job to be discarded", func() bool {
		return scalar(t, st, `SELECT count(*) FROM river_job WHERE state = 'discarded'`) == 1
	})
	var attempts int
	var gaps []float64
	rows, err := st.DB().Query(`SELECT (e ->> 'at')::timestamptz FROM river_job, unnest(errors) e ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var prev time.Time
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			t.Fatal(err)
		}
		if !prev.IsZero() {
			gaps = append(gaps, at.Sub(prev).Seconds())
		}
		prev = at
		attempts++
	}
	rows.Close()
	if attempts != 4 {
		t.Fatalf("errors recorded = %d, want 4 attempts", attempts)
	}
	for i := 1; i < len(gaps); i++ {
		if gaps[i] <= gaps[i-1] {
			t.Errorf("backoff did not grow: gaps %v s", gaps)
		}
	}
	e, err := st.GetEmail(context.Background(), ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if e.Status != store.EmailFailed || e.Attempts != 4 || !strings.Contains(e.LastError, "451") {
		t.Fatalf("email = status %s, attempts %d, last error %q; want failed, 4, a 451", e.Status, e.Attempts, e.LastError)
	}
	// The server recovers and an admin retries the dead job: it is sent.
	if err := mp.SetChaos(0); err != nil {
		t.Fatal(err)
	}
	// As the admin page does: the retry and the email's status commit
	// together, or a worker can pick the job up while the email still says
	// failed and cancel it.
	err = st.WithTx(context.Background(), func(tx *store.Store) error {
		if _, err := j.Client().JobRetryTx(context.Background(), tx.Tx(), *e.JobID); err != nil {
			return err
		}
		return tx.SetEmailStatus(context.Background(), e.ID, store.EmailQueued, "")
	})
	if err != nil {
		t.Fatal(err)
	}
	mp.FindTo(t, e.ToAddress, 10*time.Second)
	t.Logf("backoff gaps between the 4 attempts: %v s", gaps)
}

// E4: a permanent refusal (550) kills the job after one attempt.
func TestE4PermanentFailureDiesAtOnce(t *testing.T) {
	st, _ := testenv.Store(t)
	mp := testenv.Mailpit(t)
	if err := mp.SetChaos(550); err != nil {
		t.Fatal(err)
	}
	j := newJobs(t, st, newMailer(t, mp.SMTPHost, mp.SMTPPort), func(o *jobs.Options) { o.MailMaxAttempts = 8 })
	startJobs(t, j)
	ids := enqueueMany(t, j, st, 1)
	waitFor(t, 10*time.Second, "the job to be cancelled", func() bool {
		return scalar(t, st, `SELECT count(*) FROM river_job WHERE state = 'cancelled'`) == 1
	})
	if n := scalar(t, st, `SELECT attempt FROM river_job`); n != 1 {
		t.Fatalf("attempts = %d, want 1", n)
	}
	e, _ := st.GetEmail(context.Background(), ids[0])
	if e.Status != store.EmailFailed || !strings.Contains(e.LastError, "550") {
		t.Fatalf("email = %s %q, want failed with the 550", e.Status, e.LastError)
	}
}

// E5: a server that accepts the connection and never answers makes that
// attempt time out, while the other workers keep delivering.
func TestE5SilentServerTimesOutOthersFlow(t *testing.T) {
	st, _ := testenv.Store(t)
	mp := testenv.Mailpit(t)

	// A silent server is given up on: the attempt ends with a timeout error
	// (however long the machine takes to get there).
	silent := newProxy(t, "127.0.0.1:1", 0, func(int64) string { return "silent" })
	quick := smtpConfig("127.0.0.1", silent.port())
	quick.ConnectTimeout = 300 * time.Millisecond
	qm, err := mail.NewMailer(quick)
	if err != nil {
		t.Fatal(err)
	}
	err = qm.Send(context.Background(), mail.Message{ID: "silent-1@rent.example.test",
		To: mail.Address{Email: "nobody@example.test"}, Subject: "s", Text: "t"})
	if err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("sending to a silent server: %v, want a timeout", err)
	}

	// While one worker is stuck on a silent server, the other keeps the
	// mail flowing. The first connection is held open until the test lets
	// it go, so "while" is a fact checked on the held connection, not a
	// race against a clock.
	proxy := newProxy(t, fmt.Sprintf("%s:%d", mp.SMTPHost, mp.SMTPPort), 0, func(n int64) string {
		if n == 1 {
			return "held"
		}
		return "forward"
	})
	cfg := smtpConfig("127.0.0.1", proxy.port())
	cfg.ConnectTimeout = 10 * time.Minute // never reached: the test hangs up first
	m, err := mail.NewMailer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	j := newJobs(t, st, m, func(o *jobs.Options) { o.MailWorkers = 2; o.MailTimeout = 10 * time.Minute })
	ids := enqueueMany(t, j, st, 10)
	startJobs(t, j)
	mp.WaitCount(t, 9, 60*time.Second)
	if held := proxy.held.Load(); held != 1 {
		t.Fatalf("%d held connections after 9 messages arrived, want the stuck attempt's 1", held)
	}
	if n := scalar(t, st, `SELECT count(*) FROM emails WHERE status = 'sent'`); n > 9 {
		t.Fatalf("%d sent while one attempt is still stuck", n)
	}
	proxy.release()
	mp.WaitCount(t, 10, 60*time.Second)
	waitFor(t, 30*time.Second, "all sent", func() bool {
		return scalar(t, st, `SELECT count(*) FROM emails WHERE status = 'sent'`) == 10
	})
	retried := 0
	for _, id := range ids {
		e, _ := st.GetEmail(context.Background(), id)
		if e.Attempts > 1 {
			retried++
		}
	}
	if retried != 1 {
		t.Errorf("%d emails needed a second attempt, want the stuck one only", retried)
	}
}

// E7: line breaks in names and subjects cannot add headers or recipients.
func TestE7HeaderInjectionNeutralised(t *testing.T) {
	st, _ := testenv.Store(t)
	mp := testenv.Mailpit(t)
	m := newMailer(t, mp.SMTPHost, mp.SMTPPort)
	err := m.Send(context.Background(), mail.Message{
		ID:      "inject-1@rent.example.test",
		To:      mail.Address{Name: "Eve\r\nBcc: victim@evil.test", Email: "eve@example.test"},
		Subject: "Hello\r\nBcc: victim2@evil.test\r\n\r\nforged body",
		Text:    "body",
	})
	if err != nil {
		t.Fatal(err)
	}
	msg := mp.FindTo(t, "eve@example.test", 5*time.Second)
	if len(msg.To) != 1 || msg.To[0].Address != "eve@example.test" {
		t.Errorf("To = %+v, want only eve", msg.To)
	}
	raw, err := mp.Headers(msg.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := raw["Bcc"]; ok {
		t.Errorf("a Bcc header got in: %v", raw["Bcc"])
	}
	if strings.Contains(msg.Subject, "\n") || !strings.HasPrefix(msg.Subject, "Hello Bcc:") {
		t.Errorf("subject = %q", msg.Subject)
	}
	if strings.TrimSpace(msg.Text) != "body" {
		t.Errorf("body = %q", msg.Text)
	}
	list, _ := mp.Messages(10)
	if len(list) != 1 {
		t.Errorf("mailpit holds %d messages, want 1 (no extra recipients)", len(list))
	}
	// An address with a line break is refused before SMTP.
	err = m.Send(context.Background(), mail.Message{To: mail.Address{Email: "a@example.test\r\nRCPT TO:<x@evil.test>"}, Subject: "x", Text: "x"})
	if !mail.IsPermanent(err) {
		t.Errorf("address with CRLF: err %v, want a permanent refusal", err)
	}
	_ = st
}

// A name is written into the To header quoted and escaped: a lone double
// quote, a backslash, a comma or something that looks like an address in a
// customer's name reaches them with the name as typed (it made the message
// unparseable and the job dead, so that customer got no mail at all), and
// adds no recipient. The shop's sender name is quoted the same way.
func TestMailToAnyName(t *testing.T) {
	mp := testenv.Mailpit(t)
	cfg := smtpConfig(mp.SMTPHost, mp.SMTPPort)
	cfg.From = `"Bike \"Hire\", Kreuzberg" <shop@rentdesk.test>`
	m, err := mail.NewMailer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{`Bob "the builder`, `Back\slash`, `Eve" <evil@evil.test>, Mallory`, `Smith, "Bob"`}
	for i, name := range names {
		to := fmt.Sprintf("name%d@example.test", i)
		if err := m.Send(context.Background(), mail.Message{To: mail.Address{Name: name, Email: to}, Subject: "Welcome", Text: "body"}); err != nil {
			t.Errorf("to %q <%s>: %v", name, to, err)
			continue
		}
		msg := mp.FindTo(t, to, 5*time.Second)
		if len(msg.To) != 1 || msg.To[0].Address != to || msg.To[0].Name != name {
			t.Errorf("To = %+v, want only %q <%s>", msg.To, name, to)
		}
		if msg.From.Name != `Bike "Hire", Kreuzberg` {
			t.Errorf("From name = %q", msg.From.Name)
		}
	}
	if list, _ := mp.Messages(20); len(list) != len(names) {
		t.Errorf("mailpit holds %d messages, want %d (no extra recipients)", len(list), len(names))
	}
}

// Without SMTP settings, mail is kept as not sent, with no job.
func TestNoSMTPKeepsMailAsNotSent(t *testing.T) {
	st, _ := testenv.Store(t)
	j := newJobs(t, st, nil)
	u := newUser(t, st, "cat@example.test", "Cat")
	id, err := j.EnqueueWelcome(context.Background(), st, u)
	if err != nil || id == 0 {
		t.Fatalf("enqueue: %d %v", id, err)
	}
	e, _ := st.GetEmail(context.Background(), id)
	if e.Status != store.EmailNotSent || e.JobID != nil {
		t.Fatalf("email status %s job %v, want not_sent and no job", e.Status, e.JobID)
	}
	if n := scalar(t, st, `SELECT count(*) FROM river_job`); n != 0 {
		t.Fatalf("jobs = %d, want 0", n)
	}
}

// Reminders are optional mail: a customer who switched them off gets none;
// transactional mail still goes.
func TestPreferencesSkipRemindersOnly(t *testing.T) {
	st, _ := testenv.Store(t)
	j := newJobs(t, st, nil)
	u := newUser(t, st, "dan@example.test", "Dan")
	if err := st.SetMailPreferences(context.Background(), u.ID, store.MailPreferences{Reminders: false, News: true}); err != nil {
		t.Fatal(err)
	}
	b := sampleBooking(u)
	if id, err := j.EnqueuePickupReminder(context.Background(), st, b); err != nil || id != 0 {
		t.Fatalf("pickup reminder with reminders off: id %d err %v, want nothing written", id, err)
	}
	if id, err := j.EnqueueBookingConfirmed(context.Background(), st, b, false); err != nil || id == 0 {
		t.Fatalf("confirmation: id %d err %v, want an email", id, err)
	}
}

// Overdue notices: at most one per local day, at most MaxOverdueNotices.
func TestOverdueNoticesDailyAndCapped(t *testing.T) {
	st, _ := testenv.Store(t)
	j := newJobs(t, st, nil, func(o *jobs.Options) { o.MaxOverdueNotices = 3 })
	u := newUser(t, st, "eve@example.test", "Eve")
	b := sampleBooking(u)
	now := b.LastReturn().Add(26 * time.Hour)
	written := 0
	for day := 0; day < 6; day++ {
		for k := 0; k < 3; k++ { // the scan runs several times a day
			id, err := j.EnqueueOverdueNotice(context.Background(), st, mail.OverdueNotice{Booking: b}, now.Add(time.Duration(day)*24*time.Hour+time.Duration(k)*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if id != 0 {
				written++
			}
		}
	}
	if written != 3 {
		t.Fatalf("overdue notices written = %d, want 3 (one a day, capped at 3)", written)
	}
}

// E3: two app instances (two River clients on their own connection pools),
// four mail workers each, 1000 emails: each is sent exactly once.
func TestE3TwoInstancesSendEachEmailOnce(t *testing.T) {
	st, dbURL := testenv.Store(t)
	mp := testenv.Mailpit(t)
	const n = 1000
	j := newJobs(t, st, newMailer(t, mp.SMTPHost, mp.SMTPPort))
	enqueueMany(t, j, st, n)
	began := time.Now()
	for i := 0; i < 2; i++ {
		// Idle connections kept as a configured instance keeps them: with
		// none kept, every query would start a new backend and the run
		// would measure connection start-up, not the queue.
		sti, err := store.Open(context.Background(), dbURL, store.Options{MaxOpenConns: 10, MaxIdleConns: 10})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sti.Close() })
		ji := newJobs(t, sti, newMailer(t, mp.SMTPHost, mp.SMTPPort), func(o *jobs.Options) { o.MailWorkers = 4 })
		startJobs(t, ji)
	}
	waitFor(t, 120*time.Second, "every email sent", func() bool {
		return scalar(t, st, `SELECT count(*) FROM emails WHERE status = 'sent'`) == n
	})
	elapsed := time.Since(began)
	time.Sleep(300 * time.Millisecond)
	ids, total := allMessageIDs(t, mp)
	t.Logf("%d emails sent by 2 instances × 4 workers in %s; mailbox holds %d messages, %d distinct",
		n, elapsed.Round(time.Millisecond), total, len(ids))
	if total != n || len(ids) != n {
		t.Fatalf("mailbox holds %d messages (%d distinct), want exactly %d", total, len(ids), n)
	}
	var by []int
	rows, _ := st.DB().Query(`SELECT count(*) FROM river_job GROUP BY attempted_by[1] ORDER BY 1`)
	for rows.Next() {
		var c int
		_ = rows.Scan(&c)
		by = append(by, c)
	}
	rows.Close()
	t.Logf("jobs per instance: %v", by)
}

// The migrate command applies River's schema up to the newest version this
// River release knows, and test templates are keyed by it (store.SchemaExtras).
func TestRiverSchemaIsCurrent(t *testing.T) {
	st, _ := testenv.Store(t)
	m, err := rivermigrate.New(riverdatabasesql.New(st.DB()), nil)
	if err != nil {
		t.Fatal(err)
	}
	all := m.AllVersions()
	latest := all[len(all)-1].Version
	if got := scalar(t, st, `SELECT max(version) FROM river_migration`); got != latest {
		t.Errorf("applied River schema version %d, the library's newest is %d: raise riverSchemaVersion", got, latest)
	}
	if want := fmt.Sprintf("river:%d", latest); store.SchemaExtras != want {
		t.Errorf("store.SchemaExtras = %q, want %q", store.SchemaExtras, want)
	}
	behind, err := st.SchemaBehind(context.Background())
	if err != nil || behind {
		t.Errorf("SchemaBehind = %v, %v on a migrated database", behind, err)
	}
}

// A failed attempt whose outcome cannot be recorded (the database refused the
// write) does not leave an email "queued" behind a dead job: the job stays
// alive, and once the outcome can be written, the email and the job agree.
func TestUnrecordedFailureKeepsJobAlive(t *testing.T) {
	st, _ := testenv.Store(t)
	mp := testenv.Mailpit(t)
	if err := mp.SetChaos(550); err != nil {
		t.Fatal(err)
	}
	j := newJobs(t, st, newMailer(t, mp.SMTPHost, mp.SMTPPort), func(o *jobs.Options) { o.MailMaxAttempts = 1 })
	// Recording "failed" is refused from now on.
	if _, err := st.DB().Exec(`ALTER TABLE emails ADD CONSTRAINT refuse_failed CHECK (status <> 'failed') NOT VALID`); err != nil {
		t.Fatal(err)
	}
	startJobs(t, j)
	ids := enqueueMany(t, j, st, 1)
	waitFor(t, 20*time.Second, "the failed attempt", func() bool {
		// Snoozed: scheduled again for later, the attempt not spent.
		return scalar(t, st, `SELECT count(*) FROM river_job WHERE kind = 'send_email' AND state = 'scheduled' AND scheduled_at > now() + interval '10 seconds'`) == 1
	})
	if n := scalar(t, st, `SELECT count(*) FROM river_job WHERE kind = 'send_email' AND state IN ('discarded', 'cancelled')`); n != 0 {
		t.Fatalf("%d jobs dead while their email's outcome is unrecorded", n)
	}
	e, err := st.GetEmail(context.Background(), ids[0])
	if err != nil || e.Status != store.EmailQueued {
		t.Fatalf("email = %+v, %v; want still queued", e, err)
	}
	// The database takes the write again: the next run records the refusal.
	if _, err := st.DB().Exec(`ALTER TABLE emails DROP CONSTRAINT refuse_failed`); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Client().JobRetry(context.Background(), *e.JobID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the outcome recorded", func() bool {
		return scalar(t, st, `SELECT count(*) FROM emails WHERE status = 'failed'`) == 1 &&
			scalar(t, st, `SELECT count(*) FROM river_job WHERE kind = 'send_email' AND state IN ('discarded', 'cancelled')`) == 1
	})
}
