package store_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// The audit page without a filter runs a prepared statement of its own with
// a cursor that is always there; paged to the end in several page sizes
// (more times than PostgreSQL needs to switch to a generic plan), it gives
// the same entries as the general form: actors and the system, documents present and absent, cursors at the start, inside,
// before everything and negative.
func TestAuditPageAsTheGeneralForm(t *testing.T) {
	ctx := t.Context()
	st, _ := testenv.Store(t)
	var actors []int64
	for i := range 3 {
		u, err := st.CreateUser(ctx, store.NewUser{Email: fmt.Sprintf("actor%d@example.com", i), Name: fmt.Sprintf("Actor %d", i), Role: "staff", PasswordHash: "x"})
		if err != nil {
			t.Fatal(err)
		}
		actors = append(actors, u.ID)
	}
	for i := range 23 {
		a := store.Audit{ActorID: actors[i%3], Action: []string{"create", "update", "delete"}[i%3],
			EntityType: []string{"item", "booking", "unit", "settings"}[i%4], EntityID: fmt.Sprint(i), RequestID: fmt.Sprint("r", i)}
		if i%5 == 0 {
			a.ActorID = 0
		}
		if i%2 == 0 {
			a.Before = map[string]any{"n": i}
		}
		if i%3 != 2 {
			a.After = map[string]any{"n": i + 1, "name": "x"}
		}
		if err := st.InsertAudit(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	total := 0
	for _, limit := range []int{3, 7, 50, 1, 3} {
		before := int64(0)
		n := 0
		for range 30 {
			f := store.AuditFilter{BeforeID: before, Limit: limit}
			got, err := st.ListAudit(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			want, err := st.ListAuditGeneralForTest(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("page of %d before %d:\n got %+v\nwant %+v", limit, before, got, want)
			}
			n += len(got)
			if len(got) < limit {
				break
			}
			before = got[len(got)-1].ID
		}
		if total == 0 {
			total = n
		}
		if n != total || n < 23 {
			t.Fatalf("pages of %d: %d entries, want %d (at least 23)", limit, n, total)
		}
	}
	for _, before := range []int64{-1, 1} {
		f := store.AuditFilter{BeforeID: before, Limit: 5}
		got, err := st.ListAudit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := st.ListAuditGeneralForTest(ctx, f); len(got) != 0 || len(want) != 0 {
			t.Fatalf("before %d: %d entries, general form %d; want none", before, len(got), len(want))
		}
	}
}
