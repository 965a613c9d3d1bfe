package demo

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
)

// The demo shop's pictures are drawn here, flat illustrations of each item
// on a soft background, so the catalog shows pictures without shipping
// anyone's photographs. Each item gets two: the item, and a closer view.

const picW, picH = 800, 600

// canvas is an image with a few anti-aliased shape fills (4×4 samples a
// pixel), enough for simple drawings.
type canvas struct{ img *image.RGBA }

func newCanvas(top, bottom color.RGBA) canvas {
	c := canvas{image.NewRGBA(image.Rect(0, 0, picW, picH))}
	for y := range picH {
		t := float64(y) / picH
		col := mix(top, bottom, t)
		for x := range picW {
			c.img.SetRGBA(x, y, col)
		}
	}
	return c
}

func mix(a, b color.RGBA, t float64) color.RGBA {
	f := func(x, y uint8) uint8 { return uint8(float64(x)*(1-t) + float64(y)*t + 0.5) }
	return color.RGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), 255}
}

// fill paints col where inside(x, y) holds, within the box [x0,x1]×[y0,y1].
// A pixel whose four corners agree is wholly in or out; only edge pixels
// are sampled 4×4 for their coverage.
func (c canvas) fill(x0, y0, x1, y1 float64, col color.RGBA, inside func(x, y float64) bool) {
	const n = 4
	for py := max(0, int(y0)); py <= min(picH-1, int(y1)+1); py++ {
		for px := max(0, int(x0)); px <= min(picW-1, int(x1)+1); px++ {
			fx, fy := float64(px), float64(py)
			corners := 0
			for _, d := range [4][2]float64{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				if inside(fx+d[0], fy+d[1]) {
					corners++
				}
			}
			cover := float64(corners) / 4
			if corners != 0 && corners != 4 || corners == 0 && inside(fx+0.5, fy+0.5) {
				hits := 0
				for sy := range n {
					for sx := range n {
						if inside(fx+(float64(sx)+0.5)/n, fy+(float64(sy)+0.5)/n) {
							hits++
						}
					}
				}
				cover = float64(hits) / (n * n)
			}
			if cover > 0 {
				c.img.SetRGBA(px, py, mix(c.img.RGBAAt(px, py), col, cover))
			}
		}
	}
}

func (c canvas) rect(x0, y0, x1, y1, r float64, col color.RGBA) {
	c.fill(x0, y0, x1, y1, col, func(x, y float64) bool {
		dx := math.Max(math.Max(x0+r-x, x-(x1-r)), 0)
		dy := math.Max(math.Max(y0+r-y, y-(y1-r)), 0)
		return x >= x0 && x <= x1 && y >= y0 && y <= y1 && dx*dx+dy*dy <= r*r
	})
}

func (c canvas) circle(cx, cy, r float64, col color.RGBA) {
	c.fill(cx-r, cy-r, cx+r, cy+r, col, func(x, y float64) bool { return (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r })
}

func (c canvas) ring(cx, cy, r, w float64, col color.RGBA) {
	c.fill(cx-r, cy-r, cx+r, cy+r, col, func(x, y float64) bool {
		d := math.Hypot(x-cx, y-cy)
		return d <= r && d >= r-w
	})
}

// line is a stroke of width w with round ends.
func (c canvas) line(x0, y0, x1, y1, w float64, col color.RGBA) {
	h := w / 2
	c.fill(math.Min(x0, x1)-h, math.Min(y0, y1)-h, math.Max(x0, x1)+h, math.Max(y0, y1)+h, col, func(x, y float64) bool {
		dx, dy := x1-x0, y1-y0
		t := 0.0
		if l := dx*dx + dy*dy; l > 0 {
			t = math.Max(0, math.Min(1, ((x-x0)*dx+(y-y0)*dy)/l))
		}
		return math.Hypot(x-(x0+t*dx), y-(y0+t*dy)) <= h
	})
}

// polygon fills a closed shape given as x, y pairs.
func (c canvas) polygon(col color.RGBA, pts ...float64) {
	minX, minY, maxX, maxY := pts[0], pts[1], pts[0], pts[1]
	for i := 0; i < len(pts); i += 2 {
		minX, maxX = math.Min(minX, pts[i]), math.Max(maxX, pts[i])
		minY, maxY = math.Min(minY, pts[i+1]), math.Max(maxY, pts[i+1])
	}
	c.fill(minX, minY, maxX, maxY, col, func(x, y float64) bool {
		in := false
		for i, j := 0, len(pts)-2; i < len(pts); j, i = i, i+2 {
			xi, yi, xj, yj := pts[i], pts[i+1], pts[j], pts[j+1]
			if (yi > y) != (yj > y) && x < (xj-xi)*(y-yi)/(yj-yi)+xi {
				in = !in
			}
		}
		return in
	})
}

func rgb(v uint32) color.RGBA { return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255} }

