package components

import (
	"context"
	"io"

	"github.com/a-h/templ"
)

// Text writes s HTML-escaped, exactly as the text expression { s } does, for
// the rows and cards of long lists: templ copies every text expression
// through fmt.Sprint (two allocations each), and a catalog page has some
// six of them per item. Use it as @components.Text(s); the generated code
// calls its Render directly, so it allocates nothing.
type Text string

// Render writes the escaped text.
func (t Text) Render(_ context.Context, w io.Writer) error {
	_, err := io.WriteString(w, templ.EscapeString(string(t)))
	return err
}

// CSRF is the hidden token field every unsafe form carries
// (@components.CSRF(token)). It is written by hand because it is in every
// form of every page, several times on a catalog page, and a templ
// component costs a closure, a context and a copy of the token each time;
// the bytes are those the component wrote.
type CSRF string

// Render writes the field.
func (t CSRF) Render(_ context.Context, w io.Writer) error {
	if _, err := io.WriteString(w, `<input type="hidden" name="_csrf" value="`); err != nil {
		return err
	}
	if _, err := io.WriteString(w, templ.EscapeString(string(t))); err != nil {
		return err
	}
	_, err := io.WriteString(w, `">`)
	return err
}
