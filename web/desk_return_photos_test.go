package web

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
)

// upload is one file of a multipart form.
type upload struct {
	field, name string
	data        []byte
}

// postFiles submits a multipart form with fields and any number of files.
func (c *testClient) postFiles(path string, fields url.Values, files ...upload) *testResponse {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/")
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", c.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, err := w.CreateFormFile(f.field, f.name)
		if err != nil {
			c.t.Fatal(err)
		}
		fw.Write(f.data)
	}
	w.Close()
	req, err := http.NewRequest(http.MethodPost, c.app.ts.URL+path, &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// Photos at return: per unit that came back damaged or needing cleaning,
// staff attach photos on the return form; they are checked like item photos,
// kept with the return, shown on the booking's return record and served to
// staff only. Junk, oversized files, too many files and photos of a unit that
// came back fine are refused beside the field with the rest of the form kept.
func TestReturnPhotos(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 3)
	cust := s.createUser(store.RoleCustomer, "hiker@example.test", "correct horse battery")
	start, end := s.instant(1, 10), s.instant(2, 10)
	b := s.deskBookLines(cust.ID, start, end, bookingLine(tent, 3))
	c, _ := s.staffClient("desk@example.test")
	s.setClock(start)
	for _, u := range b.Lines[0].Units {
		c.htmx(fmt.Sprintf("/staff/bookings/%d/scan", b.ID), url.Values{"tag": {u.AssetTag}}).expectStatus(t, http.StatusOK)
	}
	s.setClock(end)
	t1, t2, t3 := b.Lines[0].Units[0].AssetTag, b.Lines[0].Units[1].AssetTag, b.Lines[0].Units[2].AssetTag
	page := fmt.Sprintf("/staff/bookings/%d/return", b.ID)
	form := c.get(page).expectStatus(t, http.StatusOK)
	if enc, _ := form.Doc.Find(`[data-testid="return-form"]`).Attr("enctype"); enc != "multipart/form-data" {
		t.Errorf("the return form's enctype is %q", enc)
	}
	if !form.has(`input[type=file][name="photos_` + t1 + `"]`) {
		t.Error("no photo field for " + t1)
	}
	png := testPNG(t)
	damaged := url.Values{"item": {t2}, "condition_" + t2: {"damaged"}, "note_" + t2: {"bent pole"}, "damage_note": {"kept"}}
	for name, tc := range map[string]struct {
		fields url.Values
		files  []upload
		want   string
	}{
		"not an image": {damaged, []upload{{"photos_" + t2, "pole.txt", []byte("just some text, not a picture")}}, "pole.txt: Upload a JPEG, PNG or WebP image."},
		"oversized": {damaged, []upload{{"photos_" + t2, "huge.png", append(append([]byte{}, png...), bytes.Repeat([]byte{0}, catalog.MaxPhotoBytes)...)}},
			"huge.png: The file is larger than 8 MB."},
		"too many": {damaged, []upload{{"photos_" + t2, "1.png", png}, {"photos_" + t2, "2.png", png}, {"photos_" + t2, "3.png", png},
			{"photos_" + t2, "4.png", png}, {"photos_" + t2, "5.png", png}}, "Attach at most 4 photos."},
		"came back fine": {url.Values{"item": {t2}, "condition_" + t2: {"ok"}, "note_" + t2: {"bent pole"}, "damage_note": {"kept"}},
			[]upload{{"photos_" + t2, "ok.png", png}}, "Photos are for a unit that came back damaged or needing cleaning."},
	} {
		t.Run(name, func(t *testing.T) {
			res := c.postFiles(page, tc.fields, tc.files...).expectStatus(t, http.StatusUnprocessableEntity)
			if got := res.fieldError("photos_" + t2); got != tc.want {
				t.Errorf("photo message %q, want %q", got, tc.want)
			}
			if res.inputValue("note_"+t2) != "bent pole" || res.inputValue("damage_note") != "kept" {
				t.Errorf("the form lost what was typed: note %q, damage note %q", res.inputValue("note_"+t2), res.inputValue("damage_note"))
			}
			if got := res.Doc.Find(`[data-testid="form-error"]`).Text(); !strings.Contains(got, "choose them again") {
				t.Errorf("no word that the photos must be chosen again: %q", got)
			}
			if _, on := res.Doc.Find(fmt.Sprintf(`[data-testid="return-%s"] input[name=item]`, t2)).Attr("checked"); !on {
				t.Error("the unit is no longer ticked")
			}
		})
	}
	var n int
	if err := s.st.DB().QueryRow(`SELECT (SELECT count(*) FROM unit_returns) + (SELECT count(*) FROM return_photos)`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("refused returns wrote %d rows (%v)", n, err)
	}

	// Two photos of the damaged tent, one of the dirty one, none of the fine one.
	c.postFiles(page, url.Values{"item": {t1, t2, t3}, "condition_" + t1: {"damaged"}, "note_" + t1: {"torn fly"},
		"condition_" + t2: {"needs_cleaning"}, "condition_" + t3: {"ok"}},
		upload{"photos_" + t1, "fly-1.png", png}, upload{"photos_" + t1, "fly-2.png", png}, upload{"photos_" + t2, "mud.png", png}).
		expectStatus(t, http.StatusSeeOther)
	var byReturn []int
	rows, err := s.st.DB().Query(`SELECT count(p.id) FROM unit_returns r LEFT JOIN return_photos p ON p.unit_return_id = r.id
		WHERE r.booking_id = $1 GROUP BY r.id ORDER BY r.id`, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k int
		rows.Scan(&k)
		byReturn = append(byReturn, k)
	}
	rows.Close()
	if fmt.Sprint(byReturn) != "[2 1 0]" {
		t.Fatalf("photos per return %v, want [2 1 0]", byReturn)
	}

	// Shown on the booking's return record, served to staff.
	view := c.get(fmt.Sprintf("/staff/bookings/%d", b.ID)).expectStatus(t, http.StatusOK)
	imgs := view.Doc.Find(`[data-testid="return-row"] [data-testid="return-photos"] img`)
	if imgs.Length() != 3 {
		t.Fatalf("%d return photos shown, want 3", imgs.Length())
	}
	thumb, _ := imgs.First().Attr("src")
	full, _ := imgs.First().Parent().Attr("href")
	if !strings.HasSuffix(thumb, "/thumb") || thumb != full+"/thumb" {
		t.Fatalf("photo links %q %q", full, thumb)
	}
	res := c.get(full).expectStatus(t, http.StatusOK)
	if res.Header.Get("Content-Type") != "image/png" || res.Body != string(png) {
		t.Errorf("full photo: %s, %d bytes", res.Header.Get("Content-Type"), len(res.Body))
	}
	res = c.get(thumb).expectStatus(t, http.StatusOK)
	if res.Header.Get("Content-Type") != "image/jpeg" || !strings.Contains(res.Header.Get("Cache-Control"), "private") || res.Header.Get("ETag") == "" {
		t.Errorf("thumbnail headers %v", res.Header)
	}
	req, _ := http.NewRequest(http.MethodGet, s.ts.URL+thumb, nil)
	req.Header.Set("If-None-Match", res.Header.Get("ETag"))
	if r := c.do(req); r.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET: %d", r.StatusCode)
	}

	// A customer guessing ids gets nothing, nor does anyone logged out; an
	// unknown id is not found.
	cc, _ := s.customer("curious@example.test")
	cc.get(full).expectStatus(t, http.StatusForbidden)
	cc.get(thumb).expectStatus(t, http.StatusForbidden)
	if r := s.client().get(full); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/login") {
		t.Errorf("anonymous: %d %q", r.StatusCode, r.location())
	}
	c.get("/staff/return-photos/999999").expectStatus(t, http.StatusNotFound)
}
