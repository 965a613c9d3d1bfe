package invoice

import (
	_ "embed"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rentdesk/rentdesk/internal/fpdf"

	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/store"
)

// DejaVu Sans (fonts/LICENSE: the Bitstream Vera licence, which allows
// redistribution) covers €, £, Polish, German and most other Latin, Greek and
// Cyrillic text; the PDF core fonts know only Windows-1252 and garble the
// rest. fpdf embeds just the glyphs a document uses.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

const font = "DejaVu"

// fonts parses the two fonts once for every document of the process: parsing
// them for each document took most of its time (fpdf cuts the subset of the
// glyphs a document uses from the parsed font, and never changes it).
var fonts = sync.OnceValues(func() ([2]*fpdf.UTF8Font, error) {
	regular, err := fpdf.ParseUTF8Font(fontRegular)
	if err != nil {
		return [2]*fpdf.UTF8Font{}, fmt.Errorf("invoice: font: %w", err)
	}
	bold, err := fpdf.ParseUTF8Font(fontBold)
	if err != nil {
		return [2]*fpdf.UTF8Font{}, fmt.Errorf("invoice: bold font: %w", err)
	}
	return [2]*fpdf.UTF8Font{regular, bold}, nil
})

// Title is what a document calls itself: "Invoice" or "Credit note".
func Title(in store.Invoice) string { return KindTitle(in.Kind) }

// KindTitle is the title of a document of this kind.
func KindTitle(kind string) string {
	if kind == store.CreditNoteKind {
		return "Credit note"
	}
	return "Invoice"
}

// DateText writes an invoice date as the documents print it: "4 Dec 2026".
func DateText(d time.Time) string { return d.Format("2 Jan 2006") }

// PDF writes a document as an A4 PDF. The same document always gives the
// same bytes: the PDF's creation and modification dates are its issue date,
// and nothing else in it depends on the clock.
func PDF(w io.Writer, in store.Invoice) error {
	parsed, err := fonts()
	if err != nil {
		return err
	}
	in = printable(in, parsed)
	p := fpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontParsed(font, "", parsed[0])
	p.AddUTF8FontParsed(font, "B", parsed[1])
	stamp := in.IssueDate.UTC()
	p.SetCreationDate(stamp)
	p.SetModificationDate(stamp)
	p.SetCatalogSort(true)
	p.SetTitle(Title(in)+" "+in.Number, true)
	p.SetAuthor(in.SellerName, true)
	p.SetCreator("Rentdesk", true)
	p.SetMargins(18, 18, 18)
	p.SetAutoPageBreak(true, 22)
	p.AliasNbPages("")
	p.SetFooterFunc(func() {
		p.SetY(-16)
		p.SetFont(font, "", 8)
		p.SetTextColor(110, 110, 110)
		p.CellFormat(0, 4, in.Number+" · page "+strconv.Itoa(p.PageNo())+" of {nb}", "", 0, "C", false, 0, "")
	})
	p.AddPage()
	d := doc{p: p, in: in}
	d.header()
	d.lines()
	d.totals()
	d.foot()
	if err := p.Error(); err != nil {
		return fmt.Errorf("invoice: pdf %s: %w", in.Number, err)
	}
	if err := p.Output(w); err != nil {
		return fmt.Errorf("invoice: pdf %s: %w", in.Number, err)
	}
	return nil
}

type doc struct {
	p  *fpdf.Fpdf
	in store.Invoice
}

func (d doc) money(v int64) string { return money.Format(v, d.in.Currency) }

// text writes a block of lines at the current position, width w.
func (d doc) text(w, h float64, s string) {
	if strings.TrimSpace(s) == "" {
		return
	}
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		d.p.MultiCell(w, h, strings.TrimRight(line, "\r"), "", "L", false)
	}
}

