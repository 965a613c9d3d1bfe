package store

import (
	"context"
	"fmt"
)

const claimDeskFormSQL = `INSERT INTO desk_form_submissions (token, booking_id) VALUES ($1, $2)
ON CONFLICT (token) DO NOTHING`

// ClaimDeskForm records that the desk form with token was sent for a
// booking. It reports false when that token was claimed before: the same
// form sent again, which must not act twice. Called in the transaction of
// the change the form makes, so a change that fails leaves the token free;
// a concurrent claim of the same token waits for this one to end.
func (s *Store) ClaimDeskForm(ctx context.Context, bookingID int64, token string) (bool, error) {
	res, err := s.q.ExecContext(ctx, claimDeskFormSQL, token, bookingID)
	if err != nil {
		return false, fmt.Errorf("store: claim desk form of booking %d: %w", bookingID, classify(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: claim desk form of booking %d: %w", bookingID, err)
	}
	return n == 1, nil
}
