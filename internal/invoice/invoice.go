// Package invoice issues invoices and credit notes: gapless numbers per
// series and year, lines and tax per rate taken from the booking's price
// breakdown, documents that never change once issued (the database refuses
// it), and their printed forms (page and PDF).
//
// Everything here runs inside the caller's transaction: an invoice is issued
// in the same transaction that confirms its booking, and a credit note in the
// one that refunds or cancels it, so a rollback takes the document and its
// number back together.
package invoice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Errors a caller may want to tell apart.
var (
	// ErrNotInvoiced: the booking has no open invoice, so there is nothing
	// to credit (a refund of a booking that was never invoiced).
	ErrNotInvoiced = errors.New("invoice: booking has no invoice to credit")
	// ErrOverCredit: the credit asked for is more than the invoice has left.
	ErrOverCredit = errors.New("invoice: credit exceeds what is left of the invoice")
	// ErrNotConfirmed: only confirmed (or later) bookings are invoiced.
	ErrNotConfirmed = errors.New("invoice: booking is not confirmed")
)

// invoiced lists the booking statuses that carry an invoice.
var invoiced = map[string]bool{store.BookingConfirmed: true, store.BookingOut: true,
	store.BookingReturned: true, store.BookingClosed: true}

// Issue issues the invoice of a confirmed booking inside tx and returns it.
// It is idempotent: when the booking already has an invoice that is not
// fully credited, that invoice is returned and nothing is written. The
// booking row is locked first, so two transactions cannot both issue one.
func Issue(ctx context.Context, tx *store.Store, bookingID int64) (store.Invoice, error) {
	b, err := tx.LockBooking(ctx, bookingID)
	if err != nil {
		return store.Invoice{}, err
	}
	return IssueLocked(ctx, tx, b)
}

// IssueLocked is Issue for a caller that already holds the booking's row
// locked in tx (it created or locked it there) and passes the booking as it
// stands now, with its lines: confirming a booking, which has just read it,
// need not read and lock it a second time.
func IssueLocked(ctx context.Context, tx *store.Store, b store.Booking) (store.Invoice, error) {
	if open, ok, err := openInvoice(ctx, tx, b.ID); err != nil || ok {
		return open.Invoice, err
	}
	return IssueNew(ctx, tx, b)
}

// IssueNew is IssueLocked for a booking created in tx, which cannot have an
// invoice yet: it issues without looking for one (a statement less while
// the booking's units are locked).
func IssueNew(ctx context.Context, tx *store.Store, b store.Booking) (store.Invoice, error) {
	in, err := draft(ctx, tx, b)
	if err != nil {
		return store.Invoice{}, err
	}
	return tx.IssueInvoice(ctx, in)
}

// IssueAtCommit is IssueLocked (IssueNew when fresh says b was created in
// tx) for a confirmation, which needs its invoice issued with it but not
// its number: the invoice is written now and numbered when tx commits
// (store.IssueInvoiceAtCommit), so the series' counter is locked only for
// the commit, not for the rest of the confirming transaction. Nothing in tx
// may read the invoice back after it.
func IssueAtCommit(ctx context.Context, tx *store.Store, b store.Booking, fresh bool) error {
	if !fresh {
		if _, ok, err := openInvoice(ctx, tx, b.ID); err != nil || ok {
			return err
		}
	}
	in, err := draft(ctx, tx, b)
	if err != nil {
		return err
	}
	_, err = tx.IssueInvoiceAtCommit(ctx, in)
	return err
}

// draft is the invoice of a confirmed booking, complete but for its number.
func draft(ctx context.Context, tx *store.Store, b store.Booking) (store.Invoice, error) {
	if !invoiced[b.Status] {
		return store.Invoice{}, fmt.Errorf("%w: %s is %s", ErrNotConfirmed, b.Number, b.Status)
	}
	st, err := tx.GetSettings(ctx)
	if err != nil {
		return store.Invoice{}, err
	}
	lines, err := linesOf(ctx, tx, b, st)
	if err != nil {
		return store.Invoice{}, err
	}
	in := header(b, st, store.InvoiceKind)
	in.Series = st.InvoicePrefix
	in.Lines = lines
	in.Net, in.Tax, in.Total = sum(lines)
	return in, nil
}

