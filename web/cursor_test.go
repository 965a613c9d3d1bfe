package web

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
)

// W11: a page cursor is ours or a 400. A forged one (a key that is not a
// time under a time sort, a NUL byte PostgreSQL cannot take) never reaches
// SQL as a 500, on the staff list and the public catalog alike.
func TestForgedCursorsAre400(t *testing.T) {
	app := newTestApp(t)
	app.seedCatalog()
	staff := app.roleClient("staff")
	anon := app.client()
	forged := func(key string) string { return url.QueryEscape(store.Cursor{Key: key, ID: 1}.Encode()) }
	cases := []struct {
		c    *testClient
		path string
	}{
		{staff, "/staff/items?sort=newest&after=" + forged("not a time")},
		{staff, "/staff/items?sort=oldest&after=" + forged("2026-13-45")},
		{staff, "/staff/items?sort=newest&after=" + forged("0000-01-01T00:00:00Z")},
		{staff, "/staff/items?sort=name&after=" + forged("a\x00b")},
		{staff, "/staff/items?q=%00"},
		{anon, "/catalog?after=" + forged("a\x00b")},
		{anon, "/catalog?q=%00"},
	}
	for _, tc := range cases {
		if res := tc.c.get(tc.path); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", tc.path, res.StatusCode)
		}
	}
	// Cursors the app made still page.
	for _, srt := range []string{"newest", "oldest"} {
		if staff.get("/staff/items?sort="+srt).expectStatus(t, http.StatusOK).Doc.Find("tbody tr").Length() == 0 {
			t.Fatalf("sort %s: no rows", srt)
		}
	}
}
