package money

import (
	"errors"
	"testing"
)

// fuzzCurrencies keeps the currency argument meaningful: an index into a
// list that covers every exponent and every way of writing a currency.
var fuzzCurrencies = []string{"EUR", "USD", "GBP", "NZD", "AUD", "CAD", "CHF", "JPY", "KWD", "SEK", ""}

// FuzzParse checks that Parse never panics, that every failure is a
// *ParseError with a message for the user, and that whatever parses comes
// back unchanged through Format and FormatPlain.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"12", "12.5", "12.50", "1,234.50", "-3", "€12.50", "12,50", "1e9", ".", ""} {
		f.Add(s, uint8(0))
	}
	f.Add("¥1,200", uint8(7))
	f.Add("12.50 CHF", uint8(6))
	f.Fuzz(func(t *testing.T, s string, idx uint8) {
		cur := fuzzCurrencies[int(idx)%len(fuzzCurrencies)]
		v, err := Parse(s, cur)
		sv, serr := ParseSigned(s, cur)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Message == "" || pe.Kind == nil {
				t.Fatalf("Parse(%q, %q): error %#v is not a complete *ParseError", s, cur, err)
			}
			if serr == nil && sv >= 0 && !errors.Is(err, ErrNegative) {
				t.Fatalf("ParseSigned(%q) = %d but Parse failed: %v", s, sv, err)
			}
		} else {
			if v < 0 {
				t.Fatalf("Parse(%q, %q) = %d, negative", s, cur, v)
			}
			if serr != nil || sv != v {
				t.Fatalf("ParseSigned(%q, %q) = %d, %v; Parse gave %d", s, cur, sv, serr, v)
			}
		}
		if serr != nil {
			return
		}
		for _, out := range []string{Format(sv, cur), FormatPlain(sv, cur)} {
			back, err := ParseSigned(out, cur)
			if err != nil || back != sv {
				t.Fatalf("%q parsed to %d, printed as %q, reparsed to %d, %v", s, sv, out, back, err)
			}
		}
	})
}
