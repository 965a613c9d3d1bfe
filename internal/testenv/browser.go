package testenv

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Browser is a headless Chromium tab for browser journeys. It records every
// Content-Security-Policy violation (from the page's securitypolicyviolation
// events and from the browser's console and log), every uncaught script error
// and every console error, so a test can fail on any of them.
type Browser struct {
	t   testing.TB
	ctx context.Context

	mu         sync.Mutex
	violations []string
	errors     []string
}

// cspBinding is the function the page calls to report a CSP violation.
const cspBinding = "__rentdeskReportCSP"

// reportCSP runs in every document before the page's own scripts (injected
// over the DevTools protocol, so the page's CSP does not apply to it).
const reportCSP = `document.addEventListener("securitypolicyviolation", function (e) {
  window.` + cspBinding + `(JSON.stringify({directive: e.violatedDirective, blocked: e.blockedURI,
    source: e.sourceFile, line: e.lineNumber, sample: e.sample}));
});`

// NewBrowser starts Debian's chromium (CHROMIUM_BIN) headless with a fresh
// profile, for the length of the test. Without CHROMIUM_BIN the test is skipped
// locally and fails under CI=true.
func NewBrowser(t testing.TB) *Browser {
	t.Helper()
	bin := Require(t, "CHROMIUM_BIN")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("testenv: CHROMIUM_BIN: %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Headless,
		// Root in a container has no user namespaces for Chromium's sandbox.
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithErrorf(func(format string, args ...any) {
		t.Logf("chromedp: "+format, args...)
	}))
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	b := &Browser{t: t, ctx: ctx}
	// The first call starts the browser and ties it to the context it gets, so
	// it must be the tab's own context, not one with a deadline.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("testenv: start chromium: %v", err)
	}
	// The listener lives as long as the context it is given: the tab's.
	if err := chromedp.Listen(ctx, b.onEvent); err != nil {
		t.Fatalf("testenv: listen to chromium: %v", err)
	}
	b.Run(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, runtime.Enable, cdp.Empty{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, t, log.Enable, cdp.Empty{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, t, runtime.AddBinding, runtime.AddBindingParams{Name: cspBinding}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: reportCSP})
		return err
	}))
	return b
}

func (b *Browser) onEvent(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventBindingCalled:
		if ev.Name == cspBinding {
			b.violations = append(b.violations, "securitypolicyviolation "+ev.Payload)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		b.errors = append(b.errors, fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber, msg))
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, a := range ev.Args {
			if a.Value != nil {
				var s string
				if json.Unmarshal(a.Value, &s) == nil {
					parts = append(parts, s)
					continue
				}
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		b.record(string(ev.Type), "console."+string(ev.Type)+": "+strings.Join(parts, " "))
	case *log.EventEntryAdded:
		e := ev.Entry
		b.record(string(e.Level), fmt.Sprintf("log %s/%s: %s %s", e.Source, e.Level, e.Text, e.URL))
	}
}

// record keeps errors, and anything about the CSP as a violation. Called with mu held.
func (b *Browser) record(level, msg string) {
	if strings.Contains(msg, "Content Security Policy") || strings.Contains(msg, "Content-Security-Policy") {
		b.violations = append(b.violations, msg)
		return
	}
	if level == "error" {
		b.errors = append(b.errors, msg)
	}
}

// Text returns the visible text of the first element matching a CSS selector,
// waiting for it to be visible.
func (b *Browser) Text(css string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css), chromedp.NodeVisible))
	if err != nil {
		b.t.Fatalf("browser: text of %s: %v%s", css, err, b.screenshot())
	}
	return strings.TrimSpace(s)
}

// Attribute returns an attribute of the first element matching a CSS selector.
func (b *Browser) Attribute(css, name string) (string, bool) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	r, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(css), name))
	if err != nil {
		b.t.Fatalf("browser: attribute %s of %s: %v%s", name, css, err, b.screenshot())
	}
	return r.Value, r.Exists
}

// Context is the tab's context, for chromedp calls the helpers do not cover.
func (b *Browser) Context() context.Context { return b.ctx }

// Run performs actions in the tab with a timeout, failing the test (with a
// screenshot logged as a file) when one fails.
func (b *Browser) Run(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v%s", err, b.screenshot())
	}
}

// screenshot saves the current page for a failure message.
func (b *Browser) screenshot() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	url, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return ""
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return ""
	}
	f, err := os.CreateTemp("", "rentdesk-browser-*.png")
	if err != nil {
		return ""
	}
	defer f.Close()
	f.Write(png)
	return fmt.Sprintf("\n(page %s, screenshot %s)", url, f.Name())
}

// CSPViolations returns the violations seen so far.
func (b *Browser) CSPViolations() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.violations...)
}

// Errors returns the script errors and console errors seen so far.
func (b *Browser) Errors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// CheckClean fails the test on any CSP violation or script error. Events
// arrive asynchronously, so it gives them a moment first.
func (b *Browser) CheckClean() {
	b.t.Helper()
	time.Sleep(200 * time.Millisecond)
	for _, v := range b.CSPViolations() {
		b.t.Errorf("CSP violation: %s", v)
	}
	for _, e := range b.Errors() {
		b.t.Errorf("browser error: %s", e)
	}
}
