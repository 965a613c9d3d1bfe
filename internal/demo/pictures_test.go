package demo

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rentdesk/rentdesk/internal/catalog"
)

var updatePictures = flag.Bool("update", false, "redraw the demo pictures into pictures/")

// The demo pictures in the repository are what the drawing code draws and
// what an upload would store (catalog.ProcessPhoto's checks and thumbnail).
// With -update every picture is redrawn; without it two are checked, since
// drawing is slow under the race detector.
func TestPicturesAreCurrent(t *testing.T) {
	check := demoItems[:1]
	if *updatePictures {
		check = demoItems
	}
	for _, d := range check {
		for i, name := range pictureNames(d.slug) {
			data, err := Picture(d.slug, d.category, i == 1)
			if err != nil {
				t.Fatal(err)
			}
			p, err := catalog.ProcessPhoto(data)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if *updatePictures {
				for ext, b := range map[string][]byte{".png": p.Data, ".jpg": p.Thumbnail} {
					if err := os.WriteFile(filepath.Join("pictures", name+ext), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				continue
			}
			for ext, b := range map[string][]byte{".png": p.Data, ".jpg": p.Thumbnail} {
				have, err := pictureFiles.ReadFile("pictures/" + name + ext)
				if err != nil || !bytes.Equal(have, b) {
					t.Errorf("pictures/%s%s is not what the drawing code draws (%v); run go test -run Pictures -update", name, ext, err)
				}
			}
		}
	}
	for _, d := range demoItems {
		for _, name := range pictureNames(d.slug) {
			if _, err := pictureFiles.ReadFile("pictures/" + name + ".png"); err != nil {
				t.Errorf("no picture %s: %v", name, err)
			}
		}
	}
}
