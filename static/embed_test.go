package static

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

func newTestAssets(t *testing.T) *Assets {
	t.Helper()
	a, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

func get(t *testing.T, h http.Handler, method, target string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func sha12(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])[:hashLen]
}

func TestPathInsertsContentHashBeforeExtension(t *testing.T) {
	a := newTestAssets(t)
	for _, tc := range []struct{ name, pattern string }{
		{"css/app.css", `^/static/css/app\.[0-9a-f]{12}\.css$`},
		{"js/app.js", `^/static/js/app\.[0-9a-f]{12}\.js$`},
		{"js/htmx.min.js", `^/static/js/htmx\.min\.[0-9a-f]{12}\.js$`},
		{"img/favicon.svg", `^/static/img/favicon\.[0-9a-f]{12}\.svg$`},
		{"/css/app.css", `^/static/css/app\.[0-9a-f]{12}\.css$`},
	} {
		got := a.Path(tc.name)
		if !regexp.MustCompile(tc.pattern).MatchString(got) {
			t.Errorf("Path(%q) = %q, want match of %s", tc.name, got, tc.pattern)
		}
	}

	data, err := fs.ReadFile(files, "css/app.css")
	if err != nil {
		t.Fatal(err)
	}
	if want := "/static/css/app." + sha12(data) + ".css"; a.Path("css/app.css") != want {
		t.Errorf("Path(css/app.css) = %q, want %q (first 12 hex of sha256)", a.Path("css/app.css"), want)
	}
}

func TestPathOfUnknownNameIsPlainURL(t *testing.T) {
	a := newTestAssets(t)
	if got, want := a.Path("css/missing.css"), "/static/css/missing.css"; got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
}

func TestHashedURLServesFileImmutably(t *testing.T) {
	a := newTestAssets(t)
	h := a.Handler()
	for _, tc := range []struct{ name, ctype string }{
		{"css/app.css", "text/css; charset=utf-8"},
		{"js/app.js", "text/javascript; charset=utf-8"},
		{"js/htmx.min.js", "text/javascript; charset=utf-8"},
		{"img/favicon.svg", "image/svg+xml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := get(t, h, http.MethodGet, a.Path(tc.name), nil)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200", res.StatusCode)
			}
			checkHeader(t, res, "Content-Type", tc.ctype)
			checkHeader(t, res, "Cache-Control", "public, max-age=31536000, immutable")
			checkHeader(t, res, "X-Content-Type-Options", "nosniff")
			body, _ := io.ReadAll(res.Body)
			want, _ := fs.ReadFile(files, tc.name)
			if string(body) != string(want) {
				t.Errorf("body differs from the embedded file (%d vs %d bytes)", len(body), len(want))
			}
			checkHeader(t, res, "ETag", `"`+sha12(want)+`"`)
		})
	}
}

func TestPlainURLServesWithShortCache(t *testing.T) {
	h := newTestAssets(t).Handler()
	res := get(t, h, http.MethodGet, "/static/css/app.css", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", res.StatusCode)
	}
	checkHeader(t, res, "Cache-Control", "public, max-age=300")
	checkHeader(t, res, "Content-Type", "text/css; charset=utf-8")
}

func TestUnknownOrWrongHashIs404(t *testing.T) {
	h := newTestAssets(t).Handler()
	for _, target := range []string{
		"/static/css/app.000000000000.css", // right file, wrong hash
		"/static/css/app.3f2a9c1b.css",     // short hash
		"/static/css/missing.css",
		"/static/js/VENDORED.md", // documentation is embedded but not served
		"/static/",
		"/static/css",
		"/static/../embed.go",
		"/static/css/../../embed.go",
		"/static/img/.keep",
	} {
		res := get(t, h, http.MethodGet, target, nil)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", target, res.StatusCode)
		}
		if cc := res.Header.Get("Cache-Control"); strings.Contains(cc, "max-age") {
			t.Errorf("GET %s: a 404 must not be cached, got Cache-Control %q", target, cc)
		}
	}
}

