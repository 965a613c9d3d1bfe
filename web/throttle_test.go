package web

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/config"
)

const throttleMessage = "Too many failed attempts"

func (c *testClient) tryLogin(email, password string, header http.Header) *testResponse {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/login")
	}
	return c.postRaw("/login", url.Values{"email": {email}, "password": {password}, "_csrf": {c.csrf}}, header)
}

func expectThrottled(t *testing.T, res *testResponse) {
	t.Helper()
	res.expectStatus(t, http.StatusTooManyRequests)
	if msg := res.Doc.Find(`[data-testid="form-error"]`).Text(); !strings.Contains(msg, throttleMessage) || !strings.Contains(msg, "15 minutes") {
		t.Errorf("429 page message %q does not say what happened and for how long", msg)
	}
}

// W7: failed logins for one account are throttled, even with the right
// password, until the window passes; other accounts are not affected.
func TestLoginThrottledPerAccount(t *testing.T) {
	app := newTestApp(t)
	app.createUser("customer", "ann@example.com", authzPassword)
	app.createUser("customer", "bob@example.com", authzPassword)
	c := app.client()
	for i := range auth.MaxFailsPerEmail {
		if res := c.tryLogin("ann@example.com", fmt.Sprintf("wrong guess %d", i), nil); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("failure %d: status %d", i+1, res.StatusCode)
		}
	}
	expectThrottled(t, c.tryLogin("ann@example.com", authzPassword, nil))
	expectThrottled(t, app.client().tryLogin("ANN@example.com", authzPassword, nil))
	app.client().login("bob@example.com", authzPassword)

	app.advance(auth.ThrottleWindow + time.Minute)
	app.client().login("ann@example.com", authzPassword)
}

// W7: many failures from one address are throttled across accounts, and a
// forged X-Forwarded-For does not make them look like other clients.
func TestLoginThrottledPerIP(t *testing.T) {
	app := newTestApp(t)
	app.createUser("customer", "ann@example.com", authzPassword)
	c := app.client()
	for i := range auth.MaxFailsPerIP {
		h := http.Header{"X-Forwarded-For": {fmt.Sprintf("198.51.100.%d", i+1)}, "X-Real-Ip": {fmt.Sprintf("198.51.100.%d", i+1)}}
		if res := c.tryLogin(fmt.Sprintf("guess%d@example.com", i), "wrong password", h); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("failure %d: status %d", i+1, res.StatusCode)
		}
	}
	expectThrottled(t, app.client().tryLogin("ann@example.com", authzPassword, http.Header{"X-Forwarded-For": {"203.0.113.9"}}))
}

// W7: behind a configured reverse proxy the forwarded address counts, so one
// client's failures do not lock out everyone behind the proxy.
func TestLoginThrottleBehindTrustedProxy(t *testing.T) {
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	app := newTestApp(t, withConfig(func(c *config.Config) { c.TrustedProxies = []*net.IPNet{loopback} }))
	app.createUser("customer", "ann@example.com", authzPassword)
	c := app.client()
	attacker := http.Header{"X-Forwarded-For": {"203.0.113.5"}}
	for i := range auth.MaxFailsPerIP {
		c.tryLogin(fmt.Sprintf("guess%d@example.com", i), "wrong password", attacker)
	}
	expectThrottled(t, app.client().tryLogin("ann@example.com", authzPassword, attacker))
	app.client().tryLogin("ann@example.com", authzPassword, http.Header{"X-Forwarded-For": {"203.0.113.6"}}).expectStatus(t, http.StatusSeeOther)
}

var volatile = regexp.MustCompile(`(name="csrf-token" content="|name="_csrf" value=")[^"]*`)

// W7: an unknown email gets exactly the answer of a wrong password.
func TestLoginUnknownEmailAnswersLikeWrongPassword(t *testing.T) {
	app := newTestApp(t)
	app.createUser("customer", "ann@example.com", authzPassword)
	normalise := func(res *testResponse, email string) string {
		return strings.ReplaceAll(volatile.ReplaceAllString(res.Body, "$1TOKEN"), email, "EMAIL")
	}
	wrong := app.client().tryLogin("ann@example.com", "not the password", nil)
	unknown := app.client().tryLogin("zed@example.com", "not the password", nil)
	if wrong.StatusCode != unknown.StatusCode {
		t.Fatalf("status: wrong password %d, unknown email %d", wrong.StatusCode, unknown.StatusCode)
	}
	if a, b := normalise(wrong, "ann@example.com"), normalise(unknown, "zed@example.com"); a != b {
		t.Fatalf("bodies differ:\nwrong password: %s\nunknown email:  %s", a, b)
	}
	if !strings.Contains(wrong.Doc.Find(`[data-testid="form-error"]`).Text(), badLogin) {
		t.Error("no login error message")
	}
	// A disabled account answers the same too.
	u := app.createUser("customer", "off@example.com", authzPassword)
	if _, err := app.st.SetDisabled(t.Context(), u.ID, true); err != nil {
		t.Fatal(err)
	}
	disabled := app.client().tryLogin("off@example.com", authzPassword, nil)
	if disabled.StatusCode != wrong.StatusCode || normalise(disabled, "off@example.com") != normalise(wrong, "ann@example.com") {
		t.Error("a disabled account answers differently from a wrong password")
	}
}

