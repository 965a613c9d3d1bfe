package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// Hot queries run as prepared statements, prepared once per connection.
//
// lib/pq sends a query with parameters as two round trips (parse, then bind
// and execute) unless it is prepared; for the one-row lookups that every page
// makes (session, user, item) that is most of their cost. A *sqlx.Stmt made
// on the pool is prepared by database/sql on each connection the first time
// it runs there, and again on new connections after one is closed or killed.
// Statements are prepared when first used rather than at Open, because Open
// also serves databases that are not migrated yet. Queries with parameters
// gain a round trip; a query without any already needs only one, and gains
// only when its planning costs more than its run (PostgreSQL keeps the plan
// of a prepared statement). Queries whose plan depends on their parameters
// (optional filters) stay unprepared: PostgreSQL may switch a prepared
// statement to one generic plan for all. Split them into fixed texts by
// shape instead (ListPublicItems).

// stmtCache holds the pool's prepared statements by their SQL text.
type stmtCache struct {
	db *sqlx.DB
	mu sync.Mutex
	m  sync.Map // string → *sqlx.Stmt
	// pending marks texts being prepared by prepareAside.
	pending sync.Map // string → bool
	aside   sync.WaitGroup
	closed  bool // under mu: Close ran, prepare nothing more
}

// get returns the statement for query, preparing it on first use.
func (c *stmtCache) get(ctx context.Context, query string) (*sqlx.Stmt, error) {
	if st, ok := c.m.Load(query); ok {
		return st.(*sqlx.Stmt), nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m.Load(query); ok {
		return st.(*sqlx.Stmt), nil
	}
	st, err := c.db.PreparexContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	c.m.Store(query, st)
	return st, nil
}

// prepareAside prepares query on the pool in the background, once at a
// time per text, waiting at most wait (or a few seconds) for a connection;
// a failure is dropped (the next call runs unprepared and tries again). It
// waits without holding mu: when transactions hold every connection, it must
// not stall the pool's own calls to get.
func (c *stmtCache) prepareAside(query string, wait time.Duration) {
	if _, busy := c.pending.LoadOrStore(query, true); busy {
		return
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.aside.Add(1)
	c.mu.Unlock()
	if wait <= 0 {
		wait = 5 * time.Second
	}
	go func() {
		defer c.aside.Done()
		defer c.pending.Delete(query)
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		st, err := c.db.PreparexContext(ctx, query)
		if err != nil {
			return
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if _, done := c.m.Load(query); done || c.closed {
			st.Close()
			return
		}
		c.m.Store(query, st)
	}()
}

// close closes every statement (before the pool closes).
func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.aside.Wait()
	c.m.Range(func(_, st any) bool {
		st.(*sqlx.Stmt).Close()
		return true
	})
}

// hot runs queries through prepared statements: on the pool with a bounded
// wait for a connection, or inside the store's transaction (database/sql
// reuses the statement when it is already prepared on the transaction's
// connection).
type hot struct{ s *Store }

// prepared is the queryer for hot queries; use it instead of s.q.
func (s *Store) prepared() hot { return hot{s} }

// stmt returns the statement to run query with, and a function to call when done.
func (h hot) stmt(ctx context.Context, query string) (*sqlx.Stmt, func(), error) {
	if h.s.tx == nil {
		// Prepared already (nearly every call): no wait to bound.
		if st, ok := h.s.stmts.m.Load(query); ok {
			return st.(*sqlx.Stmt), func() {}, nil
		}
		// Preparing takes a connection of its own (the query then takes
		// another), so it gets a bounded wait of its own.
		pctx, release := boundWait(ctx, h.s.wait)
		defer release()
		st, err := h.s.stmts.get(pctx, query)
		return st, func() {}, waitErr(pctx, err)
	}
	st, ok := h.s.stmts.m.Load(query)
	if !ok {
		// Not prepared yet: preparing on the pool would take a second
		// connection while the transaction holds one, so this call runs
		// unprepared and the statement is prepared on the pool aside, for
		// the calls after it. Without that, a query only ever run inside
		// transactions (allocating units, expiring holds) would never be
		// prepared, and would be planned on every call.
		h.s.stmts.prepareAside(query, h.s.wait)
		return nil, func() {}, nil
	}
	txst := h.s.tx.StmtxContext(ctx, st.(*sqlx.Stmt))
	return txst, func() { txst.Close() }, nil
}

func (h hot) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	return h.run(ctx, query,
		func(ctx context.Context, st *sqlx.Stmt) error { return st.GetContext(ctx, dest, args...) },
		func(ctx context.Context) error { return h.s.q.GetContext(ctx, dest, query, args...) })
}

func (h hot) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	return h.run(ctx, query,
		func(ctx context.Context, st *sqlx.Stmt) error { return st.SelectContext(ctx, dest, args...) },
		func(ctx context.Context) error { return h.s.q.SelectContext(ctx, dest, query, args...) })
}

func (h hot) ExecContext(ctx context.Context, query string, args ...any) (res sql.Result, err error) {
	err = h.run(ctx, query,
		func(ctx context.Context, st *sqlx.Stmt) (err error) {
			res, err = st.ExecContext(ctx, args...)
			return err
		},
		func(ctx context.Context) (err error) { res, err = h.s.q.ExecContext(ctx, query, args...); return err })
	return res, err
}

// run calls prepared with the statement for query or, inside a transaction
// that cannot have it yet, unprepared.
func (h hot) run(ctx context.Context, query string, prepared func(context.Context, *sqlx.Stmt) error, unprepared func(context.Context) error) error {
	ctx, release := h.wait(ctx)
	defer release()
	st, done, err := h.stmt(ctx, query)
	if err != nil {
		return waitErr(ctx, err)
	}
	defer done()
	if st == nil {
		return unprepared(ctx)
	}
	return waitErr(ctx, prepared(ctx, st))
}

// wait bounds the wait for a pool connection; a transaction already has one.
func (h hot) wait(ctx context.Context) (context.Context, func()) {
	if h.s.tx != nil {
		return ctx, func() {}
	}
	return boundWait(ctx, h.s.wait)
}

// limitText writes a page size into a prepared statement's text. Given as a
// parameter, the LIMIT is unknown to the plan PostgreSQL would keep for the
// statement (it guesses a tenth of the rows), so that plan looks dearer than
// one made for the actual values and the statement is planned again on every
// call; a number in the text lets it keep one plan. Page sizes come from the
// code, never from a request, so each statement has a handful of texts.
func limitText(n int) string { return strconv.Itoa(n) }