func (d doc) header() {
	p, in := d.p, d.in
	p.SetTextColor(20, 20, 20)
	p.SetFont(font, "B", 14)
	p.MultiCell(100, 7, in.SellerName, "", "L", false)
	p.SetFont(font, "", 9)
	d.text(100, 4.5, in.SellerAddress)
	var ids []string
	if in.SellerVATID != "" {
		ids = append(ids, "VAT id "+in.SellerVATID)
	}
	if in.SellerRegistration != "" {
		ids = append(ids, in.SellerRegistration)
	}
	if in.SellerEmail != "" {
		ids = append(ids, in.SellerEmail)
	}
	if in.SellerPhone != "" {
		ids = append(ids, in.SellerPhone)
	}
	d.text(100, 4.5, strings.Join(ids, "\n"))
	top := p.GetY()

	// The document's identity, on the right.
	p.SetXY(120, 18)
	p.SetFont(font, "B", 16)
	p.CellFormat(72, 8, Title(in), "", 2, "R", false, 0, "")
	p.SetFont(font, "", 9)
	rows := [][2]string{{"Number", in.Number}, {"Date", DateText(in.IssueDate)}, {"Booking", in.BookingNumber}}
	if in.CreditsNumber != nil {
		rows = append(rows, [2]string{"Credits invoice", *in.CreditsNumber})
	}
	for _, r := range rows {
		p.SetX(120)
		p.CellFormat(30, 5, r[0], "", 0, "L", false, 0, "")
		p.CellFormat(42, 5, r[1], "", 1, "R", false, 0, "")
	}
	p.SetY(max(top, p.GetY()) + 8)
	p.SetFont(font, "B", 9)
	p.CellFormat(0, 5, "Bill to", "", 1, "L", false, 0, "")
	p.SetFont(font, "", 10)
	p.MultiCell(110, 5, in.BuyerName, "", "L", false)
	p.SetFont(font, "", 9)
	p.MultiCell(110, 5, in.BuyerEmail, "", "L", false)
	if in.Reason != "" {
		p.Ln(2)
		p.MultiCell(0, 5, "Reason: "+in.Reason, "", "L", false)
	}
	p.Ln(6)
}

// Column widths of the line table (A4 minus margins is 174 mm).
var cols = []float64{90, 12, 26, 16, 30}

func (d doc) lines() {
	p := d.p
	unit := "Unit price"
	if d.in.TaxMode == "exclusive" {
		unit = "Unit net"
	}
	p.SetFont(font, "B", 9)
	p.SetFillColor(238, 238, 238)
	for i, h := range []string{"Description", "Qty", unit, "Tax", "Amount"} {
		align := "R"
		if i == 0 {
			align = "L"
		}
		p.CellFormat(cols[i], 7, h, "B", 0, align, true, 0, "")
	}
	p.Ln(-1)
	p.SetFont(font, "", 9)
	for _, l := range d.in.Lines {
		wrapped := p.SplitText(l.Description, cols[0]-2)
		h := 5 * float64(max(1, len(wrapped)))
		if p.GetY()+h > 270 {
			p.AddPage()
		}
		x, y := p.GetXY()
		p.MultiCell(cols[0], 5, l.Description, "", "L", false)
		p.SetXY(x+cols[0], y)
		amount := l.Total
		if d.in.TaxMode == "exclusive" {
			amount = l.Net
		}
		for i, v := range []string{strconv.Itoa(l.Quantity), d.money(l.UnitPrice), FormatRate(l.TaxRateBP), d.money(amount)} {
			p.CellFormat(cols[i+1], 5, v, "", 0, "R", false, 0, "")
		}
		p.SetXY(x, y+h+1)
		p.Line(x, y+h+0.5, x+174, y+h+0.5)
	}
	p.Ln(3)
}

func (d doc) totals() {
	p, in := d.p, d.in
	row := func(label, value string, bold bool) {
		style := ""
		if bold {
			style = "B"
		}
		p.SetFont(font, style, 9)
		p.SetX(96)
		p.CellFormat(54, 5.5, label, "", 0, "L", false, 0, "")
		p.CellFormat(42, 5.5, value, "", 1, "R", false, 0, "")
	}
	row("Net", d.money(in.Net), false)
	for _, r := range TaxByRate(in.Lines) {
		row(fmt.Sprintf("Tax %s on %s", FormatRate(r.RateBP), d.money(r.Net)), d.money(r.Tax), false)
	}
	label := "Total"
	if in.Kind == store.CreditNoteKind {
		label = "Total credited"
	}
	row(label+" ("+in.Currency+")", d.money(in.Total), true)
	p.SetFont(font, "", 8)
	p.SetX(96)
	if in.TaxMode == "exclusive" {
		p.CellFormat(96, 5, "Unit prices exclude tax.", "", 1, "L", false, 0, "")
	} else {
		p.CellFormat(96, 5, "Unit prices include tax.", "", 1, "L", false, 0, "")
	}
	p.Ln(6)
}

func (d doc) foot() {
	p, in := d.p, d.in
	p.SetFont(font, "", 9)
	if in.Note != "" {
		d.text(0, 4.5, in.Note)
		p.Ln(3)
	}
	if in.SellerBank != "" {
		p.SetFont(font, "B", 9)
		p.CellFormat(0, 5, "Bank details", "", 1, "L", false, 0, "")
		p.SetFont(font, "", 9)
		d.text(0, 4.5, in.SellerBank)
	}
}
