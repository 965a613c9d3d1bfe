package invoice_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/invoice"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// shop is a fresh database with one location and an engine whose online
// checkout leaves holds waiting, so tests confirm them when they choose.
type shop struct {
	t    *testing.T
	ctx  context.Context
	st   *store.Store
	eng  *booking.Engine
	loc  int64
	fail *failOn
	seq  atomic.Int64
}

// waitForPayment leaves a customer's hold waiting, as online payment does.
type waitForPayment struct{}

func (waitForPayment) Begin(context.Context, *store.Store, store.Booking, store.Settings) (booking.PaymentOutcome, error) {
	return booking.PaymentOutcome{}, nil
}

// failOn makes the confirmation of chosen bookings fail after the invoice
// was written (where the confirmation mail is queued), so the whole
// confirming transaction rolls back, as any late failure would.
type failOn struct {
	mu  sync.Mutex
	ids map[int64]bool
}

var errLate = errors.New("late failure in the confirming transaction")

func (f *failOn) BookingConfirmed(_ context.Context, _ *store.Store, b store.Booking, _ bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ids[b.ID] {
		return errLate
	}
	return nil
}
func (f *failOn) BookingCancelled(context.Context, *store.Store, int64, string) error { return nil }
func (f *failOn) HoldsExpired(context.Context, *store.Store, []int64) error           { return nil }

// start is a Monday well ahead, 10:00 in Berlin.
var start = time.Date(2031, 3, 3, 9, 0, 0, 0, time.UTC)

func newShop(t *testing.T) *shop {
	t.Helper()
	st, _ := testenv.Store(t)
	s := &shop{t: t, ctx: context.Background(), st: st, fail: &failOn{ids: map[int64]bool{}}}
	s.eng = booking.New(st, func() time.Time { return start.Add(-7 * 24 * time.Hour) }, booking.Pricing{}).
		WithPayment(waitForPayment{}).WithNotifier(s.fail)
	s.exec(`UPDATE shop_settings SET tax_mode = 'inclusive', tax_rate_bp = 1900, reduced_tax_rate_bp = 700,
		invoice_prefix = 'INV', credit_note_prefix = 'CN', legal_name = 'Łódź Müller Verleih GmbH',
		time_zone = 'Europe/Berlin'`)
	s.loc = s.id(`INSERT INTO locations (name, slug, time_zone) VALUES ('Łódź', 'lodz', 'Europe/Berlin') RETURNING id`)
	return s
}

func (s *shop) exec(q string, args ...any) {
	s.t.Helper()
	if _, err := s.st.DB().ExecContext(s.ctx, q, args...); err != nil {
		s.t.Fatalf("%s: %v", q, err)
	}
}

func (s *shop) id(q string, args ...any) int64 {
	s.t.Helper()
	var id int64
	if err := s.st.DB().QueryRowContext(s.ctx, q, args...).Scan(&id); err != nil {
		s.t.Fatalf("%s: %v", q, err)
	}
	return id
}

// bulkItem makes an item with plenty of stock at a day rate and tax category.
func (s *shop) bulkItem(name string, rateDay int64, category string) int64 {
	id := s.id(`INSERT INTO items (name, slug, tracking, rate_day, tax_category) VALUES ($1, $2, 'bulk', $3, $4) RETURNING id`,
		name, fmt.Sprintf("item-%d", s.seq.Add(1)), rateDay, category)
	s.exec(`INSERT INTO bulk_stock (item_id, location_id, quantity) VALUES ($1, $2, 1000)`, id, s.loc)
	return id
}

func (s *shop) customer(name string) int64 {
	return s.id(`INSERT INTO users (email, name, password_hash) VALUES ($1, $2, 'x') RETURNING id`,
		fmt.Sprintf("c%d@example.com", s.seq.Add(1)), name)
}

// hold books lines as a customer's online checkout: a hold awaiting payment.
func (s *shop) hold(customer int64, lines ...booking.LineRequest) int64 {
	s.t.Helper()
	r, err := s.eng.Book(s.ctx, booking.Request{CustomerID: customer, LocationID: s.loc, Lines: lines,
		Actor: booking.Actor{UserID: customer}, Online: true})
	if err != nil {
		s.t.Fatalf("book: %v", err)
	}
	return r.BookingID
}

