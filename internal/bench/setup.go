package bench

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"net/url"
	"strings"
	"time"

	// The driver the product uses; the bench opens plain database/sql pools.
	_ "github.com/lib/pq"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/store"
)

// DatabaseURL returns the URL of database name on the server of base.
func DatabaseURL(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("bench: database URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// DatabaseName is the database that holds the data set of sz
// (rentdesk_bench_large, rentdesk_bench_large_short, …).
func DatabaseName(sz Size) string { return "rentdesk_bench_" + strings.ReplaceAll(sz.Name, "-", "_") }

// Prepare makes sure the database of the size exists on the server of base,
// is migrated, and holds the generated shop; it returns its URL and the
// instant the data was generated for ("now" of the data set). A data set is
// generated for the current hour, or for at when it is not zero: a shop with
// a short history is its twin's present, so it is made for its twin's now,
// and one made for another is not reused.
func Prepare(ctx context.Context, base string, sz Size, at time.Time, logf func(string, ...any)) (string, time.Time, error) {
	name := DatabaseName(sz)
	adminURL, err := DatabaseURL(base, "postgres")
	if err != nil {
		return "", time.Time{}, err
	}
	admin, err := sql.Open("postgres", adminURL)
	if err != nil {
		return "", time.Time{}, err
	}
	defer admin.Close()
	var exists bool
	if err := admin.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", time.Time{}, fmt.Errorf("bench: look for database %s: %w", name, err)
	}
	if !exists {
		if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
			return "", time.Time{}, fmt.Errorf("bench: create database %s: %w", name, err)
		}
	}
	dbURL, err := DatabaseURL(base, name)
	if err != nil {
		return "", time.Time{}, err
	}
	st, err := store.Open(ctx, dbURL, store.Options{MaxOpenConns: 2})
	if err != nil {
		return "", time.Time{}, err
	}
	applied, err := st.Migrate(ctx)
	st.Close()
	if err != nil {
		return "", time.Time{}, err
	}
	if len(applied) > 0 {
		logf("applied %d migrations to %s", len(applied), name)
	}
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		return "", time.Time{}, err
	}
	defer db.Close()
	have, genAt, shape, err := Generated(ctx, db)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("bench: read data set marker: %w", err)
	}
	if have == sz.Name && shape != sz.Shape() {
		return "", time.Time{}, fmt.Errorf("bench: database %s holds a %s data set cut otherwise (%q, now %q); drop it to generate it again",
			name, have, shape, sz.Shape())
	}
	if have == sz.Name && !at.IsZero() && !genAt.Equal(at) {
		return "", time.Time{}, fmt.Errorf("bench: database %s holds a %s data set generated for %s, its twin for %s; drop it to generate it again",
			name, have, genAt.Format(time.RFC3339), at.Format(time.RFC3339))
	}
	if have == sz.Name {
		at = genAt
		logf("database %s already holds the %s data set (generated %s)", name, sz.Name, at.Format(time.RFC3339))
		// Migrations may rewrite a big table (a generated column rebuilt):
		// its statistics and visibility map are then stale, index-only scans
		// look costly to the planner and the plan check would see sequential
		// scans a shop's autovacuum soon makes needless. VACUUM ANALYZE, as
		// after generating.
		if len(applied) > 0 {
			if _, err = db.ExecContext(ctx, `VACUUM ANALYZE`); err != nil {
				return "", time.Time{}, err
			}
		}
		return dbURL, at, rollUpRevenue(ctx, db, dbURL, at, logf)
	}
	if have != "" {
		return "", time.Time{}, fmt.Errorf("bench: database %s holds a %q data set; drop it first", name, have)
	}
	hash, err := auth.NewHasher(auth.DefaultParams).Hash(Password)
	if err != nil {
		return "", time.Time{}, err
	}
	now := at
	if now.IsZero() {
		now = time.Now().UTC().Truncate(time.Hour)
	}
	start := time.Now()
	logf("generating the %s data set into %s ...", sz.Name, name)
	if err := Generate(ctx, db, sz, now, hash); err != nil {
		return "", time.Time{}, err
	}
	logf("generated in %s", time.Since(start).Round(time.Second))
	return dbURL, now, rollUpRevenue(ctx, db, dbURL, now, logf)
}

// rollUpRevenue rolls the generated ledger up into the revenue rollups, as
// a shop's server has done day by day over the years, when nothing is rolled
// up yet: three years of payments at once would otherwise fall on the
// served app's first metrics rollup, inside its timeout, and the plan check
// of the dashboard's revenue (-explain-only serves nothing) would read the
// whole ledger. Its figures are the rollup's own, whose agreement with the
// ledger the store's tests check on a generated shop.
func rollUpRevenue(ctx context.Context, db *sql.DB, dbURL string, now time.Time, logf func(string, ...any)) error {
	var todo bool
	err := db.QueryRowContext(ctx, `
SELECT NOT EXISTS (SELECT 1 FROM revenue_rollup_state) AND EXISTS (SELECT 1 FROM ledger_entries)`).Scan(&todo)
	if err != nil || !todo {
		return err
	}
	st, err := store.Open(ctx, dbURL, store.Options{MaxOpenConns: 2})
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	days, err := st.RollupRevenue(ctx, now)
	if err != nil {
		return fmt.Errorf("bench: roll up the revenue: %w", err)
	}
	if err := st.AnalyzeRollups(ctx); err != nil {
		return err
	}
	logf("rolled up the revenue (%d days of locations) in %s", days, time.Since(start).Round(time.Second))
	return nil
}

// stdLogf is the bench's progress line.
func stdLogf(format string, args ...any) { log.Printf(strings.TrimSpace(format), args...) }
