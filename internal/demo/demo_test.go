package demo

import (
	"context"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// Loading the demo twice (a second `make run`) duplicates nothing, and every
// printed login works.
func TestLoadIsIdempotent(t *testing.T) {
	st, _ := testenv.Store(t)
	h := auth.NewHasher(auth.Params{Time: 1, Memory: 1024, Threads: 1, KeyLen: 32, SaltLen: 16})
	var logins []Login
	for range 2 {
		var err error
		if logins, err = Load(t.Context(), st, h); err != nil {
			t.Fatal(err)
		}
	}
	users, err := st.ListUsers(t.Context(), store.UserFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != len(Logins) {
		t.Fatalf("%d accounts after two loads, want %d", len(users), len(Logins))
	}
	roles := map[string]bool{}
	for _, l := range logins {
		u, err := st.GetUserByEmail(t.Context(), l.Email)
		if err != nil || u.Role != l.Role {
			t.Fatalf("%s: %+v %v", l.Email, u, err)
		}
		if ok, _, _ := h.Verify(l.Password, u.PasswordHash); !ok {
			t.Errorf("%s: the printed password does not work", l.Email)
		}
		roles[l.Role] = true
	}
	for _, r := range []string{store.RoleAdmin, store.RoleStaff, store.RoleCustomer} {
		if !roles[r] {
			t.Errorf("no demo login for %s", r)
		}
	}
}

// The demo shop (locations, items, units, settings) is loaded once, however often Load runs.
func TestLoadCatalogIsIdempotent(t *testing.T) {
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

// The demo customer's bookings (returned, overdue, out today, upcoming) are
// made once, through the booking engine, however often Load runs.
func TestLoadBookingsIsIdempotent(t *testing.T) {
	st, _ := testenv.Store(t)
	ctx := context.Background()
	h := auth.NewHasher(auth.Params{Time: 1, Memory: 1024, Threads: 1, KeyLen: 32, SaltLen: 16})
	for i := 0; i < 2; i++ {
		if _, err := Load(ctx, st, h); err != nil {
			t.Fatalf("load %d: %v", i, err)
		}
	}
	cust, err := st.GetUserByEmail(ctx, Logins[2].Email)
	if err != nil {
		t.Fatal(err)
	}
	bs, err := st.ListCustomerBookings(ctx, cust.ID, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range bs {
		got = append(got, b.Status)
	}
	want := []string{store.BookingConfirmed, store.BookingOut, store.BookingOut, store.BookingReturned}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("demo bookings newest first: %q, want %q", got, want)
	}
}
