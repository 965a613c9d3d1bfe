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
	"ledger_entries": true, "invoices": true, "invoice_lines": true, "checkout_sessions": true, "stripe_events": true,
}

// Plan is the checked plan of one hot query on the generated data.
type Plan struct {
	Name     string   `json:"name"`
	Millis   float64  `json:"ms"`
	SeqScans []string `json:"seq_scans,omitempty"` // big tables read whole
	// Replanned: a prepared query still got a custom plan on every one of
	// preparedRuns calls (the generic plan never taken).
	Replanned bool     `json:"replanned,omitempty"`
	Nodes     []string `json:"-"`
}

// preparedRuns is how often a prepared hot query runs in the check: PostgreSQL
// makes custom plans for the first five, then takes the generic plan unless
// it looks costlier than they were.
const preparedRuns = 8

// Verdict is the plan's one-word result.
func (p Plan) Verdict() string {
	if len(p.SeqScans) > 0 {
		return "SEQ SCAN of " + strings.Join(p.SeqScans, ", ")
	}
	if p.Replanned {
		return fmt.Sprintf("PLANNED AGAIN on each of %d prepared calls", preparedRuns)
	}
	return "ok (indexes only on big tables)"
}

func badPlans(ps []Plan) []string {
	var bad []string
	for _, p := range ps {
		if len(p.SeqScans) > 0 || p.Replanned {
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
		raw, err := explain(ctx, db, q)
		if err != nil {
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
		if q.Prepared {
			if pl.Replanned, err = replanned(ctx, db, q); err != nil {
				return nil, fmt.Errorf("bench: prepared %s: %w", q.Name, err)
			}
		}
		out = append(out, pl)
	}
	return out, nil
}

// explain runs EXPLAIN ANALYZE of q as the store runs it: JIT off, as on
// every connection of the store, and a query the store asks without
// parallel workers is planned without them here too, or the check would
// judge a plan (and time a compilation) the app never has.
func explain(ctx context.Context, db *sql.DB, q store.HotQuery) ([]byte, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // read only: nothing to keep
	if _, err := tx.ExecContext(ctx, `SET LOCAL jit = off`); err != nil {
		return nil, err
	}
	if q.Serial {
		if _, err := tx.ExecContext(ctx, `SET LOCAL max_parallel_workers_per_gather = 0`); err != nil {
			return nil, err
		}
	}
	if q.Generic {
		if _, err := tx.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_generic_plan`); err != nil {
			return nil, err
		}
	}
	var raw []byte
	err = tx.QueryRowContext(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) "+q.SQL, q.Args...).Scan(&raw)
	return raw, err
}

// replanned runs q prepared preparedRuns times on db's one connection, as the
// store runs it, and reports whether every run was planned anew.
func replanned(ctx context.Context, db *sql.DB, q store.HotQuery) (bool, error) {
	if q.Generic {
		if _, err := db.ExecContext(ctx, `SET plan_cache_mode = force_generic_plan`); err != nil {
			return false, err
		}
		defer db.ExecContext(ctx, `RESET plan_cache_mode`) //nolint:errcheck // the check's own connection
	}
	st, err := db.PrepareContext(ctx, q.SQL)
	if err != nil {
		return false, err
	}
	defer st.Close()
	for range preparedRuns {
		rows, err := st.QueryContext(ctx, q.Args...)
		if err != nil {
			return false, err
		}
		for rows.Next() {
		}
		if err := rows.Close(); err != nil {
			return false, err
		}
	}
	var generic, custom int64
	err = db.QueryRowContext(ctx, `SELECT generic_plans, custom_plans FROM pg_prepared_statements
WHERE NOT from_sql AND statement = $1`, q.SQL).Scan(&generic, &custom)
	if err != nil {
		return false, err
	}
	return generic == 0, nil
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
	// The customer's latest booking paid online, with its invoice.
	err = db.QueryRowContext(ctx, `
SELECT b.id, i.id, e.reference
FROM bookings b JOIN invoices i ON i.booking_id = b.id AND i.kind = 'invoice'
JOIN ledger_entries e ON e.booking_id = b.id AND e.kind = 'payment' AND e.method = 'stripe'
WHERE b.customer_id = $1 ORDER BY b.id DESC LIMIT 1`, p.CustomerID).Scan(&p.BookingID, &p.InvoiceID, &p.PaymentIntent)
	if err != nil {
		return p, fmt.Errorf("bench: pick a paid booking: %w", err)
	}
	// Where the item figures look for ledger entries the rollup's runs did
	// not see, as the store works it out.
	err = db.QueryRowContext(ctx, `SELECT min(pg_snapshot_xmin(snapshot))::text FROM revenue_rollup_state`).Scan(&p.RevenueLateFrom)
	if err != nil {
		return p, fmt.Errorf("bench: read the revenue rollup's snapshots: %w", err)
	}
	return p, nil
}
