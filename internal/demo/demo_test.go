package demo

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/booking"
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
	// The logins, and the desk's walk-in customer.
	if len(users) != len(Logins)+1 {
		t.Fatalf("%d accounts after two loads, want %d", len(users), len(Logins)+1)
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
	if s, _ := st.GetSettings(ctx); s.Currency != "EUR" || s.ShopName != "Spree Rentals" {
		t.Fatalf("currency %s, shop name %q", s.Currency, s.ShopName)
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

// The demo bookings respect the demo shop's opening hours whatever the day
// and hour `make run` loads them (a refused booking would stop the start-up),
// and keep their story: returned and overdue ones lie in the past, the
// upcoming one in the future.
func TestDemoBookingsFitOpeningHoursAnyTime(t *testing.T) {
	berlin, err := time.LoadLocation(demoLocations[0].TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	loc := store.BookingLocation{TimeZone: demoLocations[0].TimeZone, OpeningHours: demoLocations[0].OpeningHours, ClosedDates: demoLocations[0].ClosedDates}
	start := time.Date(2026, 12, 20, 0, 30, 0, 0, berlin) // around Christmas closures, across a week
	for h := 0; h < 24*9; h += 5 {
		now := start.Add(time.Duration(h) * time.Hour)
		for _, d := range demoBookings(now, loc, berlin) {
			if fe := booking.CheckHours(loc, d.start, d.end); len(fe) > 0 {
				t.Errorf("now %s: %s %s–%s: %v", now.Format(time.RFC3339), d.key, d.start.In(berlin), d.end.In(berlin), fe)
			}
			if !d.end.After(d.start) || (!d.pickedUp.IsZero() && d.pickedUp.Before(d.start)) {
				t.Errorf("now %s: %s has an impossible timeline", now, d.key)
			}
			switch d.key {
			case "demo-returned", "demo-overdue":
				if !d.end.Before(now) {
					t.Errorf("now %s: %s ends %s, not in the past", now, d.key, d.end)
				}
			case "demo-out":
				if !d.start.Before(now) || !d.end.After(now) {
					t.Errorf("now %s: %s runs %s–%s, not across now", now, d.key, d.start, d.end)
				}
			case "demo-upcoming":
				if !d.start.After(now) {
					t.Errorf("now %s: %s starts %s, not in the future", now, d.key, d.start)
				}
			}
		}
	}
}

// The demo desk tells its story the day it is loaded: an overdue unit, the
// booking it endangers with a free unit to swap in, and late fee rules.
func TestDemoDeskStory(t *testing.T) {
	st, _ := testenv.Store(t)
	ctx := t.Context()
	h := auth.NewHasher(auth.Params{Time: 1, Memory: 1024, Threads: 1, KeyLen: 32, SaltLen: 16})
	for range 2 {
		if _, err := Load(ctx, st, h); err != nil {
			t.Fatal(err)
		}
	}
	loc, err := st.GetLocationBySlug(ctx, demoLocations[0].Slug)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	at, err := st.ListEndangered(ctx, store.EndangeredQuery{LocationID: loc.ID, Now: now, Until: now.Add(7 * 24 * time.Hour)})
	if err != nil || len(at) != 1 || at[0].Substitute == "" {
		t.Fatalf("endangered: %+v (%v), want one with a substitute", at, err)
	}
	cargo, err := st.GetPublicItem(ctx, "cargo-bike")
	if err != nil {
		t.Fatal(err)
	}
	if rule, err := st.GetLateFeeRule(ctx, cargo.ID); err != nil || rule.Per != "day" {
		t.Errorf("cargo bike late fee rule %+v (%v)", rule, err)
	}
}

// Today's desk bookings fit the opening hours at any hour of any day the
// demo is loaded (a refused booking would stop the start-up).
func TestDeskDayFitsOpeningHoursAnyTime(t *testing.T) {
	berlin, err := time.LoadLocation(demoLocations[0].TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	loc := store.BookingLocation{TimeZone: demoLocations[0].TimeZone, OpeningHours: demoLocations[0].OpeningHours, ClosedDates: demoLocations[0].ClosedDates}
	start := time.Date(2026, 12, 20, 0, 30, 0, 0, berlin)
	for h := 0; h < 24*9; h += 1 {
		now := start.Add(time.Duration(h) * time.Hour)
		for _, d := range deskDayBookings(now, loc, berlin) {
			if fe := booking.CheckHours(loc, d.start, d.end); len(fe) > 0 {
				t.Errorf("now %s: %s %s–%s: %v", now.Format(time.RFC3339), d.key, d.start.In(berlin), d.end.In(berlin), fe)
			}
			if !d.end.After(d.start) || (!d.pickedUp.IsZero() && (d.pickedUp.Before(d.start) || !d.pickedUp.Before(now))) {
				t.Errorf("now %s: %s has an impossible timeline", now, d.key)
			}
		}
	}
}
