package jobs_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/jobs"
	"github.com/rentdesk/rentdesk/internal/mail"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
	"github.com/rentdesk/rentdesk/templates/emails"
)

// The worker process: when the test binary is started with
// RENTDESK_TEST_WORKER=1 it works the queue like an app instance would
// (jobs.Run until SIGTERM), instead of running tests. The E2 and E6 tests
// start it, kill it or stop it, and look at what happened.
func TestMain(m *testing.M) {
	if os.Getenv("RENTDESK_TEST_WORKER") == "1" {
		os.Exit(workerMain())
	}
	os.Exit(m.Run())
}

func workerMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	env := func(k string) string { return os.Getenv(k) }
	atoi := func(k string) int { n, _ := strconv.Atoi(env(k)); return n }
	st, err := store.Open(ctx, env("WORKER_DB"), store.Options{MaxOpenConns: 10, MaxIdleConns: 10})
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 2
	}
	defer st.Close()
	m, err := mail.NewMailer(smtpConfig("127.0.0.1", atoi("WORKER_SMTP_PORT")))
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 2
	}
	j, err := jobs.New(jobs.Options{
		Store: st, Sender: m, Render: emails.Render, BaseURL: baseURL,
		Logger:       slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		MailWorkers:  atoi("WORKER_MAIL_WORKERS"),
		PollInterval: 50 * time.Millisecond, RetryPolicy: fastRetry{}, NoPeriodic: true,
		MailTimeout: 5 * time.Second, RescueAfter: 6 * time.Second, StopTimeout: 10 * time.Second,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 2
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		fmt.Println("worker ready")
	}()
	if err := j.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		return 1
	}
	fmt.Println("worker stopped")
	return 0
}

// workerProcess is a running worker process.
type workerProcess struct {
	cmd  *exec.Cmd
	out  *syncWriter
	done chan error
}

type syncWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

func startWorker(t *testing.T, dbURL string, smtpPort, workers int) *workerProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "RENTDESK_TEST_WORKER=1", "WORKER_DB="+dbURL,
		"WORKER_SMTP_PORT="+strconv.Itoa(smtpPort), "WORKER_MAIL_WORKERS="+strconv.Itoa(workers))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	w := &workerProcess{cmd: cmd, out: &syncWriter{}, done: make(chan error, 1)}
	cmd.Stderr = w.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		once := sync.Once{}
		for sc.Scan() {
			fmt.Fprintln(w.out, sc.Text())
			if sc.Text() == "worker ready" {
				once.Do(func() { close(ready) })
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
		w.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
	})
	select {
	case <-ready:
	case err := <-w.done:
		t.Fatalf("worker process exited at start (%v):\n%s", err, w.out)
	case <-time.After(20 * time.Second):
		t.Fatalf("worker process did not start:\n%s", w.out)
	}
	return w
}

// wait waits for the process to exit and returns its exit code.
func (w *workerProcess) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case err := <-w.done:
		if err == nil {
			return 0
		}
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		t.Fatalf("worker: %v", err)
	case <-time.After(timeout):
		t.Fatalf("worker process did not exit within %s:\n%s", timeout, w.out)
	}
	return -1
}

// E2: the worker process is killed (SIGKILL) in the middle of a run; after a
// restart every email is delivered, and duplicates are at most one batch
// (the emails in flight at the kill: at most one per worker).
func TestE2WorkerKilledMidRunLosesNothing(t *testing.T) {
	st, dbURL := testenv.Store(t)
	mp := testenv.Mailpit(t)
	const n, workers = 300, 4
	j := newJobs(t, st, newMailer(t, mp.SMTPHost, mp.SMTPPort))
	enqueueMany(t, j, st, n)

	w := startWorker(t, dbURL, mp.SMTPPort, workers)
	mp.WaitCount(t, 60, 30*time.Second)
	if err := w.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	w.wait(t, 10*time.Second)
	atKill, _ := mp.Count()
	running := scalar(t, st, `SELECT count(*) FROM river_job WHERE state = 'running'`)
	t.Logf("killed with %d delivered and %d jobs left running", atKill, running)
	if atKill >= n {
		t.Fatalf("everything was delivered before the kill; the test proves nothing")
	}

	w2 := startWorker(t, dbURL, mp.SMTPPort, workers)
	waitFor(t, 90*time.Second, "every email sent after the restart", func() bool {
		return scalar(t, st, `SELECT count(*) FROM emails WHERE status = 'sent'`) == n
	})
	_ = w2.cmd.Process.Signal(syscall.SIGTERM)
	if code := w2.wait(t, 30*time.Second); code != 0 {
		t.Errorf("second worker exit code %d", code)
	}
	ids, total := allMessageIDs(t, mp)
	var want []string
	rows, _ := st.DB().Query(`SELECT message_id FROM emails`)
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		want = append(want, id)
	}
	rows.Close()
	for _, id := range want {
		if ids[id] == 0 {
			t.Errorf("email %s never arrived", id)
		}
	}
	dups := total - len(ids)
	t.Logf("%d emails, %d messages in the mailbox, %d duplicates (bound: %d)", n, total, dups, workers)
	if len(ids) != n || dups > workers {
		t.Fatalf("distinct messages %d (want %d), duplicates %d (want <= %d)", len(ids), n, dups, workers)
	}
}

// E6: SIGTERM stops claiming, lets the emails in flight finish, and exits 0.
func TestE6SIGTERMFinishesInFlightAndExitsZero(t *testing.T) {
	st, dbURL := testenv.Store(t)
	mp := testenv.Mailpit(t)
	// Every SMTP connection waits 1.5 s first, so sends are surely in flight.
	proxy := newProxy(t, fmt.Sprintf("%s:%d", mp.SMTPHost, mp.SMTPPort), 1500*time.Millisecond,
		func(int64) string { return "slow" })
	const n, workers = 20, 2
	j := newJobs(t, st, newMailer(t, mp.SMTPHost, mp.SMTPPort))
	enqueueMany(t, j, st, n)
	w := startWorker(t, dbURL, proxy.port(), workers)
	waitFor(t, 10*time.Second, "sends in flight", func() bool {
		return scalar(t, st, `SELECT count(*) FROM river_job WHERE state = 'running'`) == workers
	})
	signalled := time.Now()
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code := w.wait(t, 30*time.Second)
	t.Logf("exit %d after %s", code, time.Since(signalled).Round(time.Millisecond))
	if code != 0 {
		t.Fatalf("exit code %d, want 0\n%s", code, w.out)
	}
	running := scalar(t, st, `SELECT count(*) FROM river_job WHERE state = 'running'`)
	claimed := scalar(t, st, `SELECT count(*) FROM river_job WHERE attempt > 0`)
	claimedAfter := scalar(t, st, `SELECT count(*) FROM river_job WHERE attempted_at > $1`, signalled)
	sent := scalar(t, st, `SELECT count(*) FROM emails WHERE status = 'sent'`)
	delivered, _ := mp.Count()
	t.Logf("claimed %d, sent %d, delivered %d, left running %d, claimed after SIGTERM %d", claimed, sent, delivered, running, claimedAfter)
	if running != 0 {
		t.Errorf("%d jobs left running", running)
	}
	if claimedAfter != 0 {
		t.Errorf("%d jobs were claimed after SIGTERM", claimedAfter)
	}
	if sent != claimed || delivered != sent || sent < workers {
		t.Errorf("in-flight emails not finished: claimed %d, sent %d, delivered %d", claimed, sent, delivered)
	}
	if sent == n {
		t.Errorf("all %d emails went out; the stop did not stop claiming", n)
	}
}
