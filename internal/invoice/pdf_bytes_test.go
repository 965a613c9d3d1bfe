package invoice_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/invoice"
	"github.com/rentdesk/rentdesk/internal/store"
)

// benchInvoice is a document of a few lines with text outside ASCII.
func benchInvoice() store.Invoice {
	return store.Invoice{
		Kind: "invoice", Number: "RD-2026-00042", BookingNumber: "B-1234",
		BuyerName: "Łódź Müller", BuyerEmail: "lodz@example.com",
		IssueDate: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), Currency: "EUR", TaxMode: "inclusive",
		SellerName: "Łódź Müller Verleih GmbH", SellerAddress: "Ulica Piotrkowska 1\n90-001 Łódź",
		SellerVATID: "PL1234567890", SellerBank: "IBAN PL61 1090 1014 0000 0712 1981 2874",
		Note: "Zahlbar bei Abholung – danke schön!", Net: 11247, Tax: 1997, Total: 13244,
		Lines: []store.InvoiceLine{
			{Position: 1, Description: "Łódź Müller lamp", Quantity: 3, UnitPrice: 3998, TaxRateBP: 1900, Net: 10079, Tax: 1915, Total: 11994},
			{Position: 2, Description: "Übersetzung guide", Quantity: 1, UnitPrice: 1250, TaxRateBP: 700, Net: 1168, Tax: 82, Total: 1250},
		},
	}
}

// longInvoice is a credit note of three pages in Greek and Cyrillic too.
func longInvoice() store.Invoice {
	in := benchInvoice()
	in.Kind = store.CreditNoteKind
	credits := "RD-2026-00041"
	in.CreditsNumber = &credits
	in.Reason = "Возврат — επιστροφή ‰ №5"
	in.TaxMode = "exclusive"
	in.Lines = nil
	for i := range 90 {
		in.Lines = append(in.Lines, store.InvoiceLine{Position: i + 1, Description: fmt.Sprintf("Прокат %d · Ενοικίαση ½ Ž ø", i),
			Quantity: i%4 + 1, UnitPrice: int64(100 * i), TaxRateBP: 2300, Net: int64(-100 * i), Tax: int64(-23 * i), Total: int64(-123 * i)})
	}
	return in
}

func BenchmarkPDF(b *testing.B) {
	in := benchInvoice()
	b.ReportAllocs()
	for b.Loop() {
		if err := invoice.PDF(io.Discard, in); err != nil {
			b.Fatal(err)
		}
	}
}

// The documents' bytes are those fpdf v0.12.0 wrote before its fonts were
// parsed once per process (testdata/*-v0.12.0.pdf, written by
// AddUTF8FontFromBytes for each document): the shared parse changes nothing
// in the output, also when many documents are written at once.
func TestPDFBytesMatchUnsharedFonts(t *testing.T) {
	docs := []struct {
		golden string
		in     store.Invoice
	}{
		{"testdata/invoice-v0.12.0.pdf", benchInvoice()},
		{"testdata/credit-note-long-v0.12.0.pdf", longInvoice()},
	}
	want := make([][]byte, len(docs))
	for i, d := range docs {
		b, err := os.ReadFile(d.golden)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = b
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8*len(docs))
	for range 8 {
		for i, d := range docs {
			wg.Go(func() {
				var b bytes.Buffer
				if err := invoice.PDF(&b, d.in); err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(b.Bytes(), want[i]) {
					errs <- fmt.Errorf("%s: the PDF differs (%d bytes, want %d)", d.golden, b.Len(), len(want[i]))
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
