package booking

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// flatPricer prices a line at its day rate per started day; the real rules
// live in internal/pricing and are tested there. The engine only needs a
// price that moves with the period.
type flatPricer struct{}

func (flatPricer) Quote(it store.BookableItem, start, end time.Time, _ *time.Location, qty int, _ store.Settings) (Quote, error) {
	days := int64((end.Sub(start) + 24*time.Hour - 1) / (24 * time.Hour))
	var rate int64
	if it.RateDay != nil {
		rate = *it.RateDay
	}
	total := days * rate * int64(qty)
	b, _ := json.Marshal(Breakdown{Lines: []PriceLine{{Label: "days", Amount: days * rate}}, Quantity: qty, Due: total})
	return Quote{UnitPrice: days * rate, Total: total, Due: total, Breakdown: b}, nil
}

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

// world is a shop on a fresh database: one location, a clock, an engine.
type world struct {
	t     *testing.T
	ctx   context.Context
	st    *store.Store
	url   string
	clock *clock
	eng   *Engine
	loc   int64
	zone  string
	seq   atomic.Int64
}

// base is a fixed Monday 00:00 UTC a while ahead, so tests never depend on
// the real date.
var base = time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC)

func newWorld(t *testing.T) *world {
	t.Helper()
	st, url := testenv.Store(t)
	w := &world{t: t, ctx: context.Background(), st: st, url: url, clock: &clock{now: base.Add(-7 * 24 * time.Hour)}, zone: "Europe/Berlin"}
	w.eng = New(st, w.clock.Now, flatPricer{})
	w.loc = w.location("Main", w.zone)
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

func (w *world) location(name, zone string) int64 {
	return w.id(`INSERT INTO locations (name, slug, time_zone) VALUES ($1, $2, $3) RETURNING id`,
		name, fmt.Sprintf("loc-%d", w.seq.Add(1)), zone)
}

// item makes a serialized item with n units at the world's location (tags
// PREFIX-1…n), and returns its id.
func (w *world) item(name string, units int, bufferBefore, bufferAfter int) int64 {
	id := w.id(`INSERT INTO items (name, slug, tracking, rate_day, buffer_before_minutes, buffer_after_minutes)
		VALUES ($1, $2, 'serialized', 1000, $3, $4) RETURNING id`, name, fmt.Sprintf("item-%d", w.seq.Add(1)), bufferBefore, bufferAfter)
	for i := 1; i <= units; i++ {
		w.unit(id, fmt.Sprintf("%s-%d", name, i))
	}
	return id
}

func (w *world) unit(itemID int64, tag string) int64 {
	return w.id(`INSERT INTO units (item_id, location_id, asset_tag) VALUES ($1, $2, $3) RETURNING id`, itemID, w.loc, tag)
}

func (w *world) bulkItem(name string, qty int) int64 {
	id := w.id(`INSERT INTO items (name, slug, tracking, rate_day) VALUES ($1, $2, 'bulk', 500) RETURNING id`,
		name, fmt.Sprintf("item-%d", w.seq.Add(1)))
	w.exec(`INSERT INTO bulk_stock (item_id, location_id, quantity) VALUES ($1, $2, $3)`, id, w.loc, qty)
	return id
}

func (w *world) customer() int64 {
	n := w.seq.Add(1)
	return w.id(`INSERT INTO users (email, name, password_hash) VALUES ($1, $2, 'x') RETURNING id`,
		fmt.Sprintf("c%d@example.com", n), fmt.Sprintf("Customer %d", n))
}

// day is base plus d days and h hours.
func day(d int, h int) time.Time {
	return base.Add(time.Duration(d)*24*time.Hour + time.Duration(h)*time.Hour)
}

// book asks the engine for one line.
func (w *world) book(customer, item int64, qty int, start, end time.Time) (Result, error) {
	return w.eng.Book(w.ctx, Request{CustomerID: customer, LocationID: w.loc, Actor: Actor{UserID: customer},
		Lines: []LineRequest{{ItemID: item, Quantity: qty, Start: start, End: end}}})
}

func (w *world) mustBook(customer, item int64, qty int, start, end time.Time) int64 {
	w.t.Helper()
	r, err := w.book(customer, item, qty, start, end)
	if err != nil {
		w.t.Fatalf("book item %d [%s, %s): %v", item, start, end, err)
	}
	return r.BookingID
}

// overlaps counts pairs of active allocations of one unit that overlap: the
// constraint makes it 0, and the tests check that it stays so.
func (w *world) overlaps() int {
	w.t.Helper()
	return int(w.id(`SELECT count(*) FROM unit_allocations a JOIN unit_allocations b
		ON a.unit_id = b.unit_id AND a.id < b.id AND a.occupied && b.occupied
		WHERE a.active AND b.active`))
}

func (w *world) booking(id int64) store.Booking {
	w.t.Helper()
	b, err := w.st.GetBooking(w.ctx, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return b
}

// together starts n goroutines at one barrier and waits for all of them,
// failing the test if they do not finish within the timeout.
func together(t *testing.T, n int, timeout time.Duration, fn func(i int)) {
	t.Helper()
	testenv.Together(t, n, timeout, fn)
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// holdOnly is a payment step that leaves the hold waiting (as online payment
// will), so hold expiry can be tested.
type holdOnly struct{}

func (holdOnly) Begin(context.Context, *store.Store, store.Booking, store.Settings) (PaymentOutcome, error) {
	return PaymentOutcome{Confirm: false, RedirectURL: "/pay"}, nil
}

// free is the free quantity of an item for [start, end) by the availability query.
func (w *world) free(item int64, start, end time.Time) int {
	w.t.Helper()
	ia, err := w.eng.ItemAvailability(w.ctx, item, w.loc, start, end)
	if err != nil {
		w.t.Fatal(err)
	}
	return ia.Free
}

func (w *world) unitID(tag string) int64 {
	return w.id(`SELECT id FROM units WHERE asset_tag = $1`, tag)
}

func (w *world) activeAllocations() int {
	return int(w.id(`SELECT count(*) FROM unit_allocations WHERE active`))
}
