package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/rentdesk/rentdesk/migrations"
)

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Version int64
	Name    string
	Applied bool
}

func (s *Store) migrator() (*goose.Provider, error) {
	// A session lock lets several instances start at once without racing to migrate.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	return goose.NewProvider(goose.DialectPostgres, s.db.DB, migrations.FS, goose.WithSessionLocker(locker))
}

// Migrate applies every pending migration: our SQL files, then the job
// queue's own schema (River ships its migrations as code, versioned apart
// from ours, and takes its own lock while it applies them).
func (s *Store) Migrate(ctx context.Context) (applied []string, err error) {
	p, err := s.migrator()
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migrate up: %w", err)
	}
	for _, r := range results {
		applied = append(applied, r.Source.Path)
	}
	rm, err := s.riverMigrator()
	if err != nil {
		return applied, err
	}
	res, err := rm.Migrate(ctx, rivermigrate.DirectionUp, &rivermigrate.MigrateOpts{TargetVersion: riverSchemaVersion})
	if err != nil {
		return applied, fmt.Errorf("store: migrate job queue: %w", err)
	}
	for _, v := range res.Versions {
		applied = append(applied, fmt.Sprintf("river/%03d_%s", v.Version, v.Name))
	}
	return applied, nil
}

// riverSchemaVersion pins the job queue's schema to the version this code was
// tested with, so upgrading the library never changes the schema unnoticed.
const riverSchemaVersion = 8

func (s *Store) riverMigrator() (*rivermigrate.Migrator[*sql.Tx], error) {
	m, err := rivermigrate.New(riverdatabasesql.New(s.db.DB), &rivermigrate.Config{Logger: quietLogger})
	if err != nil {
		return nil, fmt.Errorf("store: job queue migrations: %w", err)
	}
	return m, nil
}

// quietLogger drops River's migration chatter below warnings.
var quietLogger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

// MigrationStatuses lists every known migration and whether it has run.
func (s *Store) MigrationStatuses(ctx context.Context) ([]MigrationStatus, error) {
	p, err := s.migrator()
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migration status: %w", err)
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, m := range st {
		out = append(out, MigrationStatus{Version: m.Source.Version, Name: m.Source.Path, Applied: m.State == goose.StateApplied})
	}
	return out, nil
}

// SchemaBehind reports whether migrations are pending, so serve can refuse to
// run old code paths against a schema it does not know.
func (s *Store) SchemaBehind(ctx context.Context) (bool, error) {
	p, err := s.migrator()
	if err != nil {
		return false, fmt.Errorf("store: migrations: %w", err)
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("store: check migrations: %w", classify(err))
	}
	if pending {
		return true, nil
	}
	rm, err := s.riverMigrator()
	if err != nil {
		return false, err
	}
	v, err := rm.Validate(ctx, &rivermigrate.ValidateOpts{TargetVersion: riverSchemaVersion})
	if err != nil {
		return false, fmt.Errorf("store: check job queue migrations: %w", classify(err))
	}
	return !v.OK, nil
}

// SchemaExtras names schema parts that Migrate applies besides the embedded
// SQL files (such as a library's own migrations, by version). Test templates
// are keyed by it, so a change here rebuilds them.
const SchemaExtras = "river:8"
