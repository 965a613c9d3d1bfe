package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// EmailChange is an open request to move an account to a new email address.
type EmailChange struct {
	UserID   int64  `db:"user_id"`
	NewEmail string `db:"new_email"`
}

const createEmailChangeSQL = `
INSERT INTO email_changes (user_id, new_email, token_hash, expires_at) VALUES ($1, $2, $3, $4)`

// CreateEmailChange stores a request to move a user to newEmail, under the
// hash of a token valid until expires.
func (s *Store) CreateEmailChange(ctx context.Context, userID int64, newEmail string, tokenHash []byte, expires time.Time) error {
	if _, err := s.q.ExecContext(ctx, createEmailChangeSQL, userID, newEmail, tokenHash, expires); err != nil {
		return fmt.Errorf("store: create email change: %w", classify(err))
	}
	return nil
}

const setEmailChangeEmailSQL = `UPDATE email_changes SET email_id = $2 WHERE token_hash = $1`

// SetEmailChangeEmail names the email that carries a change's link.
func (s *Store) SetEmailChangeEmail(ctx context.Context, tokenHash []byte, emailID int64) error {
	if _, err := s.q.ExecContext(ctx, setEmailChangeEmailSQL, tokenHash, emailID); err != nil {
		return fmt.Errorf("store: set email change email: %w", classify(err))
	}
	return nil
}

const reissueEmailChangeSQL = `
UPDATE email_changes SET token_hash = $2
WHERE email_id = $1 AND used_at IS NULL AND expires_at > $3
RETURNING id`

// ReissueEmailChange gives the open change of an email a new token hash as
// the email is sent (ReissuePasswordReset's twin). A change that is spent or
// expired is ErrNotFound.
func (s *Store) ReissueEmailChange(ctx context.Context, emailID int64, tokenHash []byte, now time.Time) error {
	var id int64
	err := s.q.GetContext(ctx, &id, reissueEmailChangeSQL, emailID, tokenHash, now)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: reissue email change for email %d: %w", emailID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: reissue email change: %w", classify(err))
	}
	return nil
}

const checkEmailChangeSQL = `
SELECT user_id, new_email FROM email_changes
WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`

// CheckEmailChange returns the change a token stands for while it is unused
// and unexpired; otherwise ErrNotFound.
func (s *Store) CheckEmailChange(ctx context.Context, tokenHash []byte, now time.Time) (EmailChange, error) {
	var ch EmailChange
	if err := s.q.GetContext(ctx, &ch, checkEmailChangeSQL, tokenHash, now); err != nil {
		return EmailChange{}, fmt.Errorf("store: check email change: %w", classify(err))
	}
	return ch, nil
}

const useEmailChangeSQL = `
UPDATE email_changes SET used_at = $2
WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
RETURNING user_id, new_email`

const retireOtherEmailChangesSQL = `
UPDATE email_changes SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL`

// UseEmailChange spends a change's token and every other open change of its
// user, returning the change; of two requests with the same token one gets
// it and the other ErrNotFound.
func (s *Store) UseEmailChange(ctx context.Context, tokenHash []byte, now time.Time) (EmailChange, error) {
	var ch EmailChange
	err := s.q.GetContext(ctx, &ch, useEmailChangeSQL, tokenHash, now)
	if errors.Is(err, sql.ErrNoRows) {
		return EmailChange{}, fmt.Errorf("store: use email change: %w", ErrNotFound)
	}
	if err != nil {
		return EmailChange{}, fmt.Errorf("store: use email change: %w", classify(err))
	}
	if _, err := s.q.ExecContext(ctx, retireOtherEmailChangesSQL, ch.UserID, now); err != nil {
		return EmailChange{}, fmt.Errorf("store: retire email changes: %w", classify(err))
	}
	return ch, nil
}

const countRecentEmailChangesSQL = `SELECT count(*) FROM email_changes WHERE user_id = $1 AND created_at > $2`

// CountRecentEmailChanges counts the changes a user asked for since a time,
// so the profile form cannot flood someone's mailbox with links.
func (s *Store) CountRecentEmailChanges(ctx context.Context, userID int64, since time.Time) (int, error) {
	var n int
	if err := s.q.GetContext(ctx, &n, countRecentEmailChangesSQL, userID, since); err != nil {
		return 0, fmt.Errorf("store: count email changes: %w", classify(err))
	}
	return n, nil
}
