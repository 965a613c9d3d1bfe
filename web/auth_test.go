package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/auth"
)

func TestSignupLogoutLogin(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.get("/signup").expectStatus(t, http.StatusOK)
	res := c.post("/signup", url.Values{"name": {"Ann Lee"}, "email": {"Ann@Example.com"}, "phone": {"+49 30 123456"}, "password": {"correct horse battery"}})
	res.expectStatus(t, http.StatusSeeOther)
	// Sign-up answers alike for new and taken emails, so it does not log in:
	// it sends the new customer to the login form.
	if got := res.location(); got != "/login?next=%2F" {
		t.Fatalf("after sign-up went to %q", got)
	}
	if got := c.get(res.location()).Doc.Find(`[data-testid="flash"]`).Text(); !strings.Contains(got, "ann@example.com") {
		t.Errorf("after sign-up the login page says %q", got)
	}
	c.login("ann@example.com", "correct horse battery")
	home := c.get("/").expectStatus(t, http.StatusOK)
	if got := home.Doc.Find(`[data-testid="home-greeting"]`).Text(); !strings.Contains(got, "Ann Lee") {
		t.Fatalf("home greeting %q", got)
	}
	c.post("/logout", nil).expectStatus(t, http.StatusSeeOther)
	if got := c.get("/").Doc.Find(`[data-testid="home-greeting"]`).Length(); got != 0 {
		t.Fatal("still greeted after logout")
	}
	c.login("ann@example.com", "correct horse battery")
	if got := c.get("/account").expectStatus(t, http.StatusOK).inputValue("email"); got != "ann@example.com" {
		t.Fatalf("account email %q", got)
	}
}

func TestSignupBadInputKeepsWhatWasTyped(t *testing.T) {
	app := newTestApp(t)
	app.createUser("customer", "taken@example.com", "correct horse battery")
	cases := []struct {
		name  string
		form  url.Values
		field string
		msg   string
	}{
		{"empty name", url.Values{"name": {""}, "email": {"a@example.com"}, "password": {"correct horse battery"}}, "name", "Enter your name"},
		{"bad email", url.Values{"name": {"Ann"}, "email": {"not-an-email"}, "password": {"correct horse battery"}}, "email", "email address like"},
		{"header trick in email", url.Values{"name": {"Ann"}, "email": {"a@example.com\r\nBcc: x@evil.test"}, "password": {"correct horse battery"}}, "email", "email address like"},
		{"short password", url.Values{"name": {"Ann"}, "email": {"a@example.com"}, "password": {"short"}}, "password", "at least 8"},
		{"common password", url.Values{"name": {"Ann"}, "email": {"a@example.com"}, "password": {"password123"}}, "password", "too common"},
		{"bad phone", url.Values{"name": {"Ann"}, "email": {"a@example.com"}, "phone": {"call me"}, "password": {"correct horse battery"}}, "phone", "digits"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := app.client()
			c.get("/signup")
			res := c.post("/signup", tc.form).expectStatus(t, http.StatusUnprocessableEntity)
			if got := res.fieldError(tc.field); !strings.Contains(got, tc.msg) {
				t.Errorf("error beside %s = %q, want %q", tc.field, got, tc.msg)
			}
			if tc.field != "name" && res.inputValue("name") != tc.form.Get("name") {
				t.Errorf("name not kept: %q", res.inputValue("name"))
			}
			if strings.Contains(res.Body, tc.form.Get("password")) && tc.form.Get("password") != "" {
				t.Error("the password was echoed back into the page")
			}
		})
	}
}

func TestLoginBadInput(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.get("/login")
	res := c.post("/login", url.Values{"email": {"ann@example.com"}, "password": {""}}).expectStatus(t, http.StatusUnprocessableEntity)
	if res.fieldError("password") == "" || res.inputValue("email") != "ann@example.com" {
		t.Errorf("want a password message and the email kept; got %q / %q", res.fieldError("password"), res.inputValue("email"))
	}
}

