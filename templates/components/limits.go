package components

// The most text one field takes: the server refuses more (beside the field)
// and Field puts the same number in the input's maxlength, so a browser
// stops the typing there. They count as a browser counts a maxlength (see
// TextLength), so a value a browser lets through is never refused for its
// length. A single-line value fits every indexed column in bytes (at most
// three bytes a unit: 1,800, where PostgreSQL refuses index rows of more
// than about 2.7 kB); a text area's, the longest description or address.
const (
	MaxLineChars = 600
	MaxTextChars = 10000
)

// TextLength is the length of v as a browser measures it against a
// maxlength: UTF-16 code units (an emoji counts two), with a line break
// counting one whether it is sent as CR LF, as text areas send it, or LF.
func TextLength(v string) int {
	n := 0
	for i, r := range v {
		switch {
		case r == '\n' && i > 0 && v[i-1] == '\r':
			// The LF of a CR LF: the CR counted for the pair.
		case r >= 0x10000:
			n += 2
		default:
			n++
		}
	}
	return n
}

// textLike reports whether an input of this type takes typed text, so a
// maxlength applies to it.
func textLike(typ string) bool {
	switch typ {
	case "", "text", "email", "search", "tel", "url", "password", "textarea":
		return true
	}
	return false
}
