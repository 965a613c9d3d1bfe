package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// orSearchSQL is the desk search's definition as one OR over the booking
// number, the customer's email and name: what SearchBookings answers
// through indexes, branch by branch.
const orSearchSQL = `
SELECT b.id FROM bookings b JOIN users cu ON cu.id = b.customer_id
WHERE b.id = $1 OR cu.email::text ILIKE $2 ESCAPE '\' OR cu.name ILIKE $2 ESCAPE '\'
ORDER BY b.id DESC LIMIT $3`

// formerSearchSQL is the desk search as one statement, as it ran before it
// was split into the customers' lookup and their bookings' statements.
const formerSearchSQL = `
WITH m AS MATERIALIZED (
    SELECT cu.id FROM users cu
    WHERE cu.email::text ILIKE $2 ESCAPE '\' OR cu.name ILIKE $2 ESCAPE '\'
    LIMIT 301
),
hit AS (
    SELECT id FROM (
        SELECT b.id FROM bookings b WHERE b.id = $1
        UNION
        SELECT x.id FROM m
        CROSS JOIN LATERAL (SELECT b.id FROM bookings b WHERE b.customer_id = m.id ORDER BY b.id DESC LIMIT $3) x
        WHERE (SELECT count(*) FROM m) <= 300
        UNION
        (SELECT b.id FROM bookings b
         WHERE (SELECT count(*) FROM m) > 300
           AND (SELECT cu.email::text ILIKE $2 ESCAPE '\' OR cu.name ILIKE $2 ESCAPE '\'
                FROM users cu WHERE cu.id = b.customer_id)
         ORDER BY b.id DESC LIMIT $3)
    ) u
    ORDER BY id DESC LIMIT $3
)
SELECT b.id FROM bookings b JOIN users cu ON cu.id = b.customer_id JOIN locations lo ON lo.id = b.location_id
WHERE b.id IN (SELECT id FROM hit)
ORDER BY b.id DESC
LIMIT $3`

