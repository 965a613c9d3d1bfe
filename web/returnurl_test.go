package web

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

var returnURLCases = []struct{ next, want string }{
	{"//evil.test", "/"},
	{"//evil.test/account", "/"},
	{`/\evil.test`, "/"},
	{`\\evil.test`, "/"},
	{"javascript:alert(1)", "/"},
	{"JavaScript:alert(1)", "/"},
	{"https://evil.test/", "/"},
	{"http:evil.test", "/"},
	{"/\t/evil.test", "/"},
	{"evil.test", "/"},
	{"", "/"},
	{"/account", "/account"},
	{"/admin/users?role=staff", "/admin/users?role=staff"},
}

// W12: the login page and form accept only same-site relative return paths.
func TestLoginReturnURL(t *testing.T) {
	app := newTestApp(t)
	app.createUser("admin", "boss@example.com", authzPassword)
	for i, tc := range returnURLCases {
		c := app.client()
		page := c.get("/login?next="+url.QueryEscape(tc.next)).expectStatus(t, http.StatusOK)
		if got := page.inputValue("next"); got != tc.want {
			t.Errorf("GET /login?next=%q: form carries %q, want %q", tc.next, got, tc.want)
		}
		// A forged form field gets the same treatment as the query parameter.
		res := c.post("/login", url.Values{"email": {"boss@example.com"}, "password": {authzPassword}, "next": {tc.next}})
		res.expectStatus(t, http.StatusSeeOther)
		// Without a safe return path, staff and admins land on their home, the desk.
		want := tc.want
		if want == "/" {
			want = staffHome
		}
		if got := res.location(); got != want {
			t.Errorf("case %d: login with next=%q went to %q, want %q", i, tc.next, got, want)
		}
	}
}

// W12: the sign-up page and form treat next the same way.
func TestSignupReturnURL(t *testing.T) {
	app := newTestApp(t)
	for i, tc := range returnURLCases {
		c := app.client()
		page := c.get("/signup?next="+url.QueryEscape(tc.next)).expectStatus(t, http.StatusOK)
		if got := page.inputValue("next"); got != tc.want {
			t.Errorf("GET /signup?next=%q: form carries %q, want %q", tc.next, got, tc.want)
		}
		res := c.post("/signup", url.Values{"name": {"Ann"}, "email": {"ann" + strconv.Itoa(i) + "@example.com"}, "password": {authzPassword}, "next": {tc.next}})
		res.expectStatus(t, http.StatusSeeOther)
		// Sign-up leads to the login form, which carries the cleaned next on.
		if got := res.location(); got != "/login?next="+url.QueryEscape(tc.want) {
			t.Errorf("sign-up with next=%q went to %q, want %q", tc.next, got, tc.want)
		}
	}
}

// A page that needs a login sends the visitor back to it afterwards.
func TestLoginReturnsToRequestedPage(t *testing.T) {
	app := newTestApp(t)
	app.createUser("customer", "ann@example.com", authzPassword)
	c := app.client()
	res := c.get("/account").expectStatus(t, http.StatusSeeOther)
	if res.location() != "/login?next=%2Faccount" {
		t.Fatalf("redirected to %q", res.location())
	}
	c.get(res.location())
	res = c.post("/login", url.Values{"email": {"ann@example.com"}, "password": {authzPassword}, "next": {"/account"}}).expectStatus(t, http.StatusSeeOther)
	if res.location() != "/account" {
		t.Fatalf("after login went to %q", res.location())
	}
}
