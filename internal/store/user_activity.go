package store

import (
	"context"
	"fmt"
	"time"
)

const recordLoginSQL = `UPDATE users SET last_login_at = $2 WHERE id = $1`

// RecordLogin notes when a user logged in.
func (s *Store) RecordLogin(ctx context.Context, userID int64, at time.Time) error {
	if _, err := s.q.ExecContext(ctx, recordLoginSQL, userID, at); err != nil {
		return fmt.Errorf("store: record login of %d: %w", userID, classify(err))
	}
	return nil
}

// UserActivity is what the admin's user page tells about an account's use.
type UserActivity struct {
	LastLogin *time.Time `db:"last_login_at"`
	Bookings  int        `db:"bookings"`
}

const userActivitySQL = `
SELECT u.last_login_at, (SELECT count(*) FROM bookings b WHERE b.customer_id = u.id) AS bookings
FROM users u WHERE u.id = $1`

// GetUserActivity loads an account's last login and how many bookings it has.
func (s *Store) GetUserActivity(ctx context.Context, userID int64) (UserActivity, error) {
	var a UserActivity
	if err := s.q.GetContext(ctx, &a, userActivitySQL, userID); err != nil {
		return a, fmt.Errorf("store: user activity %d: %w", userID, classify(err))
	}
	return a, nil
}
