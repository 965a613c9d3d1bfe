package store_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/rentdesk/rentdesk/internal/store"
)

// holdExpiryPlan is what a test reads of an EXPLAIN (ANALYZE, BUFFERS):
// the indexes the statement walked and the buffers it touched.
type holdExpiryPlan struct {
	indexes []string
	buffers int64
}

type explainNode struct {
	IndexName string        `json:"Index Name"`
	Hit       int64         `json:"Shared Hit Blocks"`
	Read      int64         `json:"Shared Read Blocks"`
	Plans     []explainNode `json:"Plans"`
}

func (n explainNode) indexes() []string {
	var out []string
	if n.IndexName != "" {
		out = append(out, n.IndexName)
	}
	for _, c := range n.Plans {
		out = append(out, c.indexes()...)
	}
	return out
}

// The holds due to expire are read through the hold-expiry index even when
// the statistics have seen no hold: a shop that moved to online payment
// (every booking a hold for half an hour) or a busy half hour since the
// last ANALYZE. Asked as "status = 'hold' AND expires_at <= now", the
// planner then walked bookings_status_idx (ordered by id, no sort) and read
// every live hold on every booking, a buffer for each.
func TestHoldExpiryReadsTheDueHoldsOnlyWhateverTheStatistics(t *testing.T) {
	s := newShop(t)
	st, ctx := s.st, s.ctx
	db := st.DB()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO users (email, name, password_hash) VALUES ('c@example.test', 'Cy', 'x')`)
	// A shop's history, as the statistics last saw it: no hold.
	exec(`
INSERT INTO bookings (customer_id, location_id, status, currency, confirmed_at)
SELECT (SELECT id FROM users WHERE email = 'c@example.test'), $1, 'closed', 'EUR', now() - (g || ' hours')::interval
FROM generate_series(1, 20000) g`, s.berlin.ID)
	exec(`ANALYZE bookings`)
	// Then 12,000 holds, none due yet, and no ANALYZE since.
	const holds = 12000
	exec(`
INSERT INTO bookings (customer_id, location_id, status, expires_at, currency)
SELECT (SELECT id FROM users WHERE email = 'c@example.test'), $1, 'hold', now() + interval '30 minutes', 'EUR'
FROM generate_series(1, $2::int) g`, s.berlin.ID, holds)

	explain := func(q string, args ...any) holdExpiryPlan {
		t.Helper()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback() //nolint:errcheck // nothing to keep
		var raw []byte
		if err := tx.QueryRowContext(ctx, `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) `+q, args...).Scan(&raw); err != nil {
			t.Fatalf("explain: %v", err)
		}
		var doc []struct {
			Plan explainNode `json:"Plan"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil || len(doc) == 0 {
			t.Fatalf("read plan: %v", err)
		}
		return holdExpiryPlan{indexes: doc[0].Plan.indexes(), buffers: doc[0].Plan.Hit + doc[0].Plan.Read}
	}
	now := time.Now()
	// The periodic expiry's statement: its plan reads the hold-expiry index.
	p := explain(store.ExpireHoldsSQLForTest, now)
	if !slices.Contains(p.indexes, "bookings_hold_due_idx") || slices.Contains(p.indexes, "bookings_status_idx") {
		t.Errorf("expiry of holds walks %v, want bookings_hold_due_idx", p.indexes)
	}
	if p.buffers > 60 {
		t.Errorf("expiry of holds, none due, read %d buffers with %d live holds", p.buffers, holds)
	}
	// Every booking transaction's housekeeping asks the same inside a
	// function (whose statements EXPLAIN does not show, but whose buffers it
	// counts): planned afresh on this connection, then on its kept plan.
	for run := range 7 {
		p := explain(`SELECT h.id FROM booking_housekeep($1, $2::bigint[]) AS h (id)`, now, pq.Array([]int64{}))
		if p.buffers > 60 {
			t.Fatalf("housekeeping (call %d), no hold due, read %d buffers with %d live holds", run+1, p.buffers, holds)
		}
	}
	// Nothing was due, nothing expired.
	ids, err := st.ExpireHolds(ctx, now)
	if err != nil || len(ids) != 0 {
		t.Fatalf("ExpireHolds = %v, %v; want none", ids, err)
	}
	// Once due, every hold expires.
	later := now.Add(time.Hour)
	ids, err = st.ExpireHoldsAndExtendOverdue(ctx, later, nil)
	if err != nil || len(ids) != holds {
		t.Fatalf("ExpireHoldsAndExtendOverdue an hour later = %d holds, %v; want %d", len(ids), err, holds)
	}
}
