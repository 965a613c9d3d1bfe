package testenv

import (
	_ "embed"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core (internal/testenv/axe/VENDORED.md), the accessibility
// engine the browser tests run on each page.
//
//go:embed axe/axe.min.js
var axeSource string

// axeRun runs axe on the page and keeps the serious and critical findings,
// one line each: the rule, what it asks for, and up to three elements.
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
  .filter(v => v.impact === "serious" || v.impact === "critical")
  .map(v => v.impact + " " + v.id + ": " + v.help + " (" +
    v.nodes.slice(0, 3).map(n => n.target.join(" ")).join("; ") + ")"))`

// Axe checks the current page with axe-core, injected through the DevTools
// protocol (so the page's CSP neither blocks it nor is loosened for it), and
// returns its serious and critical findings.
func (b *Browser) Axe() []string {
	b.t.Helper()
	loaded, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`typeof window.axe !== "undefined"`))
	if err != nil {
		b.t.Fatalf("browser: axe: %v", err)
	}
	if !loaded {
		if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](axeSource+"\n;true")); err != nil {
			b.t.Fatalf("browser: load axe: %v", err)
		}
	}
	found, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("browser: run axe: %v", err)
	}
	return found
}
