package store

import (
	"context"
	"fmt"
	"time"
)

const deleteExpiredSessionsSQL = `DELETE FROM sessions WHERE expiry < $1`

const deleteOldPasswordResetsSQL = `DELETE FROM password_resets WHERE expires_at < $1`

const deleteOldEmailChangesSQL = `DELETE FROM email_changes WHERE expires_at < $1`

// DeleteExpired removes sessions that have expired and the links (password
// resets, email changes) that expired more than a day ago. It runs as a
// periodic job on one instance, instead of a clean-up goroutine in every
// instance.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (sessions, links int64, err error) {
	res, err := s.q.ExecContext(ctx, deleteExpiredSessionsSQL, now)
	if err != nil {
		return 0, 0, fmt.Errorf("store: delete expired sessions: %w", classify(err))
	}
	sessions, _ = res.RowsAffected()
	res, err = s.q.ExecContext(ctx, deleteOldPasswordResetsSQL, now.Add(-24*time.Hour))
	if err != nil {
		return sessions, 0, fmt.Errorf("store: delete old password resets: %w", classify(err))
	}
	links, _ = res.RowsAffected()
	res, err = s.q.ExecContext(ctx, deleteOldEmailChangesSQL, now.Add(-24*time.Hour))
	if err != nil {
		return sessions, links, fmt.Errorf("store: delete old email changes: %w", classify(err))
	}
	changes, _ := res.RowsAffected()
	return sessions, links + changes, nil
}
