package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv/benchenv"
	"github.com/rentdesk/rentdesk/static"
)

// BenchmarkWeb measures the busiest pages through the real router and a real
// HTTP connection, from parallel clients, against the demo shop plus a
// generated catalog of 2,000 items and 10,000 units (make bench), with the
// store's reference data cache as serve runs it. Logging is off and logins
// use the production argon2id parameters.
func BenchmarkWeb(b *testing.B) {
	st, dbURL := benchenv.Shop(b)
	assets, err := static.New()
	if err != nil {
		b.Fatal(err)
	}
	// As in production (serve), the reference data stays in memory between
	// requests; wait for its listener so that every page reads from it.
	st.StartCache(dbURL, store.CacheOptions{})
	for deadline := time.Now().Add(10 * time.Second); !st.CacheLive(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatal("the reference data cache did not start listening")
		}
	}
	cfg := testConfig(b, dbURL)
	d := Deps{Config: cfg, Store: st, Assets: assets, Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError})),
		Hasher: auth.NewHasher(auth.DefaultParams), Policy: auth.NewPolicy(), Now: time.Now, Jobs: testJobs(b, st, nil, cfg.BaseURL)}
	d.Sessions = NewSessions(cfg, st.SessionStore())
	ts := httptest.NewServer(New(d).Handler())
	b.Cleanup(ts.Close)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	b.Cleanup(tr.CloseIdleConnections)
	client := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	anon := client()
	customer := client()
	if err := benchLogin(customer, ts.URL); err != nil {
		b.Fatal(err)
	}
	// A visitor who chose where and when (a week next month at the first
	// location that takes bookings): the pages that sell.
	locs, err := st.ListBookingLocations(context.Background())
	if err != nil || len(locs) == 0 {
		b.Fatalf("booking locations: %v (%d)", err, len(locs))
	}
	dated := client()
	if err := benchChooseDates(dated, ts.URL, locs[0].ID, time.Now().AddDate(0, 1, 0), 7); err != nil {
		b.Fatal(err)
	}
	get := func(c *http.Client, path string) func() error {
		return func() error { return benchGet(c, ts.URL+path, http.StatusOK) }
	}
	// Nine days next month: within the booking horizon, so it is priced.
	day := time.Now().AddDate(0, 1, 0)
	price := "/items/bench-item-1234/price?" + url.Values{"location": {"berlin"}, "start": {day.Format("2006-01-02") + "T10:00"},
		"end": {day.AddDate(0, 0, 9).Format("2006-01-02") + "T10:00"}}.Encode()
	benches := []struct {
		name string
		op   func() error
	}{
		{"Home", get(anon, "/")},
		{"Catalog", get(anon, "/catalog")},
		{"CatalogSearch", get(anon, "/catalog?q=bike")},
		{"Item", get(anon, "/items/bench-item-1234")},
		{"PriceFragment", get(anon, price)},
		{"AccountLoggedIn", get(customer, "/account")},
		{"CatalogWithDates", get(dated, "/catalog")},
		{"BookWithDates", get(dated, "/book")},
		{"ItemWithDates", get(dated, "/items/bench-item-1234")},
		{"ItemCalendar", get(dated, "/book/items/"+benchItemID(b, st, "bench-item-1234"))},
		{"Login", func() error { return benchLogin(client(), ts.URL) }},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) { benchenv.Parallel(b, bb.op) })
	}
}

func benchGet(c *http.Client, u string, want int) error {
	res, err := c.Get(u)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	if res.StatusCode != want {
		return fmt.Errorf("GET %s: status %d, want %d", u, res.StatusCode, want)
	}
	return nil
}

// benchChooseDates chooses location loc and days days from day's 10:00 (in
// the location's zone) as a visitor does at /book: the form, then the POST.
func benchChooseDates(c *http.Client, base string, loc int64, day time.Time, days int) error {
	res, err := c.Get(base + "/book")
	if err != nil {
		return err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	m := csrfField.FindSubmatch(body)
	if m == nil {
		return fmt.Errorf("no CSRF token on /book (status %d)", res.StatusCode)
	}
	form := url.Values{"_csrf": {string(m[1])}, "location": {strconv.FormatInt(loc, 10)},
		"start": {day.Format("2006-01-02") + "T10:00"}, "end": {day.AddDate(0, 0, days).Format("2006-01-02") + "T10:00"}}
	res, err = c.Post(base+"/book/dates", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("choose dates: status %d: %.300s", res.StatusCode, body)
	}
	return nil
}

// benchItemID is the id of the item with this slug.
func benchItemID(b *testing.B, st *store.Store, slug string) string {
	it, err := st.GetPublicItem(context.Background(), slug)
	if err != nil {
		b.Fatalf("item %s: %v", slug, err)
	}
	return strconv.FormatInt(it.ID, 10)
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// benchLogin logs the demo customer in as a browser does: the form, then the POST.
func benchLogin(c *http.Client, base string) error {
	res, err := c.Get(base + "/login")
	if err != nil {
		return err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	m := csrfField.FindSubmatch(body)
	if m == nil {
		return fmt.Errorf("no CSRF token on the login page (status %d)", res.StatusCode)
	}
	form := url.Values{"_csrf": {string(m[1])}, "email": {"customer@rentdesk.test"}, "password": {"demo-customer-pass"}}
	res, err = c.Post(base+"/login", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("login: status %d", res.StatusCode)
	}
	return nil
}
