package web

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"
)

// gzipMinLength is the smallest answer worth compressing: under 1 KB the
// gzip header and the client's work outweigh the bytes saved.
const gzipMinLength = 1024

// gzipPages compresses answers for clients that accept gzip. It keeps the
// behaviour of Echo's own Gzip middleware (Vary: Accept-Encoding on every
// answer, answers under gzipMinLength and bodiless answers sent plain, an
// error answered after the handler still written plain), with two changes:
//
//   - klauspost/compress's gzip instead of compress/gzip: at level 1 it
//     took about half to two thirds of the CPU per page in our profiles,
//     and compressing was a fifth to a quarter of the app's CPU on the
//     catalog pages;
//   - bodies that are compressed already (photos: JPEG, PNG, WebP, GIF;
//     invoice PDFs, whose streams and fonts are deflated) are sent as they
//     are, since gzip only costs time there (an invoice: 36.9 kB plain,
//     34.9 kB gzipped, for about a tenth of the PDF request's CPU).
//
// Level 1 (BestSpeed): the higher levels clear large match tables for
// every answer and gain little on a page of HTML.
func gzipPages() echo.MiddlewareFunc {
	writers := sync.Pool{New: func() any {
		w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed) // a valid level: no error
		return w
	}}
	buffers := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			res := c.Response()
			res.Header().Add(echo.HeaderVary, echo.HeaderAcceptEncoding)
			if !strings.Contains(c.Request().Header.Get(echo.HeaderAcceptEncoding), "gzip") {
				return next(c)
			}
			rw := res.Writer
			zw := writers.Get().(*gzip.Writer)
			zw.Reset(rw)
			buf := buffers.Get().(*bytes.Buffer)
			buf.Reset()
			g := &gzipWriter{zw: zw, ResponseWriter: rw, buf: buf}
			defer func() {
				switch {
				case !g.wroteBody:
					// No body (a redirect, a 304) or an error answered by
					// the error handler after this returns: send it plain,
					// through the original writer.
					if res.Header().Get(echo.HeaderContentEncoding) == "gzip" {
						res.Header().Del(echo.HeaderContentEncoding)
					}
					if g.wroteHeader {
						rw.WriteHeader(g.code)
					}
					res.Writer = rw
				case g.mode == gzipUndecided:
					// Too short to gain: what was kept goes out plain.
					res.Writer = rw
					if g.wroteHeader {
						rw.WriteHeader(g.code)
					}
					_, _ = buf.WriteTo(rw)
				case g.mode == gzipOn:
					_ = zw.Close()
				}
				zw.Reset(io.Discard)
				writers.Put(zw)
				buffers.Put(buf)
			}()
			res.Writer = g
			return next(c)
		}
	}
}

// gzipMode is what a gzipWriter decided to do with the body.
type gzipMode uint8

const (
	gzipUndecided gzipMode = iota // still buffering, under gzipMinLength
	gzipOn                        // compressing
	gzipOff                       // passing through (already compressed)
)

// gzipWriter holds the body back until it is long enough to compress, then
// compresses it, or passes it through when its type is compressed already.
type gzipWriter struct {
	http.ResponseWriter
	zw          *gzip.Writer
	buf         *bytes.Buffer
	code        int
	wroteHeader bool
	wroteBody   bool
	mode        gzipMode
}

// WriteHeader is held back until the body says whether it is compressed.
func (w *gzipWriter) WriteHeader(code int) {
	w.Header().Del(echo.HeaderContentLength) // the length changes
	w.wroteHeader = true
	w.code = code
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	h := w.Header()
	if h.Get(echo.HeaderContentType) == "" {
		h.Set(echo.HeaderContentType, http.DetectContentType(b))
	}
	w.wroteBody = true
	switch w.mode {
	case gzipOn:
		return w.zw.Write(b)
	case gzipOff:
		return w.ResponseWriter.Write(b)
	}
	if compressedType(h.Get(echo.HeaderContentType)) {
		w.mode = gzipOff
		if w.wroteHeader {
			w.ResponseWriter.WriteHeader(w.code)
		}
		return w.ResponseWriter.Write(b)
	}
	n, err := w.buf.Write(b)
	if w.buf.Len() < gzipMinLength {
		return n, err
	}
	w.start()
	if _, err := w.zw.Write(w.buf.Bytes()); err != nil {
		return 0, err
	}
	return n, nil
}

// start sends the header of a compressed answer.
func (w *gzipWriter) start() {
	w.mode = gzipOn
	w.Header().Set(echo.HeaderContentEncoding, "gzip")
	if w.wroteHeader {
		w.ResponseWriter.WriteHeader(w.code)
	}
}

// Flush compresses whatever is kept (more may come, so the length is not
// known) and pushes it to the client.
func (w *gzipWriter) Flush() {
	if w.mode == gzipUndecided {
		w.start()
		_, _ = w.zw.Write(w.buf.Bytes())
	}
	if w.mode == gzipOn {
		_ = w.zw.Flush()
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *gzipWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *gzipWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// compressedType says whether a body of this content type is compressed
// already, so gzip would only cost time: the photo formats and PDF.
func compressedType(ct string) bool {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	switch strings.TrimSpace(strings.ToLower(ct)) {
	case "image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf":
		return true
	}
	return false
}
