package web

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"

	"github.com/rentdesk/rentdesk/internal/catalog"
)

// catalogFixture is a shop with a category, two locations in different zones
// and a serialized item with two units.
type catalogFixture struct {
	cameras    catalog.Category
	berlin, sf catalog.Location
	r6         catalog.Item
}

func ptr64(v int64) *int64 { return &v }

func (a *testApp) seedCatalog() catalogFixture {
	a.t.Helper()
	ctx := context.Background()
	var f catalogFixture
	var err error
	must := func(err error) {
		if err != nil {
			a.t.Fatal(err)
		}
	}
	f.cameras, err = a.st.CreateCategory(ctx, "Cameras", "cameras")
	must(err)
	f.berlin, err = a.st.CreateLocation(ctx, catalog.Location{Name: "Berlin", Slug: "berlin", TimeZone: "Europe/Berlin",
		// Open every day from 08:00 to 20:00, so tests may pick any day at a
		// daytime hour; the opening-hours rule has tests of its own.
		OpeningHours: everyDay("08:00", "20:00")})
	must(err)
	f.sf, err = a.st.CreateLocation(ctx, catalog.Location{Name: "San Francisco", Slug: "san-francisco", TimeZone: "America/Los_Angeles"})
	must(err)
	f.r6, err = a.st.CreateItem(ctx, catalog.Item{CategoryID: &f.cameras.ID, Name: "Canon R6", Slug: "canon-r6", Description: "Full-frame mirrorless body.",
		Tracking: catalog.Serialized, RateDay: ptr64(4500), RateWeek: ptr64(22000), Deposit: 30000, MinDurationMinutes: 60,
		TaxCategory: "standard", OnlineBookable: true, Featured: true})
	must(err)
	_, err = a.st.CreateUnits(ctx, f.r6.ID, f.berlin.ID, []string{"R6-001", "R6-002"}, "")
	must(err)
	return f
}

// staffClient logs in a new account of the role.
func (a *testApp) roleClient(role string) *testClient {
	a.t.Helper()
	c := a.client()
	if role == "anonymous" {
		return c
	}
	email := role + "@example.test"
	a.createUser(role, email, "correct horse battery")
	c.login(email, "correct horse battery")
	return c
}

// postFile submits a multipart form with one file, as a browser would.
func (c *testClient) postFile(path string, fields url.Values, fileField, filename string, data []byte) *testResponse {
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
	fw, err := w.CreateFormFile(fileField, filename)
	if err != nil {
		c.t.Fatal(err)
	}
	fw.Write(data)
	w.Close()
	req, err := http.NewRequest(http.MethodPost, c.app.ts.URL+path, &body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

// testPNG is a small valid PNG photo.
func testPNG(t *testing.T) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 48))
	for x := 0; x < 64; x++ {
		img.Set(x, x%48, color.NRGBA{20, 120, 200, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// everyDay is opening hours from open to close on all seven days.
func everyDay(open, close string) catalog.OpeningHours {
	h := catalog.OpeningHours{}
	for d := 1; d <= 7; d++ {
		h[d] = []catalog.Interval{{Open: open, Close: close}}
	}
	return h
}
