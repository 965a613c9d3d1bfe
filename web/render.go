package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/templates/layout"
)

// page builds the request-wide part of every view model: user, CSRF token,
// flash messages, asset URLs, and whether htmx wants only the fragment.
func (s *Server) page(c echo.Context, title string) layout.Page {
	p := layout.Page{
		Title:     title,
		Asset:     s.assetURL,
		Path:      c.Request().URL.Path,
		RequestID: c.Response().Header().Get(echo.HeaderXRequestID),
		Fragment:  isHTMX(c) && c.Request().Header.Get("HX-Boosted") == "",
	}
	// Error pages (a database outage among them) use what is known.
	shop := s.shop(c.Request().Context(), c.Get(ctxErrorPage) == nil)
	p.ShopName, p.ShopAddress, p.ShopHours = shop.Name, shop.Address, shop.Hours
	p.CSRFToken, _ = c.Get(ctxCSRF).(string)
	if u := currentUser(c); u != nil {
		p.User = &layout.User{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role}
	}
	if p.User.IsAdmin() && !p.Fragment {
		p.Alerts = s.firingAlerts(c)
	}
	if s.Sessions != nil && c.Get(ctxCSRF) != nil { // the session is loaded on this route
		p.Flashes = s.popFlashes(c)
		p.CartCount = cartCount(s.getCart(c))
	}
	return p
}

// ctxErrorPage marks a request whose answer is an error page.
const ctxErrorPage = "error-page"

// render writes a component with a status. It renders into a buffer first, so
// a template error becomes a clean 500 page instead of half a page. The
// buffers are reused: a page grown from an empty buffer reallocated it about
// ten times on the way to its 5 to 15 KB.
func (s *Server) render(c echo.Context, status int, comp templ.Component) error {
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer putRenderBuffer(buf)
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return fmt.Errorf("web: render: %w", err)
	}
	if status < http.StatusBadRequest {
		if err := commitSession(c); err != nil {
			return err
		}
	}
	// The response writer copies the bytes (or sends them) before
	// HTMLBlob returns, so the buffer is free again afterwards.
	return c.HTMLBlob(status, buf.Bytes())
}

// renderBuffers are the page buffers of render.
var renderBuffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 32<<10)) }}

// putRenderBuffer returns a buffer to the pool, unless one huge page (a
// long list) grew it: the pool would keep that memory for every page.
func putRenderBuffer(b *bytes.Buffer) {
	if b.Cap() > 256<<10 {
		return
	}
	b.Reset()
	renderBuffers.Put(b)
}

// redirect answers a successful POST: 303 for plain forms, HX-Redirect for htmx.
func redirect(c echo.Context, to string) error {
	if err := commitSession(c); err != nil {
		return err
	}
	if isHTMX(c) {
		c.Response().Header().Set("HX-Redirect", to)
		return c.NoContent(http.StatusNoContent)
	}
	return c.Redirect(http.StatusSeeOther, to)
}

func isHTMX(c echo.Context) bool { return c.Request().Header.Get("HX-Request") == "true" }

// flash queues a message for the next page the user sees.
func (s *Server) flash(c echo.Context, kind, msg string) {
	ctx := c.Request().Context()
	fs := s.peekFlashes(c)
	fs = append(fs, layout.Flash{Kind: kind, Message: msg})
	b, _ := json.Marshal(fs)
	s.Sessions.Put(ctx, sessFlash, string(b))
}

func (s *Server) peekFlashes(c echo.Context) []layout.Flash {
	var fs []layout.Flash
	if raw := s.Sessions.GetString(c.Request().Context(), sessFlash); raw != "" {
		_ = json.Unmarshal([]byte(raw), &fs)
	}
	return fs
}

func (s *Server) popFlashes(c echo.Context) []layout.Flash {
	ctx := c.Request().Context()
	if !s.Sessions.Exists(ctx, sessFlash) {
		return nil
	}
	fs := s.peekFlashes(c)
	s.Sessions.Remove(ctx, sessFlash)
	return fs
}