func line(item int64, qty, days int) booking.LineRequest {
	return booking.LineRequest{ItemID: item, Quantity: qty, Start: start, End: start.Add(time.Duration(days) * 24 * time.Hour)}
}

func (s *shop) invoices(bookingID int64) []store.Invoice {
	s.t.Helper()
	docs, err := s.st.ListBookingInvoices(s.ctx, bookingID)
	if err != nil {
		s.t.Fatal(err)
	}
	return docs
}

// 20 confirmations at once, 4 of which roll back after their invoice was
// written: the 16 that commit carry numbers 1…16 with no gap and no
// duplicate, and the rolled-back ones left neither invoice nor number.
func TestIssueGaplessUnderConcurrency(t *testing.T) {
	s := newShop(t)
	item := s.bulkItem("Łódź Müller lamp", 1000, "standard")
	cust := s.customer("Łódź Müller")
	ids := make([]int64, 20)
	for i := range ids {
		ids[i] = s.hold(cust, line(item, 1, 1))
		if i%5 == 2 {
			s.fail.ids[ids[i]] = true
		}
	}
	errs := make([]error, len(ids))
	testenv.Together(t, len(ids), 2*time.Minute, func(i int) {
		errs[i] = s.eng.Confirm(s.ctx, ids[i], booking.Actor{})
	})
	year := time.Now().In(mustZone(t, "Europe/Berlin")).Year()
	seen := map[int]int64{}
	for i, id := range ids {
		docs := s.invoices(id)
		if s.fail.ids[id] {
			if !errors.Is(errs[i], errLate) || len(docs) != 0 {
				t.Errorf("rolled-back booking %d: err %v, %d invoices", id, errs[i], len(docs))
			}
			continue
		}
		if errs[i] != nil || len(docs) != 1 {
			t.Fatalf("booking %d: err %v, %d invoices", id, errs[i], len(docs))
		}
		in := docs[0]
		if prev, dup := seen[in.Seq]; dup {
			t.Errorf("number %d given to bookings %d and %d", in.Seq, prev, id)
		}
		seen[in.Seq] = id
		if in.Number != invoice.Number("INV", year, in.Seq) || in.Year != year || in.Series != "INV" {
			t.Errorf("invoice %+v", in)
		}
	}
	for n := 1; n <= 16; n++ {
		if _, ok := seen[n]; !ok {
			t.Errorf("number %d is missing (a gap): %v", n, seen)
		}
	}
	if len(seen) != 16 {
		t.Errorf("%d invoices, want 16", len(seen))
	}
	if last := s.id(`SELECT last_number FROM invoice_counters WHERE series = 'INV'`); last != 16 {
		t.Errorf("counter at %d, want 16", last)
	}
	// The next one continues the series.
	s.fail.ids = map[int64]bool{}
	next := s.hold(cust, line(item, 1, 1))
	if err := s.eng.Confirm(s.ctx, next, booking.Actor{}); err != nil {
		t.Fatal(err)
	}
	if docs := s.invoices(next); len(docs) != 1 || docs[0].Seq != 17 {
		t.Errorf("next invoice: %+v", docs)
	}
}

