package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/invoice"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

const staffInvoicesPerPage = 50

// invoicePeriod reads the issue-date filter (?from=YYYY-MM-DD&to=…, both
// optional, to inclusive) with a message per bad field.
func invoicePeriod(c echo.Context) (from, to time.Time, errs components.Errors) {
	errs = components.Errors{}
	parse := func(key string) time.Time {
		raw := strings.TrimSpace(c.QueryParam(key))
		if raw == "" {
			return time.Time{}
		}
		d, err := time.Parse(time.DateOnly, raw)
		if err != nil || d.Year() < 2000 || d.Year() > 9999 {
			errs[key] = "Enter a date like 2026-01-31."
		}
		return d
	}
	from, to = parse("from"), parse("to")
	if len(errs) == 0 && !from.IsZero() && !to.IsZero() && to.Before(from) {
		errs["to"] = "The end of the period is before its start."
	}
	return from, to, errs
}

// StaffInvoicesList lists invoices and credit notes, newest first, for a
// period of issue dates.
func (s *Server) StaffInvoicesList(c echo.Context) error {
	from, to, errs := invoicePeriod(c)
	before, err := queryInt64(c, "before")
	if err != nil {
		return err
	}
	v := pages.StaffInvoicesView{Page: s.page(c, "Invoices"), From: c.QueryParam("from"), To: c.QueryParam("to"), Errors: errs}
	filter := url.Values{"from": {v.From}, "to": {v.To}}
	v.CSVHref = "/staff/export/invoices.csv?" + filter.Encode()
	if len(errs) > 0 {
		v.CSVHref = "/staff/export/invoices.csv"
		return s.render(c, http.StatusUnprocessableEntity, pages.StaffInvoicesPage(v))
	}
	docs, err := s.Store.ListInvoiceSummaries(c.Request().Context(), store.InvoiceFilter{From: from, To: to, BeforeID: before, Limit: staffInvoicesPerPage + 1})
	if err != nil {
		return err
	}
	if len(docs) > staffInvoicesPerPage {
		docs = docs[:staffInvoicesPerPage]
		filter.Set("before", strconv.FormatInt(docs[len(docs)-1].ID, 10))
		v.NextHref = "/staff/invoices?" + filter.Encode()
	}
	for _, in := range docs {
		f := func(a int64) string { return money.Format(a, in.Currency) }
		v.Rows = append(v.Rows, pages.StaffInvoiceRow{Href: fmt.Sprintf("/staff/invoices/%d", in.ID), Title: invoice.KindTitle(in.Kind),
			Number: in.Number, Date: in.IssueDate.Format(time.DateOnly), Booking: in.BookingNumber,
			Customer: in.BuyerName, Net: f(in.Net), Tax: f(in.Tax), Total: f(in.Total)})
	}
	return s.render(c, http.StatusOK, pages.StaffInvoicesPage(v))
}

// invoiceCSVColumns: one row per document and tax rate, so the accountant
// can book each rate; credit notes are negative.
var invoiceCSVColumns = []string{"number", "type", "issue_date", "booking", "credits_invoice", "customer", "customer_email",
	"currency", "tax_rate_percent", "net", "tax", "total", "reason"}

// StaffExportInvoices streams the documents issued in a period as CSV,
// oldest first, a page of documents (with their lines) at a time: the
// first bytes go out at once and memory stays one page whatever the
// period.
func (s *Server) StaffExportInvoices(c echo.Context) error {
	ctx := c.Request().Context()
	from, to, errs := invoicePeriod(c)
	if len(errs) > 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "The period is not valid: use dates like 2026-01-31.")
	}
	// A period's documents lie between its first and last id: the walk
	// starts at the first instead of the shop's first document, and stops
	// at the last instead of reading every later one.
	after, upTo, found := int64(0), int64(math.MaxInt64), true
	if !from.IsZero() || !to.IsZero() {
		first, last, ok, err := s.Store.InvoiceSpan(ctx, from, to)
		if err != nil {
			return err
		}
		after, upTo, found = first-1, last, ok
	}
	name := "invoices.csv"
	if !from.IsZero() || !to.IsZero() {
		name = "invoices_" + c.QueryParam("from") + "_" + c.QueryParam("to") + ".csv"
	}
	w := startCSV(c, name, invoiceCSVColumns)
	if !found {
		w.Flush()
		return w.Error()
	}
	return writeCSVPageRows(w,
		func(after int64) ([]store.Invoice, error) {
			return s.Store.ExportInvoices(ctx, from, to, after, upTo, exportPage)
		},
		func(in store.Invoice) int64 { return in.ID },
		func(in store.Invoice) [][]string {
			credits := ""
			if in.CreditsNumber != nil {
				credits = *in.CreditsNumber
			}
			var rows [][]string
			for _, r := range invoice.TaxByRate(in.Lines) {
				rows = append(rows, []string{in.Number, in.Kind, in.IssueDate.Format(time.DateOnly), in.BookingNumber, credits,
					csvText(in.BuyerName), csvText(in.BuyerEmail), in.Currency, strings.TrimSuffix(invoice.FormatRate(r.RateBP), "%"),
					money.FormatPlain(r.Net, in.Currency), money.FormatPlain(r.Tax, in.Currency),
					money.FormatPlain(r.Total, in.Currency), csvText(in.Reason)})
			}
			return rows
		}, after)
}
