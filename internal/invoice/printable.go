package invoice

import (
	"strings"
	"unicode"

	"github.com/rentdesk/rentdesk/internal/fpdf"
	"github.com/rentdesk/rentdesk/internal/store"
)

// printable is the document with its text as the fonts can draw it. Names
// are typed by people (a customer's, an item's, the shop's details): an
// emoji made the whole PDF fail, and a script DejaVu Sans does not cover
// (Chinese, Japanese) came out as empty boxes. The stored document is
// unchanged; only what the PDF draws is.
func printable(in store.Invoice, fonts [2]*fpdf.UTF8Font) store.Invoice {
	p := func(s string) string { return drawable(s, fonts) }
	for _, f := range []*string{&in.Number, &in.BookingNumber, &in.BuyerName, &in.BuyerEmail,
		&in.SellerName, &in.SellerAddress, &in.SellerVATID, &in.SellerRegistration, &in.SellerEmail,
		&in.SellerPhone, &in.SellerBank, &in.Note, &in.Reason} {
		*f = p(*f)
	}
	if in.CreditsNumber != nil {
		n := p(*in.CreditsNumber)
		in.CreditsNumber = &n
	}
	lines := make([]store.InvoiceLine, len(in.Lines))
	for i, l := range in.Lines {
		l.Description = p(l.Description)
		lines[i] = l
	}
	in.Lines = lines
	return in
}

// drawable is s with a tab as a space, line breaks kept, other control and
// invisible format characters (a right-to-left override, a zero-width space)
// left out, and U+FFFD for a rune either font has no glyph for.
func drawable(s string, fonts [2]*fpdf.UTF8Font) string {
	has := func(r rune) bool { return fonts[0].HasGlyph(r) && fonts[1].HasGlyph(r) }
	plain := func(r rune) bool {
		return r == '\n' || r == '\r' || !unicode.IsControl(r) && !unicode.Is(unicode.Cf, r) && has(r)
	}
	if strings.IndexFunc(s, func(r rune) bool { return !plain(r) }) < 0 {
		return s
	}
	missing := "?"
	if has(unicode.ReplacementChar) {
		missing = string(unicode.ReplacementChar)
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r':
			b.WriteRune(r)
		case r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
		case has(r):
			b.WriteRune(r)
		default:
			b.WriteString(missing)
		}
	}
	return b.String()
}
