package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/testenv"
)

// browserApp is a Rentdesk server on a real loopback listener with a headless
// Chromium pointed at it. Browser journeys of every feature start here.
type browserApp struct {
	*testApp
	b *testenv.Browser
}

// newBrowserApp starts the app and a browser; the journey fails at its end on
// any CSP violation or script error.
func newBrowserApp(t *testing.T, mutate ...func(*Deps)) *browserApp {
	t.Helper()
	b := testenv.NewBrowser(t) // first: skips or fails before any set-up without chromium
	ba := &browserApp{testApp: newTestApp(t, mutate...), b: b}
	t.Cleanup(b.CheckClean)
	return ba
}

// url is the absolute address of a path of the app.
func (ba *browserApp) url(path string) string { return ba.ts.URL + path }

// run performs browser actions, failing the test on error.
func (ba *browserApp) run(actions ...chromedp.Action[chromedp.Void]) {
	ba.t.Helper()
	ba.b.Run(actions...)
}

// text reads the visible text of the first element matching a CSS selector.
func (ba *browserApp) text(css string) string {
	ba.t.Helper()
	return ba.b.Text(css)
}

// submitForm fills fields (name → value) of the form matching form and submits it.
func (ba *browserApp) submitForm(form string, fields map[string]string) {
	ba.t.Helper()
	var acts []chromedp.Action[chromedp.Void]
	for name, v := range fields {
		sel := chromedp.CSS(form + ` [name="` + name + `"]`)
		acts = append(acts, chromedp.WaitVisible(sel), chromedp.SetValue(sel, v))
	}
	acts = append(acts, chromedp.Click(chromedp.CSS(form+` button[type="submit"]`)))
	ba.run(acts...)
}

// The first journeys: a customer signs up, logs out, logs back in and sees
// their home; an admin creates a staff account. Zero CSP violations allowed.
func TestBrowserSignupLoginAndAdmin(t *testing.T) {
	ba := newBrowserApp(t)
	ba.createUser("admin", "boss@example.com", authzPassword)

	ba.run(chromedp.Navigate(ba.url("/")), chromedp.Click(chromedp.CSS(`[data-testid="nav-signup"]`)))
	ba.submitForm(`[data-testid="signup-form"]`, map[string]string{
		"name": "Casey Customer", "email": "casey@example.com", "phone": "+49 30 1234567", "password": "a fine long password",
	})
	// Sign-up answers alike for new and taken emails: it leads to the login.
	if got := ba.text(`[data-testid="flash"]`); !strings.Contains(got, "Welcome") {
		t.Errorf("welcome message %q", got)
	}
	ba.submitForm(`[data-testid="login-form"]`, map[string]string{"email": "casey@example.com", "password": "a fine long password"})
	if got := ba.text(`[data-testid="home-greeting"]`); !strings.Contains(got, "Casey Customer") {
		t.Fatalf("after sign-up and login the home says %q", got)
	}

	ba.run(chromedp.Click(chromedp.CSS(`[data-testid="logout"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="nav-login"]`)))
	if got := ba.text(`[data-testid="flash"]`); !strings.Contains(got, "logged out") {
		t.Errorf("logout message %q", got)
	}
	ba.run(chromedp.Click(chromedp.CSS(`[data-testid="nav-login"]`)))
	ba.submitForm(`[data-testid="login-form"]`, map[string]string{"email": "casey@example.com", "password": "a fine long password"})
	if got := ba.text(`[data-testid="home-greeting"]`); !strings.Contains(got, "Casey Customer") {
		t.Fatalf("after login the home says %q", got)
	}
	if got := ba.text(`#site-nav`); !strings.Contains(got, "My bookings") || strings.Contains(got, "Users") {
		t.Errorf("customer navigation %q", got)
	}

	// The admin.
	ba.run(chromedp.Click(chromedp.CSS(`[data-testid="logout"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="nav-login"]`)),
		chromedp.Navigate(ba.url("/admin/users")))
	ba.submitForm(`[data-testid="login-form"]`, map[string]string{"email": "boss@example.com", "password": authzPassword})
	ba.run(chromedp.WaitVisible(chromedp.CSS(`[data-testid="users-table"]`)), chromedp.Click(chromedp.CSS(`[data-testid="new-user"]`)))
	ba.run(chromedp.WaitVisible(chromedp.CSS(`[data-testid="new-user-form"]`)), chromedp.SetValue(chromedp.CSS(`#f-role`), "staff"))
	ba.submitForm(`[data-testid="new-user-form"]`, map[string]string{"name": "Sam Staff", "email": "sam@example.com", "password": "another fine password"})
	if got := ba.text(`[data-testid="flash"]`); !strings.Contains(got, "sam@example.com") {
		t.Errorf("creation message %q", got)
	}
	if got := ba.text(`[data-testid="users-table"]`); !strings.Contains(got, "sam@example.com") || !strings.Contains(got, "staff") {
		t.Errorf("users table %q", got)
	}
	sam, err := ba.st.GetUserByEmail(t.Context(), "sam@example.com")
	if err != nil || sam.Role != "staff" {
		t.Fatalf("staff account: %+v %v", sam, err)
	}
}

// On a phone the navigation folds behind a menu button, which our script
// (allowed by the CSP) opens.
func TestBrowserPhoneNavigation(t *testing.T) {
	ba := newBrowserApp(t)
	ba.run(
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(ba.url("/")),
		chromedp.WaitVisible(chromedp.CSS(`[data-nav-toggle]`)),
		chromedp.WaitNotVisible(chromedp.CSS(`[data-testid="nav-login"]`)),
		chromedp.Click(chromedp.CSS(`[data-nav-toggle]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="nav-login"]`)),
	)
	if expanded, _ := ba.b.Attribute(`[data-nav-toggle]`, "aria-expanded"); expanded != "true" {
		t.Errorf("menu button aria-expanded=%q after opening", expanded)
	}
}

// The detector itself: a page with inline script and style (which our CSP
// forbids) must be reported, or the zero above would prove nothing.
func TestBrowserReportsCSPViolations(t *testing.T) {
	b := testenv.NewBrowser(t)
	app := newTestApp(t)
	app.srv.Echo().GET("/test/inline", func(c echo.Context) error {
		return c.HTML(http.StatusOK, `<!doctype html><html><head><title>t</title></head><body>`+
			`<script>document.title = "ran"</script><p style="color: red" id="p">inline</p></body></html>`)
	})
	b.Run(chromedp.Navigate(app.ts.URL+"/test/inline"), chromedp.WaitVisible(chromedp.CSS("#p")))
	deadline := time.Now().Add(5 * time.Second)
	for len(b.CSPViolations()) < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	v := strings.Join(b.CSPViolations(), "\n")
	if !strings.Contains(v, "script-src") || !strings.Contains(v, "style-src") {
		t.Fatalf("inline script and style were not both reported; got:\n%s", v)
	}
}
