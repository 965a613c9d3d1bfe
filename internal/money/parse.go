package money

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// The kinds of parse failure. A *ParseError wraps exactly one of them, so a
// caller can branch with errors.Is (for example to treat ErrEmpty as "no
// deposit") while showing the error's own message to the user.
var (
	// ErrEmpty means the input was blank.
	ErrEmpty = errors.New("money: empty amount")
	// ErrSyntax means the input is not a number in a form we accept.
	ErrSyntax = errors.New("money: not an amount")
	// ErrNegative means the input had a minus sign where none is allowed.
	ErrNegative = errors.New("money: negative amount")
	// ErrPrecision means the input has more decimals than the currency's
	// minor unit (more than 2 for EUR, any for JPY).
	ErrPrecision = errors.New("money: too many decimals")
	// ErrRange means the amount does not fit in an int64 of minor units.
	ErrRange = errors.New("money: amount too large")
)

// ParseError is the error Parse returns. Its Error text is written for the
// person who typed the amount and is meant to be shown beside the form field
// ("enter an amount like 12.50"); the wrapped kind is for code.
type ParseError struct {
	// Input is the text as given, to be put back into the form.
	Input string
	// Kind is one of ErrEmpty, ErrSyntax, ErrNegative, ErrPrecision, ErrRange.
	Kind error
	// Message is the human explanation returned by Error.
	Message string
}

// Error returns the message meant for the user.
func (e *ParseError) Error() string { return e.Message }

// Unwrap returns the kind, so errors.Is(err, money.ErrSyntax) works.
func (e *ParseError) Unwrap() error { return e.Kind }

// Parse reads a non-negative amount typed by a person and returns it in minor
// units of currency. It accepts "12", "12.5", "12.50", ".5", "1,234.50"
// (commas only as thousands separators in groups of three), surrounding
// spaces, and the currency's own symbol or code ("€12.50", "12.50 CHF"), so
// the output of Format parses back to the same value. It refuses a minus sign,
// more decimals than the currency has (12.505 EUR, 12.5 JPY), a decimal comma,
// anything else, and amounts that overflow int64. Errors are *ParseError.
func Parse(s, currency string) (int64, error) {
	return parse(s, currency, false)
}

// ParseSigned is Parse for fields where a negative amount makes sense, such
// as a manual adjustment or a correction on a ledger: a leading "-" is
// accepted ("-12.50", "-€12.50").
func ParseSigned(s, currency string) (int64, error) {
	return parse(s, currency, true)
}

func parse(s, currency string, allowNegative bool) (int64, error) {
	code := normalize(currency)
	exp := Exponent(code)
	fail := func(kind error, msg string) (int64, error) {
		return 0, &ParseError{Input: s, Kind: kind, Message: msg}
	}

	t := strings.TrimSpace(s)
	if t == "" {
		return fail(ErrEmpty, "enter an amount")
	}
	neg := false
	for _, minus := range []string{"-", "\u2212"} { // ASCII and typographic minus
		if rest, ok := strings.CutPrefix(t, minus); ok {
			neg, t = true, strings.TrimSpace(rest)
			break
		}
	}
	t = stripCurrency(t, code)

	digits, err := digitsOf(t, exp)
	if err != nil {
		kind := err
		if err == errDecimalComma {
			kind = ErrSyntax
		}
		return fail(kind, messageFor(err, exp))
	}
	if neg && !allowNegative {
		return fail(ErrNegative, "the amount cannot be negative")
	}

	// A negative amount may reach math.MinInt64, whose magnitude is one more
	// than math.MaxInt64; allowing it keeps Format/Parse a round trip.
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	var mag uint64
	for i := 0; i < len(digits); i++ {
		d := uint64(digits[i] - '0')
		if mag > (limit-d)/10 {
			return fail(ErrRange, "the amount is too large")
		}
		mag = mag*10 + d
	}
	if neg {
		return int64(^mag + 1), nil // two's complement; exact for MinInt64
	}
	return int64(mag), nil
}

// errDecimalComma is ErrSyntax to code but gets its own message: "12,50" is
// almost always a European decimal comma, not a thousands separator.
var errDecimalComma = errors.New("money: decimal comma")

// digitsOf validates the number in t and returns its value as a string of
// ASCII digits in minor units (the fraction padded to exp digits), or one of
// ErrSyntax, errDecimalComma, ErrPrecision.
func digitsOf(t string, exp int) (string, error) {
	whole, frac, hasPoint := strings.Cut(t, ".")
	if whole == "" && frac == "" {
		return "", ErrSyntax
	}
	if strings.Contains(whole, ",") {
		groups := strings.Split(whole, ",")
		if !hasPoint && exp > 0 && len(groups) == 2 && len(groups[1]) <= exp &&
			allDigits(groups[0]) && allDigits(groups[1]) && groups[1] != "" {
			return "", errDecimalComma
		}
		if len(groups[0]) < 1 || len(groups[0]) > 3 {
			return "", ErrSyntax
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return "", ErrSyntax
			}
		}
		whole = strings.Join(groups, "")
	}
	if !allDigits(whole) || !allDigits(frac) {
		return "", ErrSyntax
	}
	if len(frac) > exp {
		return "", ErrPrecision
	}
	return whole + frac + strings.Repeat("0", exp-len(frac)), nil
}

// messageFor turns a digitsOf failure into words for the form field, with an
// example in the currency's own precision ("12.50", "1200", "12.500").
func messageFor(err error, exp int) string {
	example := "1200"
	if exp > 0 {
		example = "12.5" + strings.Repeat("0", exp-1)
	}
	switch err {
	case errDecimalComma:
		return "use a point for decimals, like " + example
	case ErrPrecision:
		if exp == 0 {
			return "enter a whole amount, like " + example
		}
		return fmt.Sprintf("use at most %d decimals, like %s", exp, example)
	default:
		return "enter an amount like " + example
	}
}

// stripCurrency removes one currency marker the user may have typed or
// pasted: the currency's symbol before the number ("€12", "NZ$12", or a bare
// "$" for dollar currencies), or its ISO code before or after it ("EUR 12",
// "12 chf"). Markers of other currencies are left in place and fail parsing.
func stripCurrency(t, code string) string {
	info := symbols[code]
	var prefixes []string
	if info.symbol != "" {
		prefixes = append(prefixes, info.symbol)
	}
	if info.dollar {
		prefixes = append(prefixes, "$")
	}
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(t, p); ok {
			return strings.TrimSpace(rest)
		}
	}
	if len(code) == 3 && len(t) > 3 {
		if strings.EqualFold(t[:3], code) {
			return strings.TrimSpace(t[3:])
		}
		if strings.EqualFold(t[len(t)-3:], code) {
			return strings.TrimSpace(t[:len(t)-3])
		}
	}
	return t
}

// allDigits reports whether s is made only of ASCII digits (the empty string
// qualifies; callers check emptiness where it matters).
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
