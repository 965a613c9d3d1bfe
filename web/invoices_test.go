package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// pdfToText reads a PDF back with poppler's pdftotext.
func pdfToText(t *testing.T, pdf []byte) string {
	t.Helper()
	cmd := exec.Command(testenv.Require(t, "PDFTOTEXT_BIN"), "-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("pdftotext: %v: %s", err, errb.String())
	}
	return out.String()
}

func (s *shop) exec(q string, args ...any) {
	s.t.Helper()
	if _, err := s.st.DB().ExecContext(context.Background(), q, args...); err != nil {
		s.t.Fatalf("%s: %v", q, err)
	}
}

// A pay-at-pickup checkout confirms at once and issues the invoice: the
// customer finds it from the booking, reads it and downloads its PDF; another
// customer gets 404 on both; staff find it in their list.
func TestInvoiceFromCheckoutToPDF(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	s.exec(`UPDATE shop_settings SET tax_rate_bp = 1900, legal_name = 'Łódź Müller Verleih', time_zone = 'Europe/Berlin'`)
	item := s.item("Łódź lamp", 2)
	a, ua := s.customer("a@example.com")
	s.exec(`UPDATE users SET name = 'Łódź Müller' WHERE id = $1`, ua.ID)
	res := a.bookOne(s.loc, item, s.local(3, 10), s.local(4, 10)).expectStatus(t, http.StatusSeeOther)
	page := a.get(res.location()).expectStatus(t, http.StatusOK)
	link, ok := page.Doc.Find(`[data-testid="invoices"] a`).Attr("href")
	if !ok {
		t.Fatalf("no invoice link on the booking page:\n%s", page.Body)
	}
	inv := a.get(link).expectStatus(t, http.StatusOK)
	number := strings.TrimSpace(inv.Doc.Find(`[data-testid="invoice-number"]`).Text())
	if !strings.HasPrefix(number, "INV-") || inv.Doc.Find(`[data-testid="invoice-buyer"]`).Text() != "Łódź Müller" ||
		strings.TrimSpace(inv.Doc.Find(`[data-testid="invoice-total"]`).Text()) != "€25.00" ||
		!strings.Contains(inv.Doc.Find(`[data-testid="invoice-totals"]`).Text(), "Tax 19% on €21.01") {
		t.Errorf("invoice page: number %q\n%s", number, inv.Doc.Find(`[data-testid="invoice"]`).Text())
	}
	pdf := a.get(link+"/pdf").expectStatus(t, http.StatusOK)
	if pdf.Header.Get("Content-Type") != "application/pdf" ||
		pdf.Header.Get("Content-Disposition") != `attachment; filename="`+number+`.pdf"` ||
		!strings.Contains(pdf.Header.Get("Cache-Control"), "no-store") {
		t.Errorf("PDF headers: %v", pdf.Header)
	}
	text := pdfToText(t, []byte(pdf.Body))
	for _, want := range []string{number, "Łódź Müller Verleih", "Łódź Müller", "Łódź lamp", "€25.00", "€3.99"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, text)
		}
	}

	b, _ := s.customer("b@example.com")
	b.get(link).expectStatus(t, http.StatusNotFound)
	b.get(link+"/pdf").expectStatus(t, http.StatusNotFound)
	if strings.Contains(b.get("/bookings").Body, number) {
		t.Error("customer B's bookings mention A's invoice")
	}

	s.createUser("staff", "staff@example.com", authzPassword)
	staff := s.client()
	staff.login("staff@example.com", authzPassword)
	list := staff.get("/staff/invoices").expectStatus(t, http.StatusOK)
	row := list.Doc.Find(`[data-testid="row-` + number + `"]`)
	href, _ := row.Find("a").Attr("href")
	if row.Length() != 1 || !strings.Contains(row.Text(), "Łódź Müller") {
		t.Fatalf("staff list:\n%s", list.Doc.Find("main").Text())
	}
	staff.get(href).expectStatus(t, http.StatusOK)
	staff.get(href+"/pdf").expectStatus(t, http.StatusOK)
	staff.get(strings.Replace(href, "/staff", "", 1)).expectStatus(t, http.StatusNotFound)
}

