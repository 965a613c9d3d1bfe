package store_test

import (
	"slices"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

func auditTypes(t *testing.T, st *store.Store) []string {
	t.Helper()
	ts, err := st.ListAuditEntityTypes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// The audit page's entity types are kept in memory with the reference data
// by two instances on one database: a type's first entry is listed at once
// by the instance that wrote it and soon by the other; until then both
// serve their copy without asking PostgreSQL.
func TestAuditEntityTypesKeptAcrossInstances(t *testing.T) {
	ctx := t.Context()
	plain, url := testenv.Store(t)
	a, b := cachedStore(t, url, nil), cachedStore(t, url, nil)
	genA, _ := a.CacheGeneration()
	genB, _ := b.CacheGeneration()
	if err := plain.InsertAudit(ctx, store.Audit{Action: "create", EntityType: "item", EntityID: "1"}); err != nil {
		t.Fatal(err)
	}
	// The first entry ever is announced: wait until both took it.
	eventually(t, "both heard of the first type", func() bool {
		ga, _ := a.CacheGeneration()
		gb, _ := b.CacheGeneration()
		return ga != genA && gb != genB
	})
	if ta, tb := auditTypes(t, a), auditTypes(t, b); !slices.Equal(ta, []string{"item"}) || !slices.Equal(tb, []string{"item"}) {
		t.Fatalf("a lists %v and b %v, want [item]", ta, tb)
	}

	// Both serve from memory: a first entry no one announces is not seen.
	err := plain.WithTx(ctx, func(tx *store.Store) error {
		for _, q := range []string{
			`ALTER TABLE audit_log DISABLE TRIGGER audit_log_types_notify`,
			`INSERT INTO audit_log (action, entity_type, entity_id) VALUES ('create', 'silent', '1')`,
			`ALTER TABLE audit_log ENABLE TRIGGER audit_log_types_notify`,
		} {
			if _, err := tx.Tx().ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if ta, tb := auditTypes(t, a), auditTypes(t, b); !slices.Equal(ta, []string{"item"}) || !slices.Equal(tb, []string{"item"}) {
		t.Fatalf("after an unannounced first entry a lists %v and b %v, want the kept [item]", ta, tb)
	}

	// A first entry written on b, in a transaction beside another type's
	// entry: b lists it right after its commit, a soon after.
	err = b.WithTx(ctx, func(tx *store.Store) error {
		return tx.InsertAuditPair(ctx, store.Audit{Action: "create", EntityType: "booking", EntityID: "7"},
			store.Audit{Action: "update", EntityType: "item", EntityID: "1"})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"booking", "item", "silent"}
	if got := auditTypes(t, b); !slices.Equal(got, want) {
		t.Fatalf("right after its commit b lists %v, want %v", got, want)
	}
	eventually(t, "a lists b's new type", func() bool { return slices.Equal(auditTypes(t, a), want) })

	// The same on a, outside a transaction.
	if err := a.InsertAudit(ctx, store.Audit{Action: "create", EntityType: "customer", EntityID: "3"}); err != nil {
		t.Fatal(err)
	}
	want = []string{"booking", "customer", "item", "silent"}
	if got := auditTypes(t, a); !slices.Equal(got, want) {
		t.Fatalf("right after its write a lists %v, want %v", got, want)
	}
	eventually(t, "b lists a's new type", func() bool { return slices.Equal(auditTypes(t, b), want) })

	// What a caller gets is its own copy.
	got := auditTypes(t, a)
	got[0] = "changed"
	if again := auditTypes(t, a); !slices.Equal(again, want) {
		t.Fatalf("a caller's change reached the kept list: %v", again)
	}
}
