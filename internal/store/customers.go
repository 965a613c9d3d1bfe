package store

import (
	"context"
	"fmt"
)

const searchCustomersSQL = `
SELECT ` + userColumns + ` FROM users
WHERE role = 'customer' AND disabled_at IS NULL
  AND (email ILIKE '%' || $1 || '%' ESCAPE '\' OR name ILIKE '%' || $1 || '%' ESCAPE '\'
       OR ($2 <> '' AND regexp_replace(phone, '[^0-9]', '', 'g') LIKE '%' || $2 || '%'))
ORDER BY name, id
LIMIT $3`

// SearchCustomers finds customers by a part of their name, email or phone
// (case-insensitive; phone digits only, whatever the punctuation).
func (s *Store) SearchCustomers(ctx context.Context, q, phoneDigits string, limit int) ([]User, error) {
	var us []User
	if err := s.q.SelectContext(ctx, &us, searchCustomersSQL, likeEscape(q), phoneDigits, limit); err != nil {
		return nil, fmt.Errorf("store: search customers: %w", classify(err))
	}
	return us, nil
}
