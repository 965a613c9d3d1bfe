package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSignupLogoutLogin(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.get("/signup").expectStatus(t, http.StatusOK)
	res := c.post("/signup", url.Values{"name": {"Ann Lee"}, "email": {"Ann@Example.com"}, "phone": {"+49 30 123456"}, "password": {"correct horse battery"}})
	res.expectStatus(t, http.StatusSeeOther)
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
		{"taken email", url.Values{"name": {"Ann"}, "email": {"taken@example.com"}, "password": {"correct horse battery"}}, "email", "exists"},
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
