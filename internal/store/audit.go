package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// AuditEntry is one row of the audit log: who changed what, and how.
type AuditEntry struct {
	ID         int64     `db:"id"`
	At         time.Time `db:"at"`
	ActorID    *int64    `db:"actor_id"`
	ActorEmail *string   `db:"actor_email"`
	Action     string    `db:"action"`
	EntityType string    `db:"entity_type"`
	EntityID   string    `db:"entity_id"`
	// Before and After are JSON documents, nil when there is none (a creation
	// has no before). []byte because database/sql scans NULL only into that.
	Before    []byte `db:"before"`
	After     []byte `db:"after"`
	RequestID string `db:"request_id"`
}

// Audit describes a change to record. Before and After are marshalled to JSON.
type Audit struct {
	ActorID    int64 // 0 = the system
	Action     string
	EntityType string
	EntityID   string
	Before     any
	After      any
	RequestID  string
}

const insertAuditSQL = `
INSERT INTO audit_log (actor_id, action, entity_type, entity_id, before, after, request_id)
VALUES (NULLIF($1, 0), $2, $3, $4, $5, $6, $7)`

type requestIDKey struct{}

// WithRequestID gives ctx the id of the request it serves: an audit row
// written under it without a request id of its own takes this one, so the
// rows of code that knows no request (the money ledger) name it too.
func WithRequestID(ctx context.Context, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, requestIDKey{}, id)
}

// withRequestID fills in a's request id from ctx when it has none.
func (a Audit) withRequestID(ctx context.Context) Audit {
	if a.RequestID == "" {
		a.RequestID, _ = ctx.Value(requestIDKey{}).(string)
	}
	return a
}

// InsertAudit records a change; call it inside the change's transaction.
func (s *Store) InsertAudit(ctx context.Context, a Audit) error {
	args, err := a.withRequestID(ctx).args()
	if err != nil {
		return err
	}
	if _, err := s.prepared().ExecContext(ctx, insertAuditSQL, args...); err != nil {
		return fmt.Errorf("store: insert audit: %w", classify(err))
	}
	return nil
}

// args are insertAuditSQL's values of a, its before and after as JSON.
func (a Audit) args() ([]any, error) {
	before, err := jsonOrNull(a.Before)
	if err != nil {
		return nil, fmt.Errorf("store: audit before: %w", err)
	}
	after, err := jsonOrNull(a.After)
	if err != nil {
		return nil, fmt.Errorf("store: audit after: %w", err)
	}
	return []any{a.ActorID, a.Action, a.EntityType, a.EntityID, before, after, a.RequestID}, nil
}

const insertAuditPairSQL = `
INSERT INTO audit_log (actor_id, action, entity_type, entity_id, before, after, request_id)
VALUES (NULLIF($1, 0), $2, $3, $4, $5, $6, $7), (NULLIF($8, 0), $9, $10, $11, $12, $13, $14)`

// InsertAuditPair records two changes in one statement, a before b (their
// ids in that order): a booking made and confirmed in one transaction.
func (s *Store) InsertAuditPair(ctx context.Context, a, b Audit) error {
	first, err := a.withRequestID(ctx).args()
	if err != nil {
		return err
	}
	second, err := b.withRequestID(ctx).args()
	if err != nil {
		return err
	}
	if _, err := s.prepared().ExecContext(ctx, insertAuditPairSQL, append(first, second...)...); err != nil {
		return fmt.Errorf("store: insert audit: %w", classify(err))
	}
	return nil
}

func jsonOrNull(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// AuditFilter narrows ListAudit; BeforeID is the keyset cursor (newest first).
type AuditFilter struct {
	ActorID    int64
	EntityType string
	Action     string
	BeforeID   int64
	Limit      int
}

const listAuditSQL = `
SELECT a.id, a.at, a.actor_id, u.email AS actor_email, a.action, a.entity_type, a.entity_id,
       a.before, a.after, a.request_id
FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
WHERE ($1 = 0 OR a.actor_id = $1)
  AND ($2 = '' OR a.entity_type = $2)
  AND ($3 = '' OR a.action = $3)
  AND ($4 = 0 OR a.id < $4)
ORDER BY a.id DESC
LIMIT $5`

// listAuditPageSQL is the audit log without a filter, the page admins
// open: a fixed text, prepared like the other hot queries, that walks the
// primary key back from the cursor (the first page from the largest id).
// The page size is written into the text (see limitText). A filtered page
// runs the general form unprepared, planned for what it asks.
const listAuditPageSQL = `
SELECT a.id, a.at, a.actor_id, u.email AS actor_email, a.action, a.entity_type, a.entity_id,
       a.before, a.after, a.request_id
FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
WHERE a.id < $1
ORDER BY a.id DESC
LIMIT `

// auditNames are the columns of listAuditPageSQL, in order.
var auditNames = []string{"id", "at", "actor_id", "actor_email", "action", "entity_type", "entity_id", "before", "after", "request_id"}

// ListAudit pages through the audit log, newest first. The unfiltered page
// is scanned by hand (see rowscan.go): sqlx's reflection over its 51
// entries was about a third of the time the page spent reading them.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var es []AuditEntry
	var err error
	if f.ActorID == 0 && f.EntityType == "" && f.Action == "" {
		before := f.BeforeID
		if before == 0 {
			before = math.MaxInt64
		}
		err = s.prepared().Query(ctx, listAuditPageSQL+limitText(f.Limit), []any{before}, func(rows *sql.Rows) error {
			return newRowScan(auditNames...).each(rows, func(r *rowScan) {
				es = append(es, AuditEntry{ID: r.int64(), At: r.time(), ActorID: r.optInt64(), ActorEmail: r.optText(),
					Action: r.string(), EntityType: r.string(), EntityID: r.string(), Before: r.json(), After: r.json(),
					RequestID: r.string()})
			})
		})
	} else {
		err = s.q.SelectContext(ctx, &es, listAuditSQL, f.ActorID, f.EntityType, f.Action, f.BeforeID, f.Limit)
	}
	if err != nil {
		return nil, fmt.Errorf("store: list audit: %w", classify(err))
	}
	return es, nil
}

// auditEntityTypesSQL hops from one entity type to the next through the
// (entity_type, ...) index, a handful of index probes, where DISTINCT would
// read the whole log.
const auditEntityTypesSQL = `
WITH RECURSIVE t AS (
    (SELECT entity_type FROM audit_log ORDER BY entity_type LIMIT 1)
    UNION ALL
    SELECT (SELECT a.entity_type FROM audit_log a WHERE a.entity_type > t.entity_type ORDER BY a.entity_type LIMIT 1)
    FROM t WHERE t.entity_type IS NOT NULL
)
SELECT entity_type FROM t WHERE entity_type IS NOT NULL ORDER BY 1`

// ListAuditEntityTypes lists the entity types present, for the filter menu
// (and the allowlist the filter is checked against). Prepared: every audit
// page asks it, and planning the recursive walk cost about as much as
// running it.
func (s *Store) ListAuditEntityTypes(ctx context.Context) ([]string, error) {
	var ts []string
	if err := s.prepared().SelectContext(ctx, &ts, auditEntityTypesSQL); err != nil {
		return nil, fmt.Errorf("store: audit entity types: %w", classify(err))
	}
	return ts, nil
}
