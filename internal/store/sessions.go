package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

const deleteExpiredSessionsSQL = `DELETE FROM sessions WHERE expiry < $1`

const deleteOldPasswordResetsSQL = `DELETE FROM password_resets WHERE expires_at < $1`

// DeleteExpired removes sessions that have expired and password reset links
// that expired more than a day ago. It runs as a periodic job on one instance,
// instead of a clean-up goroutine in every instance.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (sessions, resets int64, err error) {
	res, err := s.q.ExecContext(ctx, deleteExpiredSessionsSQL, now)
	if err != nil {
		return 0, 0, fmt.Errorf("store: delete expired sessions: %w", classify(err))
	}
	sessions, _ = res.RowsAffected()
	res, err = s.q.ExecContext(ctx, deleteOldPasswordResetsSQL, now.Add(-24*time.Hour))
	if err != nil {
		return sessions, 0, fmt.Errorf("store: delete old password resets: %w", classify(err))
	}
	resets, _ = res.RowsAffected()
	return sessions, resets, nil
}

// Sessions is the scs session store (scs.CtxStore) on the sessions table.
// It replaces scs' postgresstore, whose queries take no context: a session
// load must wait for a connection no longer than any other query (acquire
// timeout, request deadline) and it runs on every request, so it is prepared.
type Sessions struct{ s *Store }

// Sessions returns the session store for scs.
func (s *Store) Sessions() Sessions { return Sessions{s} }

const findSessionSQL = `SELECT data FROM sessions WHERE token = $1 AND current_timestamp < expiry`

// FindCtx returns the data of a live session; found is false for an unknown
// or expired token.
func (ss Sessions) FindCtx(ctx context.Context, token string) (b []byte, found bool, err error) {
	err = ss.s.prepared().GetContext(ctx, &b, findSessionSQL, token)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: find session: %w", classify(err))
	}
	return b, true, nil
}

const commitSessionSQL = `
INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`

// CommitCtx stores a session's data and expiry.
func (ss Sessions) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if _, err := ss.s.prepared().ExecContext(ctx, commitSessionSQL, token, b, expiry); err != nil {
		return fmt.Errorf("store: commit session: %w", classify(err))
	}
	return nil
}

const deleteSessionSQL = `DELETE FROM sessions WHERE token = $1`

// DeleteCtx removes a session; an unknown token is not an error.
func (ss Sessions) DeleteCtx(ctx context.Context, token string) error {
	if _, err := ss.s.q.ExecContext(ctx, deleteSessionSQL, token); err != nil {
		return fmt.Errorf("store: delete session: %w", classify(err))
	}
	return nil
}

// Find is FindCtx without a deadline, for scs' Store interface; scs calls the Ctx methods.
func (ss Sessions) Find(token string) ([]byte, bool, error) {
	return ss.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a deadline, for scs' Store interface.
func (ss Sessions) Commit(token string, b []byte, expiry time.Time) error {
	return ss.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a deadline, for scs' Store interface.
func (ss Sessions) Delete(token string) error {
	return ss.DeleteCtx(context.Background(), token)
}
