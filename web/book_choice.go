package web

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/securecookie"
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

// choiceCodec signs and reads the cookie, with the key read from the
// database once.
type choiceCodec struct {
	mu    sync.Mutex
	codec *securecookie.SecureCookie
}

func (s *Server) choiceCodec(ctx context.Context) (*securecookie.SecureCookie, error) {
	s.datesKey.mu.Lock()
	defer s.datesKey.mu.Unlock()
	if s.datesKey.codec == nil {
		key, err := s.Store.GetSigningKey(ctx, "dates")
		if err != nil {
			return nil, err
		}
		// A hash key and no block key: the choice is no secret (the
		// visitor made it), it only must not be changed or made up.
		codec := securecookie.New(key, nil)
		codec.SetSerializer(choiceJSON{})
		// The choice carries its own times (Made, Seen), renewed and
		// checked against the session's timeouts by readChoice.
		codec.MaxAge(0)
		s.datesKey.codec = codec
	}
	return s.datesKey.codec, nil
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
		codec, err := s.choiceCodec(ctx)
		if err != nil {
			return bookChoice{}, err
		}
		sc, ok := openChoice(codec, ck.Value)
		now := time.Now()
		if ok && now.Before(time.Unix(sc.Seen, 0).Add(s.Config.SessionIdleTimeout)) &&
			now.Before(time.Unix(sc.Made, 0).Add(s.Config.SessionLifetime)) {
			if now.Sub(time.Unix(sc.Seen, 0)) >= s.choiceRenewAfter() {
				sc.Seen = now.Unix()
				v, err := sealChoice(codec, sc)
				if err != nil {
					return bookChoice{}, err
				}
				s.setChoiceCookie(c, v)
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
	codec, err := s.choiceCodec(c.Request().Context())
	if err != nil {
		return err
	}
	now := time.Now().Unix()
	sc := signedChoice{bookChoice: b, Made: now, Seen: now}
	if ck, err := c.Cookie(s.choiceCookieName()); err == nil {
		// A new choice does not restart the lifetime.
		if old, ok := openChoice(codec, ck.Value); ok && old.Made <= now {
			sc.Made = old.Made
		}
	}
	v, err := sealChoice(codec, sc)
	if err != nil {
		return err
	}
	s.setChoiceCookie(c, v)
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

// sealChoice is the cookie value of sc, signed (HMAC-SHA-256 over the
// cookie's name, the time and the JSON of sc).
func sealChoice(codec *securecookie.SecureCookie, sc signedChoice) (string, error) {
	return codec.Encode(choiceCookie, sc)
}

// choiceJSON writes the choice as securecookie's JSONEncoder does and reads
// it with json.Unmarshal, not a json.Decoder and its buffers: the cookie
// is read on every page a visitor with dates sees.
type choiceJSON struct{ securecookie.JSONEncoder }

// Deserialize reads the JSON of a signed value into dst.
func (choiceJSON) Deserialize(src []byte, dst any) error { return json.Unmarshal(src, dst) }

// openChoice reads a value sealChoice made; false if it is not one.
func openChoice(codec *securecookie.SecureCookie, value string) (signedChoice, bool) {
	var sc signedChoice
	if err := codec.Decode(choiceCookie, value, &sc); err != nil || !sc.chosen() {
		return signedChoice{}, false
	}
	return sc, true
}
