package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/invoice"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/store"
)

// formerInvoiceExport is the invoice export as it was written before it
// streamed: every document of the period read newest first and reversed,
// every line of the period in one query, then the rows. The streamed
// export must give the very same bytes.
func formerInvoiceExport(t *testing.T, st *store.Store, from, to time.Time) string {
	t.Helper()
	ctx := context.Background()
	var docs []store.Invoice
	for before := int64(0); ; {
		page, err := st.ListInvoices(ctx, store.InvoiceFilter{From: from, To: to, BeforeID: before, Limit: exportPage})
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, page...)
		if len(page) < exportPage {
			break
		}
		before = page[len(page)-1].ID
	}
	for i, j := 0, len(docs)-1; i < j; i, j = i+1, j-1 {
		docs[i], docs[j] = docs[j], docs[i]
	}
	date := func(d time.Time) any {
		if d.IsZero() {
			return nil
		}
		return d.Format(time.DateOnly)
	}
	var lines []store.InvoiceLine
	if err := sqlx.NewDb(st.DB(), "postgres").SelectContext(ctx, &lines, `
SELECT l.invoice_id, l.position, l.description, l.quantity, l.unit_price, l.tax_rate_bp, l.net, l.tax, l.total
FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
WHERE ($1::date IS NULL OR i.issue_date >= $1) AND ($2::date IS NULL OR i.issue_date <= $2)
ORDER BY l.invoice_id, l.position`, date(from), date(to)); err != nil {
		t.Fatal(err)
	}
	byDoc := map[int64][]store.InvoiceLine{}
	for _, l := range lines {
		byDoc[l.InvoiceID] = append(byDoc[l.InvoiceID], l)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(invoiceCSVColumns)
	for _, in := range docs {
		credits := ""
		if in.CreditsNumber != nil {
			credits = *in.CreditsNumber
		}
		for _, r := range invoice.TaxByRate(byDoc[in.ID]) {
			_ = w.Write([]string{in.Number, in.Kind, in.IssueDate.Format(time.DateOnly), in.BookingNumber, credits,
				csvText(in.BuyerName), csvText(in.BuyerEmail), in.Currency, strings.TrimSuffix(invoice.FormatRate(r.RateBP), "%"),
				money.FormatPlain(r.Net, in.Currency), money.FormatPlain(r.Tax, in.Currency),
				money.FormatPlain(r.Total, in.Currency), csvText(in.Reason)})
		}
	}
	w.Flush()
	return buf.String()
}

