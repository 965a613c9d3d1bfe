package store

import (
	"context"
	"fmt"
)

// MailPreferences are a user's switches for mail that is not needed to do
// business. Transactional mail (confirmations, password resets) ignores them.
type MailPreferences struct {
	Reminders bool `db:"reminders" json:"reminders"`
	News      bool `db:"news" json:"news"`
}

// DefaultMailPreferences is what a user who never chose gets: everything on.
var DefaultMailPreferences = MailPreferences{Reminders: true, News: true}

const getMailPrefsSQL = `
SELECT coalesce(p.reminders, true) AS reminders, coalesce(p.news, true) AS news
FROM users u LEFT JOIN mail_preferences p ON p.user_id = u.id
WHERE u.id = $1`

// GetMailPreferences loads a user's mail preferences (defaults when unset).
func (s *Store) GetMailPreferences(ctx context.Context, userID int64) (MailPreferences, error) {
	var p MailPreferences
	if err := s.q.GetContext(ctx, &p, getMailPrefsSQL, userID); err != nil {
		return MailPreferences{}, fmt.Errorf("store: get mail preferences %d: %w", userID, classify(err))
	}
	return p, nil
}

const setMailPrefsSQL = `
INSERT INTO mail_preferences (user_id, reminders, news) VALUES ($1, $2, $3)
ON CONFLICT (user_id) DO UPDATE SET reminders = EXCLUDED.reminders, news = EXCLUDED.news, updated_at = now()`

// SetMailPreferences saves a user's mail preferences.
func (s *Store) SetMailPreferences(ctx context.Context, userID int64, p MailPreferences) error {
	if _, err := s.q.ExecContext(ctx, setMailPrefsSQL, userID, p.Reminders, p.News); err != nil {
		return fmt.Errorf("store: set mail preferences %d: %w", userID, classify(err))
	}
	return nil
}
