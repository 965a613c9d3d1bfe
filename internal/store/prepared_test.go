package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// Hot queries run as prepared statements on the pool and inside
// transactions; when the server kills the connections they were prepared on,
// they are prepared again on new ones (a call caught by the kill reads as
// unavailable).
func TestPreparedQueries(t *testing.T) {
	ctx := context.Background()
	st, _ := testenv.Store(t)
	u, err := st.CreateUser(ctx, store.NewUser{Email: "pat@example.test", Name: "Pat", Role: store.RoleCustomer, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if got, err := st.GetUser(ctx, u.ID); err != nil || got.Email != u.Email {
			t.Fatalf("prepared lookup: %+v %v", got, err)
		}
	}
	err = st.WithTx(ctx, func(tx *store.Store) error {
		got, err := tx.GetUser(ctx, u.ID)
		if err == nil && got.Email != u.Email {
			t.Errorf("prepared lookup in a transaction: %+v", got)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.GetUser(ctx, u.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing user: %v, want ErrNotFound", err)
	}

	var db string
	if err := st.DB().QueryRowContext(ctx, `SELECT current_database()`).Scan(&db); err != nil {
		t.Fatal(err)
	}
	killer, _ := testenv.Store(t) // a connection of its own (to another database)
	var n int
	if err := killer.DB().QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = $1`, db).Scan(&n); err != nil || n == 0 {
		t.Fatalf("terminated %d connections: %v", n, err)
	}
	var last error
	for range 3 {
		if _, last = st.GetUser(ctx, u.ID); last == nil {
			break
		}
		if !errors.Is(last, store.ErrUnavailable) {
			t.Fatalf("lookup on a killed connection: %v, want ErrUnavailable", last)
		}
	}
	if last != nil {
		t.Fatalf("prepared lookup after the connections were killed: %v", last)
	}
}

// The prepared statements a booking runs for every cart line (availability
// of the cart's items, free units, the candidates found and locked, the
// re-check of a locked unit) keep one generic plan per connection after
// PostgreSQL's first five custom plans: planning them costs more than
// running them. The availability query once took its items as a plain array
// parameter: every custom plan, knowing the cart holds one item, looked five
// times cheaper than the generic plan's guess of ten, and each call was
// planned again.
func TestPreparedHoldQueriesKeepOnePlan(t *testing.T) {
	s := newShop(t)
	ctx := s.ctx
	now := time.Now()
	// A catalog of many items with a few units each, analyzed: the shape
	// under which the planner weighs a list of one item against its guess
	// of ten.
	for i := range 100 {
		it, err := s.st.CreateItem(ctx, catalog.Item{Name: fmt.Sprintf("Lens %03d", i), Slug: fmt.Sprintf("lens-%03d", i),
			Tracking: catalog.Serialized, RateDay: ptr(int64(1000)), TaxCategory: "standard", OnlineBookable: true})
		if err != nil {
			t.Fatal(err)
		}
		for j, loc := range []int64{s.berlin.ID, s.sf.ID} {
			if _, err := s.st.CreateUnits(ctx, it.ID, loc, []string{fmt.Sprintf("L%03d-%d1", i, j), fmt.Sprintf("L%03d-%d2", i, j)}, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := s.st.DB().ExecContext(ctx, `ANALYZE items; ANALYZE units; ANALYZE unit_allocations; ANALYZE bulk_stock`); err != nil {
		t.Fatal(err)
	}
	queries := map[string]bool{"availability, cart items": true, "free units": true, "free unit, re-check": true,
		"free units, locked (a booking's candidates)": true}
	hot := store.HotQueries(store.HotParams{Now: now, LocationID: s.berlin.ID, SerialItemID: s.r6.ID, BulkItemID: s.tripod.ID})
	conn, err := s.st.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	found := 0
	for _, q := range hot {
		if !queries[q.Name] {
			continue
		}
		found++
		args := q.Args
		switch q.Name {
		case "availability, cart items": // one item, as a cart mostly has
			args = append([]any{}, q.Args...)
			args[5] = pq.Array([]int64{s.r6.ID})
		case "free units": // the first pick of one unit
			args = append([]any{}, q.Args...)
			args[6] = 1
		case "free unit, re-check":
			args = append([]any{}, q.Args...)
			args[5] = s.r6Units[0].ID
		}
		stmt, err := conn.PrepareContext(ctx, q.SQL)
		if err != nil {
			t.Fatalf("%s: prepare: %v", q.Name, err)
		}
		for range 10 {
			rows, err := stmt.QueryContext(ctx, args...)
			if err != nil {
				t.Fatalf("%s: %v", q.Name, err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			if err := rows.Close(); err != nil || n == 0 {
				t.Fatalf("%s: %d rows, %v", q.Name, n, err)
			}
		}
		var generic, custom int64
		if err := conn.QueryRowContext(ctx, `SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0)
FROM pg_prepared_statements WHERE statement = $1`, q.SQL).Scan(&generic, &custom); err != nil {
			t.Fatal(err)
		}
		if custom > 5 || generic < 5 {
			t.Errorf("%s: %d custom and %d generic plans for 10 calls, want the generic plan after the first 5", q.Name, custom, generic)
		}
		stmt.Close()
	}
	if found != len(queries) {
		t.Fatalf("found %d of the %d queries", found, len(queries))
	}
}
