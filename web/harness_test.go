package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/config"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
	"github.com/rentdesk/rentdesk/static"
)

// testApp is a real Rentdesk server on a fresh database, reached over HTTP.
type testApp struct {
	t     testing.TB
	srv   *Server
	ts    *httptest.Server
	st    *store.Store
	dbURL string
	logs  *syncBuffer

	mu  sync.Mutex
	now time.Time
}

// testHasher is cheap so tests stay fast; the production parameters are
// checked in internal/auth.
var testHasher = auth.NewHasher(auth.Params{Time: 1, Memory: 1024, Threads: 1, KeyLen: 32, SaltLen: 16})

func testConfig(t testing.TB, dbURL string) config.Config {
	cfg, err := config.Load(func(k string) string {
		if k == "DATABASE_URL" {
			return dbURL
		}
		return ""
	})
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg
}

// newTestApp starts a server; mutate lets a test adjust the dependencies.
// Sessions are built from the (possibly mutated) Config unless a mutator sets
// them, so a test may change cookie or lifetime settings through Config alone.
func newTestApp(t testing.TB, mutate ...func(*Deps)) *testApp {
	t.Helper()
	st, dbURL := testenv.Store(t)
	a := &testApp{t: t, st: st, dbURL: dbURL, logs: &syncBuffer{}, now: time.Now()}
	a.start(mutate...)
	return a
}

// start builds a Server on the app's database and serves it on a new
// loopback listener. Calling it again is an app restart: the new server shares
// only the database with the old one.
func (a *testApp) start(mutate ...func(*Deps)) {
	t := a.t
	t.Helper()
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, a.dbURL)
	d := Deps{
		Config: cfg, Store: a.st, Assets: assets,
		Logger: slog.New(slog.NewTextHandler(a.logs, nil)),
		Hasher: testHasher, Policy: auth.NewPolicy(), Now: a.clock,
		// Jobs are enqueued but not worked unless a test starts them (newMailApp).
		Jobs: testJobs(t, a.st, nil, cfg.BaseURL),
	}
	for _, m := range mutate {
		m(&d)
	}
	if d.Sessions == nil {
		d.Sessions = NewSessions(d.Config, d.Store.SessionStore())
	}
	a.srv = New(d)
	a.ts = httptest.NewServer(a.srv.Handler())
	t.Cleanup(a.ts.Close)
}

// restarted returns a second app instance on the same database, as after a
// restart or beside another instance behind a load balancer.
func (a *testApp) restarted(mutate ...func(*Deps)) *testApp {
	a.t.Helper()
	b := &testApp{t: a.t, st: a.st, dbURL: a.dbURL, logs: a.logs, now: a.clock()}
	b.start(mutate...)
	return b
}

// withConfig adjusts the configuration of a test app.
func withConfig(f func(*config.Config)) func(*Deps) {
	return func(d *Deps) { f(&d.Config) }
}

func (a *testApp) clock() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.now
}

// advance moves the injected clock forward.
func (a *testApp) advance(d time.Duration) {
	a.mu.Lock()
	a.now = a.now.Add(d)
	a.mu.Unlock()
}

