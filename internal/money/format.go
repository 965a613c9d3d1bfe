package money

import (
	"strconv"
	"strings"
)

// Format writes amount (in minor units of currency) for people to read:
// "€12.50", "$1,234.00", "¥1,200", "12.50 CHF". Thousands are grouped with
// commas and the decimal separator is a point, the same conventions Parse
// accepts, so a formatted amount pasted back into a form parses to the same
// value. A negative amount puts the minus sign first ("-€3.00"). Currencies
// without a symbol in the table are written with their code after the
// number; an empty currency writes the bare number.
func Format(amount int64, currency string) string {
	code := normalize(currency)
	num := number(amount, Exponent(code), true)
	sign := ""
	if amount < 0 {
		sign, num = "-", num[1:]
	}
	if info, ok := symbols[code]; ok && info.symbol != "" {
		return sign + info.symbol + num
	}
	if code == "" {
		return sign + num
	}
	return sign + num + " " + code
}

// FormatPlain writes amount as a bare decimal number for an <input> value:
// "12.50", "1234.00", "1200" for JPY, "-3.00". There is no symbol and no
// grouping, so browsers' number inputs and Parse both accept it.
func FormatPlain(amount int64, currency string) string {
	return number(amount, Exponent(currency), false)
}

// number renders amount with exp decimals, optionally grouping thousands.
func number(amount int64, exp int, group bool) string {
	// Work on the magnitude as uint64 so math.MinInt64 has a magnitude too.
	mag := uint64(amount)
	if amount < 0 {
		mag = ^mag + 1
	}
	unit := pow10(exp)
	whole := strconv.FormatUint(mag/unit, 10)
	if group {
		whole = groupThousands(whole)
	}
	var b strings.Builder
	if amount < 0 {
		b.WriteByte('-')
	}
	b.WriteString(whole)
	if exp > 0 {
		frac := strconv.FormatUint(mag%unit, 10)
		b.WriteByte('.')
		b.WriteString(strings.Repeat("0", exp-len(frac)))
		b.WriteString(frac)
	}
	return b.String()
}

// groupThousands inserts a comma every three digits from the right.
func groupThousands(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	lead := len(digits) % 3
	if lead == 0 {
		lead = 3
	}
	b.WriteString(digits[:lead])
	for i := lead; i < len(digits); i += 3 {
		b.WriteByte(',')
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}
