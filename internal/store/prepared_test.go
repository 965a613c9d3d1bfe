package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// Hot queries run as prepared statements on the pool and inside
// transactions; when the server kills the connections they were prepared on,
// they are prepared again on new ones (a call caught by the kill reads as
// unavailable).
func TestPreparedQueries(t *testing.T) {
	ctx := context.Background()
	st, _ := testenv.Store(t)
	u, err := st.CreateUser(ctx, store.NewUser{Email: "pat@example.test", Name: "Pat", Role: store.RoleCustomer, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if got, err := st.GetUser(ctx, u.ID); err != nil || got.Email != u.Email {
			t.Fatalf("prepared lookup: %+v %v", got, err)
		}
	}
	err = st.WithTx(ctx, func(tx *store.Store) error {
		got, err := tx.GetUser(ctx, u.ID)
		if err == nil && got.Email != u.Email {
			t.Errorf("prepared lookup in a transaction: %+v", got)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetUser(ctx, u.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing user: %v, want ErrNotFound", err)
	}

	var db string
	if err := st.DB().QueryRowContext(ctx, `SELECT current_database()`).Scan(&db); err != nil {
		t.Fatal(err)
	}
	killer, _ := testenv.Store(t) // a connection of its own (to another database)
	var n int
	if err := killer.DB().QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = $1`, db).Scan(&n); err != nil || n == 0 {
		t.Fatalf("terminated %d connections: %v", n, err)
	}
	var last error
	for range 3 {
		if _, last = st.GetUser(ctx, u.ID); last == nil {
			break
		}
		if !errors.Is(last, store.ErrUnavailable) {
			t.Fatalf("lookup on a killed connection: %v, want ErrUnavailable", last)
		}
	}
	if last != nil {
		t.Fatalf("prepared lookup after the connections were killed: %v", last)
	}
}