// Palette per category: background top and bottom, the item's main colour,
// its dark parts and an accent.
var palettes = map[string][5]color.RGBA{
	"cameras":    {rgb(0xe0e7ff), rgb(0xc7d2fe), rgb(0x334155), rgb(0x0f172a), rgb(0x6366f1)},
	"bikes":      {rgb(0xdcfce7), rgb(0xbbf7d0), rgb(0x0f766e), rgb(0x1f2937), rgb(0xf59e0b)},
	"tools":      {rgb(0xfef3c7), rgb(0xfde68a), rgb(0x1d4ed8), rgb(0x1f2937), rgb(0xdc2626)},
	"event-gear": {rgb(0xfce7f3), rgb(0xfbcfe8), rgb(0x374151), rgb(0x111827), rgb(0xdb2777)},
}

// drawings draw each demo item in the 800×600 frame with its category's
// main, dark and accent colours.
var drawings = map[string]func(c canvas, main, dark, accent color.RGBA){
	"canon-eos-r6":       camera,
	"sony-a7-iv":         camera,
	"canon-rf-24-70":     lens,
	"sigma-85-art":       lens,
	"city-e-bike":        bike(false),
	"cargo-bike":         bike(true),
	"road-bike":          bike(false),
	"bosch-hammer-drill": drill,
	"tile-cutter":        tileCutter,
	"ladder-3m":          ladder,
	"pa-speaker-set":     speaker,
	"folding-chair":      chair,
	"party-tent":         tent,
}

var white = rgb(0xffffff)

func camera(c canvas, main, dark, accent color.RGBA) {
	c.rect(250, 190, 380, 250, 14, dark)     // viewfinder hump
	c.rect(170, 230, 630, 450, 36, main)     // body
	c.rect(540, 230, 630, 450, 36, dark)     // grip
	c.rect(560, 200, 610, 235, 10, accent)   // shutter button
	c.circle(390, 340, 118, dark)            // lens barrel
	c.ring(390, 340, 100, 14, rgb(0x94a3b8)) // focus ring
	c.circle(390, 340, 70, rgb(0x1e3a8a))    // glass
	c.circle(360, 310, 20, rgb(0xbfdbfe))    // reflection
	c.rect(200, 255, 250, 280, 6, accent)    // badge
}

func lens(c canvas, main, dark, accent color.RGBA) {
	c.rect(180, 210, 300, 390, 16, dark) // mount end
	c.rect(280, 190, 560, 410, 24, main)
	c.rect(360, 190, 400, 410, 4, dark) // zoom ring
	c.rect(440, 190, 460, 410, 2, accent)
	c.rect(540, 170, 640, 430, 20, dark) // front
	c.rect(600, 185, 620, 415, 6, rgb(0x1e3a8a))
}

func bike(cargo bool) func(c canvas, main, dark, accent color.RGBA) {
	return func(c canvas, main, dark, accent color.RGBA) {
		c.ring(220, 400, 110, 16, dark)
		c.ring(580, 400, 110, 16, dark)
		c.circle(220, 400, 10, dark)
		c.circle(580, 400, 10, dark)
		if cargo {
			c.rect(480, 230, 680, 330, 10, accent)
		}
		c.line(220, 400, 360, 400, 14, main) // chain stay
		c.line(360, 400, 310, 250, 14, main) // seat tube
		c.line(310, 250, 520, 250, 14, main) // top tube
		c.line(360, 400, 520, 250, 14, main) // down tube
		c.line(220, 400, 310, 250, 14, main) // seat stay
		c.line(520, 250, 580, 400, 14, main) // fork
		c.line(520, 250, 500, 190, 12, dark) // stem
		c.line(470, 185, 550, 185, 14, dark) // handlebar
		c.line(310, 250, 295, 200, 10, dark)
		c.rect(255, 185, 335, 205, 8, dark) // saddle
		c.circle(360, 400, 22, accent)      // crank
	}
}

func drill(c canvas, main, dark, accent color.RGBA) {
	c.rect(200, 200, 520, 310, 40, main)  // body
	c.line(330, 300, 300, 470, 70, dark)  // handle
	c.rect(240, 450, 380, 500, 12, main)  // battery
	c.rect(520, 225, 590, 285, 10, dark)  // chuck
	c.line(590, 255, 700, 255, 10, dark)  // bit
	c.rect(345, 300, 365, 340, 6, accent) // trigger
	c.rect(230, 225, 300, 250, 8, accent)
}

func tileCutter(c canvas, main, dark, accent color.RGBA) {
	c.rect(140, 380, 660, 430, 10, main)
	c.line(170, 330, 630, 330, 12, dark)
	c.rect(360, 300, 440, 360, 10, dark)
	c.line(400, 300, 480, 190, 16, dark)
	c.circle(480, 190, 22, accent)
	c.rect(200, 355, 600, 380, 4, white)
}

