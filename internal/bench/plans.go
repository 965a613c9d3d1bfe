package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// bigTables grow with the shop's history: a sequential scan of one of them
// in a hot query is a page that slows down year after year.
var bigTables = map[string]bool{
	"bookings": true, "booking_lines": true, "unit_allocations": true,
	"audit_log": true, "users": true, "sessions": true, "emails": true,
}

// Plan is the checked plan of one hot query on the generated data.
type Plan struct {
	Name     string   `json:"name"`
	Millis   float64  `json:"ms"`
	SeqScans []string `json:"seq_scans,omitempty"` // big tables read whole
	Nodes    []string `json:"-"`
}

// Verdict is the plan's one-word result.
func (p Plan) Verdict() string {
	if len(p.SeqScans) > 0 {
		return "SEQ SCAN of " + strings.Join(p.SeqScans, ", ")
	}
	return "ok (indexes only on big tables)"
}

func badPlans(ps []Plan) []string {
	var bad []string
	for _, p := range ps {
		if len(p.SeqScans) > 0 {
			bad = append(bad, p.Name)
		}
	}
	return bad
}

// CheckPlans runs EXPLAIN ANALYZE of every hot query (the store's own SQL,
// with arguments taken from the generated data) and notes each sequential
// scan of a big table.
func CheckPlans(ctx context.Context, dbURL string, now time.Time) ([]Plan, error) {
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	p, err := hotParams(ctx, db, now)
	if err != nil {
		return nil, err
	}
	var out []Plan
	for _, q := range store.HotQueries(p) {
		var raw []byte
		if err := db.QueryRowContext(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) "+q.SQL, q.Args...).Scan(&raw); err != nil {
			return nil, fmt.Errorf("bench: explain %s: %w", q.Name, err)
		}
		var doc []struct {
			Plan          planNode `json:"Plan"`
			ExecutionTime float64  `json:"Execution Time"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil || len(doc) == 0 {
			return nil, fmt.Errorf("bench: read plan of %s: %v", q.Name, err)
		}
		pl := Plan{Name: q.Name, Millis: doc[0].ExecutionTime}
		walk(doc[0].Plan, func(n planNode) {
			if n.NodeType == "Seq Scan" && bigTables[n.Relation] {
				pl.SeqScans = append(pl.SeqScans, n.Relation)
			}
		})
		out = append(out, pl)
	}
	return out, nil
}

type planNode struct {
	NodeType string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Plans    []planNode `json:"Plans"`
}

func walk(n planNode, f func(planNode)) {
	f(n)
	for _, c := range n.Plans {
		walk(c, f)
	}
}

// hotParams picks the arguments of the hot queries from the data: the
// busiest location, a serialized and a bulk item, a customer with bookings.
func hotParams(ctx context.Context, db *sql.DB, now time.Time) (store.HotParams, error) {
	p := store.HotParams{Now: now}
	err := db.QueryRowContext(ctx, `
SELECT (SELECT min(id) FROM locations),
       (SELECT min(id) FROM items WHERE tracking = 'serialized'),
       (SELECT min(id) FROM items WHERE tracking = 'bulk'),
       (SELECT id FROM users WHERE email = $1),
       (SELECT id FROM users WHERE email = $2)`, CustomerEmail, StaffEmail).
		Scan(&p.LocationID, &p.SerialItemID, &p.BulkItemID, &p.CustomerID, &p.StaffID)
	if err != nil {
		return p, fmt.Errorf("bench: pick query arguments: %w", err)
	}
	return p, nil
}
