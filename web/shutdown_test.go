package web

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// R1: cancelling Serve's context (what SIGTERM does) turns /readyz to 503
// first, then stops accepting connections, lets every in-flight request
// finish, and returns nil.
func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	const inFlight = 20
	const drain = time.Second
	app := newTestApp(t, func(d *Deps) { d.DrainDelay = drain })
	var started atomic.Int32
	release := make(chan struct{})
	app.srv.Echo().GET("/test/slow", func(c echo.Context) error {
		started.Add(1)
		select {
		case <-release:
		case <-time.After(20 * time.Second):
		}
		return c.String(http.StatusOK, "done")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	serveErr := make(chan error, 1)
	go func() { serveErr <- app.srv.Serve(ctx, ln) }()

	type result struct {
		status int
		body   string
		err    error
	}
	results := make(chan result, inFlight)
	slowClient := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: inFlight}}
	for range inFlight {
		go func() {
			res, err := slowClient.Get(base + "/test/slow")
			if err != nil {
				results <- result{err: err}
				return
			}
			b, err := io.ReadAll(res.Body)
			res.Body.Close()
			results <- result{status: res.StatusCode, body: string(b), err: err}
		}()
	}
	waitFor(t, 10*time.Second, "all slow requests in flight", func() bool { return started.Load() == inFlight })

	fresh := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	readyz := func() (int, error) {
		res, err := fresh.Get(base + "/readyz")
		if err != nil {
			return 0, err
		}
		res.Body.Close()
		return res.StatusCode, nil
	}
	if code, err := readyz(); err != nil || code != http.StatusOK {
		t.Fatalf("/readyz before shutdown: %d %v", code, err)
	}

	cancel()
	waitFor(t, drain/2, "/readyz to answer 503 while draining", func() bool {
		code, err := readyz()
		return err == nil && code == http.StatusServiceUnavailable
	})
	if len(results) != 0 {
		t.Fatal("a slow request ended before readiness turned off")
	}
	// After the drain delay the listener is closed while the requests still run.
	waitFor(t, drain+2*time.Second, "the listener to close", func() bool {
		_, err := readyz()
		return err != nil
	})
	select {
	case err := <-serveErr:
		t.Fatalf("Serve returned before the in-flight requests finished: %v", err)
	default:
	}

	close(release)
	for range inFlight {
		select {
		case r := <-results:
			if r.err != nil || r.status != http.StatusOK || r.body != "done" {
				t.Errorf("in-flight request: status %d body %q err %v", r.status, r.body, r.err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("an in-flight request did not finish")
		}
	}
	select {
	case err := <-serveErr:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
