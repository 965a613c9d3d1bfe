package web

import (
	"bytes"
	"encoding/gob"
	"net/http"
	"slices"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/rentdesk/rentdesk/internal/config"
	"github.com/rentdesk/rentdesk/internal/store"
)

// SessionCookieName is the session cookie's name over plain http; over https it
// carries the __Host- prefix (see NewSessions).
const SessionCookieName = "rentdesk_session"

// NewSessions configures scs: PostgreSQL storage so sessions survive restarts
// and are shared by every instance, idle and absolute timeouts, and cookie
// flags that keep the token away from scripts and other sites. Expired rows
// are deleted by a periodic job once for all instances, not by a goroutine in
// each. The store (store.SessionStore) runs on the app's pool with the
// request's context, keeps only a hash of each token, and skips the write of
// a session that only had its idle expiry pushed on (loadSession gives it the
// memo it needs).
func NewSessions(cfg config.Config, ss *store.SessionStore) *scs.SessionManager {
	sm := scs.New()
	// The idle expiry is written again once it has moved by a sixtieth of
	// the idle timeout (a minute at most): a session may end that much early.
	if step := cfg.SessionIdleTimeout / 60; step < ss.RenewAfter {
		ss.RenewAfter = step
	}
	sm.Store = ss
	sm.Codec = sortedCodec{}
	sm.Lifetime = cfg.SessionLifetime
	sm.IdleTimeout = cfg.SessionIdleTimeout
	sm.Cookie.Name = SessionCookieName
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Path = "/"
	// A browser-session cookie: closing the browser ends the login on shared
	// counter computers; the server-side timeouts bound it otherwise.
	sm.Cookie.Persist = false
	if cfg.Secure() {
		// The __Host- prefix makes browsers insist on Secure, Path=/ and no Domain.
		sm.Cookie.Name = "__Host-" + SessionCookieName
		sm.Cookie.Secure = true
	}
	return sm
}

// sortedCodec is scs' gob encoding with the values in key order. scs' own
// codec encodes a map, whose order changes from run to run, so an unchanged
// session would rarely encode to the same bytes, and the store could not see
// that it need not be written.
type sortedCodec struct{}

type sortedSession struct {
	Deadline time.Time
	Keys     []string
	Values   []any
}

// Encode writes the deadline and the values in key order.
func (sortedCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	aux := sortedSession{Deadline: deadline, Keys: make([]string, 0, len(values))}
	for k := range values {
		aux.Keys = append(aux.Keys, k)
	}
	slices.Sort(aux.Keys)
	for _, k := range aux.Keys {
		aux.Values = append(aux.Values, values[k])
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(&aux); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Decode reads what Encode wrote.
func (sortedCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	var aux sortedSession
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&aux); err != nil {
		return time.Time{}, nil, err
	}
	values := make(map[string]any, len(aux.Keys))
	for i, k := range aux.Keys {
		if i < len(aux.Values) {
			values[k] = aux.Values[i]
		}
	}
	return aux.Deadline, values, nil
}
