package web

import (
	"html"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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

// Path segments are checked like form values: invalid UTF-8, NUL and control
// characters in /items/…, /catalog/… and any other parameter are a 400 with a
// message, an over-long segment is a 404 with a message; never a 500.
func TestUnstorablePathIsRefused(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	long := strings.Repeat("a", 3000)
	for _, tc := range []struct {
		path string
		want int
		msg  string
	}{
		{"/items/%ff", http.StatusBadRequest, msgBadAddress},
		{"/items/%ff/price", http.StatusBadRequest, msgBadAddress},
		{"/items/a%00b", http.StatusBadRequest, msgBadAddress},
		{"/catalog/%c3%28", http.StatusBadRequest, msgBadAddress},
		{"/catalog/a%0d%0ab", http.StatusBadRequest, msgBadAddress},
		{"/book/items/%00", http.StatusBadRequest, msgBadAddress},
		{"/photos/%fe/thumb", http.StatusBadRequest, msgBadAddress},
		{"/items/" + long, http.StatusNotFound, msgLongAddress},
		{"/catalog/" + long, http.StatusNotFound, msgLongAddress},
		{"/items/" + long + "/price", http.StatusNotFound, msgLongAddress},
	} {
		res := c.get(tc.path)
		res.expectStatus(t, tc.want)
		if !strings.Contains(res.Body, html.EscapeString(tc.msg)) {
			t.Errorf("%.60s: want the message %q on the page", tc.path, tc.msg)
		}
	}
}

// Single-line fields refuse CR, LF, tabs and other control characters; text
// areas keep their line breaks. A typed field holding one (a name pasted from
// a spreadsheet brings its tab) is the user's mistake: the form again, as
// typed, with a message beside that field. NUL or invalid UTF-8, which no
// browser sends from a text field, is a 400. Over-long values are refused
// before any SQL: the form again with a message beside the field
// (TestOverLongFieldShownBesideIt covers every form, for both).
func TestControlCharactersAndLengthRefused(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.get("/")
	before := dbSnapshot(t, app)
	for _, tc := range []struct {
		name, field string
		form        url.Values
	}{
		{"CR LF in a name", "name", url.Values{"name": {"Ann\r\nBcc: x@example.com"}, "email": {"a@example.com"}, "password": {"correct horse battery"}}},
		{"tab in a name", "name", url.Values{"name": {"Ann\tLee"}, "email": {"a@example.com"}, "password": {"correct horse battery"}}},
		{"DEL in an email", "email", url.Values{"name": {"Ann"}, "email": {"a\x7f@example.com"}, "password": {"correct horse battery"}}},
		{"C1 control in a phone", "phone", url.Values{"name": {"Ann"}, "email": {"a@example.com"}, "phone": {"123\u0085456"}, "password": {"correct horse battery"}}},
		{"line separator in a name", "name", url.Values{"name": {"Ann\u2028Lee"}, "email": {"a@example.com"}, "password": {"correct horse battery"}}},
	} {
		res := c.post("/signup", tc.form).expectStatus(t, http.StatusUnprocessableEntity)
		if got := res.fieldError(tc.field); got != msgControlField {
			t.Errorf("%s: message beside %s %q, want %q", tc.name, tc.field, got, msgControlField)
		}
		if got, _ := keptValue(res.Doc, "name"); got != tc.form.Get("name") && !strings.ContainsAny(tc.form.Get("name"), "\r\n") {
			t.Errorf("%s: the name is not kept as typed: %q", tc.name, got)
		}
	}
	for _, tc := range []struct {
		name string
		form url.Values
		msg  string
	}{
		{"NUL after a tab in a name", url.Values{"name": {"Ann\tLee\x00"}, "email": {"a@example.com"}, "password": {"correct horse battery"}}, msgUnstorable},
		{"invalid UTF-8 in a name", url.Values{"name": {"Ann\xffLee"}, "email": {"a@example.com"}, "password": {"correct horse battery"}}, msgUnstorable},
	} {
		res := c.post("/signup", tc.form).expectStatus(t, http.StatusBadRequest)
		if !strings.Contains(res.Body, html.EscapeString(tc.msg)) {
			t.Errorf("%s: want %q on the page", tc.name, tc.msg)
		}
	}
	for _, tc := range []struct {
		name, field string
		form        url.Values
	}{
		{"100 KB name", "name", url.Values{"name": {strings.Repeat("n", 100<<10)}, "email": {"a@example.com"}, "password": {"correct horse battery"}}},
		{"3 KB email", "email", url.Values{"name": {"Ann"}, "email": {strings.Repeat("e", 3000) + "@example.com"}, "password": {"correct horse battery"}}},
	} {
		res := c.post("/signup", tc.form).expectStatus(t, http.StatusUnprocessableEntity)
		if got := res.fieldError(tc.field); !strings.Contains(got, "at most 600 characters") {
			t.Errorf("%s: message beside %s %q", tc.name, tc.field, got)
		}
	}
	// A 3 KB login email is refused before the throttle table sees it.
	res := c.post("/login", url.Values{"email": {strings.Repeat("e", 3000) + "@example.com"}, "password": {"x"}})
	res.expectStatus(t, http.StatusUnprocessableEntity)
	if got := res.fieldError("email"); !strings.Contains(got, "at most 600 characters") {
		t.Errorf("3 KB login email: message beside it %q", got)
	}
	if after := dbSnapshot(t, app); after != before {
		t.Errorf("refused requests changed data:\n%s", diffSnapshots(before, after))
	}
	if textProblem("line one\r\nline two\ttabbed", true, maxOtherBytes) != "" {
		t.Error("a text area must keep its line breaks and tabs")
	}
}

// Every text area of the templates is a multi-line field for the input guard,
// so a new text area is not refused for its line breaks.
func TestMultiLineFieldsMatchTemplates(t *testing.T) {
	var names []string
	re := regexp.MustCompile(`Name: "([a-z_]+)"[^\n]*Type: "textarea"|<textarea[^>]*name="([a-z_]+)"`)
	err := filepath.WalkDir("../templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".templ") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			names = append(names, m[1]+m[2])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("found no text area in the templates")
	}
	for _, n := range names {
		if !multiLineFields[n] {
			t.Errorf("text area %q is not in multiLineFields", n)
		}
	}
}

// A form body that does not parse cleanly ("%" alone is a broken escape)
// still hands handlers the pairs before the break; the guard checks those
// too, whichever middleware parsed the form first, so a NUL there is refused
// with a message like any other, not saved or sent to PostgreSQL
// (FuzzInputGuard found the guard alone letting it through).
func TestMalformedFormBodyIsStillGuarded(t *testing.T) {
	app := newTestApp(t)
	c := app.client()
	c.get("/signup")
	before := dbSnapshot(t, app)
	body := "_csrf=" + url.QueryEscape(c.csrf) + "&name=Ann%00Lee&email=ann%40example.com&password=correct+horse+battery&%"
	req, _ := http.NewRequest(http.MethodPost, app.ts.URL+"/signup", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res := c.do(req).expectStatus(t, http.StatusBadRequest)
	if !strings.Contains(res.Body, html.EscapeString(msgUnstorable)) {
		t.Errorf("want %q on the page:\n%.600s", msgUnstorable, res.Body)
	}
	if after := dbSnapshot(t, app); after != before {
		t.Errorf("the refused sign-up changed data:\n%s", diffSnapshots(before, after))
	}
}
