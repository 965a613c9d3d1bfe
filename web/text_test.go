package web

import (
	"net/http"
	"net/url"
	"testing"
)

// Text PostgreSQL cannot store (a NUL byte, invalid UTF-8) is refused with a
// 400 page before any handler runs, never a 500, and nothing is written.
func TestUnstorableTextIs400(t *testing.T) {
	app := newTestApp(t)
	app.createUser("customer", "ann@example.com", "correct horse battery")
	c := app.client()
	c.get("/")
	before := dbSnapshot(t, app)
	for _, tc := range []struct {
		name string
		do   func() *testResponse
	}{
		{"NUL in the sign-up name", func() *testResponse {
			return c.post("/signup", url.Values{"name": {"Ann\x00Lee"}, "email": {"new@example.com"}, "password": {"correct horse battery"}})
		}},
		{"invalid UTF-8 in the login email", func() *testResponse {
			return c.post("/login", url.Values{"email": {"ann\xff@example.com"}, "password": {"correct horse battery"}})
		}},
		{"NUL in the catalog search", func() *testResponse { return c.get("/catalog?q=%00") }},
		{"invalid UTF-8 in the forgot-password email", func() *testResponse {
			return c.post("/password/forgot", url.Values{"email": {"\xc3\x28@example.com"}})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.do()
			res.expectStatus(t, http.StatusBadRequest)
			if res.Doc == nil || res.Doc.Find(`[data-testid="request-id"]`).Length() != 1 {
				t.Errorf("want the error page with a request id:\n%s", res.Body)
			}
		})
	}
	if after := dbSnapshot(t, app); after != before {
		t.Errorf("refused requests changed data:\n%s", diffSnapshots(before, after))
	}
	// Ordinary multibyte text still goes through.
	c.post("/signup", url.Values{"name": {"Zoë Łukasiewicz"}, "email": {"zoe@example.com"}, "password": {"correct horse battery"}}).
		expectStatus(t, http.StatusSeeOther)
}
