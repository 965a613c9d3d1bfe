package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rentdesk/rentdesk/internal/catalog"
)

// CSVImport is an uploaded CSV file waiting to be applied, with the problems
// its dry run found.
type CSVImport struct {
	ID        int64           `db:"id"`
	Kind      string          `db:"kind"`
	Filename  string          `db:"filename"`
	Content   []byte          `db:"content"`
	Report    json.RawMessage `db:"report"`
	RowCount  int             `db:"row_count"`
	CreatedBy *int64          `db:"created_by"`
	CreatedAt time.Time       `db:"created_at"`
	AppliedAt *time.Time      `db:"applied_at"`
}

// Problems decodes the dry-run report.
func (im CSVImport) Problems() []catalog.Problem {
	var ps []catalog.Problem
	_ = json.Unmarshal(im.Report, &ps)
	return ps
}

const importColumns = `id, kind, filename, content, report, row_count, created_by, created_at, applied_at`

const createImportSQL = `
INSERT INTO csv_imports (kind, filename, content, report, row_count, created_by)
VALUES ($1, $2, $3, $4, $5, NULLIF($6, 0))
RETURNING ` + importColumns

// CreateImport keeps an uploaded file and its dry-run report.
func (s *Store) CreateImport(ctx context.Context, kind, filename string, content []byte, problems []catalog.Problem, rows int, by int64) (CSVImport, error) {
	if problems == nil {
		problems = []catalog.Problem{}
	}
	report, err := json.Marshal(problems)
	if err != nil {
		return CSVImport{}, fmt.Errorf("store: import report: %w", err)
	}
	var im CSVImport
	if err := s.q.GetContext(ctx, &im, createImportSQL, kind, filename, content, string(report), rows, by); err != nil {
		return im, fmt.Errorf("store: create import: %w", classify(err))
	}
	return im, nil
}

const getImportSQL = `SELECT ` + importColumns + ` FROM csv_imports WHERE id = $1`

// GetImport loads a pending or applied import.
func (s *Store) GetImport(ctx context.Context, id int64) (CSVImport, error) {
	var im CSVImport
	if err := s.q.GetContext(ctx, &im, getImportSQL, id); err != nil {
		return im, fmt.Errorf("store: get import %d: %w", id, classify(err))
	}
	return im, nil
}

const markImportAppliedSQL = `
UPDATE csv_imports SET applied_at = now() WHERE id = $1 AND applied_at IS NULL RETURNING id`

// MarkImportApplied claims an import for applying, inside the applying
// transaction; a second claim (a double submit) is ErrConflict.
func (s *Store) MarkImportApplied(ctx context.Context, id int64) error {
	var got int64
	err := s.q.GetContext(ctx, &got, markImportAppliedSQL, id)
	if err == sql.ErrNoRows {
		return fmt.Errorf("store: import %d already applied: %w", id, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: mark import %d: %w", id, classify(err))
	}
	return nil
}

const knownSlugsSQL = `
SELECT 'category' AS kind, slug FROM categories WHERE slug = ANY($1)
UNION ALL SELECT 'item:' || tracking, slug FROM items WHERE slug = ANY($2)
UNION ALL SELECT 'location', slug FROM locations WHERE slug = ANY($3)`

// slugKinds answers, in one query, which of the given slugs exist: the map
// is slug → kind ("category", "item:serialized", "item:bulk", "location"),
// keyed per kind so equal slugs of different kinds do not mix.
func (s *Store) slugKinds(ctx context.Context, cats, items, locs []string) (map[string]string, error) {
	var rows []struct {
		Kind string `db:"kind"`
		Slug string `db:"slug"`
	}
	err := s.q.SelectContext(ctx, &rows, knownSlugsSQL, pq.StringArray(cats), pq.StringArray(items), pq.StringArray(locs))
	if err != nil {
		return nil, fmt.Errorf("store: look up slugs: %w", classify(err))
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		if r.Kind == "category" || r.Kind == "location" {
			out[r.Kind+"/"+r.Slug] = r.Kind
		} else {
			out["item/"+r.Slug] = r.Kind
		}
	}
	return out, nil
}

// CheckImport finds the problems of a parsed file that only the database
// can see: unknown categories, items and locations, units of bulk items,
// and items whose tracking mode would change under their stock. It reads
// only, in a few queries whatever the file's size.
func (s *Store) CheckImport(ctx context.Context, im catalog.Import) ([]catalog.Problem, error) {
	var cats, items, locs []string
	for _, r := range im.Items {
		cats = append(cats, r.Category)
		items = append(items, r.Item.Slug)
	}
	for _, r := range im.Units {
		items = append(items, r.Item)
		locs = append(locs, r.Location)
	}
	known, err := s.slugKinds(ctx, cats, items, locs)
	if err != nil {
		return nil, err
	}
	var ps []catalog.Problem
	for _, r := range im.Items {
		if r.Category != "" && known["category/"+r.Category] == "" {
			ps = append(ps, catalog.Problem{Row: r.Row, Column: "category", Message: fmt.Sprintf("No category has the slug %q.", r.Category)})
		}
		if k := known["item/"+r.Item.Slug]; k != "" && k != "item:"+r.Item.Tracking {
			ps = append(ps, catalog.Problem{Row: r.Row, Column: "tracking", Message: "An existing item cannot change its tracking mode by import."})
		}
	}
	for _, r := range im.Units {
		switch known["item/"+r.Item] {
		case "":
			ps = append(ps, catalog.Problem{Row: r.Row, Column: "item", Message: fmt.Sprintf("No item has the slug %q.", r.Item)})
		case "item:bulk":
			ps = append(ps, catalog.Problem{Row: r.Row, Column: "item", Message: "This item is counted in bulk and has no units."})
		}
		if known["location/"+r.Location] == "" {
			ps = append(ps, catalog.Problem{Row: r.Row, Column: "location", Message: fmt.Sprintf("No location has the slug %q.", r.Location)})
		}
	}
	return ps, nil
}
