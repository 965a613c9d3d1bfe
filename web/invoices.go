package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/invoice"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// InvoiceShow shows one of the customer's own invoices or credit notes;
// anyone else's is a 404.
func (s *Server) InvoiceShow(c echo.Context) error {
	in, err := s.ownInvoice(c)
	if err != nil {
		return err
	}
	return s.renderInvoice(c, in, fmt.Sprintf("/invoices/%d/pdf", in.ID), fmt.Sprintf("/bookings/%d", in.BookingID))
}

// InvoicePDF downloads one of the customer's own invoices as PDF.
func (s *Server) InvoicePDF(c echo.Context) error {
	in, err := s.ownInvoice(c)
	if err != nil {
		return err
	}
	return sendPDF(c, in)
}

// StaffInvoiceShow shows any invoice or credit note.
func (s *Server) StaffInvoiceShow(c echo.Context) error {
	in, err := s.anyInvoice(c)
	if err != nil {
		return err
	}
	return s.renderInvoice(c, in, fmt.Sprintf("/staff/invoices/%d/pdf", in.ID), fmt.Sprintf("/staff/bookings/%d", in.BookingID))
}

// StaffInvoicePDF downloads any invoice or credit note as PDF.
func (s *Server) StaffInvoicePDF(c echo.Context) error {
	in, err := s.anyInvoice(c)
	if err != nil {
		return err
	}
	return sendPDF(c, in)
}

// ownInvoice loads the invoice in the path when it belongs to the current
// user; otherwise it does not exist for them.
func (s *Server) ownInvoice(c echo.Context) (store.Invoice, error) {
	in, err := s.anyInvoice(c)
	if err != nil {
		return store.Invoice{}, err
	}
	if u := currentUser(c); u == nil || in.CustomerID != u.ID {
		return store.Invoice{}, echo.NewHTTPError(http.StatusNotFound)
	}
	return in, nil
}

func (s *Server) anyInvoice(c echo.Context) (store.Invoice, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return store.Invoice{}, err
	}
	return s.Store.GetInvoice(c.Request().Context(), id)
}

// sendPDF renders the whole PDF before answering, so a failure is a clean
// error page rather than half a file.
func sendPDF(c echo.Context, in store.Invoice) error {
	var buf bytes.Buffer
	if err := invoice.PDF(&buf, in); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+in.Number+`.pdf"`)
	return c.Blob(http.StatusOK, "application/pdf", buf.Bytes())
}

func (s *Server) renderInvoice(c echo.Context, in store.Invoice, pdfHref, backHref string) error {
	v := pages.InvoiceView{Page: s.page(c, invoice.Title(in)+" "+in.Number), Doc: invoiceDoc(in),
		PDFHref: pdfHref, BackHref: backHref}
	return s.render(c, http.StatusOK, pages.InvoicePage(v))
}

// invoiceDoc formats a document the way the PDF prints it.
func invoiceDoc(in store.Invoice) pages.InvoiceDoc {
	f := func(v int64) string { return money.Format(v, in.Currency) }
	d := pages.InvoiceDoc{Title: invoice.Title(in), Number: in.Number, Date: invoice.DateText(in.IssueDate),
		Booking: in.BookingNumber, Reason: in.Reason, SellerName: in.SellerName, BuyerName: in.BuyerName,
		BuyerMail: in.BuyerEmail, UnitHeader: "Unit price", Net: f(in.Net), TotalLabel: "Total (" + in.Currency + ")",
		Total: f(in.Total), PricesNote: "Unit prices include tax.", Note: textLines(in.Note), Bank: textLines(in.SellerBank)}
	if in.CreditsNumber != nil {
		d.Credits = *in.CreditsNumber
		d.TotalLabel = "Total credited (" + in.Currency + ")"
	}
	exclusive := in.TaxMode == "exclusive"
	if exclusive {
		d.UnitHeader, d.PricesNote = "Unit net", "Unit prices exclude tax."
	}
	d.SellerLines = textLines(in.SellerAddress)
	for _, extra := range []string{vatLine(in.SellerVATID), in.SellerRegistration, in.SellerEmail, in.SellerPhone} {
		if extra != "" {
			d.SellerLines = append(d.SellerLines, extra)
		}
	}
	for _, l := range in.Lines {
		amount := l.Total
		if exclusive {
			amount = l.Net
		}
		d.Lines = append(d.Lines, pages.InvoiceLineRow{Description: l.Description, Quantity: strconv.Itoa(l.Quantity),
			UnitPrice: f(l.UnitPrice), Rate: invoice.FormatRate(l.TaxRateBP), Amount: f(amount)})
	}
	for _, r := range invoice.TaxByRate(in.Lines) {
		d.Taxes = append(d.Taxes, pages.PriceRow{Label: "Tax " + invoice.FormatRate(r.RateBP) + " on " + f(r.Net), Amount: f(r.Tax)})
	}
	return d
}

func vatLine(id string) string {
	if id == "" {
		return ""
	}
	return "VAT id " + id
}

func textLines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// invoiceLinks lists a booking's documents for its page; staff links lead to
// the staff views.
func (s *Server) invoiceLinks(ctx context.Context, bookingID int64, staff bool) ([]pages.InvoiceLink, error) {
	docs, err := s.Store.ListBookingInvoiceSummaries(ctx, bookingID)
	if err != nil {
		return nil, err
	}
	return invoiceLinksOf(docs, staff), nil
}

// invoiceLinksOf links a booking's documents, for staff or its customer.
func invoiceLinksOf(docs []store.InvoiceSummary, staff bool) []pages.InvoiceLink {
	base := "/invoices/"
	if staff {
		base = "/staff/invoices/"
	}
	links := make([]pages.InvoiceLink, len(docs))
	for i, in := range docs {
		links[i] = pages.InvoiceLink{Href: base + strconv.FormatInt(in.ID, 10), Title: invoice.KindTitle(in.Kind), Number: in.Number,
			Date: invoice.DateText(in.IssueDate), Total: money.Format(in.Total, in.Currency)}
	}
	return links
}
