package pages

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"
)

// Pages know view models, not the store's rows: no file of the templates
// imports internal/store (handlers map rows to views).
func TestTemplatesDoNotImportTheStore(t *testing.T) {
	for _, dir := range []string{".", "../components", "../layout", "../emails"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v", dir, err)
		}
		for _, f := range files {
			parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range parsed.Imports {
				if path, _ := strconv.Unquote(imp.Path.Value); path == "github.com/rentdesk/rentdesk/internal/store" {
					t.Errorf("%s imports internal/store", f)
				}
			}
		}
	}
}
