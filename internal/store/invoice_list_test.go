package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/rentdesk/rentdesk/internal/bench"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// invoiceListByScanSQL is the invoice list as it read before the issue-date
// bound: every invoice of the filter, newest first.
const invoiceListByScanSQL = `
SELECT i.id FROM invoices i
WHERE ($1::date IS NULL OR i.issue_date >= $1) AND ($2::date IS NULL OR i.issue_date <= $2)
  AND ($3 = 0 OR i.customer_id = $3) AND ($4 = 0 OR i.id < $4)
ORDER BY i.id DESC LIMIT $5`

// The staff invoice list of a generated shop (three years of invoices and
// credit notes) holds the same documents, in the same order, as reading
// every invoice of the filter: periods a year back, of a day, a week, before
// and after the history, reversed, open at either end, of one customer, and
// paged by the keyset cursor. Its summaries carry the whole documents'
// values.
func TestInvoiceListMatchesScan(t *testing.T) {
	st, _ := testenv.Store(t)
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	sz := bench.Size{Name: "tiny", Locations: 3, Categories: 4, Items: 40, Units: 80, Lines: 2000, Customers: 100, AuditRows: 10}
	if err := bench.Generate(ctx, st.DB(), sz, now, "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA"); err != nil {
		t.Fatal(err)
	}
	var customer int64
	var invoices int
	if err := st.DB().QueryRowContext(ctx, `SELECT count(*), (SELECT customer_id FROM invoices GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 1) FROM invoices`).
		Scan(&invoices, &customer); err != nil {
		t.Fatal(err)
	}
	if invoices < 1000 {
		t.Fatalf("generated %d invoices", invoices)
	}
	day := func(d int) time.Time { return now.Truncate(24*time.Hour).AddDate(0, 0, d) }
	filters := []store.InvoiceFilter{
		{From: day(-365), To: day(-335), Limit: 50},
		{From: day(-365), To: day(-335), Limit: 7},
		{From: day(-100), To: day(-100), Limit: 50},
		{From: day(-200), To: day(-193), Limit: 50},
		{From: day(-29), To: day(0), Limit: 50},
		{From: day(-5000), To: day(-700), Limit: 50},
		{From: day(-5000), To: day(-4000), Limit: 50},
		{From: day(10), To: day(40), Limit: 50},
		{From: day(-300), To: day(-330), Limit: 50},
		{From: day(-400), Limit: 50},
		{To: day(-400), Limit: 50},
		{Limit: 50},
		{From: day(-800), To: day(-100), CustomerID: customer, Limit: 50},
		{CustomerID: customer, Limit: 50},
	}
	for _, f := range filters {
		// Up to a few pages of each, by the cursor.
		for page := 0; page < 4; page++ {
			got, err := st.ListInvoices(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs, want []int64
			for _, inv := range got {
				gotIDs = append(gotIDs, inv.ID)
			}
			rows, err := st.DB().QueryContext(ctx, invoiceListByScanSQL, dateOrNil(f.From), dateOrNil(f.To), f.CustomerID, f.BeforeID, f.Limit)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				want = append(want, id)
			}
			rows.Close()
			if !slices.Equal(gotIDs, want) {
				t.Errorf("%+v: list %v, want %v", f, gotIDs, want)
				break
			}
			// The staff list's summaries: the same documents, each with
			// the fields of the whole document.
			sums, err := st.ListInvoiceSummaries(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var wantSums []store.InvoiceSummary
			for _, in := range got {
				wantSums = append(wantSums, invoiceSummary(in))
			}
			if !slices.Equal(sums, wantSums) {
				t.Errorf("%+v: summaries\n%+v\nwant\n%+v", f, sums, wantSums)
				break
			}
			if len(want) < f.Limit {
				break
			}
			f.BeforeID = want[len(want)-1]
		}
	}
}

// A booking page's links to its documents carry the documents' values:
// bookings with an invoice, and with an invoice and its credit note.
func TestBookingInvoiceSummariesMatchDocuments(t *testing.T) {
	st, _ := testenv.Store(t)
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	sz := bench.Size{Name: "tiny", Locations: 3, Categories: 4, Items: 40, Units: 80, Lines: 600, Customers: 50, AuditRows: 10}
	if err := bench.Generate(ctx, st.DB(), sz, now, "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA"); err != nil {
		t.Fatal(err)
	}
	var bookings []int64
	if err := sqlx.NewDb(st.DB(), "postgres").SelectContext(ctx, &bookings, `
(SELECT booking_id FROM invoices GROUP BY booking_id HAVING count(*) = 1 ORDER BY booking_id LIMIT 5)
UNION ALL
(SELECT booking_id FROM invoices GROUP BY booking_id HAVING count(*) > 1 ORDER BY booking_id LIMIT 5)`); err != nil {
		t.Fatal(err)
	}
	if len(bookings) < 6 {
		t.Fatalf("generated %d bookings with documents", len(bookings))
	}
	for _, b := range bookings {
		docs, err := st.ListBookingInvoices(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		sums, err := st.ListBookingInvoiceSummaries(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		var want []store.InvoiceSummary
		for _, in := range docs {
			want = append(want, invoiceSummary(in))
		}
		if len(want) == 0 || !slices.Equal(sums, want) {
			t.Errorf("booking %d: summaries\n%+v\nwant\n%+v", b, sums, want)
		}
	}
}

func invoiceSummary(in store.Invoice) store.InvoiceSummary {
	return store.InvoiceSummary{ID: in.ID, Kind: in.Kind, Number: in.Number, IssueDate: in.IssueDate,
		BookingNumber: in.BookingNumber, BuyerName: in.BuyerName, Currency: in.Currency, Net: in.Net, Tax: in.Tax, Total: in.Total}
}

func dateOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(time.DateOnly)
}

// A booking's money in one statement (GetBookingMoney) reads what its two
// statements read: the ledger's totals and the documents' summaries, for
// bookings with no document, one and several, with and without ledger
// entries, and for a booking that is not there.
func TestBookingMoneyAsTotalsAndSummaries(t *testing.T) {
	st, _ := testenv.Store(t)
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	sz := bench.Size{Name: "tiny", Locations: 3, Categories: 4, Items: 40, Units: 80, Lines: 600, Customers: 50, AuditRows: 10}
	if err := bench.Generate(ctx, st.DB(), sz, now, "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA"); err != nil {
		t.Fatal(err)
	}
	var bookings []int64
	if err := sqlx.NewDb(st.DB(), "postgres").SelectContext(ctx, &bookings, `
(SELECT booking_id FROM invoices GROUP BY booking_id HAVING count(*) = 1 ORDER BY booking_id LIMIT 5)
UNION ALL
(SELECT booking_id FROM invoices GROUP BY booking_id HAVING count(*) > 1 ORDER BY booking_id LIMIT 5)
UNION ALL
SELECT -1`); err != nil {
		t.Fatal(err)
	}
	// Two bookings without documents, one of them paid at the desk.
	for i := range 2 {
		var b int64
		if err := st.DB().QueryRowContext(ctx, `INSERT INTO bookings (customer_id, location_id, status, currency, total, subtotal)
			SELECT (SELECT min(id) FROM users), (SELECT min(id) FROM locations), 'confirmed', 'EUR', 10000, 10000 RETURNING id`).Scan(&b); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, err := st.DB().ExecContext(ctx, `INSERT INTO ledger_entries (booking_id, kind, method, amount, currency, status)
				VALUES ($1, 'payment', 'cash', 2500, 'EUR', 'done')`, b); err != nil {
				t.Fatal(err)
			}
		}
		bookings = append(bookings, b)
	}
	var docs, paid, bare int
	for _, b := range bookings {
		gotTotals, gotDocs, err := st.GetBookingMoney(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		wantTotals, err := st.GetLedgerTotals(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		wantDocs, err := st.ListBookingInvoiceSummaries(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		if gotTotals != wantTotals || !slices.Equal(gotDocs, wantDocs) || (gotDocs == nil) != (wantDocs == nil) {
			t.Errorf("booking %d: %+v %+v\nwant %+v %+v", b, gotTotals, gotDocs, wantTotals, wantDocs)
		}
		switch {
		case len(wantDocs) > 0:
			docs++
		case wantTotals != store.LedgerTotals{}:
			paid++
		default:
			bare++
		}
	}
	if docs < 6 || paid == 0 || bare < 2 {
		t.Fatalf("fixture: %d with documents, %d paid without, %d bare", docs, paid, bare)
	}
}
