package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/rentdesk/rentdesk/templates/components"
)

// uploadRoutes are the staff forms that carry photos. Several phone photos
// (3–5 MB each) pass the body limit of every other request, so these take
// RENTDESK_UPLOAD_LIMIT instead, for staff only; anyone else meets the
// ordinary limit, checked before the session is even read.
var uploadRoutes = map[string]bool{
	"/staff/bookings/:id/return": true,
	"/staff/items/:id/photos":    true,
}

// isUploadRoute reports whether the request posts one of the upload forms
// (the route is known: Echo routes before it runs the middleware).
func isUploadRoute(c echo.Context) bool {
	return c.Request().Method == http.MethodPost && uploadRoutes[c.Path()]
}

// Limits of reading an upload form that is too large: its text fields are
// kept (so the form comes back as typed) and its files skipped unread.
const (
	// uploadDrainFactor: a body up to this many times the upload limit is
	// read through, so the browser, still sending, gets the answer; past it
	// the connection is closed after the answer.
	uploadDrainFactor = 4
	// maxKeptFieldBytes bounds one text value kept; maxKeptFields their number.
	maxKeptFieldBytes = 4 * components.MaxTextChars
	maxKeptFields     = 1000
)

// ctxUploadTooLarge holds the uploadTooLarge of a form refused for its size.
const ctxUploadTooLarge = "rentdesk.upload_too_large"

// uploadRefusal says that an upload form was over the limit: the file
// fields that carried files (so the message goes beside them) and the limit.
type uploadRefusal struct {
	limit  int64
	fields map[string]bool
}

// message is what staff read beside a photo field.
func (u uploadRefusal) message() string {
	return fmt.Sprintf("The photos together are larger than %d MB, so none was saved: attach fewer or smaller photos.", u.limit>>20)
}

// tooLargeUpload returns the refusal of a form that was too large, if it was.
func tooLargeUpload(c echo.Context) (uploadRefusal, bool) {
	u, ok := c.Get(ctxUploadTooLarge).(uploadRefusal)
	return u, ok
}

// uploadBody applies the body limit of an upload form. It runs after the
// user is known and before the CSRF check reads the form. Staff get
// RENTDESK_UPLOAD_LIMIT; a body over it is not a bare 413: its text fields
// are read (its files skipped) and the handler shows the form again, as
// typed, with a message beside the photos (tooLargeUpload). Anyone else gets
// the ordinary limit, as on every other route.
//
// Echo builds a group's middleware chain again for every request, so the
// ordinary limit is parsed (a regular expression) and its reader pool made
// here, once, not in the chain.
func (s *Server) uploadBody() echo.MiddlewareFunc {
	ordinary := middleware.BodyLimit(s.Config.BodyLimit)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !isUploadRoute(c) {
				return next(c)
			}
			if u := currentUser(c); u == nil || !u.IsStaff() {
				return ordinary(next)(c)
			}
			req := c.Request()
			limit := s.Config.UploadLimit
			if req.ContentLength <= limit {
				// A length that is unknown (-1) is checked as it is read.
				req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
				return next(c)
			}
			fields, files := readTextFields(req, limit*uploadDrainFactor)
			req.Form, req.PostForm = fields, fields
			req.MultipartForm = &multipart.Form{Value: fields, File: map[string][]*multipart.FileHeader{}}
			c.Set(ctxUploadTooLarge, uploadRefusal{limit: limit, fields: files})
			return next(c)
		}
	}
}

// readTextFields reads a multipart form of at most max bytes for its text
// values alone, skipping the files; it also names the fields that carried a
// file. A form cut short (past max, or broken) keeps what came before.
func readTextFields(req *http.Request, max int64) (url.Values, map[string]bool) {
	fields, files := url.Values{}, map[string]bool{}
	_, params, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return fields, files
	}
	mr := multipart.NewReader(io.LimitReader(req.Body, max), params["boundary"])
	for n := 0; n < maxKeptFields; n++ {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		name := p.FormName()
		if p.FileName() != "" {
			if k, _ := io.Copy(io.Discard, p); k > 0 {
				files[name] = true
			}
			continue
		}
		b, err := io.ReadAll(io.LimitReader(p, maxKeptFieldBytes+1))
		if err != nil && !errors.Is(err, io.EOF) {
			break
		}
		if name != "" && len(b) <= maxKeptFieldBytes {
			fields.Add(name, string(b))
		}
	}
	return fields, files
}
