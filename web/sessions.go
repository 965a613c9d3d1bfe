package web

import (
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/v2"

	"github.com/rentdesk/rentdesk/internal/config"
)

// SessionCookieName is the session cookie's name over plain http; over https it
// carries the __Host- prefix (see NewSessions).
const SessionCookieName = "rentdesk_session"

// NewSessions configures scs: PostgreSQL storage so sessions survive restarts
// and are shared by every instance, idle and absolute timeouts, and cookie
// flags that keep the token away from scripts and other sites. Expired rows
// are deleted by a periodic job once for all instances, not by a goroutine in
// each. db should be store.SessionsDB: a pool of its own, because
// postgresstore's queries take no context.
func NewSessions(cfg config.Config, db *sql.DB) *scs.SessionManager {
	sm := scs.New()
	sm.Store = hashedTokens{postgresstore.NewWithCleanupInterval(db, 0)}
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

// hashedTokens keeps sessions under the SHA-256 of their token, so the
// sessions table (a backup, a replica, a support dump) holds no token that
// would log anyone in; the browser's cookie keeps the token itself. scs'
// own RenewToken, Destroy and expiry work unchanged through it.
type hashedTokens struct{ scs.Store }

// storedToken is the key a session token is stored under.
func storedToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// Find loads the session whose token hashes to the stored key.
func (h hashedTokens) Find(token string) ([]byte, bool, error) {
	return h.Store.Find(storedToken(token))
}

// Commit saves the session under the hash of its token.
func (h hashedTokens) Commit(token string, b []byte, expiry time.Time) error {
	return h.Store.Commit(storedToken(token), b, expiry)
}

// Delete removes the session of the token.
func (h hashedTokens) Delete(token string) error {
	return h.Store.Delete(storedToken(token))
}