// CreditNote credits amount (gross, in minor units, positive) of a
// booking's open invoice with a credit note in its own series, inside tx.
// A credit of everything left mirrors the invoice's lines; a partial credit
// is split over the invoice's tax rates in proportion to what is left of
// each. It returns ErrNotInvoiced when there is no invoice to credit and
// ErrOverCredit when amount is more than what is left.
func CreditNote(ctx context.Context, tx *store.Store, bookingID, amount int64, reason string) (store.Invoice, error) {
	b, err := tx.LockBooking(ctx, bookingID)
	if err != nil {
		return store.Invoice{}, err
	}
	open, ok, err := openInvoice(ctx, tx, bookingID)
	if err != nil {
		return store.Invoice{}, err
	}
	if !ok {
		return store.Invoice{}, fmt.Errorf("%w: %s", ErrNotInvoiced, b.Number)
	}
	if amount <= 0 || amount > open.left() {
		return store.Invoice{}, fmt.Errorf("%w: %d asked, %d left on %s", ErrOverCredit, amount, open.left(), open.Number)
	}
	st, err := tx.GetSettings(ctx)
	if err != nil {
		return store.Invoice{}, err
	}
	in := header(b, st, store.CreditNoteKind)
	// The snapshot of the credited invoice, not of today's settings: a
	// credit note corrects that document.
	in.Currency, in.TaxMode = open.Currency, open.TaxMode
	number := open.Number
	in.CreditsID, in.CreditsNumber, in.Reason = &open.ID, &number, strings.TrimSpace(reason)
	in.Lines = creditLines(open, amount, in.Reason)
	in.Net, in.Tax, in.Total = sum(in.Lines)
	return write(ctx, tx, in, st.CreditNotePrefix)
}

// CreditRest credits whatever is left of a booking's open invoice (a
// cancellation after invoicing). Without an invoice, or with nothing left,
// it does nothing and reports false.
func CreditRest(ctx context.Context, tx *store.Store, bookingID int64, reason string) (store.Invoice, bool, error) {
	open, ok, err := openInvoice(ctx, tx, bookingID)
	if err != nil || !ok || open.left() == 0 {
		return store.Invoice{}, false, err
	}
	cn, err := CreditNote(ctx, tx, bookingID, open.left(), reason)
	return cn, err == nil, err
}

// Reissue brings a booking's invoice up to date after its lines changed
// (an extension re-priced it): when the open invoice no longer matches the
// booking, it is credited in full and a new invoice is issued, both in tx.
// An invoice is never edited. Without an open invoice, or when nothing
// changed, it does nothing and reports false.
func Reissue(ctx context.Context, tx *store.Store, bookingID int64, reason string) (store.Invoice, bool, error) {
	b, err := tx.LockBooking(ctx, bookingID)
	if err != nil {
		return store.Invoice{}, false, err
	}
	open, ok, err := openInvoice(ctx, tx, bookingID)
	if err != nil || !ok || len(open.credits) > 0 || !invoiced[b.Status] {
		// A partly credited invoice has refunds booked against it; those
		// stay as they are rather than being unwound here.
		return store.Invoice{}, false, err
	}
	st, err := tx.GetSettings(ctx)
	if err != nil {
		return store.Invoice{}, false, err
	}
	lines, err := linesOf(ctx, tx, b, st)
	if err != nil {
		return store.Invoice{}, false, err
	}
	if sameLines(lines, open.Lines) {
		return store.Invoice{}, false, nil
	}
	if _, err := CreditNote(ctx, tx, bookingID, open.left(), reason); err != nil {
		return store.Invoice{}, false, err
	}
	in, err := Issue(ctx, tx, bookingID)
	return in, err == nil, err
}

func sameLines(a, b []store.InvoiceLine) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Description != y.Description || x.Quantity != y.Quantity || x.UnitPrice != y.UnitPrice ||
			x.TaxRateBP != y.TaxRateBP || x.Net != y.Net || x.Tax != y.Tax || x.Total != y.Total {
			return false
		}
	}
	return true
}

// openDoc is an invoice with the credit notes issued against it so far.
type openDoc struct {
	store.Invoice
	credits []store.Invoice
}

// left is the gross amount not yet credited.
func (o openDoc) left() int64 {
	n := o.Total
	for _, c := range o.credits {
		n += c.Total // credit notes are negative
	}
	return n
}

// openInvoice finds a booking's latest invoice that is not fully credited
// (a cancelled booking confirmed again gets a new invoice). An invoice of
// zero with no credit note is open.
func openInvoice(ctx context.Context, tx *store.Store, bookingID int64) (openDoc, bool, error) {
	docs, err := tx.ListBookingInvoices(ctx, bookingID)
	if err != nil {
		return openDoc{}, false, err
	}
	for i := len(docs) - 1; i >= 0; i-- {
		if docs[i].Kind != store.InvoiceKind {
			continue
		}
		o := openDoc{Invoice: docs[i]}
		for _, d := range docs {
			if d.CreditsID != nil && *d.CreditsID == o.ID {
				o.credits = append(o.credits, d)
			}
		}
		if len(o.credits) > 0 && o.left() <= 0 {
			return openDoc{}, false, nil
		}
		full, err := tx.GetInvoice(ctx, o.ID)
		if err != nil {
			return openDoc{}, false, err
		}
		o.Invoice = full
		for j, c := range o.credits {
			if o.credits[j], err = tx.GetInvoice(ctx, c.ID); err != nil {
				return openDoc{}, false, err
			}
		}
		return o, true, nil
	}
	return openDoc{}, false, nil
}