// A confirmation's invoice takes its number when the confirming
// transaction commits: until then the series' counter is free, so another
// confirmation commits meanwhile without waiting for it, takes the next
// number, and the later commit the one after; no gap, no duplicate.
func TestConfirmationNumbersItsInvoiceAtCommit(t *testing.T) {
	s := newShop(t)
	item := s.bulkItem("Łódź Müller lamp", 1000, "standard")
	cust := s.customer("Łódź Müller")
	first, open, other := s.hold(cust, line(item, 1, 1)), s.hold(cust, line(item, 1, 1)), s.hold(cust, line(item, 1, 1))
	if err := s.eng.Confirm(s.ctx, first, booking.Actor{}); err != nil {
		t.Fatal(err)
	}
	err := s.st.WithTx(s.ctx, func(tx *store.Store) error {
		if err := s.eng.ConfirmTx(s.ctx, tx, open, booking.Actor{}); err != nil {
			return err
		}
		var last int
		if err := s.st.DB().QueryRowContext(s.ctx,
			`SELECT last_number FROM invoice_counters WHERE series = 'INV' FOR UPDATE NOWAIT`).Scan(&last); err != nil {
			return fmt.Errorf("the counter is locked by a confirmation not yet committed: %w", err)
		}
		return s.eng.Confirm(s.ctx, other, booking.Actor{})
	})
	if err != nil {
		t.Fatal(err)
	}
	year := time.Now().In(mustZone(t, "Europe/Berlin")).Year()
	for id, seq := range map[int64]int{first: 1, other: 2, open: 3} {
		docs := s.invoices(id)
		if len(docs) != 1 {
			t.Fatalf("booking %d: %d invoices", id, len(docs))
		}
		in := docs[0]
		if in.Seq != seq || in.Year != year || in.Number != invoice.Number("INV", year, seq) || in.IssueDate.IsZero() || in.IssuedAt.IsZero() {
			t.Errorf("booking %d: invoice %s (seq %d, year %d, issued %v on %v), want seq %d", id, in.Number, in.Seq, in.Year, in.IssuedAt, in.IssueDate, seq)
		}
	}
	if last := s.id(`SELECT last_number FROM invoice_counters WHERE series = 'INV'`); last != 3 {
		t.Errorf("counter at %d, want 3", last)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// An invoice's lines and tax per rate come from the booking's price
// breakdown; totals match the booking to the cent; Issue is idempotent.
func TestIssueLinesTaxAndTotals(t *testing.T) {
	s := newShop(t)
	lamp := s.bulkItem("Łódź Müller lamp", 1999, "standard") // 19 %
	book := s.bulkItem("Guide book", 1250, "reduced")        // 7 %
	free := s.bulkItem("Cable", 300, "zero")
	cust := s.customer("Łódź Müller")
	id := s.hold(cust, line(lamp, 3, 2), line(book, 1, 1), line(free, 2, 1))
	if err := s.eng.Confirm(s.ctx, id, booking.Actor{}); err != nil {
		t.Fatal(err)
	}
	b, err := s.st.GetBooking(s.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	docs := s.invoices(id)
	if len(docs) != 1 {
		t.Fatalf("%d invoices", len(docs))
	}
	in, err := s.st.GetInvoice(s.ctx, docs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	// 3 lamps × 2 days × 19.99 = 119.94 gross, tax 119.94 × 19/119 = 19.15;
	// the book 12.50 gross, tax 0.82; the cables 6.00 untaxed.
	want := []struct {
		rate              int
		qty               int
		net, tax, total   int64
		descriptionPrefix string
	}{
		{1900, 3, 10079, 1915, 11994, "Łódź Müller lamp · Mon 3 Mar 2031, 10:00 – Wed 5 Mar 2031, 10:00 (2 days)"},
		{700, 1, 1168, 82, 1250, "Guide book · Mon 3 Mar 2031, 10:00 – Tue 4 Mar 2031, 10:00 (1 day)"},
		{0, 2, 600, 0, 600, "Cable"},
	}
	if len(in.Lines) != len(want) {
		t.Fatalf("lines: %+v", in.Lines)
	}
	for i, w := range want {
		l := in.Lines[i]
		if l.TaxRateBP != w.rate || l.Quantity != w.qty || l.Net != w.net || l.Tax != w.tax || l.Total != w.total ||
			!strings.HasPrefix(l.Description, w.descriptionPrefix) {
			t.Errorf("line %d: %+v, want %+v", i, l, w)
		}
	}
	if in.Total != b.Total || in.Tax != b.Tax || in.Total != 13844 || in.Tax != 1997 || in.Net != 11847 {
		t.Errorf("totals net %d tax %d total %d; booking tax %d total %d", in.Net, in.Tax, in.Total, b.Tax, b.Total)
	}
	rates := invoice.TaxByRate(in.Lines)
	if len(rates) != 3 || rates[0] != (invoice.RateTotal{RateBP: 1900, Net: 10079, Tax: 1915, Total: 11994}) ||
		rates[1] != (invoice.RateTotal{RateBP: 700, Net: 1168, Tax: 82, Total: 1250}) {
		t.Errorf("tax by rate: %+v", rates)
	}
	if in.SellerName != "Łódź Müller Verleih GmbH" || in.BuyerName != "Łódź Müller" || in.BookingNumber != b.Number ||
		in.Currency != "EUR" || in.TaxMode != "inclusive" || in.TimeZone != "Europe/Berlin" {
		t.Errorf("header: %+v", in)
	}
	today := time.Now().In(mustZone(t, "Europe/Berlin"))
	if in.IssueDate.Format(time.DateOnly) != today.Format(time.DateOnly) &&
		in.IssueDate.Format(time.DateOnly) != today.Add(-time.Minute).Format(time.DateOnly) {
		t.Errorf("issue date %s, today in Berlin %s", in.IssueDate.Format(time.DateOnly), today.Format(time.DateOnly))
	}
	err = s.st.WithTx(s.ctx, func(tx *store.Store) error {
		again, err := invoice.Issue(s.ctx, tx, id)
		if err == nil && again.ID != in.ID {
			err = fmt.Errorf("issued again: %s after %s", again.Number, in.Number)
		}
		return err
	})
	if err != nil || len(s.invoices(id)) != 1 {
		t.Errorf("second Issue: %v, %d invoices", err, len(s.invoices(id)))
	}
	// Confirming again is a no-op too.
	if err := s.eng.Confirm(s.ctx, id, booking.Actor{}); err != nil || len(s.invoices(id)) != 1 {
		t.Errorf("confirm again: %v, %d invoices", err, len(s.invoices(id)))
	}
}

// Holds are not invoiced.
func TestIssueRefusesUnconfirmed(t *testing.T) {
	s := newShop(t)
	id := s.hold(s.customer("A"), line(s.bulkItem("Lamp", 1000, "standard"), 1, 1))
	err := s.st.WithTx(s.ctx, func(tx *store.Store) error {
		_, err := invoice.Issue(s.ctx, tx, id)
		return err
	})
	if !errors.Is(err, invoice.ErrNotConfirmed) || len(s.invoices(id)) != 0 {
		t.Errorf("issue on a hold: %v", err)
	}
}

// The database itself refuses to change or remove an issued invoice, by
// any statement, and the invoice stays as issued.
func TestIssuedInvoiceIsImmutable(t *testing.T) {
	s := newShop(t)
	id := s.hold(s.customer("A"), line(s.bulkItem("Lamp", 1000, "standard"), 1, 1))
	if err := s.eng.Confirm(s.ctx, id, booking.Actor{}); err != nil {
		t.Fatal(err)
	}
	in := s.invoices(id)[0]
	for _, q := range []string{
		`UPDATE invoices SET total = 1, net = 1, tax = 0 WHERE id = $1`,
		`UPDATE invoices SET number = 'INV-FORGED' WHERE id = $1`,
		`DELETE FROM invoices WHERE id = $1`,
		`UPDATE invoice_lines SET total = 1, net = 1, tax = 0 WHERE invoice_id = $1`,
		`DELETE FROM invoice_lines WHERE invoice_id = $1`,
		`TRUNCATE invoice_lines, invoices`,
	} {
		var err error
		if strings.Contains(q, "$1") {
			_, err = s.st.DB().ExecContext(s.ctx, q, in.ID)
		} else {
			_, err = s.st.DB().ExecContext(s.ctx, q)
		}
		if err == nil || !strings.Contains(err.Error(), "issued invoices cannot be changed") {
			t.Errorf("%s: %v", q, err)
		}
	}
	after, err := s.st.GetInvoice(s.ctx, in.ID)
	if err != nil || after.Number != in.Number || after.Total != in.Total || len(after.Lines) != 1 || after.Lines[0].Total != in.Total {
		t.Errorf("after the attempts: %+v %v", after, err)
	}
}

// Credit notes: their own series, partial credits split over the rates,
// never more than is left, and a cancellation credits exactly the rest.
func TestCreditNotes(t *testing.T) {
	s := newShop(t)
	lamp := s.bulkItem("Lamp", 1999, "standard")
	book := s.bulkItem("Guide book", 1250, "reduced")
	cust := s.customer("Łódź Müller")
	id := s.hold(cust, line(lamp, 3, 2), line(book, 1, 1))
	credit := func(amount int64) (store.Invoice, error) {
		var cn store.Invoice
		err := s.st.WithTx(s.ctx, func(tx *store.Store) error {
			var err error
			cn, err = invoice.CreditNote(s.ctx, tx, id, amount, "Goodwill")
			return err
		})
		return cn, err
	}
	if _, err := credit(100); !errors.Is(err, invoice.ErrNotInvoiced) {
		t.Errorf("credit before invoicing: %v", err)
	}
	if err := s.eng.Confirm(s.ctx, id, booking.Actor{}); err != nil {
		t.Fatal(err)
	}
	inv := s.invoices(id)[0] // 119.94 at 19 % + 12.50 at 7 % = 132.44
	cn1, err := credit(1000)
	if err != nil {
		t.Fatal(err)
	}
	year := inv.Year
	// 10.00 split 11994 : 1250 → 9.06 and 0.94 (largest remainder).
	if cn1.Number != invoice.Number("CN", year, 1) || cn1.Kind != store.CreditNoteKind || cn1.CreditsNumber == nil ||
		*cn1.CreditsNumber != inv.Number || cn1.Total != -1000 || len(cn1.Lines) != 2 ||
		cn1.Lines[0] != (store.InvoiceLine{InvoiceID: cn1.ID, Position: 1, Description: "Credit: Goodwill (19%)", Quantity: 1, UnitPrice: -906, TaxRateBP: 1900, Net: -761, Tax: -145, Total: -906}) ||
		cn1.Lines[1] != (store.InvoiceLine{InvoiceID: cn1.ID, Position: 2, Description: "Credit: Goodwill (7%)", Quantity: 1, UnitPrice: -94, TaxRateBP: 700, Net: -88, Tax: -6, Total: -94}) {
		t.Errorf("first credit note: %+v lines %+v", cn1, cn1.Lines)
	}
	// What a document is answered with is what was stored (it is built, not
	// read back, while the counter row is locked).
	if stored, err := s.st.GetInvoice(s.ctx, cn1.ID); err != nil || !sameDocument(stored, cn1) {
		t.Errorf("credit note answered %+v %+v, stored %+v %+v (%v)", cn1, cn1.Lines, stored, stored.Lines, err)
	}
	if _, err := credit(13244 - 1000 + 1); !errors.Is(err, invoice.ErrOverCredit) {
		t.Errorf("credit above what is left: %v", err)
	}
	if _, err := credit(0); !errors.Is(err, invoice.ErrOverCredit) {
		t.Errorf("credit of zero: %v", err)
	}
	if err := s.eng.Cancel(s.ctx, id, 0, booking.Actor{}); err != nil {
		t.Fatal(err)
	}
	docs := s.invoices(id)
	if len(docs) != 3 {
		t.Fatalf("documents: %+v", docs)
	}
	cn2, err := s.st.GetInvoice(s.ctx, docs[2].ID)
	if err != nil {
		t.Fatal(err)
	}
	if cn2.Number != invoice.Number("CN", year, 2) || cn2.Total != -12244 || !strings.Contains(cn2.Reason, "cancelled") {
		t.Errorf("cancellation credit note: %+v", cn2)
	}
	// Invoice plus credit notes come to zero, per rate, to the cent.
	full, _ := s.st.GetInvoice(s.ctx, inv.ID)
	all := append(append(append([]store.InvoiceLine{}, full.Lines...), cn1.Lines...), cn2.Lines...)
	for _, r := range invoice.TaxByRate(all) {
		if r.Net != 0 || r.Tax != 0 || r.Total != 0 {
			t.Errorf("rate %d left over: %+v", r.RateBP, r)
		}
	}
	if _, err := credit(1); !errors.Is(err, invoice.ErrNotInvoiced) {
		t.Errorf("credit after full credit: %v", err)
	}
}

// A cancellation with nothing credited yet mirrors the invoice's lines; a
// booking confirmed again after that gets a new invoice.
func TestCancelMirrorsInvoiceAndReconfirmIssuesAgain(t *testing.T) {
	s := newShop(t)
	id := s.hold(s.customer("A"), line(s.bulkItem("Lamp", 1999, "standard"), 2, 1))
	if err := s.eng.Confirm(s.ctx, id, booking.Actor{}); err != nil {
		t.Fatal(err)
	}
	if err := s.eng.Cancel(s.ctx, id, 0, booking.Actor{}); err != nil {
		t.Fatal(err)
	}
	docs := s.invoices(id)
	if len(docs) != 2 {
		t.Fatalf("documents: %+v", docs)
	}
	inv, _ := s.st.GetInvoice(s.ctx, docs[0].ID)
	cn, _ := s.st.GetInvoice(s.ctx, docs[1].ID)
	if len(cn.Lines) != 1 || cn.Lines[0].Description != inv.Lines[0].Description || cn.Lines[0].Total != -inv.Lines[0].Total ||
		cn.Lines[0].Tax != -inv.Lines[0].Tax || cn.Lines[0].UnitPrice != -inv.Lines[0].UnitPrice {
		t.Errorf("mirror: %+v of %+v", cn.Lines, inv.Lines)
	}
	if err := s.eng.Confirm(s.ctx, id, booking.Actor{}); err != nil {
		t.Fatal(err)
	}
	docs = s.invoices(id)
	if len(docs) != 3 || docs[2].Kind != store.InvoiceKind || docs[2].Seq != 2 || docs[2].Total != inv.Total {
		t.Errorf("after confirming again: %+v", docs)
	}
}

// Extending an invoiced booking credits the old invoice in full and issues a
// new one at the new price; an unchanged booking keeps its invoice.
func TestExtensionReissuesInvoice(t *testing.T) {
	s := newShop(t)
	item := s.bulkItem("Lamp", 1000, "standard")
	id := s.hold(s.customer("A"), line(item, 1, 1))
	if err := s.eng.Confirm(s.ctx, id, booking.Actor{}); err != nil {
		t.Fatal(err)
	}
	b, _ := s.st.GetBooking(s.ctx, id)
	err := s.st.WithTx(s.ctx, func(tx *store.Store) error {
		_, changed, err := invoice.Reissue(s.ctx, tx, id, "unchanged")
		if err == nil && changed {
			err = errors.New("reissued an unchanged booking")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	l := b.Lines[0]
	if err := s.eng.ChangeLinePeriod(s.ctx, booking.PeriodChange{BookingID: id, LineID: l.ID, Start: l.StartsAt,
		End: l.EndsAt.Add(48 * time.Hour), Actor: booking.Actor{}}); err != nil {
		t.Fatal(err)
	}
	docs := s.invoices(id)
	if len(docs) != 3 || docs[0].Total != 1000 || docs[1].Kind != store.CreditNoteKind || docs[1].Total != -1000 ||
		docs[2].Kind != store.InvoiceKind || docs[2].Total != 3000 || docs[2].Seq != 2 {
		t.Fatalf("documents after the extension: %+v", docs)
	}
	if b, _ = s.st.GetBooking(s.ctx, id); b.Total != docs[2].Total {
		t.Errorf("booking total %d, invoice %d", b.Total, docs[2].Total)
	}
}

// sameDocument compares two documents field by field (instants by Equal).
func sameDocument(a, b store.Invoice) bool {
	if !a.IssuedAt.Equal(b.IssuedAt) || !a.IssueDate.Equal(b.IssueDate) || !slices.Equal(a.Lines, b.Lines) {
		return false
	}
	a.IssuedAt, a.IssueDate, a.Lines = b.IssuedAt, b.IssueDate, b.Lines
	return reflect.DeepEqual(a, b)
}