// The streamed invoice export writes the same bytes as the former one on a
// shop of 2,700 documents (three pages): invoices and credit notes, zero to
// four lines at four tax rates, two currencies, names a spreadsheet would
// run as formulas or that need quoting, and credit notes issued after every
// invoice but dated among them, so a period's documents are not one run of
// ids; with no period, either end open, both, one day and an empty period.
func TestInvoiceExportStreamsTheFormerBytes(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Lamp", 1)
	_, u := s.customer("buyer@example.com")
	s.srv.Booking.WithPayment(holdPayment{})
	res, err := s.srv.Booking.Book(context.Background(), booking.Request{CustomerID: u.ID, LocationID: s.loc, Online: true,
		Actor: booking.Actor{UserID: u.ID}, Lines: []booking.LineRequest{{ItemID: item, Quantity: 1, Start: s.instant(3, 10), End: s.instant(5, 10)}}})
	if err != nil {
		t.Fatal(err)
	}
	const docCols = `kind, series, year, seq, number, booking_id, booking_number, credits_id, customer_id, buyer_name, buyer_email,
issued_at, issue_date, time_zone, currency, tax_mode, seller_name, seller_address, seller_vat_id, seller_registration,
seller_email, seller_phone, seller_bank, note, reason, net, tax, total`
	// 2,400 invoices, about 37 a day from 2025-01-01, every eleventh dated
	// three days early.
	s.exec(`INSERT INTO invoices (`+docCols+`)
SELECT 'invoice', 'TST', 2025, g, 'TST-2025-' || lpad(g::text, 5, '0'), $1, 'B-1', NULL, $2,
       CASE g % 5 WHEN 0 THEN '=SUM(A1)' WHEN 1 THEN 'Comma, "Quote"' WHEN 2 THEN E'Two\nlines' ELSE 'Name ' || g END,
       CASE g % 4 WHEN 0 THEN '+' || g || '@example.com' ELSE 'c' || g || '@example.com' END,
       d::timestamptz, d, 'Europe/Berlin', CASE WHEN g % 7 = 0 THEN 'JPY' ELSE 'EUR' END, 'inclusive',
       'Shop', '', '', '', '', '', '', '', '', 0, 0, 0
FROM generate_series(1, 2400) g,
     LATERAL (SELECT date '2025-01-01' + g / 37 - CASE WHEN g % 11 = 0 THEN 3 ELSE 0 END AS d) x`, res.BookingID, u.ID)
	// 300 credit notes, issued after every invoice, dated among them.
	s.exec(`INSERT INTO invoices (` + docCols + `)
SELECT 'credit_note', 'TCN', 2025, g, 'TCN-2025-' || lpad(g::text, 5, '0'), i.booking_id, i.booking_number, i.id, i.customer_id,
       i.buyer_name, i.buyer_email, i.issued_at, i.issue_date + 2, i.time_zone, i.currency, 'inclusive',
       'Shop', '', '', '', '', '', '', '', CASE WHEN g % 2 = 0 THEN '-cancelled ' || g ELSE 'Booking cancelled' END, 0, 0, 0
FROM generate_series(1, 300) g JOIN invoices i ON i.number = 'TST-2025-' || lpad((g * 8)::text, 5, '0')`)
	s.exec(`INSERT INTO invoice_lines (invoice_id, position, description, quantity, unit_price, tax_rate_bp, net, tax, total)
SELECT i.id, p, 'Line ' || p, 1, 100, (ARRAY[1900, 700, 0, 550])[1 + (i.id + p * (i.id % 3)) % 4],
       sg * (100 + p * 7 + i.id % 13), sg * (19 + p), sg * (119 + p * 8 + i.id % 13)
FROM invoices i, LATERAL (SELECT CASE WHEN i.kind = 'credit_note' THEN -1 ELSE 1 END AS sg) k,
     LATERAL generate_series(1, (i.id % 5)::int) p
WHERE i.series IN ('TST', 'TCN')`)

	s.createUser("staff", "staff@example.com", authzPassword)
	staff := s.client()
	staff.login("staff@example.com", authzPassword)
	day := func(v string) time.Time {
		if v == "" {
			return time.Time{}
		}
		d, err := time.Parse(time.DateOnly, v)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, p := range []struct{ from, to string }{
		{"", ""}, {"2025-01-20", ""}, {"", "2025-02-10"}, {"2025-01-10", "2025-02-20"},
		{"2025-01-31", "2025-01-31"}, {"2024-06-01", "2024-12-31"}, {"2025-01-01", "2025-12-31"},
		{"2026-03-01", ""}, {"2024-01-01", "2024-06-30"},
	} {
		path := "/staff/export/invoices.csv"
		if p.from != "" || p.to != "" {
			path += "?from=" + p.from + "&to=" + p.to
		}
		got := staff.get(path).expectStatus(t, http.StatusOK).Body
		want := formerInvoiceExport(t, s.st, day(p.from), day(p.to))
		if got != want {
			t.Errorf("%s: the streamed export (%d bytes, %d rows) differs from the former one (%d bytes, %d rows)",
				path, len(got), strings.Count(got, "\n"), len(want), strings.Count(want, "\n"))
		}
		if p.from == "" && p.to == "" && strings.Count(want, "TST-2025-") < 2*exportPage {
			t.Errorf("the unfiltered export holds %d invoice rows, fewer than two pages", strings.Count(want, "TST-2025-"))
		}
	}
}

// An export cut after its first page (here a page that fails; in life the
// request's deadline or a lost database) is not ended like a whole file:
// the connection drops, so the client sees a failed download.
func TestCutExportFailsTheDownload(t *testing.T) {
	logs := &syncBuffer{}
	srv := &Server{Deps: Deps{Logger: slog.New(slog.NewTextHandler(logs, nil))}}
	e := echo.New()
	e.HTTPErrorHandler = srv.handleError
	e.GET("/x.csv", func(c echo.Context) error {
		w := startCSV(c, "x.csv", []string{"n"})
		return writeCSVPages(w, func(after int64) ([]int64, error) {
			if after > 0 {
				return nil, errors.New("page failed")
			}
			out := make([]int64, exportPage)
			for i := range out {
				out[i] = int64(i + 1)
			}
			return out, nil
		}, func(n int64) int64 { return n }, func(n int64) []string { return []string{"row"} })
	})
	ts := httptest.NewServer(e)
	defer ts.Close()
	res, err := http.Get(ts.URL + "/x.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err == nil {
		t.Fatalf("a cut export ended like a whole file (%d bytes)", len(body))
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "n\nrow\n") {
		t.Errorf("status %d, body starts %q", res.StatusCode, string(body[:min(len(body), 20)]))
	}
	if !strings.Contains(logs.String(), "page failed") {
		t.Errorf("the cause is not logged: %s", logs.String())
	}
}
