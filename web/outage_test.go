package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// outagePaths are pages that need the database: the public catalog for an
// anonymous visitor, and the account page for a logged-in customer (session
// load and user lookup first).
var outagePaths = []string{"/", "/catalog", "/account"}

// outageApp is an app on a store of its own, opened with opt (on the URL that
// via makes of the database's, when given), and a customer logged in to it.
func outageApp(t *testing.T, opt store.Options, via func(dbURL string) string) (*testApp, *testClient, *store.Store) {
	t.Helper()
	base := newTestApp(t)
	base.seedCatalog()
	dbURL := base.dbURL
	if via != nil {
		dbURL = via(dbURL)
	}
	st, err := store.Open(context.Background(), dbURL, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	base.createUser("customer", "ann@example.com", authzPassword)
	app := base.restarted(func(d *Deps) { d.Store = st })
	c := app.client()
	c.login("ann@example.com", authzPassword)
	for _, p := range outagePaths {
		c.get(p).expectStatus(t, http.StatusOK)
	}
	return app, c, st
}

// fetch is a GET that may run in any goroutine: it reports instead of failing.
func fetch(c *testClient, path string) (status int, body string, err error) {
	res, err := c.http.Get(c.app.ts.URL + path)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, string(b), err
}

// isUnavailablePage is the friendly 503: the error page, never a 500.
func isUnavailablePage(status int, body string) bool {
	return status == http.StatusServiceUnavailable && strings.Contains(body, `data-testid="error-page"`) &&
		!strings.Contains(body, "sql:") && !strings.Contains(body, "pq:")
}

// R4: with every pooled connection busy (the pool size the app ships with),
// a request waits no longer than RENTDESK_DB_ACQUIRE_TIMEOUT and gets a 503
// page; when a connection is free again, all is well.
func TestPoolExhaustionAnswers503(t *testing.T) {
	const wait = 300 * time.Millisecond
	opts := testenv.ShippedPool(t)
	opts.AcquireTimeout = wait
	_, c, st := outageApp(t, opts, nil)
	var held []io.Closer
	for range opts.MaxOpenConns {
		conn, err := st.DB().Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, conn)
	}
	for _, p := range outagePaths {
		start := time.Now()
		status, body, err := fetch(c, p)
		took := time.Since(start)
		if err != nil || !isUnavailablePage(status, body) {
			t.Errorf("GET %s on a busy pool: %d %v, want a 503 page\n%.500s", p, status, err, body)
		}
		if took > 2*time.Second {
			t.Errorf("GET %s took %v to give up, acquire timeout %v", p, took, wait)
		}
	}
	for _, h := range held {
		h.Close()
	}
	for _, p := range outagePaths {
		c.get(p).expectStatus(t, http.StatusOK)
	}
}

// A visitor whose session cannot be loaded on a busy pool is told what to
// do: the page says to try again, links to the same page, and sends
// Retry-After; a form refused this way says nothing was saved (the handler
// never ran), so it can be sent again as it is.
func TestBusyPoolPageSaysWhatToDo(t *testing.T) {
	opts := testenv.ShippedPool(t)
	opts.AcquireTimeout = 300 * time.Millisecond
	_, c, st := outageApp(t, opts, nil)
	var held []io.Closer
	for range opts.MaxOpenConns {
		conn, err := st.DB().Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, conn)
	}
	res := c.get("/account?tab=profile").expectStatus(t, http.StatusServiceUnavailable)
	if got := res.Header.Get("Retry-After"); got != "5" {
		t.Errorf("Retry-After %q, want 5", got)
	}
	if href, _ := res.Doc.Find(`[data-testid="retry"]`).Attr("href"); href != "/account?tab=profile" {
		t.Errorf("the busy page's try-again link goes to %q", href)
	}
	if msg := res.text(`[data-testid="error-page"]`); !strings.Contains(msg, "try again in a few seconds") {
		t.Errorf("the busy page says %q", msg)
	}
	res = c.post("/account/profile", url.Values{"name": {"Ann Lee"}, "email": {"ann@example.com"}}).expectStatus(t, http.StatusServiceUnavailable)
	if msg := res.text(`[data-testid="error-page"]`); !strings.Contains(msg, "nothing was saved. Go back and send the form again") {
		t.Errorf("a form refused on a busy pool says %q", msg)
	}
	if res.Doc.Find(`[data-testid="retry"]`).Length() != 0 {
		t.Error("a refused form links to its own POST address as a page to try again")
	}
	for _, h := range held {
		h.Close()
	}
	c.get("/account").expectStatus(t, http.StatusOK)
}

