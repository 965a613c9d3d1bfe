package demo

import (
	"context"
	"testing"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

func TestLoadIsIdempotent(t *testing.T) {
	st, _ := testenv.Store(t)
	ctx := context.Background()
	h := auth.NewHasher(auth.Params{Time: 1, Memory: 1024, Threads: 1, KeyLen: 32, SaltLen: 16})
	for i := 0; i < 2; i++ {
		if _, err := Load(ctx, st, h); err != nil {
			t.Fatalf("load %d: %v", i, err)
		}
	}
	items, err := st.ListItems(ctx, store.ItemFilter{Limit: 100})
	if err != nil || len(items) != len(demoItems) {
		t.Fatalf("items: %d %v", len(items), err)
	}
	locs, _ := st.ListLocations(ctx)
	if len(locs) != 2 || locs[0].TimeZone == locs[1].TimeZone {
		t.Fatalf("locations: %+v", locs)
	}
	r6, _ := st.GetPublicItem(ctx, "canon-eos-r6")
	units, _ := st.ListUnits(ctx, r6.ID)
	if len(units) != 4 {
		t.Fatalf("R6 units: %d", len(units))
	}
	if s, _ := st.GetSettings(ctx); s.Currency != "EUR" {
		t.Fatalf("currency %s", s.Currency)
	}
}
