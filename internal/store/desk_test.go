package store_test

import (
	"context"
	"database/sql"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/bench"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// deskShop is a small generated shop (the benchmark's generator: two
// locations, serialized units booked back to back, bulk lines anywhere,
// bookings past, under way and to come) around now, then changed the ways
// the copies of a booking's status and location on its lines must follow:
// bulk lines still out overdue (their bookings back to "out"), units taken
// off lines, bookings cancelled, back on hold, moved to the other location,
// lines moved to another booking, copies forged by hand, and new bookings of
// the day.
// Bulk stock is cut to three so overdue bulk lines leave the next ones short.
func deskShop(t *testing.T, now time.Time) (*store.Store, *sql.DB) {
	t.Helper()
	st, _ := testenv.Store(t)
	ctx := context.Background()
	db := st.DB()
	sz := bench.Size{Name: "desk", Locations: 2, Categories: 2, Items: 30, Units: 120, Lines: 20_000, Customers: 100, AuditRows: 1}
	if err := bench.Generate(ctx, db, sz, now, "x"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE booking_lines SET returned_at = NULL
         WHERE item_id > 27 AND picked_up_at IS NOT NULL AND ends_at > $1::timestamptz - interval '4 days' AND ends_at <= $1`,
		`UPDATE bookings SET status = 'out'
         WHERE id IN (SELECT booking_id FROM booking_lines WHERE picked_up_at IS NOT NULL AND returned_at IS NULL)
          `,
		`UPDATE bulk_stock SET quantity = 3`,
		// Units taken off lines (an allocation no longer active): the board
		// lists a line's active units only.
		`UPDATE unit_allocations SET active = false WHERE booking_line_id % 11 = 0`,
		`UPDATE bookings SET status = 'cancelled' WHERE status = 'confirmed' AND id % 9 = 0`,
		`UPDATE bookings SET status = 'hold', expires_at = $1::timestamptz + interval '1 hour' WHERE status = 'confirmed' AND id % 13 = 1`,
		`UPDATE bookings SET location_id = (SELECT max(id) FROM locations) + (SELECT min(id) FROM locations) - location_id
         WHERE id % 17 = 0`,
		`UPDATE booking_lines SET booking_id = booking_id + 2
         WHERE id % 19 = 0 AND booking_id + 2 <= (SELECT max(id) FROM bookings)`,
		`UPDATE booking_lines SET booking_status = 'closed', booking_location_id = (SELECT min(id) FROM locations)
         WHERE id % 23 = 0`,
		`WITH b AS (
             INSERT INTO bookings (customer_id, location_id, status, currency)
             SELECT (SELECT min(id) FROM users WHERE role = 'customer') + g, (SELECT min(id) FROM locations) + g % 2,
                    'confirmed', 'EUR'
             FROM generate_series(1, 12) g
             RETURNING id, location_id)
         INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at)
         SELECT b.id, 28 + b.id % 3, 1 + b.id % 2, date_trunc('hour', $1::timestamptz) + make_interval(hours => (b.id % 9)::int),
                date_trunc('hour', $1::timestamptz) + make_interval(hours => (b.id % 9)::int + 30)
         FROM b`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, now)
		}
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return st, db
}

// Every line carries its booking's status and location, whatever changed
// them (the triggers of migration 00110).
func TestDeskLineCopiesFollowTheirBooking(t *testing.T) {
	now := time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)
	_, db := deskShop(t, now)
	var lines, wrong int
	if err := db.QueryRow(`
SELECT count(*), count(*) FILTER (WHERE (l.booking_status, l.booking_location_id) IS DISTINCT FROM (b.status, b.location_id))
FROM booking_lines l JOIN bookings b ON b.id = l.booking_id`).Scan(&lines, &wrong); err != nil {
		t.Fatal(err)
	}
	if lines < 20_000 || wrong != 0 {
		t.Fatalf("%d of %d lines disagree with their booking's status or location", wrong, lines)
	}
}

// The desk board read through the lines' copies (the location's own lines
// from its indexes) gives the same lines, pages and counts as the general
// form that asks every line's booking, for each location, for days before,
// on and after the shop's busiest, and at two instants.
func TestDeskLinesAgreeWithTheBookingsForm(t *testing.T) {
	now := time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)
	st, db := deskShop(t, now)
	ctx := context.Background()
	locs := queryIDs(t, db, `SELECT id FROM locations ORDER BY id`)
	seen := map[string]int{}
	for _, loc := range locs {
		for _, day := range []int{-1, 0, 1, 2, 30} {
			dayStart := now.Truncate(24*time.Hour).AddDate(0, 0, day)
			for _, at := range []time.Time{now, now.Add(5 * time.Hour)} {
				for _, page := range []struct{ per, skip int }{{0, 0}, {5, 0}, {5, 10}, {50, 0}, {7, 1000}} {
					q := store.DeskQuery{LocationID: loc, DayStart: dayStart, DayEnd: dayStart.AddDate(0, 0, 1), Now: at,
						PerPage: page.per, Skip: map[string]int{store.DeskPickup: page.skip, store.DeskReturn: page.skip / 2, store.DeskOverdue: page.skip},
						HoldsUntil: at.Add(2 * time.Hour)}
					got, err := st.ListDeskLines(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					want, err := st.ListDeskLinesByBookingsForTest(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(got, want) {
						t.Errorf("location %d, day %+d, now %s, page %+v:\n got %d lines %v\nwant %d lines %v",
							loc, day, at.Format(time.Kitchen), page, len(got.Lines), got.Counts, len(want.Lines), want.Counts)
					}
					// The rows scanned by hand are what sqlx reads of them.
					hand, bySqlx, err := st.DeskRowsForTest(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(hand, bySqlx) {
						t.Errorf("location %d, day %+d, now %s, page %+v: hand scan\n%+v\nsqlx\n%+v", loc, day, at.Format(time.Kitchen), page, hand, bySqlx)
					}
					for _, l := range got.Lines {
						if (l.CustomerEmail != "") != (l.Kind == store.DeskOverdue) {
							t.Errorf("%s line %d: customer email %q (overdue lines only)", l.Kind, l.LineID, l.CustomerEmail)
						}
					}
					if page.per == 0 {
						for k, n := range want.Counts {
							seen[k] += n
						}
					}
				}
			}
		}
	}
	// The shop has lines of every kind to compare.
	for _, k := range []string{store.DeskPickup, store.DeskReturn, store.DeskOverdue} {
		if seen[k] == 0 {
			t.Errorf("no %s lines in the compared boards: the seed does not test them", k)
		}
	}
	t.Logf("compared boards with %v lines", seen)
}

// The endangered list read through the lines' copies gives the same
// bookings as the general form, for each location, look ahead and shown
// day, and has both kinds to compare: units still out and bulk lines short.
//
// The overdue check-outs are stretched up to their unit's next allocation,
// as the booking engine does, so the list meets both kinds the endangered
// query tells apart before probing: units held past the whole window (no
// booking can wait for them in it) and units booked again inside it.
func TestEndangeredAgreesWithTheBookingsForm(t *testing.T) {
	now := time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)
	st, db := deskShop(t, now)
	ctx := context.Background()
	// More units still out: those due back in the last three days.
	if _, err := db.ExecContext(ctx, `
UPDATE unit_allocations SET returned_at = NULL
WHERE active AND picked_up_at IS NOT NULL AND returned_at IS NOT NULL
  AND due_at > $1::timestamptz - interval '3 days' AND due_at <= $1`, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ExtendOverdue(ctx, now); err != nil {
		t.Fatal(err)
	}
	var held, bookedAgain int
	if err := db.QueryRowContext(ctx, `
SELECT count(*) FILTER (WHERE o.occupied @> tstzrange($1, $1::timestamptz + interval '7 days')),
       count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM unit_allocations n
           WHERE n.unit_id = o.unit_id AND n.active AND n.picked_up_at IS NULL AND n.booking_line_id IS NOT NULL
             AND lower(n.occupied) = upper(o.occupied) AND lower(n.occupied) < $1::timestamptz + interval '7 days'))
