package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/rentdesk/rentdesk/internal/config"
)

// appRoutes is the route table as Echo holds it, without the catch-all
// entries Echo adds for groups with middleware.
func appRoutes(s *Server) []*echo.Route {
	var out []*echo.Route
	for _, r := range s.Echo().Routes() {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
			out = append(out, r)
		}
	}
	return out
}

// webhookPrefix is where machine-to-machine callbacks live; they are verified
// by signature instead of a CSRF token.
const webhookPrefix = "/webhooks/"

var routeParam = regexp.MustCompile(`:[a-zA-Z_]+`)

// concretePath turns a route pattern into a requestable path.
func concretePath(route string) string {
	return strings.ReplaceAll(routeParam.ReplaceAllString(route, "1"), "*", "x")
}

// W4: every unsafe route refuses a request without a valid CSRF token with a
// 403, before it changes anything, for visitors and logged-in users alike.
func TestCSRFOnEveryUnsafeRoute(t *testing.T) {
	app := newTestApp(t)
	w := newAuthzWorld(t, app)
	admin := app.client()
	admin.login(w.emails[4], authzPassword)
	admin.get("/") // login rotates the token: take the one of a page after it
	other := app.client()
	other.get("/")
	otherToken := other.csrf
	// A token one character off (never equal to the real one, whatever it starts with).
	wrong := "x" + admin.csrf[1:]
	if admin.csrf[0] == 'x' {
		wrong = "y" + admin.csrf[1:]
	}

	before := dbSnapshot(t, app)
	unsafe := 0
	for _, r := range appRoutes(app.srv) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions || strings.HasPrefix(r.Path, webhookPrefix) {
			continue
		}
		unsafe++
		path := concretePath(r.Path)
		for _, tc := range []struct {
			name   string
			client *testClient
			token  string
		}{
			{"anonymous without token", app.client(), ""},
			{"admin without token", admin, ""},
			{"admin with a wrong token", admin, wrong},
			{"admin with another browser's token", admin, otherToken},
		} {
			form := url.Values{"name": {"X"}, "email": {"x@example.com"}, "password": {"correct horse battery"}, "role": {"admin"}, "disabled": {"1"}}
			if tc.token != "" {
				form.Set("_csrf", tc.token)
			}
			req, err := http.NewRequest(r.Method, app.ts.URL+path, strings.NewReader(form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			res := tc.client.do(req)
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s, %s: status %d, want 403", r.Method, r.Path, tc.name, res.StatusCode)
			}
		}
	}
	if unsafe == 0 {
		t.Fatal("no unsafe routes found")
	}
	if after := dbSnapshot(t, app); after != before {
		t.Errorf("refused requests changed data:\n%s", diffSnapshots(before, after))
	}
}

// W4: htmx sends the token in the X-CSRF-Token header instead of the form.
func TestCSRFHeaderAccepted(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.get("/")
	res := c.postRaw("/logout", url.Values{}, http.Header{"X-Csrf-Token": {c.csrf}, "Hx-Request": {"true"}})
	if res.StatusCode != http.StatusNoContent || res.Header.Get("HX-Redirect") != "/" {
		t.Fatalf("htmx logout with the header token: status %d, HX-Redirect %q", res.StatusCode, res.Header.Get("HX-Redirect"))
	}
}

// W4: no GET route changes data, whoever calls it (the session row, which
// records activity, is the exception).
func TestGETRoutesChangeNoData(t *testing.T) {
	app := newTestApp(t)
	w := newAuthzWorld(t, app)
	for actor := range actorNames {
		c := app.client()
		if w.emails[actor] != "" {
			c.login(w.emails[actor], authzPassword)
		}
		before := dbSnapshot(t, app)
		for _, row := range authzMatrix {
			if row.method != http.MethodGet {
				continue
			}
			path := row.path
			if path == "" {
				path = row.route
			}
			c.get(w.fill(path, actor))
		}
		if after := dbSnapshot(t, app); after != before {
			t.Errorf("GET requests as %s changed data:\n%s", actorNames[actor], diffSnapshots(before, after))
		}
	}
}

