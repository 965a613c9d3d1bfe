package store

import (
	"context"
	"fmt"
)

// InvoicePDF is what a PDF download needs of a document: whose it is, its
// number (the file's name) and its stored PDF, nil until it is first laid out.
type InvoicePDF struct {
	CustomerID int64  `db:"customer_id"`
	Number     string `db:"number"`
	PDF        []byte `db:"pdf"`
}

const invoicePDFSQL = `
SELECT i.customer_id, i.number, p.pdf
FROM invoices i LEFT JOIN invoice_pdfs p ON p.invoice_id = i.id
WHERE i.id = $1`

// GetInvoicePDF reads a document's owner, number and stored PDF in one
// statement; PDF is nil when the document has none stored yet.
func (s *Store) GetInvoicePDF(ctx context.Context, id int64) (InvoicePDF, error) {
	var out InvoicePDF
	if err := s.prepared().GetContext(ctx, &out, invoicePDFSQL, id); err != nil {
		return InvoicePDF{}, fmt.Errorf("store: invoice pdf %d: %w", id, classify(err))
	}
	return out, nil
}

const storeInvoicePDFSQL = `
INSERT INTO invoice_pdfs (invoice_id, pdf) VALUES ($1, $2)
ON CONFLICT (invoice_id) DO NOTHING`

// StoreInvoicePDF keeps the PDF of an issued document, laid out from it.
// The first one stored stays: two first downloads at once lay out the same
// bytes, and the later one is dropped.
func (s *Store) StoreInvoicePDF(ctx context.Context, id int64, pdf []byte) error {
	if _, err := s.prepared().ExecContext(ctx, storeInvoicePDFSQL, id, pdf); err != nil {
		return fmt.Errorf("store: store invoice pdf %d: %w", id, classify(err))
	}
	return nil
}
