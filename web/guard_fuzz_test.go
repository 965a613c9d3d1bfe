package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/templates/components"
)

// FuzzInputGuard posts arbitrary form bodies and paths through the guard
// every app route sits behind: whatever it lets through is text PostgreSQL
// can store, with control characters only in text areas, of bounded length;
// a typed field over its limit, or a typed single-line field holding a
// control character, comes with the message the handler shows beside it
// (tooLong); what it refuses is a 4xx. It never panics.
func FuzzInputGuard(f *testing.F) {
	for _, s := range [][2]string{
		{"/items/canon", "name=Ann&email=a%40example.com"},
		{"/items/%ff", "name=x"},
		{"/items/a%00b", ""},
		{"/items/x", "name=%ff%fe"},
		{"/items/x", "name=a%0d%0aBcc:+x"},
		{"/items/x", "description=line%0d%0aline%09tab"},
		{"/items/x", "description=a%00b"},
		{"/items/x", "next=%2F%09%2Fevil"},
		{"/items/x", "q=" + strings.Repeat("x", 3000)},
		{"/items/x", "name=" + strings.Repeat("x", 3000)},
		{"/items/x", "description=" + strings.Repeat("%F0%9F%99%82", 5001)},
		{"/items/x", "%ff=1"},
		{"/items/x", "name=%e2%80%a8"},
	} {
		f.Add(s[0], s[1])
	}
	e := echo.New()
	e.POST("/items/:slug", func(c echo.Context) error {
		form, err := c.FormParams()
		if err != nil {
			return c.NoContent(http.StatusBadRequest)
		}
		long := tooLong(c, nil)
		check := func(name, v string, limit int) {
			multi := multiLineFields[name] || handlerCheckedFields[name]
			if !isTypedField(name) && len(v) > limit {
				panic("guard let through a long " + name)
			}
			if isTypedField(name) {
				max := components.MaxLineChars
				if multiLineFields[name] {
					max = components.MaxTextChars
				}
				if components.TextLength(v) > max && long[name] == "" {
					panic("guard let through a long " + name + " without a message")
				}
			}
			if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
				panic("guard let through " + name + "=" + v)
			}
			for _, r := range v {
				if (r < 0x20 && !(multi && (r == '\n' || r == '\r' || r == '\t'))) || (r >= 0x7f && r <= 0x9f) {
					// A typed field may reach its handler with one, but only
					// flagged, so the handler shows its form again instead
					// of acting.
					if !isTypedField(name) || long[name] == "" {
						panic("guard let a control character through in " + name)
					}
				}
			}
		}
		for name, vs := range form {
			for _, v := range vs {
				check(name, v, maxOtherBytes)
			}
		}
		check("slug", c.Param("slug"), maxPathParamBytes)
		return c.NoContent(http.StatusOK)
	}, refuseUnstorableText)
	f.Fuzz(func(t *testing.T, path, body string) {
		u, err := url.Parse("http://localhost" + path)
		if err != nil || !strings.HasPrefix(path, "/items/") {
			return
		}
		req, err := http.NewRequest(http.MethodPost, u.String(), strings.NewReader(body))
		if err != nil {
			return // not a request a client could send ("/items/? " is not)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("POST %q %q: status %d", path, body, rec.Code)
		}
	})
}
