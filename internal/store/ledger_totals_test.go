package store_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// TotalsOf, summed in Go from a booking's entries as ListLedgerEntries reads
// them, agrees with GetLedgerTotals (the SQL sums) on varied ledgers: every
// kind of charge, deposit releases (negative deposit charges), payments by
// each method, refunds pending, done and failed by Stripe and at the desk,
// and a booking with no entries at all.
func TestTotalsOfAgreesWithLedgerTotals(t *testing.T) {
	st, _ := testenv.Store(t)
	ctx := context.Background()
	id := func(q string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := st.DB().QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	cust := id(`INSERT INTO users (email, name, password_hash) VALUES ('c@example.com', 'C', 'x') RETURNING id`)
	loc := id(`INSERT INTO locations (name, slug, time_zone) VALUES ('Berlin', 'berlin', 'Europe/Berlin') RETURNING id`)
	rng := rand.New(rand.NewPCG(11, 190))
	methods := []string{store.MethodStripe, "cash", "card_terminal"}
	statuses := []string{store.EntryPending, store.EntryDone, store.EntryFailed}
	charges := []string{store.ChargeDeposit, store.ChargeLateFee, store.ChargeDamage}
	var bookings []int64
	kinds := map[string]int{}
	for range 60 {
		b := id(`INSERT INTO bookings (customer_id, location_id, status, currency, total, subtotal)
			VALUES ($1, $2, 'confirmed', 'EUR', 10000, 10000) RETURNING id`, cust, loc)
		bookings = append(bookings, b)
		var payments []int64
		for range rng.IntN(9) {
			amount := 1 + rng.Int64N(50000)
			switch rng.IntN(3) {
			case 0:
				ct := charges[rng.IntN(len(charges))]
				if ct == store.ChargeDeposit && rng.IntN(3) == 0 {
					amount = -amount // a deposit released
				}
				id(`INSERT INTO ledger_entries (booking_id, kind, charge_type, amount, currency) VALUES ($1, 'charge', $2, $3, 'EUR') RETURNING id`,
					b, ct, amount)
				kinds["charge "+ct]++
			case 1:
				m := methods[rng.IntN(len(methods))]
				payments = append(payments, id(`INSERT INTO ledger_entries (booking_id, kind, method, amount, currency, status)
					VALUES ($1, 'payment', $2, $3, 'EUR', $4) RETURNING id`, b, m, amount, statuses[rng.IntN(2)]))
				kinds["payment"]++
			default:
				m, s := methods[rng.IntN(2)], statuses[rng.IntN(len(statuses))]
				var of any
				if len(payments) > 0 && rng.IntN(2) == 0 {
					of = payments[rng.IntN(len(payments))]
				}
				id(`INSERT INTO ledger_entries (booking_id, kind, method, amount, currency, status, refund_of)
					VALUES ($1, 'refund', $2, $3, 'EUR', $4, $5) RETURNING id`, b, m, amount, s, of)
				kinds["refund "+m+" "+s]++
			}
		}
	}
	// Every case above was drawn at least once.
	for _, k := range []string{"charge deposit", "charge late_fee", "charge damage", "payment", "refund stripe pending",
		"refund stripe done", "refund stripe failed", "refund cash pending", "refund cash done", "refund cash failed"} {
		if kinds[k] == 0 {
			t.Fatalf("no %s among the drawn entries: %v", k, kinds)
		}
	}
	empty := 0
	for _, b := range bookings {
		entries, err := st.ListLedgerEntries(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) == 0 {
			empty++
		}
		want, err := st.GetLedgerTotals(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		if got := store.TotalsOf(entries); got != want {
			t.Errorf("booking %d (%d entries): TotalsOf %+v, GetLedgerTotals %+v", b, len(entries), got, want)
		}
	}
	if empty == 0 {
		t.Fatal("no booking without entries was drawn")
	}
}
