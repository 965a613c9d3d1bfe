package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// W7: counting and recording a login attempt is one step per account and per
// address, so a burst of parallel attempts lets at most the limit through.
func TestTakeLoginAttemptUnderBurst(t *testing.T) {
	st, _ := testenv.Store(t)
	ctx := context.Background()
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	const n = 24
	for round := range 3 {
		at := now.Add(time.Duration(round) * time.Hour)
		var allowed, failed atomic.Int64
		testenv.Together(t, n, 30*time.Second, func(i int) {
			// Alternate addresses, so the per-email limit is the one that bites.
			_, ok, err := st.TakeLoginAttempt(ctx, store.LoginAttempt{Email: "ann@example.com", IP: fmt.Sprintf("192.0.2.%d", i%3+1),
				At: at, Since: at.Add(-auth.ThrottleWindow)}, auth.Throttled)
			if err != nil {
				failed.Add(1)
			}
			if ok {
				allowed.Add(1)
			}
		})
		if failed.Load() != 0 || allowed.Load() != auth.MaxFailsPerEmail {
			t.Fatalf("round %d: %d allowed, %d errors; want %d allowed", round, allowed.Load(), failed.Load(), auth.MaxFailsPerEmail)
		}
	}
}