// header fills what every document says about seller and buyer.
func header(b store.Booking, st store.Settings, kind string) store.Invoice {
	seller := st.LegalName
	if seller == "" {
		seller = st.ShopName
	}
	mode := st.TaxMode
	if mode != "exclusive" {
		mode = "inclusive"
	}
	return store.Invoice{Kind: kind, BookingID: b.ID, BookingNumber: b.Number, CustomerID: b.CustomerID,
		BuyerName: b.CustomerName, BuyerEmail: b.CustomerEmail, Currency: b.Currency, TaxMode: mode,
		SellerName: seller, SellerAddress: st.LegalAddress, SellerVATID: st.VATID,
		SellerRegistration: st.RegistrationNumber, SellerEmail: st.ContactEmail, SellerPhone: st.ContactPhone,
		SellerBank: st.BankDetails, Note: st.InvoiceNote, TimeZone: zoneName(st.TimeZone)}
}

// write numbers a document and stores it. The document is complete before
// its number is taken: from then on the counter row is locked and every
// other issuer of the shop waits for this transaction to end, so all that
// is left inside the lock is one statement (number, document and lines) and
// the commit (the caller must not do slow work after it). The year and the
// issue instant are the database's clock's (store.IssueInvoice), so
// instances agree and numbers and issue times run in the same order; the
// document as written comes back numbered (not read back: that would be two
// more round trips inside the lock).
func write(ctx context.Context, tx *store.Store, in store.Invoice, series string) (store.Invoice, error) {
	in.Series = series
	return tx.IssueInvoice(ctx, in)
}

// Number formats a document number: series, year and a zero-padded count,
// e.g. INV-2026-00042.
func Number(series string, year, seq int) string {
	return fmt.Sprintf("%s-%d-%05d", series, year, seq)
}

func zoneName(z string) string {
	if _, err := time.LoadLocation(z); err != nil || z == "" || z == "Local" {
		return "UTC"
	}
	return z
}

// breakdown is the part of a booking line's stored price breakdown an
// invoice reads (written by the booking package's pricing).
type breakdown struct {
	Lines []struct {
		Label string `json:"label"`
	} `json:"lines"`
	Tax     int64  `json:"tax"`
	Due     int64  `json:"due"`
	TaxRate *int64 `json:"tax_rate_bp"`
}

// linesOf turns the booking's lines into invoice lines: the amounts the
// customer was quoted (the breakdown's tax and due), the period in the
// location's zone, and the rate the tax was computed with.
func linesOf(ctx context.Context, tx *store.Store, b store.Booking, st store.Settings) ([]store.InvoiceLine, error) {
	loc := period.Zone(b.TimeZone)
	out := make([]store.InvoiceLine, 0, len(b.Lines))
	for _, l := range b.Lines {
		var bd breakdown
		_ = json.Unmarshal(l.PriceBreakdown, &bd)
		gross, tax := bd.Due, bd.Tax
		if gross == 0 && tax == 0 {
			gross = l.LineTotal // a breakdown without amounts: untaxed line price
		}
		var rate int
		if bd.TaxRate != nil {
			rate = int(*bd.TaxRate)
		} else if tax != 0 {
			it, err := tx.GetBookableItem(ctx, l.ItemID)
			if err != nil {
				return nil, err
			}
			rate = st.TaxRateFor(it.TaxCategory)
		}
		out = append(out, store.InvoiceLine{Description: describe(l, bd, loc), Quantity: l.Quantity,
			UnitPrice: l.UnitPrice, TaxRateBP: rate, Net: gross - tax, Tax: tax, Total: gross})
	}
	return out, nil
}

// describe reads like "Canon EOS R6 · Mon 3 Mar 2031, 10:00 – Wed 5 Mar 2031,
// 10:00 (2 days)": the period written exactly as the booking's pages and
// emails write it, in the location's zone.
func describe(l store.BookingLine, bd breakdown, loc *time.Location) string {
	s := l.ItemName + " · " + period.FormatRange(period.Period{Start: l.StartsAt, End: l.EndsAt}, loc)
	var labels []string
	for _, pl := range bd.Lines {
		if pl.Label != "" {
			labels = append(labels, pl.Label)
		}
	}
	if len(labels) > 0 {
		s += " (" + strings.Join(labels, " + ") + ")"
	}
	return s
}

func sum(lines []store.InvoiceLine) (net, tax, total int64) {
	for _, l := range lines {
		net, tax, total = net+l.Net, tax+l.Tax, total+l.Total
	}
	return net, tax, total
}
