package catalog

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CheckAssetTag explains what is wrong with an asset tag, or returns "". Tags
// are what a barcode says, so they are short printable text without spaces.
func CheckAssetTag(tag string) string {
	switch {
	case tag == "":
		return "Enter the asset tag printed on the label."
	case utf8.RuneCountInString(tag) > 64:
		return "Use at most 64 characters."
	case strings.ContainsFunc(tag, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }):
		return "Use letters, digits and punctuation without spaces."
	}
	return ""
}

// CheckUnitText checks a unit's serial number and condition notes.
func CheckUnitText(serial, notes string) string {
	if utf8.RuneCountInString(serial) > 100 {
		return "Use at most 100 characters for the serial number."
	}
	if utf8.RuneCountInString(notes) > 2000 {
		return "Use at most 2000 characters for the condition notes."
	}
	return ""
}

// SeriesTags makes count asset tags prefix+number, numbers zero-padded to
// width digits, starting at first: ("R6-", 1, 2, 3) → R6-001, R6-002.
func SeriesTags(prefix string, first, count, width int) []string {
	tags := make([]string, 0, count)
	for n := first; n < first+count; n++ {
		tags = append(tags, fmt.Sprintf("%s%0*d", prefix, width, n))
	}
	return tags
}
