package money

import (
	"math"
	"strings"
	"testing"
)

// formatInPieces is how Format built its string before AppendFormat: the
// number with its sign, thousands grouped, then the sign moved before the
// symbol, or the code after it.
func formatInPieces(amount int64, currency string) string {
	code := normalize(currency)
	num := number(amount, Exponent(code))
	sign := ""
	if amount < 0 {
		sign, num = "-", num[1:]
	}
	whole, frac, _ := strings.Cut(num, ".")
	var b strings.Builder
	lead := len(whole) % 3
	if lead == 0 {
		lead = 3
	}
	b.WriteString(whole[:lead])
	for i := lead; i < len(whole); i += 3 {
		b.WriteByte(',')
		b.WriteString(whole[i : i+3])
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	num = b.String()
	if info, ok := symbols[code]; ok && info.symbol != "" {
		return sign + info.symbol + num
	}
	if code == "" {
		return sign + num
	}
	return sign + num + " " + code
}

// Format writes what it wrote when it built the string in pieces, for every
// kind of currency (symbol, code after, no minor unit, three decimals, none)
// and amounts around every power of ten and the extremes.
func TestFormatAgreesWithFormatInPieces(t *testing.T) {
	currencies := []string{"EUR", "USD", "GBP", "NZD", "AUD", "CAD", "CHF", "JPY", "KWD", "SEK", "", "eur", " usd ", "BHD", "CLF"}
	amounts := []int64{0, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1}
	for p := int64(1); p > 0 && p <= math.MaxInt64/10; p *= 10 {
		for _, d := range []int64{-1, 0, 1, 7, 99} {
			amounts = append(amounts, p+d, -(p + d), p*9+d, -(p*9 + d))
		}
	}
	for _, c := range currencies {
		for _, a := range amounts {
			if got, want := Format(a, c), formatInPieces(a, c); got != want {
				t.Errorf("Format(%d, %q) = %q, want %q", a, c, got, want)
			}
			if got, want := string(AppendFormat([]byte("x"), a, c)), "x"+formatInPieces(a, c); got != want {
				t.Errorf("AppendFormat(x, %d, %q) = %q, want %q", a, c, got, want)
			}
		}
	}
}
