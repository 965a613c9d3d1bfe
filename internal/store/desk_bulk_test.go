package store_test

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
)

// The endangered list takes the peaks of all its bulk candidates from one
// read of each late item's lines; each must answer as bulk_peak does per
// line (the general form), on two bulk items at two locations with lines of
// every kind: confirmed (several overlapping, some of one booking), live
// and expired holds, out on time, early and late, returned (one stamped
// back before its pickup), cancelled, carts; lines starting or ending
// exactly at now, at the shown day's edges, at the look ahead's end and
// where the item's buffers bring them to one; with buffers set and not.
func TestEndangeredBulkAgreesWithBulkPeak(t *testing.T) {
	s := newShop(t)
	st, ctx := s.st, s.ctx
	db := st.DB()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)
	day := now.Truncate(24 * time.Hour)
	stand, err := st.CreateItem(ctx, catalog.Item{Name: "Light stand", Slug: "light-stand", Tracking: catalog.Bulk,
		RateDay: ptr(int64(300)), TaxCategory: "standard", OnlineBookable: true})
	if err != nil {
		t.Fatal(err)
	}
	items := []int64{s.tripod.ID, stand.ID}
	locs := []int64{s.berlin.ID, s.sf.ID}
	exec(`INSERT INTO bulk_stock (item_id, location_id, quantity) VALUES ($1, $3, 40), ($1, $4, 9), ($2, $3, 34), ($2, $4, 11)`,
		s.tripod.ID, stand.ID, s.berlin.ID, s.sf.ID)
	var customer int64
	if err := db.QueryRowContext(ctx, `INSERT INTO users (email, name, password_hash) VALUES ('short@example.test', 'Short', 'x') RETURNING id`).Scan(&customer); err != nil {
		t.Fatal(err)
	}
	const bb, ba = 45, 150
	rng := rand.New(rand.NewPCG(11, 23))
	// A start or end at now, at a day's edge, at the look ahead's end, where
	// a buffer brings the line to one of those, or at any quarter hour.
	edge := func(d int) time.Time {
		base := []time.Time{now, day.AddDate(0, 0, d), now.AddDate(0, 0, 7), day.AddDate(0, 0, d).Add(10 * time.Hour)}[rng.IntN(4)]
		switch rng.IntN(5) {
		case 0:
			return base
		case 1:
			return base.Add((bb + ba) * time.Minute)
		case 2:
			return base.Add(-(bb + ba) * time.Minute)
		case 3:
			return base.Add(-ba * time.Minute)
		}
		return day.AddDate(0, 0, d).Add(time.Duration(rng.IntN(96)) * 15 * time.Minute)
	}
	kinds := map[string]int{}
	booking := int64(0)
	for n := range 220 {
		item, loc := items[rng.IntN(2)], locs[0]
		if rng.IntN(4) == 0 {
			loc = locs[1]
		}
		first := -6 + rng.IntN(16)
		from := edge(first)
		to := edge(first + rng.IntN(3))
		if !to.After(from) {
			to = from.Add(time.Duration(1+rng.IntN(40)) * time.Hour)
		}
		kind := []string{"confirmed", "confirmed", "confirmed", "late", "hold", "expired hold", "out", "early", "returned", "stamped before", "cancelled", "cart"}[rng.IntN(12)]
		status := "confirmed"
		var expires, picked, returned any
		switch kind {
		case "hold":
			status, expires = "hold", now.Add(time.Duration(1+rng.IntN(72))*time.Hour)
		case "expired hold":
			status, expires = "hold", now.Add(-time.Duration(1+rng.IntN(72))*time.Hour)
		case "late":
			// Out and past due: ends at or before now.
			if to.After(now) {
				to = now.Add(-time.Duration(rng.IntN(30)) * time.Hour)
			}
			if !from.Before(to) {
				from = to.Add(-time.Duration(1+rng.IntN(48)) * time.Hour)
			}
			status, picked = "out", from
		case "out", "early", "returned", "stamped before":
			if !from.Before(now) {
				kind = "confirmed"
				break
			}
			if !to.After(now) {
				to = now.Add(time.Duration(1+rng.IntN(60)) * time.Hour)
			}
			p := from
			if kind == "early" {
				p = from.Add(-time.Duration(1+rng.IntN(20)) * time.Hour)
			}
			status, picked = "out", p
			if kind == "returned" {
				status, returned = "returned", now.Add(-time.Duration(rng.IntN(5))*time.Hour)
			} else if kind == "stamped before" {
				status, returned = "returned", p.Add(-time.Duration(bb+ba+60)*time.Minute)
			}
		case "cancelled", "cart":
			status = kind
		}
		kinds[kind]++
		// Some confirmed bookings take a second line of the same item.
		if !(kind == "confirmed" && booking != 0 && n%5 == 0) {
			if err := db.QueryRowContext(ctx, `INSERT INTO bookings (customer_id, location_id, status, expires_at, currency, subtotal, tax, total)
			      VALUES ($1, $2, $3, $4, 'EUR', 500, 0, 500) RETURNING id`, customer, loc, status, expires).Scan(&booking); err != nil {
				t.Fatal(err)
			}
		}
		exec(`INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at, picked_up_at, returned_at, unit_price, line_total)
		      VALUES ($1, $2, $3, $4, $5, $6, $7, 500, 500)`, booking, item, 1+rng.IntN(3), from, to, picked, returned)
	}
	for _, k := range []string{"confirmed", "late", "hold", "expired hold", "out", "early", "returned", "stamped before", "cancelled", "cart"} {
		if kinds[k] == 0 {
			t.Fatalf("the fixture has no %q line: %v", k, kinds)
		}
	}

	short, listed := map[int]int{}, 0
	for _, buffers := range [][2]int{{bb, ba}, {0, 0}, {0, ba}} {
		for _, it := range items {
			exec(`UPDATE items SET buffer_before_minutes = $2, buffer_after_minutes = $3 WHERE id = $1`, it, buffers[0], buffers[1])
		}
		for _, loc := range locs {
			for _, at := range []time.Time{now, now.Add(3 * time.Hour), now.Add(30 * time.Hour)} {
				for _, ahead := range []time.Duration{0, 24 * time.Hour, 7 * 24 * time.Hour} {
					for _, d := range []int{0, 1, 3} {
						q := store.EndangeredQuery{LocationID: loc, Now: at, Until: at.Add(ahead),
							DayStart: day.AddDate(0, 0, d), DayEnd: day.AddDate(0, 0, d+1)}
						got, err := st.ListEndangered(ctx, q)
						if err != nil {
							t.Fatal(err)
						}
						want, err := st.ListEndangeredByBookingsForTest(ctx, q)
						if err != nil {
							t.Fatal(err)
						}
						if !reflect.DeepEqual(got, want) {
							t.Fatalf("buffers %v, location %d, now %v, ahead %s, day %+d:\n got %+v\nwant %+v", buffers, loc, at, ahead, d, got, want)
						}
						for _, e := range want {
							short[e.Quantity-e.Short]++
							listed++
						}
					}
				}
			}
		}
	}
	// Lines short by all they ask, by part of it, and lines some pieces are
	// left for.
	var none, some bool
	for left := range short {
		none, some = none || left <= 0, some || left > 0
	}
	if !none || !some || len(short) < 4 {
		t.Fatalf("%d short lines listed, by pieces left: %v", listed, short)
	}
	t.Logf("compared lists with %d short lines (by pieces left: %v)", listed, short)
}
