package web

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/config"
	"github.com/rentdesk/rentdesk/internal/store"
)

// noiseJPEG is a valid JPEG of size bytes that does not compress: a small
// picture of noise, padded with comment segments of noise, so it is as large
// as a phone photo without costing a phone photo's decoding in the test.
func noiseJPEG(t *testing.T, seed int64, size int) []byte {
	t.Helper()
	r := rand.New(rand.NewSource(seed))
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	r.Read(img.Pix)
	var pic bytes.Buffer
	if err := jpeg.Encode(&pic, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	out := append([]byte{}, pic.Bytes()[:2]...) // SOI
	for len(out)+4+pic.Len()-2 < size {
		n := min(65533, size-len(out)-4-(pic.Len()-2))
		seg := make([]byte, 4+n)
		seg[0], seg[1] = 0xFF, 0xFE // COM
		binary.BigEndian.PutUint16(seg[2:], uint16(n+2))
		r.Read(seg[4:])
		out = append(out, seg...)
	}
	return append(out, pic.Bytes()[2:]...)
}

// Several phone photos at a return pass the ordinary body limit (12 MB):
// the return form takes RENTDESK_UPLOAD_LIMIT, for staff only. A form over
// even that is not a bare 413 page: it comes back as typed (ticks,
// conditions, notes) with a message beside the photo field that carried the
// files, and nothing is saved. The item photo form answers alike.
func TestReturnPhotosOverBodyLimit(t *testing.T) {
	const uploadLimit = 16 << 20
	s := newShop(t, "Europe/Berlin", withConfig(func(c *config.Config) { c.UploadLimit = uploadLimit }))
	tent := s.item("Tent", 2)
	cust := s.createUser(store.RoleCustomer, "hiker@example.test", "correct horse battery")
	start, end := s.instant(1, 10), s.instant(2, 10)
	b := s.deskBookLines(cust.ID, start, end, bookingLine(tent, 2))
	c, _ := s.staffClient("desk@example.test")
	s.setClock(start)
	for _, u := range b.Lines[0].Units {
		c.htmx(fmt.Sprintf("/staff/bookings/%d/scan", b.ID), url.Values{"tag": {u.AssetTag}}).expectStatus(t, http.StatusOK)
	}
	s.setClock(end)
	t1, t2 := b.Lines[0].Units[0].AssetTag, b.Lines[0].Units[1].AssetTag
	page := fmt.Sprintf("/staff/bookings/%d/return", b.ID)
	photos := func(n int) []upload {
		var out []upload
		for i := range n {
			out = append(out, upload{"photos_" + t1, fmt.Sprintf("IMG_%d.jpg", i), noiseJPEG(t, int64(i), 4<<20)})
		}
		return out
	}
	typed := url.Values{"item": {t1, t2}, "condition_" + t1: {"damaged"}, "note_" + t1: {"torn fly"},
		"condition_" + t2: {"needs_cleaning"}, "note_" + t2: {"muddy"}, "damage_note": {"fly to repair"}}

	// Over the upload limit: five photos of 4 MB.
	res := c.postFiles(page, typed, photos(5)...).expectStatus(t, http.StatusRequestEntityTooLarge)
	if got := res.fieldError("photos_" + t1); !strings.Contains(got, "larger than 16 MB") {
		t.Errorf("message beside the photos: %q", got)
	}
	if got := res.fieldError("photos_" + t2); got != "" {
		t.Errorf("a message beside the photos of a unit that had none: %q", got)
	}
	if got := res.text(`[data-testid="form-error"]`); !strings.Contains(got, "choose them again") {
		t.Errorf("no word that the photos must be chosen again: %q", got)
	}
	if res.inputValue("note_"+t1) != "torn fly" || res.inputValue("note_"+t2) != "muddy" || res.inputValue("damage_note") != "fly to repair" {
		t.Errorf("the form lost what was typed: %q %q %q", res.inputValue("note_"+t1), res.inputValue("note_"+t2), res.inputValue("damage_note"))
	}
	for tag, cond := range map[string]string{t1: "damaged", t2: "needs_cleaning"} {
		if !res.has(fmt.Sprintf(`[name="condition_%s"][value="%s"][checked]`, tag, cond)) {
			t.Errorf("%s: the condition %s is no longer chosen", tag, cond)
		}
		if _, on := res.Doc.Find(fmt.Sprintf(`[data-testid="return-%s"] input[name=item]`, tag)).Attr("checked"); !on {
			t.Errorf("%s is no longer ticked", tag)
		}
	}
	if n := s.id(`SELECT (SELECT count(*) FROM unit_returns) + (SELECT count(*) FROM return_photos)`); n != 0 {
		t.Fatalf("a refused return wrote %d rows", n)
	}

	// A customer (and anyone not staff) keeps the ordinary limit.
	cc, _ := s.customer("curious@example.test")
	cc.postFiles(page, typed, photos(4)...).expectStatus(t, http.StatusRequestEntityTooLarge)

	// The item photo form: a file far over any photo's size, refused beside it.
	res = c.postFiles(fmt.Sprintf("/staff/items/%d/photos", tent), nil, upload{"photo", "big.jpg", noiseJPEG(t, 9, uploadLimit+1)}).
		expectStatus(t, http.StatusRequestEntityTooLarge)
	if got := res.fieldError("photo"); !strings.Contains(got, "larger than 8 MB") {
		t.Errorf("item photo: %q", got)
	}

	// Three photos of 4 MB: over the ordinary limit, under the upload limit.
	c.postFiles(page, typed, photos(3)...).expectStatus(t, http.StatusSeeOther)
	if n := s.id(`SELECT count(*) FROM return_photos`); n != 3 {
		t.Errorf("%d photos saved, want 3", n)
	}
}
