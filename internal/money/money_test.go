package money

import (
	"errors"
	"math"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in       string
		currency string
		want     int64
		kind     error // nil when the parse must succeed
		message  string
	}{
		{in: "12", currency: "EUR", want: 1200},
		{in: "12.5", currency: "EUR", want: 1250},
		{in: "12.50", currency: "EUR", want: 1250},
		{in: "12.", currency: "EUR", want: 1200},
		{in: ".5", currency: "EUR", want: 50},
		{in: "0", currency: "EUR", want: 0},
		{in: "007.05", currency: "EUR", want: 705},
		{in: "1,234.50", currency: "USD", want: 123450},
		{in: "1,234,567", currency: "USD", want: 123456700},
		{in: "  12.50\u00a0", currency: "EUR", want: 1250},
		{in: "€12.50", currency: "EUR", want: 1250},
		{in: "€ 12.50", currency: "EUR", want: 1250},
		{in: "$1,234.00", currency: "USD", want: 123400},
		{in: "NZ$5", currency: "NZD", want: 500},
		{in: "$5", currency: "NZD", want: 500},
		{in: "12.50 CHF", currency: "CHF", want: 1250},
		{in: "12.50chf", currency: "chf", want: 1250},
		{in: "EUR 3", currency: "EUR", want: 300},
		{in: "1200", currency: "JPY", want: 1200},
		{in: "¥1,200", currency: "JPY", want: 1200},
		{in: "1.234", currency: "KWD", want: 1234},
		{in: "12.50", currency: "", want: 1250},
		{in: "92233720368547758.07", currency: "EUR", want: math.MaxInt64},

		{in: "", currency: "EUR", kind: ErrEmpty, message: "enter an amount"},
		{in: "   ", currency: "EUR", kind: ErrEmpty, message: "enter an amount"},
		{in: "abc", currency: "EUR", kind: ErrSyntax, message: "enter an amount like 12.50"},
		{in: "12.5.0", currency: "EUR", kind: ErrSyntax},
		{in: ".", currency: "EUR", kind: ErrSyntax},
		{in: "-", currency: "EUR", kind: ErrSyntax},
		{in: "€", currency: "EUR", kind: ErrSyntax},
		{in: "+12", currency: "EUR", kind: ErrSyntax},
		{in: "1e3", currency: "EUR", kind: ErrSyntax},
		{in: "0x10", currency: "EUR", kind: ErrSyntax},
		{in: "12 50", currency: "EUR", kind: ErrSyntax},
		{in: "١٢", currency: "EUR", kind: ErrSyntax}, // Arabic-Indic digits
		{in: "£12", currency: "EUR", kind: ErrSyntax},
		{in: "$12", currency: "EUR", kind: ErrSyntax},
		{in: "12 USD", currency: "EUR", kind: ErrSyntax},
		{in: "1,2345", currency: "EUR", kind: ErrSyntax},
		{in: "12,345,67", currency: "EUR", kind: ErrSyntax},
		{in: ",123", currency: "EUR", kind: ErrSyntax},
		{in: "1234,567.00", currency: "EUR", kind: ErrSyntax},
		{in: "1.234,50", currency: "EUR", kind: ErrSyntax},
		{in: "12,50", currency: "EUR", kind: ErrSyntax, message: "use a point for decimals, like 12.50"},
		{in: "12,5", currency: "EUR", kind: ErrSyntax, message: "use a point for decimals, like 12.50"},
		{in: "12.505", currency: "EUR", kind: ErrPrecision, message: "use at most 2 decimals, like 12.50"},
		{in: "12.500", currency: "EUR", kind: ErrPrecision},
		{in: "12.5", currency: "JPY", kind: ErrPrecision, message: "enter a whole amount, like 1200"},
		{in: "1.2345", currency: "KWD", kind: ErrPrecision, message: "use at most 3 decimals, like 12.500"},
		{in: "abc", currency: "JPY", kind: ErrSyntax, message: "enter an amount like 1200"},
		{in: "-12.50", currency: "EUR", kind: ErrNegative, message: "the amount cannot be negative"},
		{in: "-0", currency: "EUR", kind: ErrNegative},
		{in: "\u221212", currency: "EUR", kind: ErrNegative},
		{in: "92233720368547758.08", currency: "EUR", kind: ErrRange, message: "the amount is too large"},
		{in: "99999999999999999999999999999", currency: "EUR", kind: ErrRange},
		{in: "9223372036854775808", currency: "JPY", kind: ErrRange},
	}
	for _, tt := range tests {
		t.Run(tt.currency+"/"+tt.in, func(t *testing.T) {
			got, err := Parse(tt.in, tt.currency)
			if tt.kind == nil {
				if err != nil || got != tt.want {
					t.Fatalf("Parse(%q, %q) = %d, %v; want %d", tt.in, tt.currency, got, err, tt.want)
				}
				return
			}
			if !errors.Is(err, tt.kind) {
				t.Fatalf("Parse(%q, %q) = %d, %v; want kind %v", tt.in, tt.currency, got, err, tt.kind)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Input != tt.in || pe.Message == "" {
				t.Fatalf("error %#v is not a complete *ParseError", err)
			}
			if tt.message != "" && err.Error() != tt.message {
				t.Errorf("message = %q; want %q", err.Error(), tt.message)
			}
		})
	}
}

