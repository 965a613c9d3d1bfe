package web

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// sendTwice submits the form at sel twice in a row, as a double click or a
// second Enter does, and reports whether each submit was dropped and whether
// the form is marked busy. The events are the browser's own submit events
// without the navigation, so both reach app.js however fast the server is.
func sendTwice(sel string) string {
	return fmt.Sprintf(`(() => {
  const f = document.querySelector(%q);
  const send = () => {
    const e = new SubmitEvent("submit", {bubbles: true, cancelable: true, submitter: f.querySelector('[type="submit"]')});
    f.dispatchEvent(e);
    return e.defaultPrevented;
  };
  return [send(), send(), f.getAttribute("aria-busy") === "true"];
})()`, sel)
}

// A plain form is sent once: the second submit while the first answer is on
// its way (a refund, a payment or a log-in clicked twice) is dropped in the
// browser, without inline script (the CSP forbids it). A fresh page sends
// again, and a GET form (search, filters) is never held back.
func TestBrowserPlainFormSentOnce(t *testing.T) {
	ba := newBrowserApp(t)
	ba.createUser("staff", "desk@example.test", authzPassword)
	ba.run(chromedp.Navigate(ba.url("/login")), chromedp.WaitVisible(chromedp.CSS(`[data-testid="login-form"]`)))
	got, err := chromedp.Run(ba.b.Context(), chromedp.Evaluate[[]bool](sendTwice(`[data-testid="login-form"]`)))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[false true true]" {
		t.Errorf("a POST form sent twice: [first dropped, second dropped, busy] = %v, want [false true true]", got)
	}
	// The next page is a fresh start: the log-in goes through.
	ba.run(chromedp.Navigate(ba.url("/login")))
	ba.submitForm(`[data-testid="login-form"]`, map[string]string{"email": "desk@example.test", "password": authzPassword})
	ba.run(chromedp.WaitVisible(chromedp.CSS(`[data-testid="logout"]`)), chromedp.Navigate(ba.url("/staff/items")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="item-filters"]`)))
	got, err = chromedp.Run(ba.b.Context(), chromedp.Evaluate[[]bool](sendTwice(`[data-testid="item-filters"]`)))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[false false false]" {
		t.Errorf("a GET form sent twice: %v, want [false false false]", got)
	}
}