// The search by a part of the name or email, in any case, or by number,
// gives the OR's bookings newest first, both when few customers match (each
// one's bookings asked) and when hundreds do (the newest bookings walked
// back), at the limit and below it.
func TestSearchBookingsMatchesTheOr(t *testing.T) {
	st, _ := testenv.Store(t)
	ctx := context.Background()
	db := st.DB()
	var loc int64
	if err := db.QueryRowContext(ctx, `INSERT INTO locations (name, slug, time_zone) VALUES ('Here', 'here', 'UTC') RETURNING id`).Scan(&loc); err != nil {
		t.Fatal(err)
	}
	// 340 "Walker" customers (more than the few asked one by one), each
	// with one to three bookings, interleaved with "Other" customers.
	if _, err := db.ExecContext(ctx, `
INSERT INTO users (email, name, password_hash)
SELECT CASE WHEN g % 4 = 0 THEN 'other' || g || '@mail.test' ELSE 'walker' || g || '@Example.test' END,
       CASE WHEN g % 4 = 0 THEN 'Other Person ' || g ELSE 'Jo Walker-Smith ' || g END, 'x'
FROM generate_series(1, 460) g`); err != nil {
		t.Fatal(err)
	}
	// A few names and emails with accents and mixed case.
	if _, err := db.ExecContext(ctx, `
INSERT INTO users (email, name, password_hash) VALUES
  ('zoe.mueller@Example.test', 'Zoë Müller', 'x'), ('ZOE@mail.test', 'ZOË MÜLLER-Łukasz', 'x'),
  ('joao@mail.test', 'João Conceição', 'x'), ('muller12@mail.test', 'Anne Muller', 'x')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `
INSERT INTO bookings (customer_id, location_id, status, currency)
SELECT u.id, $1, 'confirmed', 'EUR'
FROM generate_series(1, 3) k
JOIN users u ON u.id % 3 >= k - 1 AND u.email LIKE '%.test'
ORDER BY k, u.id * 7 % 461`, loc); err != nil {
		t.Fatal(err)
	}
	// A second location holds every third booking; totals differ.
	if _, err := db.ExecContext(ctx, `
WITH there AS (INSERT INTO locations (name, slug, time_zone) VALUES ('There', 'there', 'Europe/Warsaw') RETURNING id)
UPDATE bookings SET location_id = CASE WHEN bookings.id % 3 = 0 THEN there.id ELSE bookings.location_id END, total = bookings.id * 101
FROM there`); err != nil {
		t.Fatal(err)
	}
	var some int64
	if err := db.QueryRowContext(ctx, `SELECT max(id) - 5 FROM bookings`).Scan(&some); err != nil {
		t.Fatal(err)
	}
	number := fmt.Sprintf("R%06d", some)
	matched := 0
	for _, q := range []string{"walker", "WALKER-smith 1", "walker 7", "Smith 123", "walker12@", "example.TEST", "other",
		"mail.test", "person 44", number, fmt.Sprint(some), "nobody", "%", "_",
		"Müller", "MÜLLER", "müll", "zoë", "Zoe", "ÇÃO", "łukasz", "muller", "12", "r12", " R000012 ", "1", "a"} {
		for _, limit := range []int{50, 3} {
			got, err := st.SearchBookings(ctx, q, limit)
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			var id int64
			switch strings.TrimSpace(q) {
			case number, fmt.Sprint(some):
				id = some
			case "12", "r12", "R000012":
				id = 12
			case "1":
				id = 1
			}
			pattern := "%" + store.LikeEscapeForTest(strings.TrimSpace(q)) + "%"
			want := queryIDs(t, db, orSearchSQL, id, pattern, limit)
			former := queryIDs(t, db, formerSearchSQL, id, pattern, limit)
			ids := make([]int64, 0, len(got))
			for _, b := range got {
				ids = append(ids, b.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(want) || fmt.Sprint(ids) != fmt.Sprint(former) {
				t.Errorf("search %q (limit %d): %v, want %v (the former statement: %v)", q, limit, ids, want, former)
			}
			// Each result shows its own booking's number, status, total and
			// location, and its own customer's name and email, whichever
			// way it was found.
			for _, b := range got {
				var w store.BookingSummary
				if err := db.QueryRowContext(ctx, `
SELECT b.number, b.status, b.total, lo.name, cu.name, cu.email::text
FROM bookings b JOIN users cu ON cu.id = b.customer_id JOIN locations lo ON lo.id = b.location_id
WHERE b.id = $1`, b.ID).Scan(&w.Number, &w.Status, &w.Total, &w.LocationName, &w.CustomerName, &w.CustomerEmail); err != nil {
					t.Fatal(err)
				}
				if b.Number != w.Number || b.Status != w.Status || b.Total != w.Total || b.LocationName != w.LocationName ||
					b.CustomerName != w.CustomerName || b.CustomerEmail != w.CustomerEmail {
					t.Errorf("search %q: booking %d shows %s %s %d %s %q <%s>, want %s %s %d %s %q <%s>", q, b.ID,
						b.Number, b.Status, b.Total, b.LocationName, b.CustomerName, b.CustomerEmail,
						w.Number, w.Status, w.Total, w.LocationName, w.CustomerName, w.CustomerEmail)
				}
			}
			if len(want) > 0 {
				matched++
			}
		}
	}
	if matched < 40 {
		t.Errorf("fixture: only %d searches found anything", matched)
	}
	// Both branches ran: "walker" matches hundreds of customers, "walker 7"
	// a dozen.
	for q, many := range map[string]bool{"walker": true, "walker 7": false} {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE email::text ILIKE $1 OR name ILIKE $1`, "%"+q+"%").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if (n > store.SearchFewCustomersForTest) != many {
			t.Errorf("fixture: %q matches %d customers", q, n)
		}
	}
}

func queryIDs(t *testing.T, db *sql.DB, q string, args ...any) []int64 {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
