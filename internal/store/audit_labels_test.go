package store_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// The audit page's labels asked in one statement agree with the query per
// entity type they replace, on varied asks: every type, some, none, ids
// that are gone or not numbers, repeated ids, types without names.
func TestAuditLabelsAgreeWithOneQueryPerType(t *testing.T) {
	ctx := t.Context()
	st, _ := testenv.Store(t)
	s := newListShop(t, st)
	cu, err := st.CreateUser(ctx, store.NewUser{Email: "ada@example.com", Name: "Ada Lovelace", Role: "customer", PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	bid, err := st.CreateBooking(ctx, store.NewBooking{CustomerID: cu.ID, LocationID: s.berlin.ID, Status: store.BookingConfirmed,
		Currency: "EUR", Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	id := func(n int64) string { return fmt.Sprint(n) }
	asks := []map[string][]string{
		{},
		{"user": {id(cu.ID)}},
		{"settings": {"1"}, "mail": {"x"}},
		{"user": {id(cu.ID), id(cu.ID), "999999"}, "item": {id(s.r6.ID), id(s.tripod.ID)}, "booking": {id(bid)},
			"location": {id(s.berlin.ID)}, "category": {id(s.cameras.ID)}, "unit": {id(s.r6a.ID), id(s.r6b.ID)}},
		{"unit": {id(s.r6b.ID), "not-a-number", ""}, "booking": {"0", "-3"}, "settings": {"1"}},
		{"item": {}, "category": {"424242"}},
	}
	for _, ids := range asks {
		want, err := st.AuditLabelsOneByOneForTest(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.AuditLabels(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("labels of %v:\n got %v\nwant %v", ids, got, want)
		}
	}
	// And they do name things (the comparison is not of two empty answers).
	got, err := st.AuditLabels(ctx, asks[3])
	if err != nil {
		t.Fatal(err)
	}
	if got["unit"][id(s.r6a.ID)] != "R6-001 (Canon R6)" || got["user"][id(cu.ID)] != "Ada Lovelace" || got["booking"][id(bid)] == "" {
		t.Fatalf("labels: %v", got)
	}
}
