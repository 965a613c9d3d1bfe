package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
)

// Rows scanned by hand.
//
// sqlx maps columns to struct fields by reflection on every row it reads, and
// database/sql converts a driver's int64 to a Go int through its text. On
// the long lists the busiest pages read (the availability of every item, a
// customer's bookings, the staff booking list) that was about a tenth of
// the page's CPU. Those row types are scanned by hand instead: each row into
// plain interface values, which database/sql fills with the driver's values
// as they are, then read column by column by type. Each hand scan sits
// beside its query with the columns it expects by name, and a test that it
// reads what sqlx reads; the rest of the store keeps sqlx.

// rowScan reads rows of known columns into interface values.
type rowScan struct {
	names []string // the columns expected, in order
	vals  []any
	ptrs  []any // &vals[i], what rows.Scan fills
	col   int   // the next column a reader takes
	err   error // the first value of an unexpected type
}

func newRowScan(names ...string) *rowScan {
	r := &rowScan{names: names, vals: make([]any, len(names)), ptrs: make([]any, len(names))}
	for i := range r.vals {
		r.ptrs[i] = &r.vals[i]
	}
	return r
}

// each calls row for every row, after checking that the query answers the
// columns expected by name (so a changed column list fails at once, not as
// values in the wrong fields). row reads every column in order, once.
func (r *rowScan) each(rows *sql.Rows, row func(*rowScan)) error {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	if !slices.Equal(cols, r.names) {
		return fmt.Errorf("store: the query answers columns %v, scanned as %v", cols, r.names)
	}
	for rows.Next() {
		if err := rows.Scan(r.ptrs...); err != nil {
			return err
		}
		r.col = 0
		row(r)
		if r.err != nil {
			return r.err
		}
		if r.col != len(r.names) {
			return fmt.Errorf("store: %d of %d columns read", r.col, len(r.names))
		}
	}
	return rows.Err()
}

// next takes the next column's value.
func (r *rowScan) next() any {
	v := r.vals[r.col]
	r.col++
	return v
}

// skip passes over the next n columns, unread.
func (r *rowScan) skip(n int) { r.col += n }

func (r *rowScan) fail(v any, as string) {
	if r.err == nil {
		r.err = fmt.Errorf("store: column %q: %T read as %s", r.names[r.col-1], v, as)
	}
}

func (r *rowScan) int64() int64 {
	v := r.next()
	n, ok := v.(int64)
	if !ok {
		r.fail(v, "int64")
	}
	return n
}

func (r *rowScan) int() int { return int(r.int64()) }

func (r *rowScan) float64() float64 {
	v := r.next()
	f, ok := v.(float64)
	if !ok {
		r.fail(v, "float64")
	}
	return f
}

func (r *rowScan) optInt64() *int64 {
	v := r.next()
	switch v := v.(type) {
	case nil:
		return nil
	case int64:
		return &v
	}
	r.fail(v, "*int64")
	return nil
}

// string reads text; the driver gives []byte for types it does not know
// (citext, enums).
func (r *rowScan) string() string {
	v := r.next()
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	r.fail(v, "string")
	return ""
}

// optString reads text that may be NULL, as "".
func (r *rowScan) optString() string {
	if r.vals[r.col] == nil {
		r.col++
		return ""
	}
	return r.string()
}

// optText reads text that may be NULL, as nil.
func (r *rowScan) optText() *string {
	if r.vals[r.col] == nil {
		r.col++
		return nil
	}
	v := r.string()
	return &v
}

// bytes reads a bytea value (database/sql already copied it out of the
// driver's buffer).
func (r *rowScan) bytes() []byte {
	v := r.next()
	b, ok := v.([]byte)
	if !ok {
		r.fail(v, "[]byte")
	}
	return b
}

func (r *rowScan) bool() bool {
	v := r.next()
	b, ok := v.(bool)
	if !ok {
		r.fail(v, "bool")
	}
	return b
}

func (r *rowScan) time() time.Time {
	v := r.next()
	t, ok := v.(time.Time)
	if !ok {
		r.fail(v, "time")
	}
	return t
}

func (r *rowScan) optTime() *time.Time {
	v := r.next()
	switch v := v.(type) {
	case nil:
		return nil
	case time.Time:
		return &v
	}
	r.fail(v, "*time")
	return nil
}

// json reads a json or jsonb value (database/sql already copied the bytes
// out of the driver's buffer); NULL is nil.
func (r *rowScan) json() json.RawMessage {
	v := r.next()
	switch v := v.(type) {
	case nil:
		return nil
	case []byte:
		return json.RawMessage(v)
	case string:
		return json.RawMessage(v)
	}
	r.fail(v, "json")
	return nil
}

// Query runs a hot query and hands its rows to scan, which reads them all
// (rowScan.each) before the connection goes back.
func (h hot) Query(ctx context.Context, query string, args []any, scan func(*sql.Rows) error) error {
	return h.run(ctx, query,
		func(ctx context.Context, st *sqlx.Stmt) error {
			rows, err := st.QueryContext(ctx, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			return scan(rows)
		},
		func(ctx context.Context) error {
			// Only a transaction runs a hot query unprepared (see stmt).
			rows, err := h.s.tx.QueryContext(ctx, query, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			return scan(rows)
		})
}
