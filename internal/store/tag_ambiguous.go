package store

import (
	"fmt"
	"strings"
)

// AmbiguousTagError is GetBookingUnitByTag's answer to a tag typed in a letter
// case no unit has, when several units have it in other cases: which one was
// meant cannot be told, so the tag has to be typed exactly.
type AmbiguousTagError struct {
	Typed string
	Tags  []string // the tags like it (at most a few)
}

func (e *AmbiguousTagError) Error() string {
	return fmt.Sprintf("store: unit %q: several tags differ only in case: %s", e.Typed, strings.Join(e.Tags, ", "))
}

// Message says so to the person who typed the tag.
func (e *AmbiguousTagError) Message() string {
	return "Several units have tags like " + e.Typed + ": " + strings.Join(e.Tags, ", ") + " — type it exactly."
}
