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
	var buf [48]byte
	return string(AppendFormat(buf[:0], amount, currency))
}

// AppendFormat appends Format(amount, currency) to dst: one allocation at
// most for the caller's string, where building it in pieces took five (a
// catalog page formats two amounts per item).
func AppendFormat(dst []byte, amount int64, currency string) []byte {
	code := normalize(currency)
	// Work on the magnitude as uint64 so math.MinInt64 has a magnitude too.
	mag := uint64(amount)
	if amount < 0 {
		mag = ^mag + 1
		dst = append(dst, '-')
	}
	info, ok := symbols[code]
	symbol := ok && info.symbol != ""
	if symbol {
		dst = append(dst, info.symbol...)
	}
	dst = appendMagnitude(dst, mag, Exponent(code))
	if !symbol && code != "" {
		dst = append(dst, ' ')
		dst = append(dst, code...)
	}
	return dst
}

// appendMagnitude appends mag in minor units with exp decimals, thousands
// grouped with commas: number's digits without its sign.
func appendMagnitude(dst []byte, mag uint64, exp int) []byte {
	unit := pow10(exp)
	var digits [24]byte
	whole := strconv.AppendUint(digits[:0], mag/unit, 10)
	lead := len(whole) % 3
	if lead == 0 {
		lead = 3
	}
	dst = append(dst, whole[:lead]...)
	for i := lead; i < len(whole); i += 3 {
		dst = append(dst, ',')
		dst = append(dst, whole[i:i+3]...)
	}
	if exp > 0 {
		frac := strconv.AppendUint(digits[:0], mag%unit, 10)
		dst = append(dst, '.')
		for range exp - len(frac) {
			dst = append(dst, '0')
		}
		dst = append(dst, frac...)
	}
	return dst
}

// FormatPlain writes amount as a bare decimal number for an <input> value:
// "12.50", "1234.00", "1200" for JPY, "-3.00". There is no symbol and no
// grouping, so browsers' number inputs and Parse both accept it.
func FormatPlain(amount int64, currency string) string {
	return number(amount, Exponent(currency))
}

// number renders amount with exp decimals.
func number(amount int64, exp int) string {
	// Work on the magnitude as uint64 so math.MinInt64 has a magnitude too.
	mag := uint64(amount)
	if amount < 0 {
		mag = ^mag + 1
	}
	unit := pow10(exp)
	whole := strconv.FormatUint(mag/unit, 10)
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
