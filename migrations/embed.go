// Package migrations holds Rentdesk's forward-only SQL migrations, embedded in
// the binary and applied with goose.
package migrations

import "embed"

// FS holds every NNNNN_name.sql file. Versions are grouped by area so work on
// different areas never collides: 1–9 foundation, 10–19 catalog, 20–29 bookings,
// 30–39 email and jobs.
//
//go:embed *.sql
var FS embed.FS
