package store

import "strings"

// likeEscape makes user text safe inside a LIKE pattern: % and _ match themselves.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