// createUser makes an account directly in the database.
func (a *testApp) createUser(role, email, password string) store.User {
	a.t.Helper()
	hash, err := testHasher.Hash(password)
	if err != nil {
		a.t.Fatal(err)
	}
	u, err := a.st.CreateUser(context.Background(), store.NewUser{Email: email, Name: strings.Split(email, "@")[0], Role: role, PasswordHash: hash})
	if err != nil {
		a.t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// testClient is one browser: a cookie jar, no automatic redirects, and the
// CSRF token of the last page it saw.
type testClient struct {
	t    testing.TB
	app  *testApp
	http *http.Client
	csrf string
}

func (a *testApp) client() *testClient {
	jar, _ := cookiejar.New(nil)
	return &testClient{t: a.t, app: a, http: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// testResponse is a finished response with its body read and parsed.
type testResponse struct {
	*http.Response
	Body string
	Doc  *goquery.Document
}

func (c *testClient) do(req *http.Request) *testResponse {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	r := &testResponse{Response: res, Body: string(b)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		r.Doc, err = goquery.NewDocumentFromReader(strings.NewReader(r.Body))
		if err != nil {
			c.t.Fatal(err)
		}
		if tok, ok := r.Doc.Find(`meta[name="csrf-token"]`).Attr("content"); ok && tok != "" {
			c.csrf = tok
		}
	}
	return r
}

// get fetches a page (remembering its CSRF token).
func (c *testClient) get(path string) *testResponse {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.app.ts.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post submits a form with the CSRF token of the last page, as a browser would.
func (c *testClient) post(path string, form url.Values) *testResponse {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/")
	}
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("_csrf") {
		form.Set("_csrf", c.csrf)
	}
	return c.postRaw(path, form, nil)
}

// postRaw submits a form exactly as given, with extra headers.
func (c *testClient) postRaw(path string, form url.Values, header http.Header) *testResponse {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.app.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, vs := range header {
		req.Header[k] = vs
	}
	return c.do(req)
}

// login logs in and fails the test unless it worked.
func (c *testClient) login(email, password string) {
	c.t.Helper()
	c.get("/login")
	res := c.post("/login", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("login %s: status %d\n%s", email, res.StatusCode, res.Body)
	}
	// Login rotates the CSRF token: the next form comes from a new page.
	c.csrf = ""
}

// cookie returns the value of a cookie the client holds for the app, or "".
func (c *testClient) cookie(name string) string {
	u, _ := url.Parse(c.app.ts.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// expectStatus fails the test when the status differs.
func (r *testResponse) expectStatus(t testing.TB, want int) *testResponse {
	t.Helper()
	if r.StatusCode != want {
		body := r.Body
		if len(body) > 2000 {
			body = body[:2000]
		}
		t.Fatalf("%s %s: status %d, want %d\n%s", r.Request.Method, r.Request.URL.Path, r.StatusCode, want, body)
	}
	return r
}

// fieldError returns the message shown beside a form field.
func (r *testResponse) fieldError(name string) string {
	if r.Doc == nil {
		return ""
	}
	return strings.TrimSpace(r.Doc.Find(`[data-testid="error-` + name + `"]`).Text())
}

// inputValue returns the value kept in a form input.
func (r *testResponse) inputValue(name string) string {
	if r.Doc == nil {
		return ""
	}
	v, _ := r.Doc.Find(`[name="` + name + `"]`).Attr("value")
	return v
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// location is where a redirect points (the Location or HX-Redirect header).
func (r *testResponse) location() string {
	if l := r.Header.Get("Location"); l != "" {
		return l
	}
	return r.Header.Get("HX-Redirect")
}

// setCookie puts a cookie into the client's jar, as a browser replaying a
// stolen or planted value would.
func (c *testClient) setCookie(name, value string) {
	u, _ := url.Parse(c.app.ts.URL)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// loggedIn reports whether the client's session belongs to a user: the
// account page answers instead of sending it to the login page.
func (c *testClient) loggedIn() bool {
	c.t.Helper()
	res := c.get("/account")
	switch {
	case res.StatusCode == http.StatusOK:
		return true
	case res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.location(), "/login"):
		return false
	}
	c.t.Fatalf("GET /account: unexpected status %d", res.StatusCode)
	return false
}

// sessionRows counts the stored sessions with this token.
func (a *testApp) sessionRows(token string) int {
	a.t.Helper()
	var n int
	if err := a.st.DB().QueryRow(`SELECT count(*) FROM sessions WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, token).Scan(&n); err != nil {
		a.t.Fatal(err)
	}
	return n
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// goquerySelection is short for the goquery selection type in Each callbacks.
type goquerySelection = goquery.Selection
