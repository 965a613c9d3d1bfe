package jobs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/rentdesk/rentdesk/internal/config"
	"github.com/rentdesk/rentdesk/internal/jobs"
	"github.com/rentdesk/rentdesk/internal/mail"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
	"github.com/rentdesk/rentdesk/templates/emails"
)

var baseURL, _ = url.Parse("http://rent.example.test")

// fastRetry doubles from 300 ms, so retry ladders fit in a test while still
// growing like the production backoff (and clearly above the poll interval).
type fastRetry struct{}

func (fastRetry) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(300 * time.Millisecond << (job.Attempt - 1))
}

func smtpConfig(host string, port int) config.SMTP {
	return config.SMTP{Host: host, Port: port, TLS: "none", From: "Rentdesk Test <shop@rentdesk.test>",
		ConnectTimeout: 2 * time.Second, SendTimeout: 5 * time.Second}
}

func newMailer(t testing.TB, host string, port int) *mail.Mailer {
	t.Helper()
	m, err := mail.NewMailer(smtpConfig(host, port))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// newJobs builds a job system on st; sender nil means no SMTP.
func newJobs(t testing.TB, st *store.Store, sender mail.Sender, mutate ...func(*jobs.Options)) *jobs.Jobs {
	t.Helper()
	o := jobs.Options{
		Store: st, Sender: sender, Render: emails.Render, BaseURL: baseURL,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		PollInterval: 50 * time.Millisecond, RetryPolicy: fastRetry{}, NoPeriodic: true,
		StopTimeout: 10 * time.Second,
	}
	for _, m := range mutate {
		m(&o)
	}
	j, err := jobs.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// start works jobs until the test ends.
func start(t testing.TB, j *jobs.Jobs) {
	t.Helper()
	if err := j.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = j.Stop(ctx)
	})
}

// enqueueMany queues n plain emails, each in its own committed transaction,
// and returns their ids.
func enqueueMany(t testing.TB, j *jobs.Jobs, st *store.Store, n int) []int64 {
	t.Helper()
	ids := make([]int64, 0, n)
	for i := 0; i < n; i++ {
		to := mail.Recipient{Name: "Customer " + strconv.Itoa(i), Email: fmt.Sprintf("c%d@example.test", i)}
		id, err := j.EnqueueEmail(context.Background(), st, mail.Welcome{To: to}, "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// waitFor polls cond until it holds, or fails the test after timeout.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func scalar(t testing.TB, st *store.Store, q string, args ...any) int {
	t.Helper()
	var n int
	if err := st.DB().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// tcpProxy forwards loopback connections to a target; for each new
// connection, behave decides: "silent" accepts and never answers, "held"
// is silent until release is called (held counts those still open), "slow"
// holds the connection for delay before forwarding, anything else forwards.
type tcpProxy struct {
	ln       net.Listener
	target   string
	delay    time.Duration
	behave   func(n int64) string
	count    atomic.Int64
	held     atomic.Int64
	released chan struct{}
	once     sync.Once
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    []net.Conn
}

func newProxy(t testing.TB, target string, delay time.Duration, behave func(n int64) string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target, delay: delay, behave: behave, released: make(chan struct{})}
	go p.serve()
	t.Cleanup(p.close)
	return p
}

func (p *tcpProxy) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

func (p *tcpProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.conns = append(p.conns, c)
		p.mu.Unlock()
		n := p.count.Add(1)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.handle(c, p.behave(n))
		}()
	}
}

func (p *tcpProxy) handle(c net.Conn, mode string) {
	defer c.Close()
	switch mode {
	case "silent":
		_, _ = io.Copy(io.Discard, c) // read whatever comes, say nothing, until closed
		return
	case "held":
		p.held.Add(1)
		defer p.held.Add(-1)
		go func() { <-p.released; c.Close() }()
		_, _ = io.Copy(io.Discard, c) // until the client gives up or release
		return
	case "slow":
		time.Sleep(p.delay)
	}
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
	<-done
}

// release hangs up every held connection, now and from now on.
func (p *tcpProxy) release() { p.once.Do(func() { close(p.released) }) }

func (p *tcpProxy) close() {
	p.release()
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// allMessageIDs pages through Mailpit and counts messages per Message-ID.
func allMessageIDs(t testing.TB, mp *testenv.MailpitServer) (map[string]int, int) {
	t.Helper()
	ids, total, err := mp.MessageIDs()
	if err != nil {
		t.Fatal(err)
	}
	return ids, total
}

// sampleBooking is a two-line booking in Berlin, picked up next week.
func sampleBooking(u store.User) mail.Booking {
	loc, _ := time.LoadLocation("Europe/Berlin")
	pick := time.Date(2031, 3, 28, 9, 0, 0, 0, loc)
	ret := time.Date(2031, 3, 31, 17, 30, 0, 0, loc) // across the switch to summer time
	eur := func(c int64) money.Money { return money.Money{Amount: c, Currency: "EUR"} }
	return mail.Booking{
		ID: 4711, Number: "R-4711",
		Customer: mail.Recipient{UserID: u.ID, Name: u.Name, Email: u.Email},
		Location: mail.Location{Name: "Berlin Mitte", Address: "Torstraße 1, 10119 Berlin", TimeZone: "Europe/Berlin"},
		Lines: []mail.BookingLine{
			{ItemName: "Canon R6 body", Quantity: 1, PickupAt: pick, ReturnAt: ret, Price: eur(12000)},
			{ItemName: "RF 24-70mm f/2.8", Quantity: 1, PickupAt: pick, ReturnAt: ret, Price: eur(9000)},
		},
		Subtotal: eur(21000), Total: eur(21000), Deposit: eur(50000), DueAtPickup: eur(71000),
	}
}