// R2: the app's database connections are killed (pg_terminate_backend) again
// and again under load: the requests that fail get 503 pages, none a 500, and
// afterwards every page works without a restart.
func TestTerminatedConnectionsRecover(t *testing.T) {
	app, c, _ := outageApp(t, store.Options{MaxOpenConns: 8, MaxIdleConns: 8, AcquireTimeout: 2 * time.Second}, nil)
	killer, err := store.Open(context.Background(), app.dbURL, store.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer killer.Close()
	kill := func() int {
		var n int
		err := killer.DB().QueryRowContext(context.Background(), `
SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`).Scan(&n)
		if err != nil {
			t.Errorf("terminate: %v", err)
		}
		return n
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[int]int{}
	var bad []string
	start := make(chan struct{})
	for w := range 6 {
		wg.Go(func() {
			<-start
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				p := outagePaths[(w+i)%len(outagePaths)]
				status, body, err := fetch(c, p)
				mu.Lock()
				counts[status]++
				if err != nil || (status != http.StatusOK && !isUnavailablePage(status, body)) {
					bad = append(bad, p+": "+http.StatusText(status)+" "+errString(err))
				}
				mu.Unlock()
			}
		})
	}
	close(start)
	killed := 0
	for range 5 {
		time.Sleep(200 * time.Millisecond)
		killed += kill()
	}
	close(stop)
	wg.Wait()
	t.Logf("terminated %d connections; answers by status: %v", killed, counts)
	if killed == 0 {
		t.Error("no connection of the app was terminated; the test proved nothing")
	}
	for _, b := range bad {
		t.Errorf("under terminations: %s", b)
	}
	for range 3 {
		for _, p := range outagePaths {
			c.get(p).expectStatus(t, http.StatusOK)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// R3: PostgreSQL goes away (a proxy in front of it cuts every connection and
// refuses new ones): pages answer a friendly 503 within 3 s, /readyz 503 and
// /healthz 200, without goroutines piling up; when it is back the app is
// healthy within 10 s, without a restart.
func TestDatabaseDownAnswers503(t *testing.T) {
	var proxy *testenv.DBProxy
	_, c, _ := outageApp(t, store.Options{MaxOpenConns: 4, MaxIdleConns: 4, AcquireTimeout: 2 * time.Second},
		func(dbURL string) string {
			proxy = testenv.NewDBProxy(t, dbURL)
			return proxy.URL()
		})
	proxy.Down()
	check := func() {
		for _, p := range outagePaths {
			start := time.Now()
			status, body, err := fetch(c, p)
			if took := time.Since(start); took > 3*time.Second {
				t.Errorf("GET %s with the database down took %v", p, took)
			}
			if err != nil || !isUnavailablePage(status, body) {
				t.Errorf("GET %s with the database down: %d %v, want a 503 page\n%.500s", p, status, err, body)
			}
		}
		c.get("/readyz").expectStatus(t, http.StatusServiceUnavailable)
		c.get("/healthz").expectStatus(t, http.StatusOK)
	}
	check()
	settle := func() int { runtime.GC(); time.Sleep(100 * time.Millisecond); return runtime.NumGoroutine() }
	before := settle()
	for range 10 {
		check()
	}
	if after := settle(); after > before+10 {
		t.Errorf("goroutines grew from %d to %d over 30 requests while the database was down", before, after)
	}

	proxy.Up()
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, _, err := fetch(c, "/readyz")
		if err == nil && status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready 10 s after the database came back: %d %v", status, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, p := range outagePaths {
		c.get(p).expectStatus(t, http.StatusOK)
	}
}
