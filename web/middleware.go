package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/logging"
	"github.com/rentdesk/rentdesk/internal/metrics"
	"github.com/rentdesk/rentdesk/internal/payment"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
)

// Context keys for values the middleware sets.
const (
	ctxUser = "rentdesk.user"
	ctxCSRF = "rentdesk.csrf"
	// ctxCommitSession holds the func that saves the session (once).
	ctxCommitSession = "rentdesk.commit_session"
)

// commitSession saves the request's session now, before the answer is
// written; without a session (probes, assets) it does nothing.
func commitSession(c echo.Context) error {
	if commit, ok := c.Get(ctxCommitSession).(func() error); ok {
		return commit()
	}
	return nil
}

// Session keys.
const (
	sessUserID = "user_id"
	sessEpoch  = "epoch"
	sessFlash  = "flash"
)

// InstrumentRequests is the request metrics and the request log in one
// middleware: each request is counted by the pattern of the route that
// answered it (never the raw path or Host, so clients cannot create series)
// and timed per route group, and gets one structured log line. Errors are
// rendered here, so the status counted and logged is the one sent.
//
// One layer reads the clock twice per request, the end serving the metric's
// duration, the line's duration and its time alike: Echo builds the
// middleware chain anew on every request (a closure per layer), and a clock
// read costs ~0.1 µs here, so two layers reading it five times cost more
// than the figures need. The load benchmark serves its instrumented bare
// handler through this very function.
func InstrumentRequests(m *metrics.Metrics, logger *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			if err := next(c); err != nil {
				c.Error(err)
			}
			end := time.Now()
			d := end.Sub(start)
			req, res := c.Request(), c.Response()
			m.ObserveRequest(req.Method, c.Path(), res.Status, d)
			level := slog.LevelInfo
			if res.Status >= 500 {
				level = slog.LevelError
			}
			logging.LogRequest(req.Context(), logger, end, level, logging.Request{
				ID:       res.Header().Get(echo.HeaderXRequestID),
				Method:   req.Method,
				Path:     req.URL.Path,
				Status:   res.Status,
				Duration: d,
				Bytes:    res.Size,
			})
			return nil
		}
	}
}

// recoverPanics turns a panic into a 500 page with a request id and logs the
// stack, so one broken handler never takes the server down.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.Logger.Error("panic in handler",
					"id", c.Response().Header().Get(echo.HeaderXRequestID),
					"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = errPanic
			}
		}()
		return next(c)
	}
}

var errPanic = errors.New("web: handler panicked")

// requestTimeout bounds the work of one request, database calls included,
// and carries the request's id to the audit rows it writes.
func (s *Server) requestTimeout(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := store.WithRequestID(c.Request().Context(), c.Response().Header().Get(echo.HeaderXRequestID))
		ctx, cancel := context.WithTimeout(ctx, s.Config.RequestTimeout)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// contentSecurityPolicy allows only our own scripts and styles: htmx runs from
// a file with inline indicator styles and eval switched off (see static/js/app.js).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"

// checkoutSecurityPolicy is the policy when online payment is set up: a form
// that confirms a booking answers with a redirect to Stripe Checkout, which
// Chrome checks against form-action, so that origin (and no other) is allowed.
var checkoutSecurityPolicy = strings.Replace(contentSecurityPolicy, "form-action 'self'",
	"form-action 'self' "+payment.CheckoutOrigin, 1)

// securityHeaders sets the headers every response carries.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	secure := s.Config.Secure()
	csp := contentSecurityPolicy
	if s.Payments.Enabled() {
		csp = checkoutSecurityPolicy
	}
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if secure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		return next(c)
	}
}

