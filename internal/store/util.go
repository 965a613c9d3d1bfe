package store

import "strings"

// likeEscaper is built once: a Replacer builds its tables on first use
// (several kilobytes), and the catalog escapes its search on every request.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// likeEscape makes user text safe inside a LIKE pattern: % and _ match themselves.
func likeEscape(s string) string {
	return likeEscaper.Replace(s)
}
