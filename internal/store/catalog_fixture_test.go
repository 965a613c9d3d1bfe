package store_test

import (
	"context"
	"testing"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// shop is a small catalog on a fresh database.
type shop struct {
	st         *store.Store
	cameras    catalog.Category
	berlin, sf catalog.Location
	r6, tripod catalog.Item
	r6Units    []catalog.Unit
	ctx        context.Context
}

func ptr[T any](v T) *T { return &v }

func newShop(t *testing.T) *shop {
	t.Helper()
	st, _ := testenv.Store(t)
	ctx := context.Background()
	s := &shop{st: st, ctx: ctx}
	var err error
	if s.cameras, err = st.CreateCategory(ctx, "Cameras", "cameras"); err != nil {
		t.Fatal(err)
	}
	hours := catalog.OpeningHours{1: {{Open: "09:00", Close: "18:00"}}}
	if s.berlin, err = st.CreateLocation(ctx, catalog.Location{Name: "Berlin", Slug: "berlin", TimeZone: "Europe/Berlin", OpeningHours: hours, ClosedDates: catalog.DateList{"2025-12-25"}}); err != nil {
		t.Fatal(err)
	}
	if s.sf, err = st.CreateLocation(ctx, catalog.Location{Name: "San Francisco", Slug: "sf", TimeZone: "America/Los_Angeles"}); err != nil {
		t.Fatal(err)
	}
	if s.r6, err = st.CreateItem(ctx, catalog.Item{CategoryID: &s.cameras.ID, Name: "Canon R6", Slug: "canon-r6", Tracking: catalog.Serialized,
		RateDay: ptr(int64(4500)), RateWeek: ptr(int64(22000)), MinDurationMinutes: 60, TaxCategory: "standard", OnlineBookable: true, Featured: true}); err != nil {
		t.Fatal(err)
	}
	if s.tripod, err = st.CreateItem(ctx, catalog.Item{Name: "Tripod", Slug: "tripod", Tracking: catalog.Bulk,
		RateDay: ptr(int64(500)), TaxCategory: "standard", OnlineBookable: true}); err != nil {
		t.Fatal(err)
	}
	if s.r6Units, err = st.CreateUnits(ctx, s.r6.ID, s.berlin.ID, []string{"R6-001", "R6-002"}, ""); err != nil {
		t.Fatal(err)
	}
	return s
}