// loadSession loads the scs session for the request and commits it just before
// the response headers go out. It is written for Echo instead of wrapping scs'
// LoadAndSave, because Echo writes headers through its own response.
func (s *Server) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	sm := s.Sessions
	return func(c echo.Context) error {
		res := c.Response()
		res.Header().Add("Vary", "Cookie")
		var token string
		if ck, err := c.Cookie(sm.Cookie.Name); err == nil {
			token = ck.Value
		}
		ctx, err := sm.Load(store.WithSessionMemo(c.Request().Context()), token)
		if err != nil {
			// The handler has not run: nothing the request asked for was done.
			return fmt.Errorf("web: load session: %w (%w)", store.Unavailable(err), errNotStarted)
		}
		c.SetRequest(c.Request().WithContext(ctx))
		var done bool
		var commitErr error
		commit := func() error {
			if done {
				return commitErr
			}
			done = true
			// Commit with a context that survives a request deadline, so a
			// slow handler does not lose the session write.
			commitCtx := context.WithoutCancel(ctx)
			switch sm.Status(commitCtx) {
			case scs.Modified:
				// The row keeps the session's user beside its data, so the
				// next request loads both in one statement (loadUser).
				store.SetSessionUser(commitCtx, sm.GetInt64(commitCtx, sessUserID))
				tok, expiry, err := sm.Commit(commitCtx)
				if err != nil {
					// Whatever the cause, the visitor can only try again later.
					commitErr = fmt.Errorf("web: save session: %w (%w)", store.ErrUnavailable, err)
					return commitErr
				}
				sm.WriteSessionCookie(commitCtx, res, tok, expiry)
			case scs.Destroyed:
				sm.WriteSessionCookie(commitCtx, res, "", time.Time{})
			}
			return nil
		}
		// render and redirect commit before they answer, so a session that
		// cannot be saved (a login, a cart change) is an error page, never
		// the success it would have been; other answers commit here.
		c.Set(ctxCommitSession, commit)
		res.Before(func() {
			if err := commit(); err != nil {
				s.Logger.Error("commit session", "err", err)
			}
		})
		return next(c)
	}
}

// loadUser puts the logged-in user, if any, on the context. A session whose user
// was disabled, or whose epoch is older than the user's (password or role
// changed, "log out other sessions"), is ended.
func (s *Server) loadUser(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		id := s.Sessions.GetInt64(ctx, sessUserID)
		if id == 0 {
			return next(c)
		}
		// Usually loaded with the session; read on its own otherwise.
		u, ok := store.SessionUser(ctx, id)
		var err error
		if !ok {
			u, err = s.Store.GetUser(ctx, id)
		}
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		case u.Disabled() || u.SessionEpoch != s.Sessions.GetInt(ctx, sessEpoch):
		default:
			c.Set(ctxUser, &u)
			// Pages for a logged-in user must not be kept by shared or back-button caches.
			c.Response().Header().Set("Cache-Control", "no-store")
			return next(c)
		}
		if err := s.Sessions.Destroy(ctx); err != nil {
			return fmt.Errorf("web: end stale session: %w", err)
		}
		s.clearChoice(c)
		return next(c)
	}
}

// currentUser returns the logged-in user or nil.
func currentUser(c echo.Context) *store.User {
	u, _ := c.Get(ctxUser).(*store.User)
	return u
}

const csrfCookie = "rentdesk_csrf"

// csrfCookieName is the CSRF cookie's name, host-locked on https.
func (s *Server) csrfCookieName() string {
	if s.Config.Secure() {
		return "__Host-" + csrfCookie
	}
	return csrfCookie
}

// checkCSRF guards every unsafe request with a token bound to the session:
// an HttpOnly cookie holds a random nonce, and the token forms echo in a
// hidden field (htmx in the X-CSRF-Token header) is an HMAC of that nonce
// keyed with a logged-in session's token. A nonce planted in the cookie by
// a neighbouring site cannot be turned into a valid token without that
// session, and a new session (login, logout) makes every older token
// worthless. A visitor without a login has no session to bind to: their
// token only proves the form came with the nonce cookie (a pair anyone can
// fetch for themselves), so for them the origin check is the guard that
// counts. A missing or wrong token is a 403, and so is a request the
// browser says comes from another origin (Sec-Fetch-Site, else Origin
// against Host), whatever token it carries.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		nonce := ""
		if ck, err := c.Cookie(s.csrfCookieName()); err == nil && len(ck.Value) == 43 {
			nonce = ck.Value
		}
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			if s.crossOrigin.Check(c.Request()) != nil {
				return echo.NewHTTPError(http.StatusForbidden, "The form expired or came from another site. Reload the page and try again.")
			}
			sent := c.Request().Header.Get("X-CSRF-Token")
			if sent == "" {
				sent = c.FormValue("_csrf")
			}
			want := s.csrfToken(c, nonce)
			if nonce == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(want)) != 1 {
				return echo.NewHTTPError(http.StatusForbidden, "The form expired or came from another site. Reload the page and try again.")
			}
		}
		if nonce == "" {
			return s.rotateCSRF(c, next)
		}
		c.Set(ctxCSRF, s.csrfToken(c, nonce))
		return next(c)
	}
}

