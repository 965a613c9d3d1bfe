package invoice_test

import (
	"bytes"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/invoice"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// pdfText reads a PDF back with poppler's pdftotext, a reader that is not
// ours, keeping the layout so a row's cells stay on one line.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin := testenv.Require(t, "PDFTOTEXT_BIN")
	cmd := exec.Command(bin, "-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("pdftotext: %v: %s", err, errb.String())
	}
	return out.String()
}

// hasRow reports whether some line of text holds the words in order.
func hasRow(text string, words ...string) bool {
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(`(?m)^.*` + strings.Join(parts, `.*`) + `.*$`).MatchString(text)
}

// The PDF shows number, lines, tax per rate and totals with € and names
// outside ASCII, as pdftotext reads them; the same invoice gives the same
// bytes every time.
func TestInvoicePDF(t *testing.T) {
	s := newShop(t)
	s.exec(`UPDATE shop_settings SET legal_address = E'Ulica Piotrkowska 1\n90-001 Łódź', vat_id = 'PL1234567890',
		bank_details = 'IBAN PL61 1090 1014 0000 0712 1981 2874', invoice_note = 'Zahlbar bei Abholung – danke schön!'`)
	lamp := s.bulkItem("Łódź Müller lamp", 1999, "standard")
	book := s.bulkItem("Übersetzung guide", 1250, "reduced")
	id := s.hold(s.customer("Łódź Müller"), line(lamp, 3, 2), line(book, 1, 1))
	if err := s.eng.Confirm(s.ctx, id, booking.Actor{}); err != nil {
		t.Fatal(err)
	}
	in, err := s.st.GetInvoice(s.ctx, s.invoices(id)[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := invoice.PDF(&a, in); err != nil {
		t.Fatal(err)
	}
	if err := invoice.PDF(&b, in); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two renderings of one invoice differ")
	}
	text := pdfText(t, a.Bytes())
	for _, row := range [][]string{
		{"Łódź Müller Verleih GmbH", "Invoice"},
		{"Number", in.Number},
		{"Date", invoice.DateText(in.IssueDate)},
		{"90-001 Łódź"},
		{"VAT id PL1234567890"},
		{"Łódź Müller"},
		{"Łódź Müller lamp", "3", "€39.98", "19%", "€119.94"},
		{"Übersetzung guide", "1", "€12.50", "7%", "€12.50"},
		{"Net", "€112.47"},
		{"Tax 19% on €100.79", "€19.15"},
		{"Tax 7% on €11.68", "€0.82"},
		{"Total (EUR)", "€132.44"},
		{"Zahlbar bei Abholung – danke schön!"},
		{"IBAN PL61 1090 1014 0000 0712 1981 2874"},
	} {
		if !hasRow(text, row...) {
			t.Errorf("no line with %q in:\n%s", row, text)
		}
	}
	if t.Failed() {
		return
	}
	// A credit note names the invoice it credits and shows negative amounts.
	var cn store.Invoice
	if err := s.st.WithTx(s.ctx, func(tx *store.Store) error {
		cn, err = invoice.CreditNote(s.ctx, tx, id, 1250, "Guide returned unused – €12.50")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var c bytes.Buffer
	if err := invoice.PDF(&c, cn); err != nil {
		t.Fatal(err)
	}
	text = pdfText(t, c.Bytes())
	for _, row := range [][]string{
		{"Credit note"}, {"Number", cn.Number}, {"Credits invoice", in.Number},
		{"Reason: Guide returned unused – €12.50"}, {"Total credited (EUR)", "-€12.50"},
	} {
		if !hasRow(text, row...) {
			t.Errorf("credit note: no line with %q in:\n%s", row, text)
		}
	}
}

// Names are typed by people and item names by staff: a customer whose name
// carries an emoji, Chinese or a right-to-left override, or an item named
// with an emoji, still gets the PDF of their invoice (it was a 500: fpdf
// refuses runes beyond the Basic Multilingual Plane), with what the font
// cannot draw shown as U+FFFD instead of an empty box and the invisible
// override left out.
func TestInvoicePDFPrintsAnyName(t *testing.T) {
	in := benchInvoice()
	in.BuyerName = "Łukasz Żółć-Müller 😀 日本 \u202eevil"
	in.BuyerEmail = "łukasz@example.com"
	in.Lines[0].Description = "Cargo bike 🚲\tdelivery"
	in.Note = "Danke! 🎉"
	in.SellerBank = "IBAN\u200bDE00 1234"
	in.SellerName = "Spree 🚲 Rentals"
	var pdf bytes.Buffer
	if err := invoice.PDF(&pdf, in); err != nil {
		t.Fatalf("invoice of a customer named %q: %v", in.BuyerName, err)
	}
	text := pdfText(t, pdf.Bytes())
	for _, row := range [][]string{
		{"Spree \uFFFD Rentals"},
		{"Łukasz Żółć-Müller \uFFFD \uFFFD\uFFFD evil"},
		{"łukasz@example.com"},
		{"Cargo bike \uFFFD delivery", "3", "€39.98"},
		{"Danke! \uFFFD"},
		{"IBANDE00 1234"},
	} {
		if !hasRow(text, row...) {
			t.Errorf("no line with %q in:\n%s", row, text)
		}
	}
	for _, r := range "😀日本🚲🎉\u202e\u200b\t" {
		if strings.ContainsRune(text, r) {
			t.Errorf("the PDF draws %U, which its font has no glyph for", r)
		}
	}
}
