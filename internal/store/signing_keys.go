package store

import (
	"context"
	"fmt"
)

const getSigningKeySQL = `SELECT secret FROM signing_keys WHERE name = $1`

// GetSigningKey returns the secret named name that values kept by browsers
// are signed with (see migration 00240). The secrets never change, so a
// caller may keep what it read for the life of the process.
func (s *Store) GetSigningKey(ctx context.Context, name string) ([]byte, error) {
	var key []byte
	if err := s.q.GetContext(ctx, &key, getSigningKeySQL, name); err != nil {
		return nil, fmt.Errorf("store: get signing key %q: %w", name, classify(err))
	}
	return key, nil
}
