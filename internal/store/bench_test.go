package store_test

import (
	"context"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv/benchenv"
)

// BenchmarkStore measures the queries behind the busiest pages, from parallel
// goroutines, against the demo shop plus a generated catalog of 2,000 items
// and 10,000 units (make bench).
func BenchmarkStore(b *testing.B) {
	st, _ := benchenv.Shop(b)
	ctx := context.Background()
	customer, err := st.GetUserByEmail(ctx, "customer@rentdesk.test")
	if err != nil {
		b.Fatal(err)
	}
	benches := []struct {
		name string
		op   func() error
	}{
		{"GetUser", func() error { _, err := st.GetUser(ctx, customer.ID); return err }},
		{"ListPublicCategories", func() error { _, err := st.ListPublicCategories(ctx); return err }},
		{"ListPublicItems", func() error { _, err := st.ListPublicItems(ctx, store.PublicFilter{Limit: 24}); return err }},
		{"ListPublicItemsSearch", func() error {
			_, err := st.ListPublicItems(ctx, store.PublicFilter{Query: "bike", Limit: 24})
			return err
		}},
		{"GetPublicItem", func() error { _, err := st.GetPublicItem(ctx, "bench-item-1234"); return err }},
		{"GetSettings", func() error { _, err := st.GetSettings(ctx); return err }},
	}
	for _, bb := range benches {
		b.Run(bb.name, func(b *testing.B) { benchenv.Parallel(b, bb.op) })
	}
}