func TestParseSigned(t *testing.T) {
	tests := []struct {
		in   string
		cur  string
		want int64
		kind error
	}{
		{in: "-12.50", cur: "EUR", want: -1250},
		{in: "- 12.50", cur: "EUR", want: -1250},
		{in: "-€12.50", cur: "EUR", want: -1250},
		{in: "-12.50 CHF", cur: "CHF", want: -1250},
		{in: "\u22121,000", cur: "USD", want: -100000},
		{in: "12", cur: "EUR", want: 1200},
		{in: "-92233720368547758.08", cur: "EUR", want: math.MinInt64},
		{in: "-92233720368547758.09", cur: "EUR", kind: ErrRange},
		{in: "--12", cur: "EUR", kind: ErrSyntax},
		{in: "€-12", cur: "EUR", kind: ErrSyntax},
	}
	for _, tt := range tests {
		got, err := ParseSigned(tt.in, tt.cur)
		if tt.kind == nil && (err != nil || got != tt.want) {
			t.Errorf("ParseSigned(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
		if tt.kind != nil && !errors.Is(err, tt.kind) {
			t.Errorf("ParseSigned(%q) = %d, %v; want %v", tt.in, got, err, tt.kind)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		amount   int64
		currency string
		want     string
		plain    string
	}{
		{1250, "EUR", "€12.50", "12.50"},
		{123400, "USD", "$1,234.00", "1234.00"},
		{5, "GBP", "£0.05", "0.05"},
		{0, "EUR", "€0.00", "0.00"},
		{1250, "CHF", "12.50 CHF", "12.50"},
		{99, "NZD", "NZ$0.99", "0.99"},
		{100000, "AUD", "A$1,000.00", "1000.00"},
		{123456789, "CAD", "CA$1,234,567.89", "1234567.89"},
		{1200, "JPY", "¥1,200", "1200"},
		{1234, "KWD", "1.234 KWD", "1.234"},
		{1250, "SEK", "12.50 SEK", "12.50"},
		{1250, "eur", "€12.50", "12.50"},
		{1250, "", "12.50", "12.50"},
		{-300, "EUR", "-€3.00", "-3.00"},
		{-123456, "CHF", "-1,234.56 CHF", "-1234.56"},
		{math.MaxInt64, "EUR", "€92,233,720,368,547,758.07", "92233720368547758.07"},
		{math.MinInt64, "EUR", "-€92,233,720,368,547,758.08", "-92233720368547758.08"},
		{math.MinInt64, "JPY", "-¥9,223,372,036,854,775,808", "-9223372036854775808"},
	}
	for _, tt := range tests {
		if got := Format(tt.amount, tt.currency); got != tt.want {
			t.Errorf("Format(%d, %q) = %q; want %q", tt.amount, tt.currency, got, tt.want)
		}
		if got := FormatPlain(tt.amount, tt.currency); got != tt.plain {
			t.Errorf("FormatPlain(%d, %q) = %q; want %q", tt.amount, tt.currency, got, tt.plain)
		}
		// What we print, we read back.
		for _, s := range []string{tt.want, tt.plain} {
			if back, err := ParseSigned(s, tt.currency); err != nil || back != tt.amount {
				t.Errorf("ParseSigned(%q, %q) = %d, %v; want %d", s, tt.currency, back, err, tt.amount)
			}
		}
	}
}

func TestMoneyString(t *testing.T) {
	if got := (Money{Amount: 1250, Currency: "EUR"}).String(); got != "€12.50" {
		t.Errorf("String() = %q", got)
	}
}

func TestExponent(t *testing.T) {
	for cur, want := range map[string]int{"EUR": 2, "usd": 2, "JPY": 0, " jpy ": 0, "KRW": 0, "KWD": 3, "XYZ": 2, "": 2} {
		if got := Exponent(cur); got != want {
			t.Errorf("Exponent(%q) = %d; want %d", cur, got, want)
		}
	}
}
