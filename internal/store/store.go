// Package store is Rentdesk's only door to PostgreSQL: every query lives here,
// beside the method that runs it, and comes back as domain values or wrapped
// sentinel errors (ErrNotFound, ErrConflict, ErrUnavailable).
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Sentinel errors that the web layer maps to pages.
var (
	// ErrNotFound means the row does not exist or the caller may not see it.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a uniqueness or exclusion rule refused the change.
	ErrConflict = errors.New("conflict")
	// ErrUnavailable means the database could not be reached in time.
	ErrUnavailable = errors.New("database unavailable")
)

// queryer is what both the pool (pooled) and *sqlx.Tx offer, so every store
// method runs the same inside and outside a transaction.
type queryer interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Store runs queries against the pool or, inside WithTx, against one transaction.
type Store struct {
	db    *sqlx.DB
	wait  time.Duration // Options.AcquireTimeout
	stmts *stmtCache    // hot queries, prepared once per connection (prepared.go)
	q     queryer
	tx    *sqlx.Tx
	// cache holds the reference data between requests once StartCache ran
	// (refcache.go); a transaction's store shares it but never reads from it.
	cache *refCache
	txw   *txWrites // inside WithTx: what to do once it commits
	// desk is the desk pool's store (Options.DeskConns), nil without one.
	desk *Store
	// planned: every connection of the pool has the desk board's plan
	// settings (deskSessionSettings), so withoutParallel and withGenericPlan
	// need no transaction of their own to set them.
	planned bool
}

// Options sizes the connection pool.
type Options struct {
	MaxOpenConns int
	// MaxIdleConns is how many connections the pool keeps between queries.
	// Zero keeps none (database/sql's meaning): every query then starts a new
	// backend, which is slow; a store standing for an app instance passes the
	// configured value (RENTDESK_DB_MAX_IDLE, by default RENTDESK_DB_MAX_OPEN).
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	// AcquireTimeout bounds how long a store call waits for a free connection
	// before it fails with ErrUnavailable (0: as long as its context allows).
	// It does not bound the query itself; see acquire.go.
	AcquireTimeout time.Duration
	// DeskConns sizes a second, small pool on the same database for the
	// desk board's reads (ReadDesk), whose connections carry the board's
	// plan settings from the start; 0: none, the board reads on the main
	// pool in a transaction that sets them.
	DeskConns int
}

// newConnector makes the driver's connector: lib/pq, the product's driver.
// Only a build with the benchpgx tag (the load benchmark's driver
// comparison) replaces it; see driver_pgx.go.
var newConnector = func(url string) (driver.Connector, error) { return pq.NewConnector(url) }

// Open connects to PostgreSQL and checks the connection.
func Open(ctx context.Context, url string, opt Options) (*Store, error) {
	base, err := newConnector(url)
	if err != nil {
		return nil, fmt.Errorf("store: parse database URL: %w", err)
	}
	db := openPool(connector{base, sessionSettings}, opt.MaxOpenConns, opt.MaxIdleConns, opt.ConnMaxLifetime)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect: %w", classify(err))
	}
	s := &Store{db: db, wait: opt.AcquireTimeout, stmts: &stmtCache{db: db}, q: pooled{db, opt.AcquireTimeout}}
	if opt.DeskConns > 0 {
		// Its connections open when the desk is first read; it keeps them
		// all (and their prepared statements) between boards.
		ddb := openPool(connector{base, deskSessionSettings}, opt.DeskConns, opt.DeskConns, opt.ConnMaxLifetime)
		s.desk = &Store{db: ddb, wait: opt.AcquireTimeout, stmts: &stmtCache{db: ddb}, q: pooled{ddb, opt.AcquireTimeout},
			planned: true}
	}
	return s, nil
}

// openPool makes a pool of connections from c (maxOpen 0: no limit).
func openPool(c connector, maxOpen, maxIdle int, lifetime time.Duration) *sqlx.DB {
	db := sqlx.NewDb(sql.OpenDB(c), "postgres")
	if maxOpen > 0 {
		db.SetMaxOpenConns(maxOpen)
	}
	db.SetMaxIdleConns(maxIdle)
	if lifetime > 0 {
		db.SetConnMaxLifetime(lifetime)
	}
	return db
}

// DB exposes the pool for libraries that take a *sql.DB (goose, the job queue).
func (s *Store) DB() *sql.DB { return s.db.DB }

// Pools are the store's connection pools by name, for the figures an
// operator watches: "app" (every query, sessions and the job queue) and,
// with Options.DeskConns, "desk" (the desk board's reads), which saturates
// on its own and so is reported on its own.
func (s *Store) Pools() map[string]*sql.DB {
	pools := map[string]*sql.DB{"app": s.db.DB}
	if s.desk != nil {
		pools["desk"] = s.desk.db.DB
	}
	return pools
}

// Close closes the pool.
func (s *Store) Close() error {
	if s.cache != nil {
		s.cache.close()
	}
	s.stmts.close()
	if s.desk != nil {
		s.desk.stmts.close()
		s.desk.db.Close()
	}
	return s.db.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	ctx, release := boundWait(ctx, s.wait)
	defer release()
	if err := waitErr(ctx, s.db.PingContext(ctx)); err != nil {
		return fmt.Errorf("store: ping: %w", classify(err))
	}
	return nil
}

// Tx is the raw transaction of a Store made by WithTx, for libraries (such as
// the job queue) that must write inside our transaction.
func (s *Store) Tx() *sql.Tx {
	if s.tx == nil {
		return nil
	}
	return s.tx.Tx
}

// WithTx runs fn in one transaction and commits when fn returns nil. A state
// change, its audit row and the jobs it enqueues all go through here, so they
// commit or roll back together. Nested calls join the outer transaction.
func (s *Store) WithTx(ctx context.Context, fn func(tx *Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	// The transaction lives as long as the context it begins with, so the
	// bounded wait is released only when it is over.
	txCtx, release := boundWait(ctx, s.wait)
	defer release()
	tx, err := s.db.BeginTxx(txCtx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", classify(waitErr(txCtx, err)))
	}
	inner := &Store{db: s.db, wait: s.wait, stmts: s.stmts, q: tx, tx: tx, cache: s.cache, txw: &txWrites{}}
	if err := fn(inner); err != nil {
		_ = tx.Rollback()
		return err
	}
	err = tx.Commit()
	if inner.txw.refdata {
		// Before WithTx returns, so the writer's next page shows its change
		// (and after a failed commit too: it may have landed all the same).
		s.cache.drop()
	}
	if err != nil {
		return fmt.Errorf("store: commit: %w", classify(err))
	}
	return nil
}

// classify wraps driver errors in the sentinel that describes them, keeping the
// original for the log.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch pqErr.Code {
		case "23505", "23P01": // unique_violation, exclusion_violation
			return fmt.Errorf("%w: %s: %w", ErrConflict, pqErr.Constraint, err)
		case "57P01", "57P02", "57P03", "53300", "08000", "08003", "08006", "08001", "08004":
			// admin shutdown, crash, cannot connect now, too many connections, connection failures
			return fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, driverBadConn) ||
		isNetErr(err) || isPoolClosed(err) {
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return err
}

// ConstraintOf names the constraint behind a conflict error, or "".
func ConstraintOf(err error) string {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		return pqErr.Constraint
	}
	var cr *constraintRefusal
	if errors.As(err, &cr) {
		return cr.constraint
	}
	return ""
}

// Unavailable classifies an error from a library that talks to the database
// for us (sessions, the job queue), so a dead database reads as a 503.
func Unavailable(err error) error { return classify(err) }
