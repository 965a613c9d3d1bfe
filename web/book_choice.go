package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// The customer's chosen location and dates live in a cookie signed with a
// key from the database, not in the session: a visitor who has only chosen
// dates then has no session row, and every page they see is served without
// reading one. The choice keeps the session's timeouts (it ends after the
// idle timeout without a request, and the lifetime after it was first made)
// and, like the session cookie, ends with the browser; logging in keeps it,
// logging out ends it, as it did when it was part of the session. Its
// timeouts run on the wall clock, as the session's do.
const choiceCookie = "rentdesk_dates"

// ctxChoice holds the request's choice once read or made (a handler may ask
// more than once), so the cookie is checked and renewed once per request.
const ctxChoice = "rentdesk.choice"

// signedChoice is the cookie's content: the choice, when it was first made
// and when a request last renewed it (Unix seconds).
type signedChoice struct {
	bookChoice
	Made int64 `json:"made"`
	Seen int64 `json:"seen"`
}

// choiceKey is the signing key, read from the database once.
type choiceKey struct {
	mu  sync.Mutex
	key []byte
}

func (s *Server) choiceKey(ctx context.Context) ([]byte, error) {
	s.datesKey.mu.Lock()
	defer s.datesKey.mu.Unlock()
	if s.datesKey.key == nil {
		key, err := s.Store.GetSigningKey(ctx, "dates")
		if err != nil {
			return nil, err
		}
		s.datesKey.key = key
	}
	return s.datesKey.key, nil
}

func (s *Server) choiceCookieName() string {
	if s.Config.Secure() {
		return "__Host-" + choiceCookie
	}
	return choiceCookie
}

// choiceRenewAfter is how far a request must be from the cookie's last
// renewal to renew it again: as for the session (NewSessions), a sixtieth
// of the idle timeout and a minute at most.
func (s *Server) choiceRenewAfter() time.Duration {
	return min(s.Config.SessionIdleTimeout/60, time.Minute)
}

// getChoice returns the customer's choice (zero: none). A cookie that is
// not signed with the key, or has timed out, is no choice; without the
// cookie, a choice an earlier version kept in the session still counts.
func (s *Server) getChoice(c echo.Context) (bookChoice, error) {
	if b, ok := c.Get(ctxChoice).(bookChoice); ok {
		return b, nil
	}
	b, err := s.readChoice(c)
	if err == nil {
		c.Set(ctxChoice, b)
	}
	return b, err
}

func (s *Server) readChoice(c echo.Context) (bookChoice, error) {
	ctx := c.Request().Context()
	if ck, err := c.Cookie(s.choiceCookieName()); err == nil && ck.Value != "" {
		key, err := s.choiceKey(ctx)
		if err != nil {
			return bookChoice{}, err
		}
		sc, ok := openChoice(key, ck.Value)
		now := time.Now()
		if ok && now.Before(time.Unix(sc.Seen, 0).Add(s.Config.SessionIdleTimeout)) &&
			now.Before(time.Unix(sc.Made, 0).Add(s.Config.SessionLifetime)) {
			if now.Sub(time.Unix(sc.Seen, 0)) >= s.choiceRenewAfter() {
				sc.Seen = now.Unix()
				s.setChoiceCookie(c, sealChoice(key, sc))
			}
			return sc.bookChoice, nil
		}
	}
	var b bookChoice
	if raw := s.Sessions.GetString(ctx, sessBookChoice); raw != "" {
		_ = json.Unmarshal([]byte(raw), &b)
	}
	return b, nil
}

// putChoice makes b the customer's choice.
func (s *Server) putChoice(c echo.Context, b bookChoice) error {
	key, err := s.choiceKey(c.Request().Context())
	if err != nil {
		return err
	}
	now := time.Now().Unix()
	sc := signedChoice{bookChoice: b, Made: now, Seen: now}
	if ck, err := c.Cookie(s.choiceCookieName()); err == nil {
		// A new choice does not restart the lifetime.
		if old, ok := openChoice(key, ck.Value); ok && old.Made <= now {
			sc.Made = old.Made
		}
	}
	s.setChoiceCookie(c, sealChoice(key, sc))
	s.Sessions.Remove(c.Request().Context(), sessBookChoice)
	c.Set(ctxChoice, b)
	return nil
}

// clearChoice forgets the customer's choice (logging out, a session that
// ended).
func (s *Server) clearChoice(c echo.Context) {
	c.Set(ctxChoice, bookChoice{})
	if _, err := c.Cookie(s.choiceCookieName()); err == nil {
		ck := s.newChoiceCookie("")
		ck.MaxAge = -1
		c.SetCookie(ck)
	}
}

func (s *Server) setChoiceCookie(c echo.Context, value string) {
	c.SetCookie(s.newChoiceCookie(value))
}

// newChoiceCookie has the session cookie's attributes (NewSessions).
func (s *Server) newChoiceCookie(value string) *http.Cookie {
	return &http.Cookie{Name: s.choiceCookieName(), Value: value, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.Config.Secure()}
}

// sealChoice is the cookie value of sc: its JSON and an HMAC of it, both in
// unpadded base64url.
func sealChoice(key []byte, sc signedChoice) string {
	raw, _ := json.Marshal(sc)
	body := base64.RawURLEncoding.EncodeToString(raw)
	return body + "." + base64.RawURLEncoding.EncodeToString(choiceMAC(key, body))
}

// openChoice reads a value sealChoice made with key; false if it is not one.
func openChoice(key []byte, value string) (signedChoice, bool) {
	body, mac, ok := strings.Cut(value, ".")
	if !ok {
		return signedChoice{}, false
	}
	got, err := base64.RawURLEncoding.DecodeString(mac)
	if err != nil || !hmac.Equal(got, choiceMAC(key, body)) {
		return signedChoice{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return signedChoice{}, false
	}
	var sc signedChoice
	if err := json.Unmarshal(raw, &sc); err != nil || !sc.chosen() {
		return signedChoice{}, false
	}
	return sc, true
}

func choiceMAC(key []byte, body string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("rentdesk dates\x00"))
	m.Write([]byte(body))
	return m.Sum(nil)
}
