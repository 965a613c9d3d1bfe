package payment

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// clock is a movable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// base is a fixed Monday a while ahead, so tests never depend on the real date.
var base = time.Date(2031, 3, 3, 9, 0, 0, 0, time.UTC)

// world is a shop on a fresh database: one location, a clock, an engine and a ledger.
type world struct {
	t      *testing.T
	ctx    context.Context
	st     *store.Store
	clock  *clock
	eng    *booking.Engine
	ledger *Ledger
	loc    int64
	seq    atomic.Int64
}

func newWorld(t *testing.T) *world {
	t.Helper()
	st, _ := testenv.Store(t)
	w := &world{t: t, ctx: context.Background(), st: st, clock: &clock{now: base.Add(-7 * 24 * time.Hour)}}
	w.eng = booking.New(st, w.clock.Now, booking.Pricing{})
	w.ledger = NewLedger(st, w.clock.Now)
	w.loc = w.id(`INSERT INTO locations (name, slug, time_zone) VALUES ('Main', 'main', 'Europe/Berlin') RETURNING id`)
	return w
}

func (w *world) exec(q string, args ...any) {
	w.t.Helper()
	if _, err := w.st.DB().ExecContext(w.ctx, q, args...); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
}

func (w *world) id(q string, args ...any) int64 {
	w.t.Helper()
	var id int64
	if err := w.st.DB().QueryRowContext(w.ctx, q, args...).Scan(&id); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
	return id
}

// item makes a serialized item with n units, a day rate and a deposit (minor units).
func (w *world) item(name string, units int, rateDay, deposit int64) int64 {
	id := w.id(`INSERT INTO items (name, slug, tracking, rate_day, deposit, online_bookable)
		VALUES ($1, $2, 'serialized', $3, $4, true) RETURNING id`, name, fmt.Sprintf("item-%d", w.seq.Add(1)), rateDay, deposit)
	for i := 1; i <= units; i++ {
		w.exec(`INSERT INTO units (item_id, location_id, asset_tag) VALUES ($1, $2, $3)`, id, w.loc, fmt.Sprintf("%s-%d", name, i))
	}
	return id
}

func (w *world) user(role string) int64 {
	n := w.seq.Add(1)
	return w.id(`INSERT INTO users (email, name, password_hash, role) VALUES ($1, $2, 'x', $3) RETURNING id`,
		fmt.Sprintf("u%d@example.com", n), fmt.Sprintf("User %d", n), role)
}

// book makes a booking of one unit of item for days days from day 1 09:00,
// by a staff member (confirmed at once) or online (a hold the payment step decides).
func (w *world) book(customer, item int64, days int, online bool) int64 {
	w.t.Helper()
	start := base.Add(24 * time.Hour)
	r, err := w.eng.Book(w.ctx, booking.Request{CustomerID: customer, LocationID: w.loc, Online: online,
		Actor: booking.Actor{UserID: customer},
		Lines: []booking.LineRequest{{ItemID: item, Quantity: 1, Start: start, End: start.Add(time.Duration(days) * 24 * time.Hour)}}})
	if err != nil {
		w.t.Fatalf("book: %v", err)
	}
	return r.BookingID
}

func (w *world) booking(id int64) store.Booking {
	w.t.Helper()
	b, err := w.st.GetBooking(w.ctx, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return b
}

func (w *world) balance(id int64) Balance {
	w.t.Helper()
	bal, err := w.ledger.Balance(w.ctx, w.st, w.booking(id))
	if err != nil {
		w.t.Fatal(err)
	}
	return bal
}
