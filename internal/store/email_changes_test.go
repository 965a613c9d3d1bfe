package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// An email change's token works once, and not after it expires; spending it
// retires the user's other open changes; the clean-up removes changes that
// expired more than a day ago and keeps the rest.
func TestEmailChangeSpentOnceAndCleanedUp(t *testing.T) {
	st, _ := testenv.Store(t)
	ctx := context.Background()
	ann, err := st.CreateUser(ctx, store.NewUser{Email: "ann@example.test", Name: "Ann", Role: store.RoleCustomer, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, c := range []struct {
		email, hash string
		expires     time.Time
	}{
		{"a1@example.test", "h1", now.Add(time.Hour)},
		{"a2@example.test", "h2", now.Add(time.Hour)},
		{"old@example.test", "h3", now.Add(-25 * time.Hour)},
	} {
		if err := st.CreateEmailChange(ctx, ann.ID, c.email, []byte(c.hash), c.expires); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CheckEmailChange(ctx, []byte("h3"), now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an expired change checks as %v, want ErrNotFound", err)
	}
	ch, err := st.UseEmailChange(ctx, []byte("h1"), now)
	if err != nil || ch.UserID != ann.ID || ch.NewEmail != "a1@example.test" {
		t.Fatalf("spend: %+v %v", ch, err)
	}
	for _, h := range []string{"h1", "h2"} {
		if _, err := st.UseEmailChange(ctx, []byte(h), now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s spent again (or after another was spent): %v", h, err)
		}
	}
	if _, _, err := st.DeleteExpired(ctx, now); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := st.DB().QueryRowContext(ctx, `SELECT count(*) FROM email_changes`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 2 {
		t.Errorf("%d email changes left after the clean-up, want 2 (the one expired a day ago removed)", left)
	}
}
