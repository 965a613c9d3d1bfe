package catalog

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"
)

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Canon EOS R6 – body":       "canon-eos-r6-body",
		"  Über Fahrrad!! ":         "uber-fahrrad",
		"Crème brûlée 2000":         "creme-brulee-2000",
		"<script>alert(1)</script>": "script-alert-1-script",
		"---":                       "",
		"日本":                        "",
	} {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
	if CheckSlug("canon-r6") != "" || CheckSlug("Canon R6") == "" || CheckSlug("a--b") == "" || CheckSlug("") == "" {
		t.Error("CheckSlug")
	}
}

func TestOpeningHours(t *testing.T) {
	good := map[string]string{
		"09:00-18:00":               "09:00-18:00",
		"9:00 - 12:00, 13:00–18:30": "09:00-12:00, 13:00-18:30",
		"closed":                    "",
		"":                          "",
		"00:00-24:00":               "00:00-24:00",
	}
	for in, want := range good {
		ivs, msg := ParseDay(in)
		if msg != "" {
			t.Errorf("ParseDay(%q): %s", in, msg)
		}
		if got := (OpeningHours{1: ivs}).FormatDay(1); got != want {
			t.Errorf("ParseDay(%q) formats as %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"9-18", "18:00-09:00", "09:00-12:00, 11:00-13:00", "25:00-26:00", "09:60-10:00", "nine to five", "24:30-24:45"} {
		if _, msg := ParseDay(bad); msg == "" {
			t.Errorf("ParseDay(%q) accepted", bad)
		}
	}
	var h OpeningHours
	if err := h.Scan([]byte(`{"1":[{"open":"09:00","close":"18:00"}],"7":[]}`)); err != nil || h.FormatDay(1) != "09:00-18:00" {
		t.Fatalf("scan: %v %v", h, err)
	}
	if err := h.Scan([]byte(`{"8":[]}`)); err == nil {
		t.Error("weekday 8 accepted")
	}
	v, _ := OpeningHours{2: {{"10:00", "12:00"}}, 3: nil}.Value()
	if v != `{"2":[{"open":"10:00","close":"12:00"}]}` {
		t.Errorf("value %v", v)
	}
	if len(h.On(time.Sunday)) != 0 || ISOWeekday(time.Sunday) != 7 || ISOWeekday(time.Monday) != 1 {
		t.Error("weekdays")
	}
}

func TestParseDates(t *testing.T) {
	d, msg := ParseDates("2025-12-26\n2025-12-25, 2025-12-25")
	if msg != "" || d.Format() != "2025-12-25\n2025-12-26" {
		t.Fatalf("%q %s", d.Format(), msg)
	}
	if !d.Contains(time.Date(2025, 12, 25, 23, 0, 0, 0, time.UTC)) {
		t.Error("contains")
	}
	if _, msg := ParseDates("25.12.2025"); msg == "" {
		t.Error("bad date accepted")
	}
	if _, msg := ParseDates("2025-02-30"); msg == "" {
		t.Error("Feb 30 accepted")
	}
	// Days no shop means: refused, as on the desk's date.
	for _, bad := range []string{"0001-01-01", "1999-12-31", "2201-01-01", "9999-12-31"} {
		if _, msg := ParseDates("2025-12-25 " + bad); !strings.Contains(msg, "2000 to 2200") {
			t.Errorf("%s: %q", bad, msg)
		}
	}
	if _, msg := ParseDates("2000-01-01 2200-12-31"); msg != "" {
		t.Errorf("the range's ends: %s", msg)
	}
}

// A location's slug needs a letter: "0" reads as a location's number.
func TestCheckLocationSlug(t *testing.T) {
	for s, ok := range map[string]bool{"0": false, "2024": false, "12-3": false, "berlin": true, "lager-2": true, "2-hof": true, "Not A Slug": false} {
		if got := CheckLocationSlug(s) == ""; got != ok {
			t.Errorf("%q: accepted %v, want %v", s, got, ok)
		}
	}
	if CheckSlug("2024") != "" {
		t.Error("an item or category slug of digits stays allowed")
	}
}

func TestCheckZone(t *testing.T) {
	for _, z := range []string{"Europe/Berlin", "America/Los_Angeles", "UTC", "Pacific/Auckland"} {
		if msg := CheckZone(z); msg != "" {
			t.Errorf("%s: %s", z, msg)
		}
	}
	for _, z := range []string{"", "Local", "Mars/Olympus", "../../etc/passwd", "/etc/localtime", "Europe/berlin"} {
		if CheckZone(z) == "" {
			t.Errorf("%q accepted", z)
		}
	}
	for _, z := range Zones {
		if CheckZone(z) != "" {
			t.Errorf("listed zone %s does not load", z)
		}
	}
}

func validForm() ItemForm {
	return ItemForm{Name: "Canon R6", Tracking: Serialized, RateDay: "45", RateWeek: "€220.00", Deposit: "300", MinDuration: "120"}
}

func TestItemFormParse(t *testing.T) {
	it, errs := validForm().Parse("EUR")
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	if it.Slug != "canon-r6" || *it.RateDay != 4500 || *it.RateWeek != 22000 || it.RateHour != nil || it.Deposit != 30000 ||
		it.MinDurationMinutes != 120 || it.TaxCategory != "standard" {
		t.Fatalf("%+v", it)
	}
	back := FormOf(it, "EUR")
	if back.RateDay != "45.00" || back.Deposit != "300.00" || back.RateHour != "" || back.MinDuration != "120" {
		t.Fatalf("FormOf: %+v", back)
	}
	cases := map[string]func(*ItemForm){
		"name":              func(f *ItemForm) { f.Name = "  " },
		"slug":              func(f *ItemForm) { f.Slug = "Not A Slug" },
		"tracking":          func(f *ItemForm) { f.Tracking = "both" },
		"rate_day":          func(f *ItemForm) { f.RateDay = "-5" },
		"rate_week":         func(f *ItemForm) { f.RateWeek = "lots" },
		"rate_hour":         func(f *ItemForm) { f.RateHour = "1.234" },
		"deposit":           func(f *ItemForm) { f.Deposit = "12,5" },
		"min_duration":      func(f *ItemForm) { f.MinDuration = "1.5" },
		"buffer_after":      func(f *ItemForm) { f.BufferAfter = "-1" },
		"tax_category":      func(f *ItemForm) { f.TaxCategory = "none" },
		"description":       func(f *ItemForm) { f.Description = strings.Repeat("x", MaxDescriptionLen+1) },
		"replacement_value": func(f *ItemForm) { f.ReplacementValue = "1e9" },
	}
	for field, mutate := range cases {
		f := validForm()
		mutate(&f)
		if _, errs := f.Parse("EUR"); errs[field] == "" {
			t.Errorf("%s: no message (got %v)", field, errs)
		}
	}
	f := validForm()
	f.RateDay, f.RateWeek = "", ""
	if _, errs := f.Parse("EUR"); errs["rate_day"] == "" {
		t.Error("an item without any rate was accepted")
	}
}

// A rate, deposit or replacement value above money.MaxEntry is refused
// beside its field (up to int64's limit parsed, and pricing then answered
// "cannot be priced", an item deposit above the ledger's limit pre-filled a
// desk deposit the ledger refused); the limit itself is taken.
func TestItemAmountsAtMostMaxEntry(t *testing.T) {
	for _, field := range []string{"rate_hour", "rate_day", "rate_week", "rate_month", "deposit", "replacement_value"} {
		for raw, refused := range map[string]bool{"10000000000.00": false, "10000000000.01": true, "92233720368547758.07": true} {
			f := validForm()
			set := map[string]*string{"rate_hour": &f.RateHour, "rate_day": &f.RateDay, "rate_week": &f.RateWeek,
				"rate_month": &f.RateMonth, "deposit": &f.Deposit, "replacement_value": &f.ReplacementValue}
			*set[field] = raw
			_, errs := f.Parse("EUR")
			if got := errs[field] != ""; got != refused {
				t.Errorf("%s = %s: refused %v (%v), want %v", field, raw, got, errs, refused)
			}
			if refused && !strings.Contains(errs[field], "at most") {
				t.Errorf("%s = %s: message %q", field, raw, errs[field])
			}
		}
	}
}

func TestSeriesAndTags(t *testing.T) {
	if got := strings.Join(SeriesTags("R6-", 9, 3, 3), " "); got != "R6-009 R6-010 R6-011" {
		t.Fatal(got)
	}
	for _, bad := range []string{"", "has space", strings.Repeat("x", 65), "tab\t"} {
		if CheckAssetTag(bad) == "" {
			t.Errorf("%q accepted", bad)
		}
	}
}

func encode(t *testing.T, w, h int, enc func(*bytes.Buffer, image.Image) error) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, h/2, color.NRGBA{200, 10, 10, 255})
	}
	var b bytes.Buffer
	if err := enc(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestProcessPhoto(t *testing.T) {
	pngData := encode(t, 1200, 800, func(b *bytes.Buffer, i image.Image) error { return png.Encode(b, i) })
	p, err := ProcessPhoto(pngData)
	if err != nil || p.ContentType != "image/png" {
		t.Fatalf("png: %v", err)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(p.Thumbnail))
	if err != nil || format != "jpeg" || cfg.Width != ThumbWidth || cfg.Height != 320 {
		t.Fatalf("thumbnail: %+v %s %v", cfg, format, err)
	}
	small := encode(t, 100, 50, func(b *bytes.Buffer, i image.Image) error { return jpeg.Encode(b, i, nil) })
	if p, err := ProcessPhoto(small); err != nil || p.ContentType != "image/jpeg" {
		t.Fatalf("jpeg: %v", err)
	}
	for name, data := range map[string][]byte{
		"empty":     nil,
		"text":      []byte("<html><script>alert(1)</script></html>"),
		"gif":       []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
		"truncated": pngData[:100],
		"oversized": append(append([]byte{}, pngData...), make([]byte, MaxPhotoBytes)...),
	} {
		if _, err := ProcessPhoto(data); !errors.Is(err, ErrPhoto) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestProcessPhotoWebP(t *testing.T) {
	data, err := os.ReadFile("testdata/sample.webp") // from golang.org/x/image's test files
	if err != nil {
		t.Fatal(err)
	}
	p, err := ProcessPhoto(data)
	if err != nil || p.ContentType != "image/webp" || len(p.Thumbnail) == 0 {
		t.Fatalf("webp: %v", err)
	}
}
