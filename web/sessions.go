package web

import (
	"database/sql"
	"net/http"

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
	sm.Store = postgresstore.NewWithCleanupInterval(db, 0)
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
