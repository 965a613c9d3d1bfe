package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

var csrfMeta = regexp.MustCompile(`name="csrf-token" content="([^"]*)"`)

// browser is a cookie jar shared across instances (cookies do not depend on
// the port), as one browser behind a load balancer would send them.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(u string) (int, string) {
	b.t.Helper()
	res, err := b.c.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// submit opens page, then posts form to action with the page's CSRF token.
func (b *browser) submit(page, action string, form url.Values) (int, string) {
	b.t.Helper()
	_, body := b.get(page)
	m := csrfMeta.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no CSRF token on %s", page)
	}
	form.Set("_csrf", m[1])
	res, err := b.c.PostForm(action, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header.Get("Location")
}

// Two `rentdesk serve` processes on one database, as behind a load balancer:
// a login on one is valid on the other and a logout on one ends it on both;
// the same sign-up sent to both at once makes one account and one email of
// each kind; the periodic jobs are queued once, not once per instance.
func TestTwoInstancesShareOneDatabase(t *testing.T) {
	dbURL := testenv.DatabaseURL(t)
	// Empty pool values are the shipped defaults, not the small test pool.
	env := []string{"DATABASE_URL=" + dbURL, "RENTDESK_DB_MAX_OPEN=", "RENTDESK_DB_MAX_IDLE="}
	pa, pb := startProgram(t, env, "serve"), startProgram(t, env, "serve")
	a, b := "http://"+pa.waitAddr(t), "http://"+pb.waitAddr(t)

	ann := newBrowser(t)
	if code, loc := ann.submit(a+"/signup", a+"/signup", url.Values{"name": {"Ann"}, "email": {"ann@example.com"}, "password": {"correct horse battery"}}); code != http.StatusSeeOther {
		t.Fatalf("sign-up on A: %d %s", code, loc)
	}
	if code, loc := ann.submit(a+"/login", a+"/login", url.Values{"email": {"ann@example.com"}, "password": {"correct horse battery"}}); code != http.StatusSeeOther || loc != "/" {
		t.Fatalf("login on A: %d %s", code, loc)
	}
	if code, _ := ann.get(b + "/account"); code != http.StatusOK {
		t.Fatalf("the login on A is not valid on B: %d", code)
	}
	if code, _ := ann.submit(b+"/account", b+"/logout", url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("logout on B: %d", code)
	}
	if code, _ := ann.get(a + "/account"); code != http.StatusSeeOther {
		t.Fatalf("after logout on B, A still serves the account: %d", code)
	}

	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i, base := range []string{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _ = newBrowser(t).submit(base+"/signup", base+"/signup",
				url.Values{"name": {"Twin"}, "email": {"twin@example.com"}, "password": {"correct horse battery"}})
		}()
	}
	wg.Wait()
	if codes[0] != http.StatusSeeOther || codes[1] != http.StatusSeeOther {
		t.Fatalf("sign-ups: %v", codes)
	}
	st, err := store.Open(t.Context(), dbURL, store.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var users, welcome, exists int
	_ = st.DB().QueryRow(`SELECT (SELECT count(*) FROM users WHERE email = 'twin@example.com'),
		(SELECT count(*) FROM emails WHERE to_address = 'twin@example.com' AND kind = 'welcome'),
		(SELECT count(*) FROM emails WHERE to_address = 'twin@example.com' AND kind = 'account_exists')`).Scan(&users, &welcome, &exists)
	if users != 1 || welcome != 1 || exists != 1 {
		t.Errorf("twin sign-ups: %d accounts, %d welcome and %d already-have-an-account emails; want 1 each", users, welcome, exists)
	}

	// The periodic jobs are queued by the elected leader only (these two
	// run every 30 and 60 minutes: at start, once).
	var kinds map[string]int
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		kinds = map[string]int{}
		rows, err := st.DB().Query(`SELECT kind, count(*) FROM river_job WHERE kind IN ('overdue_scan', 'cleanup') GROUP BY kind`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k string
			var n int
			_ = rows.Scan(&k, &n)
			kinds[k] = n
		}
		rows.Close()
		if len(kinds) == 2 {
			break
		}
	}
	if kinds["overdue_scan"] != 1 || kinds["cleanup"] != 1 {
		t.Errorf("periodic jobs queued at start by two instances: %v, want one of each", kinds)
	}
	s := pa.out.String() + pb.out.String()
	if strings.Contains(s, "level=ERROR") {
		t.Errorf("errors in the logs:\n%s", s)
	}
	// River's routine INFO lines (this one at every start, the "Producer job
	// counts" heartbeat every minute) stay out of the default log.
	if strings.Contains(s, "River client started") || strings.Contains(s, "Producer job counts") {
		t.Errorf("River's routine lines in the default log:\n%s", s)
	}
}