// csrfToken is the token of a nonce for the request's session. A visitor's
// session (a cart, a flash) does not key it, so the first form that creates
// one does not void the token of the page still open; a logged-in session
// does, and login and logout change the session token.
func (s *Server) csrfToken(c echo.Context, nonce string) string {
	ctx := c.Request().Context()
	var m hash.Hash
	if s.Sessions.GetInt64(ctx, sessUserID) != 0 {
		m = hmac.New(sha256.New, []byte(csrfKey+s.Sessions.Token(ctx)))
	} else {
		m = visitorCSRF.Get().(hash.Hash)
		defer visitorCSRF.Put(m)
		m.Reset()
	}
	_, _ = io.WriteString(m, nonce)
	var sum [sha256.Size]byte
	return base64.RawURLEncoding.EncodeToString(m.Sum(sum[:0]))
}

// csrfKey is the start of every CSRF token's HMAC key; a logged-in
// session's token follows it.
const csrfKey = "rentdesk csrf\x00"

// visitorCSRF keeps the HMACs of visitors' tokens (the key without a
// session) between requests: most pages are a visitor's, and a new HMAC
// costs six allocations and hashing its key on every page. Reset returns
// one to its keyed state.
var visitorCSRF = sync.Pool{New: func() any { return hmac.New(sha256.New, []byte(csrfKey)) }}

// rotateCSRF gives the browser a new nonce and the page its token; it runs
// for a first visit and again when a session starts (login), so tokens
// seen before cannot be replayed. next, when given, runs afterwards.
func (s *Server) rotateCSRF(c echo.Context, next echo.HandlerFunc) error {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("web: csrf nonce: %w", err)
	}
	nonce := base64.RawURLEncoding.EncodeToString(b)
	c.SetCookie(&http.Cookie{Name: s.csrfCookieName(), Value: nonce, Path: "/", HttpOnly: true,
		Secure: s.Config.Secure(), SameSite: http.SameSiteLaxMode})
	c.Set(ctxCSRF, s.csrfToken(c, nonce))
	if next == nil {
		return nil
	}
	return next(c)
}

// requireLogin sends anonymous visitors to the login page and back afterwards.
func (s *Server) requireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentUser(c) == nil {
			return s.redirectToLogin(c)
		}
		return next(c)
	}
}

// requireRole lets through only users with one of the roles (admins pass any
// staff check). Others get 403; anonymous visitors go to the login page.
func (s *Server) requireRole(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := currentUser(c)
			if u == nil {
				return s.redirectToLogin(c)
			}
			for _, r := range roles {
				if u.Role == r || (r == store.RoleStaff && u.Role == store.RoleAdmin) {
					return next(c)
				}
			}
			return echo.NewHTTPError(http.StatusForbidden, "This page is for shop staff only.")
		}
	}
}

func (s *Server) redirectToLogin(c echo.Context) error {
	next := "/"
	if c.Request().Method == http.MethodGet {
		next = c.Request().URL.RequestURI()
	}
	return redirect(c, "/login?next="+url.QueryEscape(next))
}

// Limits on the size of one text value, checked before any handler runs:
// a form field's are components.MaxLineChars and MaxTextChars (the
// maxlength of its input); any other value (a query parameter, a hidden or
// unknown field) takes at most maxOtherBytes.
const (
	maxOtherBytes     = 2000
	maxPathParamBytes = 200
)

// multiLineFields are the form fields shown as a text area: the only ones
// where line breaks and tabs are text. TestMultiLineFieldsMatchTemplates
// fails when a template gains a text area that is not listed here.
var multiLineFields = map[string]bool{
	"address": true, "closed_dates": true, "condition_notes": true, "description": true,
	// The shop settings' invoice texts.
	"legal_address": true, "bank_details": true, "invoice_note": true,
}

