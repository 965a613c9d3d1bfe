package components

import (
	"context"
	"strings"
	"testing"

	"github.com/a-h/templ"
	templruntime "github.com/a-h/templ/runtime"
)

// textSamples need escaping in every way HTML text and attributes do, or
// not at all.
var textSamples = []string{"", "Canon EOS R6", `<script>alert("x")</script>`, "Tom & Jerry's", "3 of 5 free",
	"€1,234.50", "a\"b'c<d>e&f", "ünïcödé · – —", "&amp; already", "\x00\n\t"}

// Text writes what the text expression { s } writes: fmt.Sprint's copy of
// s, HTML-escaped (templ's generated code).
func TestTextWritesWhatATextExpressionWrites(t *testing.T) {
	for _, s := range textSamples {
		v, err := templ.JoinStringErrs(s)
		if err != nil {
			t.Fatal(err)
		}
		want := templ.EscapeString(v)
		var b strings.Builder
		if err := Text(s).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		if b.String() != want {
			t.Errorf("Text(%q) wrote %q, want %q", s, b.String(), want)
		}
	}
}

// CSRF writes what the component <input type="hidden" name="_csrf"
// value={ token }/> wrote (templ's generated code for it).
func TestCSRFWritesWhatTheComponentWrote(t *testing.T) {
	ctx := context.Background()
	for _, s := range append(textSamples, "_llBZN_3lc7-VVInsYL26nthL6rPkPv4DMnTroFJYtY") {
		v, err := templruntime.NewAttributeExpression(s).Resolve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := `<input type="hidden" name="_csrf" value="` + v + `">`
		var b strings.Builder
		if err := CSRF(s).Render(ctx, &b); err != nil {
			t.Fatal(err)
		}
		if b.String() != want {
			t.Errorf("CSRF(%q) wrote %q, want %q", s, b.String(), want)
		}
	}
}
