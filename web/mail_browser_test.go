package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// A browser journey: "forgot password" → the email arrives in Mailpit → its
// link sets a new password → logging in with it works; the link cannot be
// used twice; the pages report no CSP violation.
func TestBrowserForgotPasswordJourney(t *testing.T) {
	app := newMailApp(t)
	app.createUser(store.RoleCustomer, "uma@example.test", "old password 123")
	b := testenv.NewBrowser(t)
	t.Cleanup(b.CheckClean) // fails on any CSP violation or script error
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	text := b.Text
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		t.Log(what)
		b.Run(steps...)
	}
	do("ask for a reset link",
		chromedp.Navigate(app.ts.URL+"/login"),
		chromedp.Click(css(`[data-testid="forgot-link"]`)),
		chromedp.WaitVisible(css(`[data-testid="forgot-form"]`)),
		chromedp.SendKeys(css(`[data-testid="forgot-form"] input[name="email"]`), "uma@example.test"),
		chromedp.Submit(css(`[data-testid="forgot-form"]`)),
		chromedp.WaitVisible(css(`[data-testid="reset-sent"]`)),
	)
	if sent := text(`[data-testid="reset-sent"]`); !strings.Contains(sent, "uma@example.test") {
		t.Errorf("answer: %q", sent)
	}
	msg := app.mp.FindTo(t, "uma@example.test", 15*time.Second)
	link := resetLink.FindString(msg.Text)
	if !strings.HasPrefix(link, app.ts.URL+"/password/reset?token=") {
		t.Fatalf("reset link %q does not lead to the site %s", link, app.ts.URL)
	}
	do("set a new password",
		chromedp.Navigate(link),
		chromedp.WaitVisible(css(`[data-testid="reset-form"]`)),
		chromedp.SendKeys(css(`[data-testid="reset-form"] input[name="new_password"]`), "a fresh passphrase 42"),
		chromedp.Submit(css(`[data-testid="reset-form"]`)),
		chromedp.WaitVisible(css(`[data-testid="login-form"]`)),
	)
	if flash := text(`[data-testid="flash"]`); !strings.Contains(flash, "password is changed") {
		t.Errorf("flash after reset: %q", flash)
	}
	do("log in with it",
		chromedp.SendKeys(css(`[data-testid="login-form"] input[name="email"]`), "uma@example.test"),
		chromedp.SendKeys(css(`[data-testid="login-form"] input[name="password"]`), "a fresh passphrase 42"),
		chromedp.Submit(css(`[data-testid="login-form"]`)),
		chromedp.WaitVisible(css(`[data-testid="nav-account"]`)),
	)
	if who := strings.TrimSpace(text(`[data-testid="nav-account"]`)); who != "uma" {
		t.Errorf("logged in as %q", who)
	}
	b.ExpectError("status of 404 (Not Found)") // the used link answers 404 on purpose
	do("open the link again", chromedp.Navigate(link), chromedp.WaitVisible(css(`[data-testid="reset-invalid"]`)))
	if invalid := text(`[data-testid="reset-invalid"]`); !strings.Contains(invalid, "already been used") {
		t.Errorf("second use: %q", invalid)
	}
}
