package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // registers the PNG decoder for image.Decode
	"net/http"

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Photo limits. The pixel limit stops "decompression bombs": a small file
// that claims huge dimensions is refused before it is decoded.
const (
	MaxPhotoBytes  = 8 << 20
	maxPhotoPixels = 50_000_000
	ThumbWidth     = 480
)

// ErrPhoto is wrapped by every reason a photo is refused; the message is for
// the person who uploaded it.
var ErrPhoto = errors.New("catalog: photo refused")

// Photo is an accepted upload with its thumbnail.
type Photo struct {
	ContentType string // image/jpeg, image/png or image/webp
	Data        []byte // the file as uploaded
	Thumbnail   []byte // always JPEG
}

// ProcessPhoto checks an upload by its content (never by its name or the
// browser's claimed type), refuses other kinds, oversized files and absurd
// dimensions, and makes a JPEG thumbnail ThumbWidth pixels wide at most.
func ProcessPhoto(data []byte) (Photo, error) {
	if len(data) == 0 {
		return Photo{}, fmt.Errorf("%w: Choose a photo to upload.", ErrPhoto)
	}
	if len(data) > MaxPhotoBytes {
		return Photo{}, fmt.Errorf("%w: The photo is larger than %d MB.", ErrPhoto, MaxPhotoBytes>>20)
	}
	ct := http.DetectContentType(data)
	switch ct {
	case "image/jpeg", "image/png", "image/webp":
	default:
		return Photo{}, fmt.Errorf("%w: Upload a JPEG, PNG or WebP image.", ErrPhoto)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Photo{}, fmt.Errorf("%w: The image could not be read; it may be damaged.", ErrPhoto)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPhotoPixels {
		return Photo{}, fmt.Errorf("%w: The image is too large (at most 50 megapixels).", ErrPhoto)
	}
	var img image.Image
	if ct == "image/webp" {
		img, err = webp.Decode(bytes.NewReader(data))
	} else {
		img, _, err = image.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return Photo{}, fmt.Errorf("%w: The image could not be read; it may be damaged.", ErrPhoto)
	}
	thumb, err := thumbnail(img)
	if err != nil {
		return Photo{}, err
	}
	return Photo{ContentType: ct, Data: data, Thumbnail: thumb}, nil
}

// thumbnail scales img to ThumbWidth wide (never up) on a white background,
// since JPEG has no transparency.
func thumbnail(img image.Image) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w > ThumbWidth {
		h = max(1, h*ThumbWidth/w)
		w = ThumbWidth
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 82}); err != nil {
		return nil, fmt.Errorf("catalog: encode thumbnail: %w", err)
	}
	return buf.Bytes(), nil
}