func ladder(c canvas, main, _, accent color.RGBA) {
	c.line(280, 530, 360, 80, 20, main)
	c.line(520, 530, 440, 80, 20, main)
	for i := range 6 {
		y := 140 + float64(i)*70
		dx := (y - 80) / 450 * 80
		c.line(360-dx+4, y, 440+dx-4, y, 12, main)
	}
	c.rect(350, 70, 450, 100, 8, accent)
}

func speaker(c canvas, main, dark, accent color.RGBA) {
	c.line(400, 420, 400, 500, 16, dark)
	c.line(400, 500, 330, 540, 12, dark)
	c.line(400, 500, 470, 540, 12, dark)
	c.rect(290, 60, 510, 430, 24, main)
	c.circle(400, 310, 85, dark)
	c.ring(400, 310, 85, 10, accent)
	c.circle(400, 310, 30, rgb(0x4b5563))
	c.circle(400, 150, 36, dark)
	c.circle(400, 150, 14, rgb(0x4b5563))
}

func chair(c canvas, main, _, _ color.RGBA) {
	c.line(300, 120, 320, 520, 16, rgb(0x9ca3af))
	c.line(500, 120, 480, 520, 16, rgb(0x9ca3af))
	c.rect(290, 110, 510, 220, 16, white)
	c.rect(280, 320, 520, 350, 10, white)
	c.line(300, 340, 520, 520, 14, rgb(0x9ca3af))
	c.line(500, 340, 280, 520, 14, rgb(0x9ca3af))
	c.rect(280, 350, 520, 358, 2, main)
}

func tent(c canvas, main, dark, accent color.RGBA) {
	c.polygon(white, 120, 240, 680, 240, 640, 480, 160, 480)
	c.polygon(main, 100, 250, 400, 110, 700, 250)
	for i := range 4 {
		x := 160 + float64(i)*160
		c.rect(x, 250, x+80, 290, 4, accent)
	}
	c.line(160, 250, 160, 500, 10, dark)
	c.line(640, 250, 640, 500, 10, dark)
	c.rect(340, 330, 460, 480, 8, rgb(0xe5e7eb))
}

// Picture draws an item (by its demo slug) as a PNG; closer is the detail
// view, the centre of the drawing enlarged.
func Picture(slug, category string, closer bool) ([]byte, error) {
	draw, ok := drawings[slug]
	pal, okp := palettes[category]
	if !ok || !okp {
		return nil, fmt.Errorf("demo: no picture for %s", slug)
	}
	c := newCanvas(pal[0], pal[1])
	c.rect(80, 500, 720, 560, 30, mix(pal[1], pal[3], 0.12)) // floor shadow
	draw(c, pal[2], pal[3], pal[4])
	img := image.Image(c.img)
	if closer {
		img = enlarge(c.img, 1.6)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// enlarge zooms into the middle of an image by f (nearest neighbour on a
// flat drawing looks fine at this size).
func enlarge(src *image.RGBA, f float64) *image.RGBA {
	out := image.NewRGBA(src.Rect)
	for y := range picH {
		for x := range picW {
			sx := int(picW/2 + (float64(x)-picW/2)/f)
			sy := int(picH/2 + (float64(y)-picH/2)/f)
			out.SetRGBA(x, y, src.RGBAAt(sx, sy))
		}
	}
	return out
}

// pictureFiles are the drawings as files: <slug>-1.png (the item) and
// <slug>-2.png (closer), each with its thumbnail <slug>-N.jpg as
// catalog.ProcessPhoto makes it. Drawing them takes seconds, so they are
// drawn once into the repository (go test ./internal/demo -run Pictures
// -update) and loading the demo only stores them.
//
//go:embed pictures
var pictureFiles embed.FS

// pictureNames lists an item's picture files, without extension.
func pictureNames(slug string) []string { return []string{slug + "-1", slug + "-2"} }

// loadPictures gives every demo item without photos its two pictures.
func loadPictures(ctx context.Context, st *store.Store) error {
	for _, d := range demoItems {
		it, err := st.GetPublicItem(ctx, d.slug)
		if err != nil {
			continue // archived or taken offline by the shop: leave it alone
		}
		have, err := st.ListPhotos(ctx, it.ID)
		if err != nil {
			return err
		}
		if len(have) > 0 {
			continue
		}
		for _, name := range pictureNames(d.slug) {
			data, err := pictureFiles.ReadFile("pictures/" + name + ".png")
			if err != nil {
				return fmt.Errorf("demo: picture of %s: %w", d.slug, err)
			}
			thumb, err := pictureFiles.ReadFile("pictures/" + name + ".jpg")
			if err != nil {
				return fmt.Errorf("demo: picture of %s: %w", d.slug, err)
			}
			if _, err := st.AddPhoto(ctx, it.ID, catalog.Photo{ContentType: "image/png", Data: data, Thumbnail: thumb}); err != nil {
				return fmt.Errorf("demo: picture of %s: %w", d.slug, err)
			}
		}
	}
	return nil
}
