package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
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
// and expiry.
type sessionMemo struct {
	mu     sync.Mutex
	hash   []byte
	data   []byte
	expiry time.Time
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

const (
	findSessionSQL   = `SELECT data, expiry FROM sessions WHERE token_hash = $1 AND expiry > now()`
	commitSessionSQL = `
INSERT INTO sessions (token_hash, data, expiry) VALUES ($1, $2, $3)
ON CONFLICT (token_hash) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`
	deleteSessionSQL = `DELETE FROM sessions WHERE token_hash = $1`
)

// FindCtx returns the data of a live session.
func (ss *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var row struct {
		Data   []byte    `db:"data"`
		Expiry time.Time `db:"expiry"`
	}
	h := hashToken(token)
	err := ss.st.prepared().GetContext(ctx, &row, findSessionSQL, h)
	if err != nil {
		err = classify(err)
		if errors.Is(err, ErrNotFound) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("store: find session: %w", err)
	}
	if m := memoOf(ctx); m != nil {
		m.mu.Lock()
		m.hash, m.data, m.expiry = h, row.Data, row.Expiry
		m.mu.Unlock()
	}
	return row.Data, true, nil
}

// CommitCtx stores a session, unless it is the one loaded in ctx, unchanged,
// and its expiry moved by less than RenewAfter.
func (ss *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	h := hashToken(token)
	if m := memoOf(ctx); m != nil {
		m.mu.Lock()
		same := bytes.Equal(m.hash, h) && bytes.Equal(m.data, b) && expiry.Sub(m.expiry) < ss.RenewAfter
		m.mu.Unlock()
		if same {
			return nil
		}
	}
	if _, err := ss.st.prepared().ExecContext(ctx, commitSessionSQL, h, b, expiry.UTC()); err != nil {
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
		m.hash, m.data = nil, nil
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
