package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

const createPasswordResetSQL = `
INSERT INTO password_resets (user_id, token_hash, expires_at) VALUES ($1, $2, $3)`

// CreatePasswordReset stores the hash of a reset token valid until expires.
func (s *Store) CreatePasswordReset(ctx context.Context, userID int64, tokenHash []byte, expires time.Time) error {
	if _, err := s.q.ExecContext(ctx, createPasswordResetSQL, userID, tokenHash, expires); err != nil {
		return fmt.Errorf("store: create password reset: %w", classify(err))
	}
	return nil
}

const setPasswordResetEmailSQL = `UPDATE password_resets SET email_id = $2 WHERE token_hash = $1`

// SetPasswordResetEmail names the email that carries a reset's link.
func (s *Store) SetPasswordResetEmail(ctx context.Context, tokenHash []byte, emailID int64) error {
	if _, err := s.q.ExecContext(ctx, setPasswordResetEmailSQL, tokenHash, emailID); err != nil {
		return fmt.Errorf("store: set password reset email: %w", classify(err))
	}
	return nil
}

const reissuePasswordResetSQL = `
UPDATE password_resets SET token_hash = $2
WHERE email_id = $1 AND used_at IS NULL AND expires_at > $3
RETURNING id`

// ReissuePasswordReset gives the open reset of an email a new token hash, at
// the moment the email is sent: the token exists only in the message. A reset
// that is spent or expired is ErrNotFound (its email must not go out).
func (s *Store) ReissuePasswordReset(ctx context.Context, emailID int64, tokenHash []byte, now time.Time) error {
	var id int64
	err := s.q.GetContext(ctx, &id, reissuePasswordResetSQL, emailID, tokenHash, now)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: reissue password reset for email %d: %w", emailID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: reissue password reset: %w", classify(err))
	}
	return nil
}

const checkPasswordResetSQL = `
SELECT user_id FROM password_resets
WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`

// CheckPasswordReset returns the user a reset token belongs to while the
// token is unused and unexpired; otherwise ErrNotFound.
func (s *Store) CheckPasswordReset(ctx context.Context, tokenHash []byte, now time.Time) (int64, error) {
	var id int64
	if err := s.q.GetContext(ctx, &id, checkPasswordResetSQL, tokenHash, now); err != nil {
		return 0, fmt.Errorf("store: check password reset: %w", classify(err))
	}
	return id, nil
}

const usePasswordResetSQL = `
UPDATE password_resets SET used_at = $2
WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
RETURNING user_id`

const retireOtherResetsSQL = `
UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL`

// UsePasswordReset spends a reset token and every other open token of its
// user, returning the user. The conditional UPDATE makes the spend atomic: of
// two requests with the same token, one gets the user and the other
// ErrNotFound.
func (s *Store) UsePasswordReset(ctx context.Context, tokenHash []byte, now time.Time) (int64, error) {
	var id int64
	err := s.q.GetContext(ctx, &id, usePasswordResetSQL, tokenHash, now)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: use password reset: %w", ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("store: use password reset: %w", classify(err))
	}
	if _, err := s.q.ExecContext(ctx, retireOtherResetsSQL, id, now); err != nil {
		return 0, fmt.Errorf("store: retire password resets: %w", classify(err))
	}
	return id, nil
}

// RetirePasswordResets spends every open reset link of a user: when the
// account moves to a new email, the links mailed to the old address (and
// any still waiting to be sent there) stop working.
func (s *Store) RetirePasswordResets(ctx context.Context, userID int64, now time.Time) error {
	if _, err := s.q.ExecContext(ctx, retireOtherResetsSQL, userID, now); err != nil {
		return fmt.Errorf("store: retire password resets of user %d: %w", userID, classify(err))
	}
	return nil
}

const countRecentResetsSQL = `SELECT count(*) FROM password_resets WHERE user_id = $1 AND created_at > $2`

// CountRecentPasswordResets counts the links sent to a user since a time, so
// the forgot-password form cannot be used to flood someone's mailbox.
func (s *Store) CountRecentPasswordResets(ctx context.Context, userID int64, since time.Time) (int, error) {
	var n int
	if err := s.q.GetContext(ctx, &n, countRecentResetsSQL, userID, since); err != nil {
		return 0, fmt.Errorf("store: count password resets: %w", classify(err))
	}
	return n, nil
}
