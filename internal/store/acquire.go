package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
)

// Bounding the wait for a pooled connection.
//
// database/sql has no acquire timeout: a query waits for a free connection for
// as long as its context lives, so an exhausted pool turns into a queue as long
// as the request timeout. A deadline on the whole query would cut slow queries
// and long transactions too. So each store call runs with a context that is
// cancelled when the wait passes Options.AcquireTimeout, and the driver (a thin
// wrapper around lib/pq's) disarms that timer at its first call on the
// connection it was given: from then on only the caller's own deadline applies.
// A wait that times out reads as ErrUnavailable, which the web layer answers
// with a 503 page.

// errAcquireTimeout is the cause of a wait that ran out; it is a deadline, so
// classify reports it as ErrUnavailable.
var errAcquireTimeout = fmt.Errorf("store: waited too long for a free database connection: %w", context.DeadlineExceeded)

// waitKey marks a context whose connection wait is bounded.
type waitKey struct{}

// connWait is the timer of one bounded wait. Exactly one of acquired and the
// timer wins the state from waiting.
type connWait struct {
	state  atomic.Int32 // 0 waiting, 1 connection acquired, 2 timed out
	timer  *time.Timer
	cancel context.CancelCauseFunc
}

func (w *connWait) acquired() {
	if w.state.CompareAndSwap(0, 1) {
		w.timer.Stop()
	}
}

func (w *connWait) expire() {
	if w.state.CompareAndSwap(0, 2) {
		w.cancel(errAcquireTimeout)
	}
}

// boundWait returns a context for one store call whose wait for a connection
// ends after d (0: only ctx bounds it), and the function that releases it when
// the call (and any rows or transaction it opened) is over.
func boundWait(ctx context.Context, d time.Duration) (context.Context, func()) {
	if d <= 0 {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	w := &connWait{cancel: cancel}
	w.timer = time.AfterFunc(d, w.expire)
	return context.WithValue(ctx, waitKey{}, w), func() {
		w.acquired() // stops the timer if the call never reached the driver
		cancel(nil)
	}
}

// waitOver tells a bounded wait that the driver is now using a connection.
func waitOver(ctx context.Context) {
	if w, ok := ctx.Value(waitKey{}).(*connWait); ok {
		w.acquired()
	}
}

// waitErr turns the cancellation of a wait that ran out into errAcquireTimeout
// (database/sql reports it as context.Canceled).
func waitErr(ctx context.Context, err error) error {
	if err != nil && errors.Is(context.Cause(ctx), errAcquireTimeout) {
		return fmt.Errorf("%w (%w)", errAcquireTimeout, err)
	}
	return err
}

// connector makes lib/pq connections that end a bounded wait, each set up
// by one statement (settings) when it opens.
type connector struct {
	driver.Connector
	settings string
}

// Connect runs while the caller still waits (dialling is part of acquiring),
// so a server that does not answer costs at most the acquire timeout.
//
// Each connection has JIT compilation off. The app's statements are short
// index reads, most of them prepared once per connection and run with
// their generic plan, whose estimates know no parameter: a plan estimated
// above jit_above_cost is compiled again on every execution. The /book
// page's availability (a page of 51 items, ~60 ms on the benchmark's large
// shop) was estimated at 174,000 and spent another ~1.3 s compiling each
// time it ran.
func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc := cn.(pqConn)
	if _, err := pc.ExecContext(ctx, c.settings, nil); err != nil {
		pc.Close()
		return nil, err
	}
	return &conn{pc}, nil
}

// sessionSettings set up each connection of the main pool (see Connect).
const sessionSettings = `SET jit = off`

// deskSessionSettings set up each connection of the desk pool: the main
// pool's, and the settings the desk board's reads take in a transaction of
// the main pool (withoutParallel, withGenericPlan), for the whole session.
// Only the board's reads run there (ReadDesk).
const deskSessionSettings = sessionSettings + `; SET max_parallel_workers_per_gather = 0; SET plan_cache_mode = force_generic_plan`

// pqConn is what lib/pq's connection implements; conn passes each of them on.
type pqConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.QueryerContext
	driver.ExecerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

// conn is a lib/pq connection whose every context-taking call first ends the
// caller's bounded wait: database/sql calls the driver only after it has
// handed the connection over (ResetSession comes first on a reused one).
type conn struct{ pqConn }

func (c *conn) ResetSession(ctx context.Context) error {
	waitOver(ctx)
	return c.pqConn.ResetSession(ctx)
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	waitOver(ctx)
	return c.pqConn.PrepareContext(ctx, query)
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	waitOver(ctx)
	return c.pqConn.BeginTx(ctx, opts)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	waitOver(ctx)
	return c.pqConn.QueryContext(ctx, query, args)
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	waitOver(ctx)
	return c.pqConn.ExecContext(ctx, query, args)
}

func (c *conn) Ping(ctx context.Context) error {
	waitOver(ctx)
	return c.pqConn.Ping(ctx)
}

// pooled runs queries on the pool, each with a bounded wait for its connection.
type pooled struct {
	db   *sqlx.DB
	wait time.Duration
}

func (p pooled) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	ctx, release := boundWait(ctx, p.wait)
	defer release()
	return waitErr(ctx, p.db.GetContext(ctx, dest, query, args...))
}

func (p pooled) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	ctx, release := boundWait(ctx, p.wait)
	defer release()
	return waitErr(ctx, p.db.SelectContext(ctx, dest, query, args...))
}

func (p pooled) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx, release := boundWait(ctx, p.wait)
	defer release()
	res, err := p.db.ExecContext(ctx, query, args...)
	return res, waitErr(ctx, err)
}
