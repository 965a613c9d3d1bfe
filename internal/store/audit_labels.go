package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
)

// auditLabelTypes are the entity types whose objects have names, in the
// order of auditLabelsSQL's parameters.
var auditLabelTypes = []string{"user", "item", "booking", "location", "category", "unit"}

// auditLabelsSQL names the objects an audit page mentions, every entity type
// at once: the words people know them by (a booking's number, an item's
// name). It is one prepared statement, one round trip for the page, where
// a statement per type cost two round trips each (parameterised and not
// prepared). Each list of ids is read through a sub-select so the generic
// plan is kept (an array parameter would be planned on every call); a type
// the page does not mention gets an empty list, which no row matches.
const auditLabelsSQL = `
SELECT 'user' AS typ, id::text AS id, name AS label FROM users WHERE id = ANY((SELECT $1::bigint[])::bigint[])
UNION ALL
SELECT 'item', id::text, name FROM items WHERE id = ANY((SELECT $2::bigint[])::bigint[])
UNION ALL
SELECT 'booking', id::text, number FROM bookings WHERE id = ANY((SELECT $3::bigint[])::bigint[])
UNION ALL
SELECT 'location', id::text, name FROM locations WHERE id = ANY((SELECT $4::bigint[])::bigint[])
UNION ALL
SELECT 'category', id::text, name FROM categories WHERE id = ANY((SELECT $5::bigint[])::bigint[])
UNION ALL
SELECT 'unit', u.id::text, u.asset_tag || ' (' || i.name || ')'
FROM units u JOIN items i ON i.id = u.item_id WHERE u.id = ANY((SELECT $6::bigint[])::bigint[])`

// AuditLabels returns the names of audited objects, keyed by entity type
// and id ("item" → "12" → "Canon EOS R6"), in one query. Objects that are
// gone, or of types without names, are left out.
func (s *Store) AuditLabels(ctx context.Context, ids map[string][]string) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	args := make([]any, len(auditLabelTypes))
	for i, typ := range auditLabelTypes {
		nums := []int64{}
		if list, ok := ids[typ]; ok {
			out[typ] = map[string]string{}
			for _, id := range list {
				if n, err := strconv.ParseInt(id, 10, 64); err == nil {
					nums = append(nums, n)
				}
			}
		}
		args[i] = int64Array(nums)
	}
	if len(out) == 0 {
		return out, nil
	}
	err := s.prepared().Query(ctx, auditLabelsSQL, args, func(rows *sql.Rows) error {
		for rows.Next() {
			var typ, id, label string
			if err := rows.Scan(&typ, &id, &label); err != nil {
				return err
			}
			out[typ][id] = label
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: audit labels: %w", classify(err))
	}
	return out, nil
}
