package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// errorPage describes what the user is told for a status.
type errorPage struct {
	heading, message string
}

var errorPages = map[int]errorPage{
	http.StatusBadRequest:            {"Bad request", "The request was not understood."},
	http.StatusForbidden:             {"Not allowed", "You may not do that."},
	http.StatusNotFound:              {"Not found", "There is nothing here. The link may be old, or the page is not yours to see."},
	http.StatusMethodNotAllowed:      {"Not allowed", "That action is not available here."},
	http.StatusConflict:              {"Conflict", "Someone changed this at the same moment. Reload and try again."},
	http.StatusRequestEntityTooLarge: {"Too large", "That upload is too large."},
	http.StatusUnprocessableEntity:   {"Check your input", "Some of the information was not valid."},
	http.StatusTooManyRequests:       {"Too many attempts", "Please wait a few minutes and try again."},
	http.StatusInternalServerError:   {"Something went wrong", "We could not finish that. It has been logged; please try again."},
	http.StatusServiceUnavailable:    {"Temporarily unavailable", "The service is busy or briefly down. Please try again in a moment."},
}

// handleError is the one place errors become pages: store sentinels map to
// 404/409/503, Echo errors keep their status, the rest is a logged 500. Users
// never see SQL or stack traces, only a request id. A response already
// under way (a streamed export whose page failed, the request's deadline
// passing mid-file) cannot become a page, and ending it normally would
// leave a short file that looks whole: the connection is dropped instead,
// so the client reports a failed download, and the cause is logged.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		s.Logger.Error("response cut short", "id", c.Response().Header().Get(echo.HeaderXRequestID),
			"path", c.Request().URL.Path, "bytes", c.Response().Size, "error", err.Error())
		panic(http.ErrAbortHandler)
	}
	status, message := errorStatus(err)
	if status >= 500 {
		s.Logger.Error("request failed", "id", c.Response().Header().Get(echo.HeaderXRequestID),
			"path", c.Request().URL.Path, "status", status, "err", err)
	}
	if status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", "5")
		message = busyMessage(c, err)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	s.renderErrorPage(c, status, message)
}

// errNotStarted marks an error raised before the handler ran (the session
// could not be loaded): nothing the request asked for was done.
var errNotStarted = errors.New("web: request not started")

// busyMessage is what a 503 says: when the request was refused before its
// handler ran, that nothing was saved (a form can be sent again as it is);
// otherwise the page's general message.
func busyMessage(c echo.Context, err error) string {
	if !errors.Is(err, errNotStarted) {
		return ""
	}
	if m := c.Request().Method; m != http.MethodGet && m != http.MethodHead {
		return "The shop is very busy right now, and nothing was saved. Go back and send the form again in a few seconds."
	}
	return "The shop is very busy right now. Please try again in a few seconds."
}

// errorStatus maps an error to its status and, for an Echo error below 500,
// the message it carries (others say nothing of their cause).
func errorStatus(err error) (int, string) {
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		if m, ok := he.Message.(string); ok && he.Code < 500 {
			return he.Code, m
		}
		return he.Code, ""
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, ""
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict, ""
	case errors.Is(err, store.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, ""
	}
	return http.StatusInternalServerError, ""
}

// renderErrorPage writes the error page of a status, with the status' own
// message unless the error gave a more useful one.
func (s *Server) renderErrorPage(c echo.Context, status int, message string) {
	ep, ok := errorPages[status]
	if !ok {
		ep = errorPage{http.StatusText(status), ""}
	}
	if message == "" || message == http.StatusText(status) {
		message = ep.message
	}
	// The request's own context may be over (its deadline passed, or the
	// handler chain has returned and cancelled it); the page is rendered anyway.
	c.SetRequest(c.Request().WithContext(context.WithoutCancel(c.Request().Context())))
	c.Set(ctxErrorPage, true)
	v := pages.ErrorView{Page: s.page(c, ep.heading), Status: status, Heading: ep.heading, Message: message}
	if status == http.StatusServiceUnavailable && c.Request().Method == http.MethodGet {
		// The same page again (a same-site path only), for when the shop
		// is less busy.
		v.Retry = auth.SafeReturnPath(c.Request().URL.RequestURI())
	}
	if err := s.render(c, status, pages.ErrorPage(v)); err != nil {
		s.Logger.Error("render error page", "err", err)
		_ = c.String(status, ep.heading)
	}
}
