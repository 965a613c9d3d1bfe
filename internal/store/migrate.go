package store

import (
	"context"
	"fmt"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

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

// Migrate applies every pending migration.
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
	return applied, nil
}

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
	return pending, nil
}

// SchemaExtras names schema parts that Migrate applies besides the embedded
// SQL files (such as a library's own migrations, by version). Test templates
// are keyed by it, so a change here rebuilds them.
const SchemaExtras = ""