func TestConditionalHeadAndMethods(t *testing.T) {
	a := newTestAssets(t)
	h := a.Handler()
	url := a.Path("js/app.js")

	first := get(t, h, http.MethodGet, url, nil)
	etag := first.Header.Get("ETag")
	res := get(t, h, http.MethodGet, url, http.Header{"If-None-Match": {etag}})
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: status = %d, want 304", res.StatusCode)
	}

	res = get(t, h, http.MethodHead, url, nil)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || len(body) != 0 {
		t.Errorf("HEAD: status = %d, body %d bytes; want 200 and no body", res.StatusCode, len(body))
	}
	checkHeader(t, res, "Content-Type", "text/javascript; charset=utf-8")

	res = get(t, h, http.MethodPost, url, nil)
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status = %d, want 405", res.StatusCode)
	}
	checkHeader(t, res, "Allow", "GET, HEAD")
}

func TestHandlerWorksBehindStripPrefix(t *testing.T) {
	a := newTestAssets(t)
	h := http.StripPrefix("/static", a.Handler())
	res := get(t, h, http.MethodGet, a.Path("css/app.css"), nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", res.StatusCode)
	}
	checkHeader(t, res, "Cache-Control", "public, max-age=31536000, immutable")
}

func TestNewRejectsFilesWithoutContentType(t *testing.T) {
	_, err := newAssets(fstest.MapFS{"img/logo.bmp": {Data: []byte("BM")}})
	if err == nil || !strings.Contains(err.Error(), "img/logo.bmp") {
		t.Fatalf("err = %v, want an error naming img/logo.bmp", err)
	}
}

func TestNewRejectsNameClashWithHashedName(t *testing.T) {
	data := []byte("a{}")
	clash := "css/app." + sha12(data) + ".css"
	_, err := newAssets(fstest.MapFS{"css/app.css": {Data: data}, clash: {Data: []byte("b{}")}})
	if err == nil {
		t.Fatal("want an error for a file named like another's hashed URL")
	}
}

// The vendored htmx must be the exact file recorded in VENDORED.md.
func TestVendoredHtmxMatchesRecord(t *testing.T) {
	doc, err := fs.ReadFile(files, "js/VENDORED.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?m)^\\| `htmx.min.js` +\\| `htmx.org` +\\| ([0-9.]+) +\\| [^|]+\\| `([0-9a-f]{64})` \\|$").FindSubmatch(doc)
	if m == nil {
		t.Fatal("VENDORED.md has no htmx.min.js row with version and sha256")
	}
	version, wantSum := string(m[1]), string(m[2])
	data, err := fs.ReadFile(files, "js/htmx.min.js")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != wantSum {
		t.Errorf("sha256(js/htmx.min.js) = %s, VENDORED.md records %s", got, wantSum)
	}
	if !strings.Contains(string(data), `version:"`+version+`"`) {
		t.Errorf("js/htmx.min.js does not report version %s", version)
	}
	if !strings.HasPrefix(version, "2.") {
		t.Errorf("vendored htmx %s: the app is written for htmx 2", version)
	}
}

// The CSP allows only same-origin scripts and styles without eval; these
// checks catch the usual ways our own files could break that.
func TestOwnAssetsStayWithinCSP(t *testing.T) {
	css, err := fs.ReadFile(files, "css/app.css")
	if err != nil {
		t.Fatal(err)
	}
	// Comments may name what the file avoids; only the rules count.
	rules := regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(string(css), "")
	for _, bad := range []string{"url(", "@import"} {
		if strings.Contains(rules, bad) {
			t.Errorf("app.css contains %q: fonts, images and imports need their own CSP sources", bad)
		}
	}
	js, err := fs.ReadFile(files, "js/app.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"eval(", "new Function", "innerHTML", "setAttribute(\"style\"", "setAttribute('style'"} {
		if strings.Contains(string(js), bad) {
			t.Errorf("app.js contains %q", bad)
		}
	}
	for _, want := range []string{"includeIndicatorStyles = false", "allowEval = false", "allowScriptTags = false", "X-CSRF-Token"} {
		if !strings.Contains(string(js), want) {
			t.Errorf("app.js lacks %q", want)
		}
	}
}

func checkHeader(t *testing.T, res *http.Response, key, want string) {
	t.Helper()
	if got := res.Header.Get(key); got != want {
		t.Errorf("%s = %q, want %q", key, got, want)
	}
}