// Sign-up does not tell who has an account: a taken email gets the same
// answer as a new one, and its owner an email saying they already have an
// account (the password and name of the taken sign-up change nothing).
func TestSignupDoesNotRevealAccounts(t *testing.T) {
	app := newTestApp(t)
	app.srv.Jobs = testJobs(t, app.st, nopSender{}, app.srv.Config.BaseURL)
	app.createUser("customer", "taken@example.com", "correct horse battery")
	answer := func(email string) (int, string, string) {
		c := app.client()
		c.get("/signup")
		res := c.post("/signup", url.Values{"name": {"Mallory"}, "email": {email}, "password": {"another fine password"}, "next": {"/cart"}})
		flash := c.get(res.location()).Doc.Find(`[data-testid="flash"]`).Text()
		return res.StatusCode, res.location(), strings.ReplaceAll(flash, email, "EMAIL")
	}
	s1, l1, f1 := answer("taken@example.com")
	s2, l2, f2 := answer("fresh@example.com")
	if s1 != s2 || l1 != l2 || f1 != f2 {
		t.Errorf("answers differ:\ntaken: %d %s %q\nnew:   %d %s %q", s1, l1, f1, s2, l2, f2)
	}
	var kinds []string
	rows, err := app.st.DB().Query(`SELECT kind || ' ' || to_address FROM emails ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		_ = rows.Scan(&k)
		kinds = append(kinds, k)
	}
	_ = rows.Close()
	if want := []string{"account_exists taken@example.com", "welcome fresh@example.com"}; strings.Join(kinds, "|") != strings.Join(want, "|") {
		t.Errorf("emails %v, want %v", kinds, want)
	}
	// The taken account keeps its password and name.
	c := app.client()
	c.login("taken@example.com", "correct horse battery")
	if got := c.get("/account").inputValue("name"); got == "Mallory" {
		t.Error("a sign-up with a taken email changed the account")
	}
}

// Sign-ups and password changes run argon2id; each address gets a few an
// hour, with a message, and nothing is written beyond the limit.
func TestSignupAndPasswordChangeThrottledPerAddress(t *testing.T) {
	app := newTestApp(t)
	for i := range auth.MaxSignupsPerIP {
		c := app.client()
		c.get("/signup")
		c.post("/signup", url.Values{"name": {"Ann"}, "email": {fmt.Sprintf("ann%d@example.com", i)}, "password": {"correct horse battery"}}).
			expectStatus(t, http.StatusSeeOther)
	}
	c := app.client()
	c.get("/signup")
	res := c.post("/signup", url.Values{"name": {"Ann"}, "email": {"one.more@example.com"}, "password": {"correct horse battery"}}).
		expectStatus(t, http.StatusTooManyRequests)
	if got := res.Doc.Find(`[data-testid="form-error"]`).Text(); !strings.Contains(got, "Too many sign-ups") {
		t.Errorf("429 says %q", got)
	}
	if res.inputValue("email") != "one.more@example.com" {
		t.Error("the refused form lost what was typed")
	}
	var n int
	_ = app.st.DB().QueryRow(`SELECT count(*) FROM users WHERE email = 'one.more@example.com'`).Scan(&n)
	if n != 0 {
		t.Error("a throttled sign-up made an account")
	}

	app.createUser("customer", "pat@example.com", authzPassword)
	pat := app.client()
	pat.login("pat@example.com", authzPassword)
	for range auth.MaxPasswordChangesPerIP {
		pat.post("/account/password", url.Values{"current_password": {"wrong"}, "new_password": {"a brand new password"}}).
			expectStatus(t, http.StatusUnprocessableEntity)
	}
	res = pat.post("/account/password", url.Values{"current_password": {authzPassword}, "new_password": {"a brand new password"}}).
		expectStatus(t, http.StatusTooManyRequests)
	if got := res.fieldError("current_password"); !strings.Contains(got, "Too many password changes") {
		t.Errorf("429 says %q", got)
	}
	app.advance(auth.CostlyWindow + time.Minute)
	pat.post("/account/password", url.Values{"current_password": {authzPassword}, "new_password": {"a brand new password"}}).
		expectStatus(t, http.StatusSeeOther)
}
