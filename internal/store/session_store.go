package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// SessionStore keeps scs sessions in the sessions table, on the app's own
// pool: every call carries the request's context and the pool's acquire
// timeout, and runs a statement prepared once per connection. It implements
// scs.CtxStore (and the context-free scs.Store scs requires besides).
//
// Only a SHA-256 hash of each token is stored, so a copy of the table (a
// backup, a replica, a leaked dump) logs nobody in. The token itself is 32
// random bytes, so a plain fast hash is enough: there is nothing to guess.
//
// scs marks every loaded session modified when an idle timeout is set, just to
// push the expiry on, which would make every page view of a visitor with a
// session a write. With a memo on the request context (WithSessionMemo), a
// commit whose data is byte for byte what was loaded is skipped unless the
// expiry moved by RenewAfter or more: the idle timeout then lags by less than
// RenewAfter, and a plain page view cannot overwrite a cart another request
// of the same visitor just changed.
type SessionStore struct {
	st         *Store
	RenewAfter time.Duration
}

// DefaultSessionRenewAfter is how far the expiry must move before a session
// that did not change is written again.
const DefaultSessionRenewAfter = time.Minute

// SessionStore returns the session store on s's pool.
func (s *Store) SessionStore() *SessionStore {
	return &SessionStore{st: s, RenewAfter: DefaultSessionRenewAfter}
}

type sessionMemoKey struct{}

// sessionMemo is what the request loaded: the token's hash, the stored data
// and expiry, and the account the row names (with its user id column).
type sessionMemo struct {
	mu     sync.Mutex
	hash   []byte
	data   []byte
	expiry time.Time
	user   *User
	// userID is what the next commit writes into the user id column
	// (SetSessionUser).
	userID int64
}

// SessionUser returns the account loaded with the request's session when it
// is user id (the id the session's data names); false means it must be read
// on its own (GetUser). The row is read in the same statement as the
// session, so it is as current as a GetUser right after would be.
func SessionUser(ctx context.Context, id int64) (User, bool) {
	m := memoOf(ctx)
	if m == nil || id == 0 {
		return User{}, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.user == nil || m.user.ID != id {
		return User{}, false
	}
	return *m.user, true
}

// SetSessionUser says which account (0: none) the session about to be
// committed in ctx is logged in to; the commit writes it beside the data.
func SetSessionUser(ctx context.Context, id int64) {
	if m := memoOf(ctx); m != nil {
		m.mu.Lock()
		m.userID = id
		m.mu.Unlock()
	}
}

// WithSessionMemo prepares ctx to remember the session loaded in it, so an
// unchanged session is not written back (see SessionStore).
func WithSessionMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, sessionMemoKey{}, &sessionMemo{})
}

func memoOf(ctx context.Context) *sessionMemo {
	m, _ := ctx.Value(sessionMemoKey{}).(*sessionMemo)
	return m
}

// hashToken is the stored form of a session token.
func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// sessionUserColumns are userColumns of the account joined to a session
// (NULL when the session names none).
const sessionUserColumns = `u.id AS user_id, u.email, u.name, u.phone, u.role, u.password_hash, u.session_epoch,
       u.disabled_at, u.created_at AS user_created_at`

const (
	findSessionSQL = `SELECT s.data, s.expiry, ` + sessionUserColumns + `
FROM sessions s LEFT JOIN users u ON u.id = s.user_id
WHERE s.token_hash = $1 AND s.expiry > now()`
	commitSessionSQL = `
INSERT INTO sessions (token_hash, data, expiry, user_id) VALUES ($1, $2, $3, NULLIF($4, 0))
ON CONFLICT (token_hash) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry, user_id = EXCLUDED.user_id`
	deleteSessionSQL = `DELETE FROM sessions WHERE token_hash = $1`
)

// sessionNames are findSessionSQL's columns, scanned by hand (rowscan.go):
// the session is read on every request of a visitor who has one.
var sessionNames = []string{"data", "expiry", "user_id", "email", "name", "phone", "role", "password_hash",
	"session_epoch", "disabled_at", "user_created_at"}

// FindCtx returns the data of a live session.
func (ss *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var (
		data   []byte
		expiry time.Time
		u      *User
		found  bool
	)
	scan := func(rows *sql.Rows) error {
		return newRowScan(sessionNames...).each(rows, func(r *rowScan) {
			found = true
			data, expiry = r.bytes(), r.time()
			id := r.optInt64()
			if id == nil {
				r.skip(len(sessionNames) - 3)
				return
			}
			// The join's columns are all NOT NULL in users but disabled_at.
			u = &User{ID: *id, Email: r.string(), Name: r.string(), Phone: r.string(), Role: r.string(),
				PasswordHash: r.string(), SessionEpoch: r.int(), DisabledAt: r.optTime(), CreatedAt: r.time()}
		})
	}
	h := hashToken(token)
	if err := ss.st.prepared().Query(ctx, findSessionSQL, []any{h}, scan); err != nil {
		return nil, false, fmt.Errorf("store: find session: %w", classify(err))
	}
	if !found {
		return nil, false, nil
	}
	if m := memoOf(ctx); m != nil {
		m.mu.Lock()
		m.hash, m.data, m.expiry, m.user = h, data, expiry, u
		m.mu.Unlock()
	}
	return data, true, nil
}

// CommitCtx stores a session, unless it is the one loaded in ctx, unchanged,
// and its expiry moved by less than RenewAfter.
func (ss *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	h := hashToken(token)
	var userID int64
	if m := memoOf(ctx); m != nil {
		m.mu.Lock()
		// The data names the user, so unchanged data keeps the row's user.
		same := bytes.Equal(m.hash, h) && bytes.Equal(m.data, b) && expiry.Sub(m.expiry) < ss.RenewAfter
		userID = m.userID
		m.mu.Unlock()
		if same {
			return nil
		}
	}
	if _, err := ss.st.prepared().ExecContext(ctx, commitSessionSQL, h, b, expiry.UTC(), userID); err != nil {
		return fmt.Errorf("store: commit session: %w", classify(err))
	}
	if m := memoOf(ctx); m != nil {
		m.mu.Lock()
		m.hash, m.data, m.expiry = h, b, expiry
		m.mu.Unlock()
	}
	return nil
}

// DeleteCtx ends a session.
func (ss *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if _, err := ss.st.prepared().ExecContext(ctx, deleteSessionSQL, hashToken(token)); err != nil {
		return fmt.Errorf("store: delete session: %w", classify(err))
	}
	if m := memoOf(ctx); m != nil {
		m.mu.Lock()
		m.hash, m.data, m.user = nil, nil, nil
		m.mu.Unlock()
	}
	return nil
}

// Find, Commit and Delete are scs.Store's context-free forms; scs calls
// the Ctx forms above whenever it has a context.
func (ss *SessionStore) Find(token string) ([]byte, bool, error) {
	return ss.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a request.
func (ss *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return ss.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a request.
func (ss *SessionStore) Delete(token string) error {
	return ss.DeleteCtx(context.Background(), token)
}
