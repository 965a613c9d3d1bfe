package testenv

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// BrowserSession is a headless Chromium driven by chromedp for one test. It
// records what the page reports in its console, so a test can fail on
// Content Security Policy violations.
type BrowserSession struct {
	Ctx context.Context

	mu       sync.Mutex
	messages []string
}

// Browser starts Debian's Chromium (CHROMIUM_BIN) headless with a fresh
// profile; it is closed when the test ends. Every action run on Ctx must
// finish within timeout.
func Browser(t testing.TB, timeout time.Duration) *BrowserSession {
	t.Helper()
	bin := Require(t, "CHROMIUM_BIN")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox, // as root, and in containers, Chromium's sandbox cannot start
		chromedp.Flag("disable-background-networking", true),
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &BrowserSession{}
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithListener(func(ev any) {
		switch e := ev.(type) {
		case *log.EventEntryAdded:
			b.record(string(e.Entry.Level) + ": " + e.Entry.Text)
		case *runtime.EventConsoleAPICalled:
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, strings.Trim(string(a.Value), `"`))
			}
			b.record(string(e.Type) + ": " + strings.Join(parts, " "))
		case *runtime.EventExceptionThrown:
			b.record("exception: " + e.ExceptionDetails.Text)
		}
	}))
	// The first call starts the browser; it must not carry the test's
	// timeout, which would stop the browser itself (see chromedp.Run).
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		cancelCtx()
		cancelAlloc()
		t.Fatalf("testenv: start chromium: %v", err)
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	b.Ctx = tctx
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	return b
}

func (b *BrowserSession) record(msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.messages = append(b.messages, msg)
}

// Console returns every console and log message so far.
func (b *BrowserSession) Console() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.messages...)
}

// CSPViolations returns the console messages that report a Content Security
// Policy violation.
func (b *BrowserSession) CSPViolations() []string {
	var out []string
	for _, m := range b.Console() {
		if strings.Contains(m, "Content Security Policy") || strings.Contains(m, "Content-Security-Policy") {
			out = append(out, m)
		}
	}
	return out
}
