package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// R4: with every connection of the pool busy (the pool size the app ships
// with), a store call gives up after the acquire timeout with ErrUnavailable
// instead of queueing; once a connection is free again, calls work. The
// timeout bounds only the wait: a transaction that runs longer than it
// commits.
func TestAcquireTimeout(t *testing.T) {
	const wait = 300 * time.Millisecond
	ctx := context.Background()
	opts := testenv.ShippedPool(t)
	opts.AcquireTimeout = wait
	st, err := store.Open(ctx, testenv.DatabaseURL(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	held := make([]interface{ Close() error }, opts.MaxOpenConns)
	for i := range held {
		c, err := st.DB().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held[i] = c
	}
	calls := map[string]func() error{
		"query": func() error { _, err := st.GetUserByEmail(ctx, "nobody@example.test"); return err },
		"exec":  func() error { return st.ClearLoginFailures(ctx, "nobody@example.test", "", time.Now()) },
		"tx":    func() error { return st.WithTx(ctx, func(*store.Store) error { return nil }) },
		"ping":  func() error { return st.Ping(ctx) },
	}
	for name, call := range calls {
		start := time.Now()
		err := call()
		took := time.Since(start)
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("%s on a busy pool: %v, want ErrUnavailable", name, err)
		}
		if took < wait-50*time.Millisecond || took > 5*wait {
			t.Errorf("%s gave up after %v, want about %v", name, took, wait)
		}
	}

	for _, c := range held[:len(held)-1] {
		c.Close()
	}
	if _, err := st.GetUserByEmail(ctx, "nobody@example.test"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("with a free connection: %v, want ErrNotFound", err)
	}
	// A transaction that outlives the acquire timeout is not cut by it.
	err = st.WithTx(ctx, func(tx *store.Store) error {
		time.Sleep(3 * wait)
		return tx.ClearLoginFailures(ctx, "nobody@example.test", "", time.Now())
	})
	if err != nil {
		t.Fatalf("a transaction longer than the acquire timeout: %v", err)
	}
	held[len(held)-1].Close()
}

// A closed pool (as during shutdown) reads as unavailable, not as a bug.
func TestClosedPoolIsUnavailable(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, testenv.DatabaseURL(t), store.Options{MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := st.GetUserByEmail(ctx, "nobody@example.test"); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("closed pool: %v, want ErrUnavailable", err)
	}
}

// R2: a connection killed by the server (pg_terminate_backend) in the middle
// of a transaction reads as unavailable; the pool then carries on.
func TestTerminatedConnectionIsUnavailable(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, testenv.DatabaseURL(t), store.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.WithTx(ctx, func(tx *store.Store) error {
		var pid int
		if err := tx.Tx().QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
			return err
		}
		if _, err := st.DB().ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
			return err
		}
		return tx.ClearLoginFailures(ctx, "nobody@example.test", "", time.Now())
	})
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("query on a terminated connection: %v, want ErrUnavailable", err)
	}
	if _, err := st.GetUserByEmail(ctx, "nobody@example.test"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after the termination: %v, want ErrNotFound", err)
	}
}

// Every connection of the pool has JIT compilation off, the transactions'
// as well as single statements': a prepared statement whose generic plan is
// estimated above jit_above_cost would otherwise be compiled on each run.
func TestConnectionsRunWithoutJIT(t *testing.T) {
	ctx := context.Background()
	opts := testenv.ShippedPool(t)
	st, err := store.Open(ctx, testenv.DatabaseURL(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	conns := make([]interface{ Close() error }, 0, opts.MaxOpenConns)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := 0; i < opts.MaxOpenConns; i++ {
		c, err := st.DB().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var jit string
		if err := c.QueryRowContext(ctx, `SHOW jit`).Scan(&jit); err != nil {
			t.Fatal(err)
		}
		if jit != "off" {
			t.Errorf("connection %d: jit = %s, want off", i+1, jit)
		}
	}
}