// dbSnapshot fingerprints every table of the app's database except sessions
// (which record activity by design) and the migration bookkeeping.
func dbSnapshot(t *testing.T, app *testApp) string {
	t.Helper()
	db := app.st.DB()
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
		  AND table_name NOT IN ('sessions', 'goose_db_version') ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	var b strings.Builder
	for _, table := range tables {
		var n int
		var sum string
		q := fmt.Sprintf(`SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM %q t`, table)
		if err := db.QueryRow(q).Scan(&n, &sum); err != nil {
			t.Fatalf("snapshot %s: %v", table, err)
		}
		fmt.Fprintf(&b, "%s %d %s\n", table, n, sum)
	}
	return b.String()
}

func diffSnapshots(before, after string) string {
	a, b := strings.Split(before, "\n"), strings.Split(after, "\n")
	var out []string
	for i := range a {
		if i < len(b) && a[i] != b[i] {
			out = append(out, "  "+a[i]+"  ->  "+b[i])
		}
	}
	return strings.Join(out, "\n")
}

// W4: the CSRF token is bound to the session. A nonce and token a neighbour
// obtained for itself and planted in a victim's browser do not work with the
// victim's session, and login rotates the token: one seen before it is
// refused after it.
func TestCSRFTokenBoundToSessionAndRotatedAtLogin(t *testing.T) {
	app := newTestApp(t)
	app.createUser("customer", "ann@example.com", authzPassword)

	attacker := app.client()
	attacker.get("/")
	plantedNonce, plantedToken := attacker.cookie(csrfCookie), attacker.csrf
	victim := app.client()
	victim.login("ann@example.com", authzPassword)
	victim.get("/account")
	victim.setCookie(csrfCookie, plantedNonce)
	res := victim.post("/account/mail", url.Values{"reminders": {"1"}, "_csrf": {plantedToken}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a planted nonce and token passed with the victim's session: status %d", res.StatusCode)
	}

	c := app.client()
	c.get("/login")
	before := c.csrf
	c.login("ann@example.com", authzPassword)
	if res := c.post("/account/mail", url.Values{"reminders": {"1"}, "_csrf": {before}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a token from before login passed after it: status %d", res.StatusCode)
	}
	c.get("/account")
	if c.csrf == before {
		t.Fatal("login did not rotate the token")
	}
	if res := c.post("/account/mail", url.Values{"reminders": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the token of a page after login: status %d", res.StatusCode)
	}
	// Logging out ends the session and with it the token.
	old := c.csrf
	c.post("/logout", nil).expectStatus(t, http.StatusSeeOther)
	if res := c.post("/password/forgot", url.Values{"email": {"ann@example.com"}, "_csrf": {old}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a token of the ended session passed: status %d", res.StatusCode)
	}
}

// W4: a valid token is not enough from another site. Browsers say where an
// unsafe request comes from (Sec-Fetch-Site, Origin); one from another site,
// a sibling subdomain or an opaque origin is a 403 whatever token it carries,
// while the app's own pages, the configured base URL's origin (behind a proxy
// that rewrites Host) and clients that send neither header pass.
func TestCSRFOriginChecked(t *testing.T) {
	app := newTestApp(t, withConfig(func(c *config.Config) {
		c.BaseURL, _ = url.Parse("http://rent.example:8080")
	}))
	app.createUser("customer", "ann@example.com", authzPassword)
	c := app.client()
	c.login("ann@example.com", authzPassword)
	c.get("/account")
	self := app.ts.URL

	for _, h := range []http.Header{
		{"Origin": {"https://evil.example"}},
		{"Origin": {"null"}},
		{"Origin": {"http://rent.example.evil.example"}},
		{"Sec-Fetch-Site": {"cross-site"}},
		{"Sec-Fetch-Site": {"same-site"}, "Origin": {"http://shop.rent.example"}},
		{"Sec-Fetch-Site": {"cross-site"}, "Origin": {self}},
	} {
		res := c.postRaw("/logout", url.Values{"_csrf": {c.csrf}}, h)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("logout with a valid token and %v: status %d, want 403", h, res.StatusCode)
		}
		if !c.loggedIn() {
			t.Fatalf("logout with a valid token and %v logged the user out", h)
		}
	}

	for _, h := range []http.Header{
		nil,
		{"Origin": {self}},
		{"Sec-Fetch-Site": {"same-origin"}, "Origin": {self}},
		{"Sec-Fetch-Site": {"none"}},
		{"Origin": {"http://rent.example:8080"}},
		{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"http://rent.example:8080"}},
	} {
		res := c.postRaw("/account/mail", url.Values{"reminders": {"1"}, "_csrf": {c.csrf}}, h)
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("a form with a valid token and %v: status %d, want 303", h, res.StatusCode)
		}
	}
}