// typedFields are the form fields someone types into: the text inputs and
// text areas of the forms (with typedFieldPrefixes, the ones numbered per
// row). An over-long value of one of them is not refused here: the handler
// shows its form again with a message beside the field (tooLong).
// TestOverLongFieldShownBesideIt posts one into each text field of every
// form the pages show, so a field missing here fails there.
var typedFields = map[string]bool{
	// Accounts.
	"name": true, "email": true, "phone": true, "password": true, "current_password": true, "new_password": true,
	"new_name": true, "new_email": true, "new_phone": true,
	// Catalog, units and stock.
	"slug": true, "description": true, "asset_tag": true, "serial_number": true, "prefix": true, "first": true, "count": true, "width": true,
	"rate_hour": true, "rate_day": true, "rate_week": true, "rate_month": true, "deposit": true, "replacement_value": true,
	"min_duration": true, "buffer_before": true, "buffer_after": true, "late_fee_amount": true, "late_fee_grace": true, "late_fee_cap": true,
	// Locations and settings.
	"address": true, "closed_dates": true, "shop_name": true, "legal_name": true, "legal_address": true, "contact_email": true,
	"contact_phone": true, "vat_id": true, "registration_number": true, "bank_details": true, "invoice_note": true,
	"invoice_prefix": true, "credit_note_prefix": true, "currency": true, "standard_rate": true, "reduced_rate": true,
	// The desk: scans, money, returns, maintenance.
	"tag": true, "reason": true, "condition_notes": true, "damage_amount": true, "damage_note": true, "deposit_back": true,
	"pay_amount": true, "pay_reference": true, "dep_amount": true, "dep_reference": true, "ret_amount": true, "ret_reference": true,
	"ref_amount": true, "ref_note": true, "waive_amount": true, "waive_reason": true,
}

// typedFieldPrefixes name the typed fields numbered per row of a form: a
// location's stock, a day's opening hours, a returned unit's note, an
// alert rule's threshold.
var typedFieldPrefixes = []string{"qty_", "hours_", "note_", "threshold_"}

// isTypedField reports whether name is a field someone types into.
func isTypedField(name string) bool {
	if typedFields[name] {
		return true
	}
	for _, p := range typedFieldPrefixes {
		if strings.HasPrefix(name, p) && len(name) > len(p) {
			return true
		}
	}
	return false
}

// handlerCheckedFields may carry line breaks and tabs to their handlers,
// which refuse them with a message beside the field (checkEmail,
// checkPhone) or never store them (a return path: auth.SafeReturnPath
// replaces one holding control characters with "/").
var handlerCheckedFields = map[string]bool{"next": true, "email": true, "phone": true}

// Messages of refuseUnstorableText.
const (
	msgUnstorable  = "The form contained characters that cannot be saved. Please retype the text and try again."
	msgControlChar = "Line breaks and control characters cannot be used in a single-line field. Please retype the text and try again."
	msgTooLong     = "A field of the form is too long. Please shorten it and try again."
	// msgControlField goes beside a typed single-line field that holds a
	// tab, a line break or another control character (a name pasted from a
	// spreadsheet brings its tab along).
	msgControlField = "Tabs, line breaks and other control characters cannot be used here. Please retype it."
	msgBadAddress   = "The address of this page contains characters that cannot be used."
	msgLongAddress  = "There is no such page: its address is too long."
)

// ctxTooLong holds the typed fields of a form that are over their limit or
// hold a control character (name → message), for tooLong.
const ctxTooLong = "rentdesk.too_long"

// refuseUnstorableText answers 400 when a path segment, query or form value
// holds a NUL byte or invalid UTF-8, when a single-line value holds a control
// character (CR and LF included: they end up in mail headers and logs), and
// when a value that is not a typed form field is longer than any needs.
// PostgreSQL cannot store NUL or invalid UTF-8 in text, no form here needs
// them, and a browser never sends them from a text field; without this check
// such a value would surface as a database error (a 500) deep in a handler.
// Every route of the app group passes here, so no handler meets such text.
//
// A typed field over its limit (a browser stops at its maxlength, but a
// pasted text, an old page or a script may not), or a typed single-line field
// holding a tab or another control character (pasted along with a name), is a
// mistake of the user, not junk: it goes on to the handler, which shows the
// form again with everything as typed and a message beside that field
// (tooLong) instead of acting. NUL and invalid UTF-8 stay a 400: no browser
// sends them from a text field, and they cannot be shown again as typed.
func refuseUnstorableText(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := checkPathText(c); err != nil {
			return err
		}
		for name, list := range c.QueryParams() {
			if msg := otherTextProblem(name, list); msg != "" {
				return echo.NewHTTPError(http.StatusBadRequest, msg)
			}
		}
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		form, err := c.FormParams()
		if err != nil {
			// A body that does not parse cleanly ("a=%00&%") still
			// leaves what did parse in the request, and a handler
			// reading the form later gets it without an error: check
			// that part too.
			form = c.Request().PostForm
		}
		var long map[string]string
		for name, list := range form {
			if !isTypedField(name) {
				if msg := otherTextProblem(name, list); msg != "" {
					return echo.NewHTTPError(http.StatusBadRequest, msg)
				}
				continue
			}
			multi, limit := multiLineFields[name], components.MaxLineChars
			if multi {
				limit = components.MaxTextChars
			}
			for _, v := range list {
				msg := textProblem(v, multi || handlerCheckedFields[name], len(v))
				if msg == msgControlChar && !storable(v) {
					msg = msgUnstorable // a NUL after the control character
				}
				if msg == msgControlChar {
					if long == nil {
						long = map[string]string{}
					}
					long[name] = msgControlField
					continue
				}
				if msg != "" {
					return echo.NewHTTPError(http.StatusBadRequest, msg)
				}
				if n := components.TextLength(v); n > limit {
					if long == nil {
						long = map[string]string{}
					}
					long[name] = tooLongMessage(limit, n)
				}
			}
		}
		if long != nil {
			c.Set(ctxTooLong, long)
		}
		return next(c)
	}
}