// Staff confirming a hold issues its invoice; staff cancelling it
// afterwards issues a credit note; the CSV export lists both per tax rate,
// and its period filter works.
func TestStaffConfirmCancelAndInvoiceCSV(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	s.exec(`UPDATE shop_settings SET tax_rate_bp = 1900, reduced_tax_rate_bp = 700`)
	item := s.item("Lamp", 1)
	_, u := s.customer("=cmd@example.com")
	s.exec(`UPDATE users SET name = '=HYPERLINK("x")' WHERE id = $1`, u.ID)
	s.srv.Booking.WithPayment(holdPayment{})
	res, err := s.srv.Booking.Book(context.Background(), booking.Request{CustomerID: u.ID, LocationID: s.loc, Online: true,
		Actor: booking.Actor{UserID: u.ID}, Lines: []booking.LineRequest{{ItemID: item, Quantity: 1, Start: s.instant(3, 10), End: s.instant(5, 10)}}})
	if err != nil || res.Status != store.BookingHold {
		t.Fatalf("hold: %+v %v", res, err)
	}
	s.createUser("staff", "staff@example.com", authzPassword)
	staff := s.client()
	staff.login("staff@example.com", authzPassword)
	bookingPath := "/staff/bookings/" + itoa(res.BookingID)
	staff.get(bookingPath)
	staff.post(bookingPath+"/confirm", nil).expectStatus(t, http.StatusSeeOther)
	staff.post(bookingPath+"/cancel", nil).expectStatus(t, http.StatusSeeOther)
	page := staff.get(bookingPath)
	if n := page.Doc.Find(`[data-testid="invoices"] li`).Length(); n != 2 {
		t.Fatalf("%d documents on the staff booking page:\n%s", n, page.Doc.Find(`[data-testid="invoices"]`).Text())
	}
	csvRes := staff.get("/staff/export/invoices.csv?from=2000-01-01").expectStatus(t, http.StatusOK)
	rows, err := csv.NewReader(strings.NewReader(csvRes.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(invoiceCSVColumns, ",") {
		t.Fatalf("CSV:\n%s", csvRes.Body)
	}
	inv, cn := rows[1], rows[2]
	if inv[1] != "invoice" || inv[5] != `'=HYPERLINK("x")` || inv[7] != "EUR" || inv[8] != "19" || inv[9] != "42.02" ||
		inv[10] != "7.98" || inv[11] != "50.00" {
		t.Errorf("invoice row: %q", inv)
	}
	if cn[1] != "credit_note" || cn[4] != inv[0] || cn[9] != "-42.02" || cn[10] != "-7.98" || cn[11] != "-50.00" ||
		!strings.Contains(cn[12], "cancelled") {
		t.Errorf("credit note row: %q", cn)
	}
	tomorrow := s.clock().AddDate(0, 0, 2).Format("2006-01-02")
	if body := staff.get("/staff/export/invoices.csv?from=" + tomorrow).Body; strings.Count(body, "\n") != 1 {
		t.Errorf("a period after every invoice still exports:\n%s", body)
	}
	staff.get("/staff/export/invoices.csv?from=junk").expectStatus(t, http.StatusBadRequest)
	bad := staff.get("/staff/invoices?from=2026-02-30&to=2026-01-01").expectStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(bad.fieldError("from"), "2026-01-31") || bad.inputValue("from") != "2026-02-30" {
		t.Errorf("filter error: %q, kept %q", bad.fieldError("from"), bad.inputValue("from"))
	}
	if msg := staff.get("/staff/invoices?from=2026-02-01&to=2026-01-01").fieldError("to"); !strings.Contains(msg, "before its start") {
		t.Errorf("reversed period: %q", msg)
	}
}

// holdPayment leaves online checkouts as holds awaiting payment.
type holdPayment struct{}

func (holdPayment) Begin(context.Context, *store.Store, store.Booking, store.Settings) (booking.PaymentOutcome, error) {
	return booking.PaymentOutcome{}, nil
}

// B13: the invoice writes a booking's period exactly as the booking page
// does, in the location's zone, across a DST change (Auckland leaves summer
// time on 4 Apr 2027), and is dated in the shop's invoice time zone.
func TestInvoiceShowsTheBookingPagesLocalDates(t *testing.T) {
	s := newShop(t, "Pacific/Auckland")
	s.exec(`UPDATE shop_settings SET time_zone = 'Pacific/Auckland'`)
	item := s.item("Kayak", 1)
	a, _ := s.customer("a@example.com")
	res := a.bookOne(s.loc, item, "2027-04-03T10:00", "2027-04-05T10:00").expectStatus(t, http.StatusSeeOther)
	page := a.get(res.location()).expectStatus(t, http.StatusOK)
	period := strings.TrimSpace(page.Doc.Find(`[data-testid="line-period"]`).First().Text())
	if period != "Sat 3 Apr 2027, 10:00 – Mon 5 Apr 2027, 10:00" {
		t.Fatalf("booking page period %q", period)
	}
	link, _ := page.Doc.Find(`[data-testid="invoices"] a`).Attr("href")
	inv := a.get(link).expectStatus(t, http.StatusOK)
	line := strings.TrimSpace(inv.Doc.Find(`[data-testid="invoice-lines"] tbody td`).First().Text())
	if line != "Kayak · "+period+" (2 days)" {
		t.Errorf("invoice line %q, booking page %q", line, period)
	}
	date := strings.TrimSpace(inv.Doc.Find(`[data-testid="invoice-date"]`).Text())
	auckland, _ := time.LoadLocation("Pacific/Auckland")
	if now := time.Now().In(auckland); date != now.Format("2 Jan 2006") && date != now.Add(-time.Minute).Format("2 Jan 2006") {
		t.Errorf("invoice date %q, today in Auckland %s", date, now.Format("2 Jan 2006"))
	}
}