FROM unit_allocations o
WHERE o.active AND o.picked_up_at IS NOT NULL AND o.returned_at IS NULL AND o.due_at <= $1`, now).Scan(&held, &bookedAgain); err != nil {
		t.Fatal(err)
	}
	if held == 0 || bookedAgain == 0 {
		t.Fatalf("%d overdue units held past the next week and %d stretched up to a booking within it: the seed does not test both", held, bookedAgain)
	}
	locs := queryIDs(t, db, `SELECT id FROM locations ORDER BY id`)
	var units, bulk int
	for _, loc := range locs {
		for _, ahead := range []time.Duration{0, 24 * time.Hour, 7 * 24 * time.Hour, 40 * 24 * time.Hour} {
			for _, day := range []int{0, 1, 5, 30} {
				for _, at := range []time.Time{now, now.Add(20 * time.Hour)} {
					dayStart := now.Truncate(24*time.Hour).AddDate(0, 0, day)
					q := store.EndangeredQuery{LocationID: loc, Now: at, Until: at.Add(ahead),
						DayStart: dayStart, DayEnd: dayStart.AddDate(0, 0, 1)}
					got, err := st.ListEndangered(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					want, err := st.ListEndangeredByBookingsForTest(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(got, want) {
						t.Errorf("location %d, ahead %s, day %+d, now %s:\n got %+v\nwant %+v", loc, ahead, day, at.Format(time.Kitchen), got, want)
					}
					for _, e := range want {
						if e.Short > 0 {
							bulk++
						} else {
							units++
						}
					}
				}
			}
		}
	}
	if units == 0 || bulk == 0 {
		t.Errorf("the compared lists hold %d endangered unit lines and %d short bulk lines: the seed does not test both", units, bulk)
	}
	t.Logf("compared lists with %d endangered unit lines and %d short bulk lines (%d overdue units held past the next week, %d booked again within it)",
		units, bulk, held, bookedAgain)
}

// The board read together (ReadDesk), on the desk pool and in one
// transaction of the main pool (a store without a desk pool), is what its
// three queries return run one by one, for each location, day and instant,
// with lines, endangered bookings and lapsing holds among them.
func TestReadDeskAgreesWithItsQueries(t *testing.T) {
	now := time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)
	st, db := deskShop(t, now)
	ctx := context.Background()
	inTx := st.WithoutDeskPoolForTest()
	var lines, endangered, holds int
	for _, loc := range queryIDs(t, db, `SELECT id FROM locations ORDER BY id`) {
		for _, day := range []int{-1, 0, 1, 30} {
			for _, at := range []time.Time{now, now.Add(5 * time.Hour)} {
				dayStart := now.Truncate(24*time.Hour).AddDate(0, 0, day)
				until := at.Add(2 * time.Hour)
				q := store.DeskQuery{LocationID: loc, DayStart: dayStart, DayEnd: dayStart.AddDate(0, 0, 1), Now: at,
					PerPage: 5, Skip: map[string]int{store.DeskPickup: 5}, HoldsUntil: until}
				e := store.EndangeredQuery{LocationID: loc, Now: at, Until: at.Add(7 * 24 * time.Hour),
					DayStart: q.DayStart, DayEnd: q.DayEnd}
				got, err := st.ReadDesk(ctx, q, e, until)
				if err != nil {
					t.Fatal(err)
				}
				var want store.DeskReads
				if want.Board, err = st.ListDeskLines(ctx, q); err != nil {
					t.Fatal(err)
				}
				if want.Endangered, err = st.ListEndangered(ctx, e); err != nil {
					t.Fatal(err)
				}
				if want.Holds, err = st.ListExpiringHolds(ctx, loc, at, until); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("location %d, day %+d, now %s, desk pool:\n got %+v\nwant %+v", loc, day, at.Format(time.Kitchen), got, want)
				}
				if got, err = inTx.ReadDesk(ctx, q, e, until); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("location %d, day %+d, now %s, one transaction:\n got %+v\nwant %+v", loc, day, at.Format(time.Kitchen), got, want)
				}
				lines, endangered, holds = lines+len(want.Board.Lines), endangered+len(want.Endangered), holds+len(want.Holds)
			}
		}
	}
	if lines == 0 || endangered == 0 || holds == 0 {
		t.Errorf("compared %d lines, %d endangered bookings and %d holds: the seed does not test all three", lines, endangered, holds)
	}
	t.Logf("compared boards with %d lines, %d endangered bookings and %d holds", lines, endangered, holds)
}

// The desk board reads on a pool of its own, whose connections carry the
// board's plan settings (no parallel workers, generic plans) from the start,
// so its reads need no transaction to set them; the main pool's connections
// keep PostgreSQL's defaults, which the other pages are planned with. With
// the main pool's one connection taken, the board still reads.
func TestReadDeskOnItsOwnPool(t *testing.T) {
	ctx := context.Background()
	url := testenv.DatabaseURL(t)
	st, err := store.Open(ctx, url, store.Options{MaxOpenConns: 1, DeskConns: 1, AcquireTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, c := range []struct {
		desk bool
		want string
	}{{true, "0 force_generic_plan"}, {false, "2 auto"}} {
		got, err := st.PlanSettingsForTest(ctx, c.desk)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("desk pool %v: max_parallel_workers_per_gather and plan_cache_mode %q, want %q", c.desk, got, c.want)
		}
	}
	// An empty shop: the board comes back empty, after all three reads
	// (no line came back to say no hold lapses).
	const loc = 1
	now := time.Now()
	day := now.Truncate(24 * time.Hour)
	err = st.WithTx(ctx, func(*store.Store) error {
		_, err := st.ReadDesk(ctx, store.DeskQuery{LocationID: loc, DayStart: day, DayEnd: day.AddDate(0, 0, 1), Now: now, PerPage: 25},
			store.EndangeredQuery{LocationID: loc, Now: now, Until: now.Add(7 * 24 * time.Hour), DayStart: day, DayEnd: day.AddDate(0, 0, 1)},
			now.Add(2*time.Hour))
		return err
	})
	if err != nil {
		t.Fatalf("the board, read while the main pool's connection is taken: %v", err)
	}
}
