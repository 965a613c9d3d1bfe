// Package static embeds Rentdesk's stylesheet, scripts and images in the
// binary and serves them under content-hashed URLs.
//
// A hashed URL such as /static/css/app.3f2a9c1b7d4e.css changes whenever the
// file does, so browsers may keep it for a year without revalidating and a
// deploy never serves a stale stylesheet. Templates get these URLs from
// Assets.Path; the web layer mounts Assets.Handler under Prefix.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// files holds the assets. go:embed leaves out dot files such as img/.keep.
//
//go:embed css js img
var files embed.FS

// Prefix is the URL path under which Handler serves the assets.
const Prefix = "/static/"

// hashLen is the number of hex digits of the sha256 put into a URL: 48 bits
// tell the versions of one file apart with room to spare and keep URLs short.
const hashLen = 12

const (
	// cacheImmutable is for hashed URLs: their content can never change.
	cacheImmutable = "public, max-age=31536000, immutable"
	// cacheShort is for plain URLs (hand-typed, or from an old page): they do change on deploy.
	cacheShort = "public, max-age=300"
)

// asset is one embedded file, read and hashed once at start-up.
type asset struct {
	name   string // "css/app.css"
	hashed string // "css/app.3f2a9c1b7d4e.css"
	url    string // Prefix + hashed, made once: every page asks for several
	etag   string // `"3f2a9c1b7d4e"`
	ctype  string
	data   []byte
}

// Assets indexes the embedded files by plain and by hashed name. It is
// read-only after New, so one value is safely shared by all requests.
type Assets struct {
	byName   map[string]*asset
	byHashed map[string]*asset
}

// New reads and hashes every embedded asset. It fails when a file has a type
// we have no Content-Type for, so a new kind of asset is a start-up error
// rather than a file served as something the browser will refuse.
func New() (*Assets, error) {
	return newAssets(files)
}

func newAssets(fsys fs.FS) (*Assets, error) {
	a := &Assets{byName: map[string]*asset{}, byHashed: map[string]*asset{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// Markdown files document vendored code for maintainers; they are not served.
		if d.IsDir() || path.Ext(name) == ".md" {
			return nil
		}
		return a.add(fsys, name)
	})
	if err != nil {
		return nil, fmt.Errorf("static: %w", err)
	}
	return a, nil
}

func (a *Assets) add(fsys fs.FS, name string) error {
	ctype, ok := contentType(path.Ext(name))
	if !ok {
		return fmt.Errorf("no content type for %s: add its extension to contentType", name)
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])[:hashLen]
	hashed := hashedName(name, hash)
	as := &asset{name: name, hashed: hashed, url: Prefix + hashed, etag: `"` + hash + `"`, ctype: ctype, data: data}
	// A committed file named like another's hashed URL would make one of them unreachable.
	if _, dup := a.byName[as.hashed]; dup {
		return fmt.Errorf("%s clashes with the hashed name of %s", as.hashed, name)
	}
	if _, dup := a.byHashed[name]; dup {
		return fmt.Errorf("%s clashes with a hashed name", name)
	}
	a.byName[name] = as
	a.byHashed[as.hashed] = as
	return nil
}

// hashedName puts the hash before the last extension: js/htmx.min.js becomes
// js/htmx.min.<hash>.js, so the extension (and thus the type) stays last.
func hashedName(name, hash string) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

// contentType is a fixed table rather than package mime, whose answers depend
// on the host's /etc/mime.types; nosniff makes a wrong answer fatal for scripts.
func contentType(ext string) (string, bool) {
	switch strings.ToLower(ext) {
	case ".css":
		return "text/css; charset=utf-8", true
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8", true
	case ".svg":
		return "image/svg+xml", true
	case ".png":
		return "image/png", true
	case ".jpg", ".jpeg":
		return "image/jpeg", true
	case ".webp":
		return "image/webp", true
	case ".ico":
		return "image/x-icon", true
	case ".woff2":
		return "font/woff2", true
	case ".json", ".map":
		return "application/json", true
	case ".txt":
		return "text/plain; charset=utf-8", true
	}
	return "", false
}

// Path returns the URL of the named asset with its content hash, for example
// Path("css/app.css") is "/static/css/app.3f2a9c1b7d4e.css". An unknown name
// yields its plain URL, which answers 404: a typo in a template shows up as a
// broken link in the browser tests instead of a panic on a live page.
func (a *Assets) Path(name string) string {
	name = strings.TrimPrefix(name, "/")
	if as, ok := a.byName[name]; ok {
		return as.url
	}
	return Prefix + name
}

// Handler serves the assets at Prefix + hashed name with a one-year immutable
// cache, and at Prefix + plain name with a five-minute cache. Anything else,
// including a known file with a wrong hash, is 404. It accepts request paths
// with or without Prefix, so it can be mounted directly (Echo: GET
// "/static/*") or behind http.StripPrefix("/static", …).
func (a *Assets) Handler() http.Handler {
	return http.HandlerFunc(a.serve)
}

func (a *Assets) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok {
		name = strings.TrimPrefix(r.URL.Path, "/")
	}
	cache := cacheImmutable
	as, ok := a.byHashed[name]
	if !ok {
		cache = cacheShort
		as, ok = a.byName[name]
	}
	if !ok {
		// Not cached: the file may appear with the next deploy.
		w.Header().Set("Cache-Control", "no-store")
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", as.ctype)
	h.Set("Cache-Control", cache)
	h.Set("ETag", as.etag)
	h.Set("X-Content-Type-Options", "nosniff")
	// ServeContent answers If-None-Match with 304 and handles Range and HEAD.
	http.ServeContent(w, r, as.name, time.Time{}, bytes.NewReader(as.data))
}
