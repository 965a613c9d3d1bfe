// Package money holds amounts of money as integer minor units plus an ISO 4217
// currency code, and converts them to and from the text people type and read.
//
// Amounts are never floats: 12.50 EUR is Amount 1250, Currency "EUR". Parsing
// and formatting happen only at the edges (forms, pages, emails, invoices);
// everything in between adds and compares int64 values.
package money

import "strings"

// MaxEntry is the largest amount (minor units) one price, deposit, payment
// or charge may be: ten billion in a currency of cents. Amounts parse up to
// int64's limit; sums and products of larger ones overflow it. No rental
// takes this much at once: a larger amount is a slip (a barcode scanned
// into the field reads as hundreds of billions). payment.MaxEntry is this
// limit for the ledger.
const MaxEntry = 1_000_000_000_000

// Money is an amount in the minor units of its currency (cents for EUR, yen
// for JPY) together with the ISO 4217 code of that currency.
type Money struct {
	// Amount counts minor units; 1250 with Currency "EUR" is €12.50.
	Amount int64
	// Currency is an upper-case ISO 4217 code such as "EUR" or "JPY".
	Currency string
}

// String formats m for display, like Format.
func (m Money) String() string { return Format(m.Amount, m.Currency) }

// currencyInfo describes how a currency is written.
type currencyInfo struct {
	// symbol is written before the number ("€12.50"); when empty the code
	// is written after it ("12.50 CHF").
	symbol string
	// dollar marks currencies whose users may type a bare "$".
	dollar bool
}

// symbols is deliberately small: the currencies Rentdesk shops are expected
// to use. Anything else is written with its ISO code, which is always right.
var symbols = map[string]currencyInfo{
	"EUR": {symbol: "€"},
	"USD": {symbol: "$", dollar: true},
	"GBP": {symbol: "£"},
	"NZD": {symbol: "NZ$", dollar: true},
	"AUD": {symbol: "A$", dollar: true},
	"CAD": {symbol: "CA$", dollar: true},
	"JPY": {symbol: "¥"},
	"CHF": {}, // written "12.50 CHF", as Swiss shops do
}

// exponents lists the ISO 4217 currencies whose minor unit is not 1/100.
// The list is the full ISO set of such currencies (it is short and stable),
// so that a shop using one of them does not silently get prices 100× off.
var exponents = map[string]int{
	// No minor unit.
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0,
	"KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0,
	"XAF": 0, "XOF": 0, "XPF": 0,
	// Thousandths.
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

// Exponent returns the number of decimal digits of currency's minor unit:
// 2 for EUR (cents), 0 for JPY. Unknown codes use 2, the common case.
func Exponent(currency string) int {
	if e, ok := exponents[normalize(currency)]; ok {
		return e
	}
	return 2
}

// normalize upper-cases a currency code so "eur" and " EUR" mean the same.
func normalize(currency string) string {
	return strings.ToUpper(strings.TrimSpace(currency))
}

// pow10 returns 10^e for the small exponents currencies use.
func pow10(e int) uint64 {
	p := uint64(1)
	for range e {
		p *= 10
	}
	return p
}