// W7 under concurrency: a burst of wrong passwords for one account, sent at
// once from separate clients, lets at most the limit through to the password
// check; the rest are 429, none is a 5xx. Repeated, each round in a fresh
// window.
func TestLoginThrottleHoldsUnderBurst(t *testing.T) {
	app := newTestApp(t)
	app.createUser("customer", "ann@example.com", authzPassword)
	const n, rounds = 16, 3
	for round := range rounds {
		clients := make([]*testClient, n)
		for i := range clients {
			clients[i] = app.client()
			clients[i].get("/login")
		}
		var status [n]int
		parallel(t, n, 60*time.Second, func(i int) {
			status[i] = clients[i].tryLogin("ann@example.com", fmt.Sprintf("wrong guess %d", i), nil).StatusCode
		})
		counts := map[int]int{}
		for _, s := range status {
			counts[s]++
		}
		if counts[http.StatusUnprocessableEntity] > auth.MaxFailsPerEmail || counts[http.StatusUnprocessableEntity]+counts[http.StatusTooManyRequests] != n {
			t.Fatalf("round %d: statuses %v; want at most %d checked (422), the rest 429", round, counts, auth.MaxFailsPerEmail)
		}
		app.advance(auth.ThrottleWindow + time.Minute)
	}
	// The right password still works once the window has passed.
	app.client().login("ann@example.com", authzPassword)
}

// Lock-out is no weapon: a stranger's failed logins for an account close it
// to the stranger's address (and, for an unknown address, to strangers
// everywhere), but the owner, from an address they logged in from before, is
// only slowed and still gets in. The per-address limit stays.
func TestStrangerCannotLockOwnerOut(t *testing.T) {
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	app := newTestApp(t, withConfig(func(c *config.Config) { c.TrustedProxies = []*net.IPNet{loopback} }))
	app.createUser("customer", "ann@example.com", authzPassword)
	home := http.Header{"X-Forwarded-For": {"198.51.100.7"}}
	app.client().tryLogin("ann@example.com", authzPassword, home).expectStatus(t, http.StatusSeeOther)

	stranger := http.Header{"X-Forwarded-For": {"203.0.113.5"}}
	c := app.client()
	for i := range auth.MaxFailsPerEmail {
		c.tryLogin("ann@example.com", fmt.Sprintf("guess %d", i), stranger).expectStatus(t, http.StatusUnprocessableEntity)
	}
	// The stranger's address is closed for ann, even with the right password.
	expectThrottled(t, app.client().tryLogin("ann@example.com", authzPassword, stranger))
	// So is every other address ann never logged in from: the guesses at the
	// account are bounded across addresses.
	expectThrottled(t, app.client().tryLogin("ann@example.com", authzPassword, http.Header{"X-Forwarded-For": {"203.0.113.99"}}))
	// The owner, at home, gets in (after a short wait) and is not counted
	// against the stranger's failures.
	owner := app.client()
	owner.tryLogin("ann@example.com", "typo password", home).expectStatus(t, http.StatusUnprocessableEntity)
	owner.tryLogin("ann@example.com", authzPassword, home).expectStatus(t, http.StatusSeeOther)
	if !owner.loggedIn() {
		t.Error("the owner is not logged in from their own address")
	}
	// Still closed to the stranger after the owner's login.
	expectThrottled(t, app.client().tryLogin("ann@example.com", authzPassword, stranger))
	// The per-address limit still holds for the stranger across accounts.
	for i := range auth.MaxFailsPerIP {
		c.tryLogin(fmt.Sprintf("other%d@example.com", i), "wrong password", stranger)
	}
	expectThrottled(t, app.client().tryLogin("zed@example.com", "wrong password", stranger))
}
