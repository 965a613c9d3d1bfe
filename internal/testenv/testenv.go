// Package testenv gives tests their real peers: a fresh migrated PostgreSQL
// database per test (cloned cheaply from a migrated template), and the paths of
// the pinned peer programs that `make test` installs.
//
// Without a peer a test is skipped locally, but with CI=true a missing peer
// fails the run: in CI nothing may silently turn into a skip.
package testenv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/config"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/migrations"
)

// Require returns the value of an environment variable naming a peer, or
// stops the test: Fatal under CI=true, Skip otherwise.
func Require(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		msg := fmt.Sprintf("%s is not set; run the tests with `make test`", name)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return v
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
	dbCounter    atomic.Int64
)

// DatabaseURL returns the URL of a new, fully migrated database that is
// dropped when the test ends.
func DatabaseURL(t testing.TB) string {
	t.Helper()
	admin := Require(t, "RENTDESK_TEST_DATABASE_URL")
	templateOnce.Do(func() { templateName, templateErr = ensureTemplate(admin) })
	if templateErr != nil {
		t.Fatalf("testenv: template database: %v", templateErr)
	}
	ctx := context.Background()
	name := fmt.Sprintf("rentdesk_t_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6, dbCounter.Add(1))
	if err := adminExec(ctx, admin, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, templateName)); err != nil {
		t.Fatalf("testenv: create database: %v", err)
	}
	t.Cleanup(func() {
		if err := adminExec(context.Background(), admin, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			t.Logf("testenv: drop %s: %v", name, err)
		}
	})
	return withDatabase(admin, name)
}

// EmptyDatabaseURL returns the URL of a new database with no schema at all,
// dropped when the test ends: for tests that apply migrations step by step
// (rows written under an older schema, then the migration that changes it).
func EmptyDatabaseURL(t testing.TB) string {
	t.Helper()
	admin := Require(t, "RENTDESK_TEST_DATABASE_URL")
	ctx := context.Background()
	name := fmt.Sprintf("rentdesk_e_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e6, dbCounter.Add(1))
	if err := adminExec(ctx, admin, fmt.Sprintf(`CREATE DATABASE %s`, name)); err != nil {
		t.Fatalf("testenv: create database: %v", err)
	}
	t.Cleanup(func() {
		if err := adminExec(context.Background(), admin, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			t.Logf("testenv: drop %s: %v", name, err)
		}
	})
	return withDatabase(admin, name)
}

// Store opens a store on a new migrated database, closed when the test ends.
// Its pool has the sizes the app ships with (RENTDESK_DB_MAX_OPEN and
// RENTDESK_DB_MAX_IDLE defaults), so concurrency tests meet the limits a
// shop's instance has, not a roomier test pool.
func Store(t testing.TB) (*store.Store, string) {
	t.Helper()
	u := DatabaseURL(t)
	st, err := store.Open(context.Background(), u, ShippedPool(t))
	if err != nil {
		t.Fatalf("testenv: open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st, u
}

// ShippedPool is the pool size an instance has with the default settings
// (RENTDESK_DB_MAX_OPEN, RENTDESK_DB_MAX_IDLE and RENTDESK_DB_DESK_CONNS),
// for tests that must meet the limits a shop runs with.
func ShippedPool(t testing.TB) store.Options {
	t.Helper()
	cfg, err := config.Load(func(k string) string {
		if k == "DATABASE_URL" {
			return "postgres://localhost/unused"
		}
		return ""
	})
	if err != nil {
		t.Fatalf("testenv: default config: %v", err)
	}
	return store.Options{MaxOpenConns: cfg.DBMaxOpenConns, MaxIdleConns: cfg.DBMaxIdleConns, DeskConns: cfg.DBDeskConns}
}

// ensureTemplate makes (once per migration set, across parallel test
// processes) a database with every migration applied, to clone from.
func ensureTemplate(admin string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	hash, err := migrationsHash()
	if err != nil {
		return "", err
	}
	name := "rentdesk_tpl_" + hash
	st, err := store.Open(ctx, admin, store.Options{MaxOpenConns: 2})
	if err != nil {
		return "", err
	}
	defer st.Close()
	conn, err := st.DB().Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	// Parallel test packages are separate processes: an advisory lock makes
	// exactly one of them build the template.
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(727274)`); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(727274)`)
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_build"
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, building)); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s`, building)); err != nil {
		return "", err
	}
	tpl, err := store.Open(ctx, withDatabase(admin, building), store.Options{MaxOpenConns: 2})
	if err != nil {
		return "", err
	}
	_, err = tpl.Migrate(ctx)
	tpl.Close()
	if err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, building, name)); err != nil {
		return "", err
	}
	return name, nil
}

func migrationsHash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", err
	}
	// Anything else that shapes the schema (such as the job queue's own
	// migrations, applied by Migrate) is keyed by SchemaVersion.
	fmt.Fprint(h, store.SchemaExtras)
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func adminExec(ctx context.Context, admin, sql string) error {
	st, err := store.Open(ctx, admin, store.Options{MaxOpenConns: 1})
	if err != nil {
		return err
	}
	defer st.Close()
	_, err = st.DB().ExecContext(ctx, sql)
	return err
}

// withDatabase returns the URL with its database name replaced.
func withDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(fmt.Sprintf("testenv: RENTDESK_TEST_DATABASE_URL must be a URL: %v", err))
	}
	u.Path = "/" + name
	return u.String()
}
