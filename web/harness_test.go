package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/v2"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/config"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
	"github.com/rentdesk/rentdesk/static"
)

// testApp is a real Rentdesk server on a fresh database, reached over HTTP.
type testApp struct {
	t     *testing.T
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
func newTestApp(t *testing.T, mutate ...func(*Deps)) *testApp {
	t.Helper()
	st, dbURL := testenv.Store(t)
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	a := &testApp{t: t, st: st, dbURL: dbURL, logs: &syncBuffer{}, now: time.Now()}
	cfg := testConfig(t, dbURL)
	sm := scs.New()
	sm.Store = postgresstore.NewWithCleanupInterval(st.DB(), 0)
	sm.Lifetime = cfg.SessionLifetime
	sm.IdleTimeout = cfg.SessionIdleTimeout
	sm.Cookie.Name = "rentdesk_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	d := Deps{
		Config: cfg, Store: st, Sessions: sm, Assets: assets,
		Logger: slog.New(slog.NewTextHandler(a.logs, nil)),
		Hasher: testHasher, Policy: auth.NewPolicy(), Now: a.clock,
		Jobs: testJobs(t, st, nil, cfg.BaseURL),
	}
	for _, m := range mutate {
		m(&d)
	}
	a.srv = New(d)
	a.ts = httptest.NewServer(a.srv.Handler())
	t.Cleanup(a.ts.Close)
	return a
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
	t    *testing.T
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
func (r *testResponse) expectStatus(t *testing.T, want int) *testResponse {
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
