package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
	"github.com/rentdesk/rentdesk/migrations"
)

// Booking numbers go on past R999999 with the id in full: the millionth
// booking is R1000000, not a second R100000, and the desk finds each by its
// number typed either way.
func TestBookingNumbersPastAMillion(t *testing.T) {
	s := newShop(t)
	ctx := s.ctx
	cu, err := s.st.CreateUser(ctx, store.NewUser{Email: "million@example.test", Name: "Milly", Role: store.RoleCustomer, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	book := func(nextID int64) store.Booking {
		t.Helper()
		if _, err := s.st.DB().ExecContext(ctx, `SELECT setval('bookings_id_seq', $1, false)`, nextID); err != nil {
			t.Fatal(err)
		}
		id, err := s.st.CreateBooking(ctx, store.NewBooking{CustomerID: cu.ID, LocationID: s.berlin.ID, Status: store.BookingConfirmed,
			Currency: "EUR", Now: time.Now()})
		if err != nil {
			t.Fatalf("booking %d: %v", nextID, err)
		}
		b, err := s.st.GetBooking(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	b42, b100k := book(42), book(100000)
	var across []store.Booking
	for i := range 3 {
		across = append(across, book(999999+int64(i)))
	}
	cases := []struct {
		b    store.Booking
		want string
	}{{b42, "R000042"}, {b100k, "R100000"}, {across[0], "R999999"}, {across[1], "R1000000"}, {across[2], "R1000001"}}
	for _, c := range cases {
		if c.b.Number != c.want {
			t.Errorf("booking %d is %q, want %q", c.b.ID, c.b.Number, c.want)
		}
	}
	for _, c := range cases {
		for _, q := range []string{c.want, c.want[1:], " r" + c.want[1:] + " "} {
			found, err := s.st.SearchBookings(ctx, q, 50)
			if err != nil {
				t.Fatal(err)
			}
			if len(found) != 1 || found[0].ID != c.b.ID || found[0].Number != c.want {
				t.Errorf("desk search %q found %+v, want booking %d (%s) alone", q, found, c.b.ID, c.want)
			}
		}
	}
}

// Migration 00097 leaves every number below a million as it was, and lets
// the bookings past it be made where the old six-digit form refused them.
func TestBookingNumberMigrationKeepsNumbers(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, testenv.EmptyDatabaseURL(t), store.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db.DB(), migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 96); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) error {
		_, err := db.DB().ExecContext(ctx, q, args...)
		return err
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(exec(`INSERT INTO users (id, email, name, password_hash) VALUES (1, 'old@example.test', 'Old', 'x')`))
	must(exec(`INSERT INTO locations (id, name, slug, time_zone) VALUES (1, 'Berlin', 'berlin', 'Europe/Berlin')`))
	insert := func(id int64) error {
		return exec(`INSERT INTO bookings (id, customer_id, location_id, status, currency) VALUES ($1, 1, 1, 'confirmed', 'EUR')`, id)
	}
	for _, id := range []int64{42, 100000, 999999} {
		must(insert(id))
	}
	if err := insert(1000000); err == nil {
		t.Fatal("before 00097, booking 1000000 was accepted beside R100000; the test no longer shows the old fault")
	}
	numbers := func() map[int64]string {
		rows, err := db.DB().QueryContext(ctx, `SELECT id, number FROM bookings`)
		must(err)
		defer rows.Close()
		out := map[int64]string{}
		for rows.Next() {
			var id int64
			var n string
			must(rows.Scan(&id, &n))
			out[id] = n
		}
		must(rows.Err())
		return out
	}
	before := numbers()

	if _, err := p.UpTo(ctx, 97); err != nil {
		t.Fatal(err)
	}
	after := numbers()
	for id, n := range before {
		if after[id] != n {
			t.Errorf("booking %d was %q, is %q after the migration", id, n, after[id])
		}
	}
	if after[42] != "R000042" {
		t.Errorf("booking 42 is %q, want R000042", after[42])
	}
	must(insert(1000000))
	if n := numbers()[1000000]; n != "R1000000" {
		t.Errorf("booking 1000000 is %q, want R1000000", n)
	}
	// The unique rule is back under its old name.
	var constraint string
	must(db.DB().QueryRowContext(ctx, `SELECT conname FROM pg_constraint WHERE conrelid = 'bookings'::regclass AND contype = 'u'
AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = 'bookings'::regclass AND attname = 'number')]`).Scan(&constraint))
	if constraint != "bookings_number_key" {
		t.Errorf("unique rule on the number is %q, want bookings_number_key", constraint)
	}
}
