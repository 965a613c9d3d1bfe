// Package migrations holds Rentdesk's forward-only SQL migrations, embedded in
// the binary and applied with goose.
package migrations

import "embed"

// FS holds every NNNNN_name.sql file. A new migration always takes a number
// above the highest one here: goose refuses to apply a lower version after a
// higher one (an install that already ran 00030 could never get a new 00022),
// so numbers only grow, whatever part of the app a migration belongs to.
//
//go:embed *.sql
var FS embed.FS
