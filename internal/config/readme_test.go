package config

import (
	"os"
	"strings"
	"testing"
)

// The README's configuration table documents every variable, with its
// default as Load applies it.
func TestReadmeDocumentsEveryVariable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	// Only the Configuration section's table counts; other sections may
	// mention variables in tables of their own (the SMTP examples).
	section := string(b)
	if i := strings.Index(section, "\n## Configuration"); i >= 0 {
		section = section[i+1:]
		if j := strings.Index(section[3:], "\n## "); j >= 0 {
			section = section[:j+3]
		}
	}
	rows := map[string]string{}
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "| `") {
			name := strings.Trim(strings.SplitN(line, "|", 3)[1], " `")
			rows[name] = line
		}
	}
	for _, v := range Vars {
		row, ok := rows[v.Name]
		if !ok {
			t.Errorf("README.md has no configuration row for %s", v.Name)
			continue
		}
		cells := strings.Split(row, "|")
		def := strings.Trim(strings.TrimSpace(cells[2]), "`")
		if def == "—" {
			def = ""
		}
		if def != v.Default {
			t.Errorf("README.md gives %s the default %q; the code uses %q", v.Name, def, v.Default)
		}
	}
}