// otherTextProblem checks a value that is not a typed form field, and its name.
func otherTextProblem(name string, list []string) string {
	if msg := textProblem(name, false, maxOtherBytes); msg != "" {
		return msg
	}
	multi := multiLineFields[name] || handlerCheckedFields[name]
	for _, v := range list {
		if msg := textProblem(v, multi, maxOtherBytes); msg != "" {
			return msg
		}
	}
	return ""
}

// tooLongMessage is what the user reads beside an over-long field.
func tooLongMessage(limit, n int) string {
	return fmt.Sprintf("Use at most %d characters: this has %d. Please shorten it.", limit, n)
}

// tooLong adds to errs a message beside each typed field of the form that is
// over its limit or holds a control character (refuseUnstorableText let it
// through for that) and returns errs, made when nil. Every handler of a form
// passes its field errors here before it acts, so such a form is shown
// again, as typed, and nothing is saved; the value itself is kept whole, not
// cut to the limit, so the user loses nothing and chooses what to shorten.
func tooLong(c echo.Context, errs components.Errors) components.Errors {
	if errs == nil {
		errs = components.Errors{}
	}
	long, _ := c.Get(ctxTooLong).(map[string]string)
	for name, msg := range long {
		errs[name] = msg
	}
	return errs
}

// refuseUnstorablePath is the path half of refuseUnstorableText, for routes
// served outside the app group (item photos).
func refuseUnstorablePath(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := checkPathText(c); err != nil {
			return err
		}
		return next(c)
	}
}

// checkPathText refuses a path, or a path parameter, that no route can mean:
// unstorable or control characters are a 400, an over-long segment a 404.
func checkPathText(c echo.Context) error {
	if msg := textProblem(c.Request().URL.Path, false, 1<<20); msg != "" {
		return echo.NewHTTPError(http.StatusBadRequest, msgBadAddress)
	}
	for _, v := range c.ParamValues() {
		if len(v) > maxPathParamBytes {
			return echo.NewHTTPError(http.StatusNotFound, msgLongAddress)
		}
		if unescaped, err := url.PathUnescape(v); err != nil || textProblem(unescaped, false, maxPathParamBytes) != "" {
			return echo.NewHTTPError(http.StatusBadRequest, msgBadAddress)
		}
	}
	return nil
}

// textProblem says what is wrong with one value, "" when nothing is.
// storable reports whether PostgreSQL can store v as text (no NUL, valid
// UTF-8), so that a form holding it can be shown again as typed.
func storable(v string) bool {
	return utf8.ValidString(v) && strings.IndexByte(v, 0) < 0
}

func textProblem(v string, multiLine bool, limit int) string {
	if len(v) > limit {
		return msgTooLong
	}
	if !utf8.ValidString(v) {
		return msgUnstorable
	}
	for _, r := range v {
		switch {
		case r == 0:
			return msgUnstorable
		case multiLine && (r == '\n' || r == '\r' || r == '\t'):
		case r < 0x20, r >= 0x7f && r <= 0x9f, r == '\u2028', r == '\u2029':
			return msgControlChar
		}
	}
	return ""
}
