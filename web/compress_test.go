package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestGzipResponses: pages are compressed for clients that accept gzip and
// come back whole; answers too small to gain (under 1 KB) are sent as they
// are; clients that do not ask get plain bytes. The page buffers are
// reused, so the same page fetched again must be the same bytes.
func TestGzipResponses(t *testing.T) {
	app := newTestApp(t)
	app.seedCatalog()
	// One client with a cookie jar: the same session, so the same CSRF
	// token in every copy of the page.
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	get := func(path string, gz bool) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest("GET", app.ts.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if gz {
			// Set by hand, the transport leaves the body compressed.
			req.Header.Set("Accept-Encoding", "gzip")
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var r io.Reader = res.Body
		if res.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(res.Body)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			r = zr
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return res, string(b)
	}

	plainRes, plain := get("/catalog", false)
	if plainRes.StatusCode != http.StatusOK || plainRes.Header.Get("Content-Encoding") != "" || len(plain) < 1024 {
		t.Fatalf("plain catalog: %d %q, %d bytes", plainRes.StatusCode, plainRes.Header.Get("Content-Encoding"), len(plain))
	}
	for range 3 {
		res, body := get("/catalog", true)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("catalog with gzip: %d %q", res.StatusCode, res.Header.Get("Content-Encoding"))
		}
		if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("catalog with gzip: Vary %q", res.Header.Get("Vary"))
		}
		if body != plain {
			t.Fatalf("the compressed catalog differs from the plain one:\n%s\n---\n%s", body, plain)
		}
	}
	if res, body := get("/", true); res.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(body, "canon-r6") {
		t.Fatalf("home with gzip: %q, %d bytes", res.Header.Get("Content-Encoding"), len(body))
	}
	// An error page is written by the error handler after the handler
	// returned: it must still come back whole.
	if res, body := get("/items/no-such-item", true); res.StatusCode != http.StatusNotFound || !strings.Contains(body, "</html>") {
		t.Fatalf("404 with gzip: %d %q, %d bytes", res.StatusCode, res.Header.Get("Content-Encoding"), len(body))
	}
	if res, body := get("/healthz", true); res.Header.Get("Content-Encoding") != "" || body != "ok" {
		t.Fatalf("healthz with gzip: %q %q, want it plain", res.Header.Get("Content-Encoding"), body)
	}
}

// TestGzipLeavesCompressedBodies: a PDF (its streams deflated already) and a
// photo go out as they are, byte for byte, to a client that accepts gzip;
// HTML of the same length is compressed.
func TestGzipLeavesCompressedBodies(t *testing.T) {
	body := bytes.Repeat([]byte("%PDF-1.3 stream endstream "), 200)
	e := echo.New()
	e.Use(gzipPages())
	cases := []struct {
		ct   string
		gzip bool
	}{{"application/pdf", false}, {"image/jpeg", false}, {"text/html; charset=utf-8", true}}
	for i, tc := range cases {
		e.GET(fmt.Sprintf("/%d", i), func(c echo.Context) error { return c.Blob(http.StatusOK, tc.ct, body) })
	}
	for i, tc := range cases {
		req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/%d", i), nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		got := rec.Body.Bytes()
		if tc.gzip {
			zr, err := gzip.NewReader(rec.Body)
			if err != nil {
				t.Fatalf("%s: %v", tc.ct, err)
			}
			if got, err = io.ReadAll(zr); err != nil {
				t.Fatalf("%s: %v", tc.ct, err)
			}
		}
		if enc := rec.Header().Get("Content-Encoding"); (enc == "gzip") != tc.gzip || !bytes.Equal(got, body) {
			t.Errorf("%s: Content-Encoding %q, %d bytes, want gzip %v and the body", tc.ct, enc, len(got), tc.gzip)
		}
	}
}
