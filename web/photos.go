package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// StaffPhotoUpload adds a photo to an item. The file is checked by its
// content; a bad or oversized file re-renders the item page with a message.
func (s *Server) StaffPhotoUpload(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, ok := tooLargeUpload(c); ok {
		// The file was skipped unread: far larger than a photo may be.
		return s.renderItemShow(c, http.StatusRequestEntityTooLarge, id, func(v *pages.StaffItemView) {
			v.Errors["photo"] = fmt.Sprintf("The file is larger than %d MB.", catalog.MaxPhotoBytes>>20)
		})
	}
	data, err := readUpload(c, "photo", catalog.MaxPhotoBytes)
	var p catalog.Photo
	if err == nil {
		p, err = catalog.ProcessPhoto(data)
	}
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), catalog.ErrPhoto.Error()+": ")
		return s.renderItemShow(c, http.StatusUnprocessableEntity, id, func(v *pages.StaffItemView) { v.Errors["photo"] = msg })
	}
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		if _, err := tx.GetItemForUpdate(ctx, id); err != nil {
			return err
		}
		m, err := tx.AddPhoto(ctx, id, p)
		if err != nil {
			return err
		}
		return audit(ctx, c, tx, "photo.add", "item", idOf(id), nil, map[string]any{"photo_id": m.ID, "content_type": m.ContentType, "size": m.Size})
	})
	if err != nil {
		return err
	}
	s.flash(c, "success", "Photo added.")
	return redirect(c, "/staff/items/"+idOf(id))
}

// errUpload carries a message about an upload for the person who sent it.
type errUpload struct{ msg string }

func (e errUpload) Error() string { return catalog.ErrPhoto.Error() + ": " + e.msg }

// Unwrap makes a refused upload a refused photo, whichever step refused it.
func (e errUpload) Unwrap() error { return catalog.ErrPhoto }

// readUpload reads one uploaded file, at most limit bytes.
func readUpload(c echo.Context, name string, limit int64) ([]byte, error) {
	fh, err := c.FormFile(name)
	if err != nil {
		return nil, errUpload{"Choose a file to upload."}
	}
	return readFile(fh, limit)
}

// readFile reads one file of a multipart form, at most limit bytes.
func readFile(fh *multipart.FileHeader, limit int64) ([]byte, error) {
	if fh.Size > limit {
		return nil, errUpload{fmt.Sprintf("The file is larger than %d MB.", limit>>20)}
	}
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("web: open upload: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("web: read upload: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, errUpload{fmt.Sprintf("The file is larger than %d MB.", limit>>20)}
	}
	return data, nil
}

// readPhotos reads and checks the photos uploaded under one field name (none
// is fine), at most max of them, each checked by its content like an item
// photo. A refused file is a message for the person who sent it, naming it.
func readPhotos(c echo.Context, name string, max int) ([]catalog.Photo, string, error) {
	form, err := c.MultipartForm()
	if err != nil {
		// Not a multipart form (or none at all): no photos came with it.
		return nil, "", nil
	}
	files := form.File[name]
	if len(files) > max {
		return nil, fmt.Sprintf("Attach at most %d photos.", max), nil
	}
	var out []catalog.Photo
	for _, fh := range files {
		data, err := readFile(fh, catalog.MaxPhotoBytes)
		var p catalog.Photo
		if err == nil {
			p, err = catalog.ProcessPhoto(data)
		}
		if errors.Is(err, catalog.ErrPhoto) {
			return nil, fh.Filename + ": " + strings.TrimPrefix(err.Error(), catalog.ErrPhoto.Error()+": "), nil
		}
		if err != nil {
			return nil, "", err
		}
		out = append(out, p)
	}
	return out, "", nil
}

// StaffPhotoMove moves a photo earlier or later in its item's gallery.
func (s *Server) StaffPhotoMove(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	dir, step, err := moveStep(c)
	if err != nil {
		return err
	}
	var m store.PhotoMeta
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		if m, err = tx.MovePhoto(ctx, id, step); err != nil {
			return err
		}
		return audit(ctx, c, tx, "photo.move", "item", idOf(m.ItemID), nil, map[string]any{"photo_id": id, "dir": dir})
	})
	if err != nil {
		return err
	}
	return redirect(c, "/staff/items/"+idOf(m.ItemID)+"#photos")
}

// StaffPhotoDelete removes a photo.
func (s *Server) StaffPhotoDelete(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var m store.PhotoMeta
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		if m, err = tx.DeletePhoto(ctx, id); err != nil {
			return err
		}
		return audit(ctx, c, tx, "photo.delete", "item", idOf(m.ItemID), map[string]any{"photo_id": id, "content_type": m.ContentType, "size": m.Size}, nil)
	})
	if err != nil {
		return err
	}
	s.flash(c, "success", "Photo deleted.")
	return redirect(c, "/staff/items/"+idOf(m.ItemID)+"#photos")
}

// PhotoServe sends a photo or its thumbnail. A photo never changes under
// its id (a new upload gets a new id), so it is cached for a year and the
// ETag is the id. Photos of hidden items are only for staff.
func (s *Server) PhotoServe(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	public, err := s.Store.PhotoPublic(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if !public {
		// Only staff see photos of items not on sale: that needs the session.
		return s.loadSession(s.loadUser(s.photoPrivate))(c)
	}
	return s.photoSend(c, id, true, s.itemPhotos())
}

// photoPrivate serves a photo of an item not on sale, to staff only.
func (s *Server) photoPrivate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if u := currentUser(c); u == nil || !u.IsStaff() {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	return s.photoSend(c, id, false, s.itemPhotos())
}

// photoSource is where photos of one kind are kept: item photos, or the
// photos taken at returns. tag starts their ETags, so two kinds never share one.
type photoSource struct {
	tag string
	get func(ctx context.Context, id int64, thumb bool) (store.PhotoData, error)
}

func (s *Server) itemPhotos() photoSource { return photoSource{tag: "p", get: s.Store.GetPhoto} }

// photoSend answers 304 to a browser that holds the photo already, before
// the image is read from the database; photos never change under an id.
func (s *Server) photoSend(c echo.Context, id int64, public bool, src photoSource) error {
	thumb := strings.HasSuffix(c.Path(), "/thumb")
	etag := fmt.Sprintf(`"%s%d-%t"`, src.tag, id, thumb)
	h := c.Response().Header()
	h.Set("ETag", etag)
	if public {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "private, no-store")
	}
	if c.Request().Header.Get("If-None-Match") == etag {
		return c.NoContent(http.StatusNotModified)
	}
	d, err := src.get(c.Request().Context(), id, thumb)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, d.ContentType, d.Data)
}

// StaffReturnPhoto serves a photo taken at a return (or its thumbnail), to
// staff only: the route is in the staff group, and the photo is never cached
// by a shared cache.
func (s *Server) StaffReturnPhoto(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.photoSend(c, id, false, photoSource{tag: "r", get: s.Store.GetReturnPhoto})
}
