package store

import (
	"context"
	"fmt"
	"strconv"
)

// auditLabelSQL names the objects an audit page mentions, per entity type:
// the words people know them by (a booking's number, an item's name).
var auditLabelSQL = map[string]string{
	"user":     `SELECT id::text AS id, name AS label FROM users WHERE id = ANY($1)`,
	"item":     `SELECT id::text AS id, name AS label FROM items WHERE id = ANY($1)`,
	"booking":  `SELECT id::text AS id, number AS label FROM bookings WHERE id = ANY($1)`,
	"location": `SELECT id::text AS id, name AS label FROM locations WHERE id = ANY($1)`,
	"category": `SELECT id::text AS id, name AS label FROM categories WHERE id = ANY($1)`,
	"unit": `SELECT u.id::text AS id, u.asset_tag || ' (' || i.name || ')' AS label
	           FROM units u JOIN items i ON i.id = u.item_id WHERE u.id = ANY($1)`,
}

// AuditLabels returns the names of audited objects, keyed by entity type
// and id ("item" → "12" → "Canon EOS R6"), one query per type. Objects that
// are gone, or of types without names, are left out.
func (s *Store) AuditLabels(ctx context.Context, ids map[string][]string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for typ, list := range ids {
		q, ok := auditLabelSQL[typ]
		if !ok {
			continue
		}
		var nums []int64
		for _, id := range list {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				nums = append(nums, n)
			}
		}
		var rows []struct {
			ID    string `db:"id"`
			Label string `db:"label"`
		}
		if err := s.q.SelectContext(ctx, &rows, q, int64Array(nums)); err != nil {
			return nil, fmt.Errorf("store: audit labels of %s: %w", typ, classify(err))
		}
		out[typ] = map[string]string{}
		for _, r := range rows {
			out[typ][r.ID] = r.Label
		}
	}
	return out, nil
}
