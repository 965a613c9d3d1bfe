package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// shop is a test app with a booking engine and one location.
type shop struct {
	*testApp
	loc     int64
	zone    *time.Location
	zoneStr string
	seq     atomic.Int64
}

// newShop starts an app whose single location is in zone. Its clock starts
// at the real now, so dates in forms are in the future.
func newShop(t *testing.T, zone string, mutate ...func(*Deps)) *shop {
	t.Helper()
	app := newTestApp(t, mutate...)
	z, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	s := &shop{testApp: app, zone: z, zoneStr: zone}
	s.loc = s.id(`INSERT INTO locations (name, slug, time_zone) VALUES ('Main store', 'main', $1) RETURNING id`, zone)
	return s
}

func (s *shop) id(q string, args ...any) int64 {
	s.t.Helper()
	var id int64
	if err := s.st.DB().QueryRowContext(context.Background(), q, args...).Scan(&id); err != nil {
		s.t.Fatalf("%s: %v", q, err)
	}
	return id
}

// item makes a serialized item with n units (tags NAME-1…n).
func (s *shop) item(name string, units int) int64 {
	id := s.id(`INSERT INTO items (name, slug, tracking, rate_day, deposit) VALUES ($1, $2, 'serialized', 2500, 10000) RETURNING id`,
		name, fmt.Sprintf("item-%d", s.seq.Add(1)))
	for i := 1; i <= units; i++ {
		s.id(`INSERT INTO units (item_id, location_id, asset_tag) VALUES ($1, $2, $3) RETURNING id`, id, s.loc, fmt.Sprintf("%s-%d", name, i))
	}
	return id
}

// local is a datetime-local value d days from today at hour h in the
// location's zone.
func (s *shop) local(d, h int) string {
	now := s.clock().In(s.zone)
	return period.FormatLocal(period.Date(now.Year(), now.Month(), now.Day()+d, h, 0, 0, 0, s.zone), s.zone)
}

// instant is the UTC instant of s.local(d, h).
func (s *shop) instant(d, h int) time.Time {
	t, err := period.ParseLocal(s.local(d, h), s.zone)
	if err != nil {
		s.t.Fatal(err)
	}
	return t
}

// customer creates a customer and a logged-in client for them.
func (s *shop) customer(email string) (*testClient, store.User) {
	u := s.createUser(store.RoleCustomer, email, "correct horse battery")
	c := s.client()
	c.login(email, "correct horse battery")
	return c, u
}

// choose posts the where-and-when form.
func (c *testClient) choose(loc int64, start, end string) *testResponse {
	c.t.Helper()
	c.get("/book")
	return c.post("/book/dates", url.Values{"location": {fmt.Sprint(loc)}, "start": {start}, "end": {end}})
}

// add puts an item into the cart.
func (c *testClient) add(item int64, qty int) *testResponse {
	c.t.Helper()
	return c.post("/cart/items", url.Values{"item_id": {fmt.Sprint(item)}, "quantity": {fmt.Sprint(qty)}})
}

// checkoutToken opens the checkout page and returns its form token.
func (c *testClient) checkoutToken() string {
	c.t.Helper()
	res := c.get("/checkout").expectStatus(c.t, http.StatusOK)
	tok, _ := res.Doc.Find(`[data-testid="checkout-form"] input[name="token"]`).Attr("value")
	if tok == "" {
		c.t.Fatalf("no checkout token on the page:\n%s", res.Body)
	}
	return tok
}

// bookOne chooses dates, adds one item and confirms; it returns the response
// of the confirm.
func (c *testClient) bookOne(loc, item int64, start, end string) *testResponse {
	c.t.Helper()
	c.choose(loc, start, end).expectStatus(c.t, http.StatusSeeOther)
	c.add(item, 1).expectStatus(c.t, http.StatusSeeOther)
	return c.post("/checkout", url.Values{"token": {c.checkoutToken()}})
}

// parallel runs fn n times at once after a barrier, within a timeout.
func parallel(t *testing.T, n int, timeout time.Duration, fn func(i int)) {
	t.Helper()
	testenv.Together(t, n, timeout, fn)
}

// bookingWorld adds to the W8 fixture: a location, an item, and two bookings
// of customer A ({bookingA} with line {lineA}; {bookingA2} to cancel), plus a
// line of another customer ({lineA2}) to aim A's booking id at.
func bookingWorld(t testing.TB, app *testApp, w *authzWorld) {
	t.Helper()
	ctx := context.Background()
	var loc, item int64
	db := app.st.DB()
	if err := db.QueryRowContext(ctx, `INSERT INTO locations (name, slug, time_zone) VALUES ('W8', 'w8', 'Europe/Berlin') RETURNING id`).Scan(&loc); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `INSERT INTO items (name, slug, tracking, rate_day) VALUES ('W8 camera', 'w8-camera', 'serialized', 1000) RETURNING id`).Scan(&item); err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"W8-1", "W8-2", "W8-3"} {
		if _, err := db.ExecContext(ctx, `INSERT INTO units (item_id, location_id, asset_tag) VALUES ($1, $2, $3)`, item, loc, tag); err != nil {
			t.Fatal(err)
		}
	}
	zone, _ := time.LoadLocation("Europe/Berlin")
	now := app.clock().In(zone)
	start := period.Date(now.Year(), now.Month(), now.Day()+10, 10, 0, 0, 0, zone)
	end := start.Add(48 * time.Hour)
	book := func(email string) (int64, int64) {
		u, err := app.st.GetUserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		res, err := app.srv.Booking.Book(ctx, booking.Request{CustomerID: u.ID, LocationID: loc,
			Lines: []booking.LineRequest{{ItemID: item, Quantity: 1, Start: start, End: end}}})
		if err != nil {
			t.Fatal(err)
		}
		b, err := app.st.GetBooking(ctx, res.BookingID)
		if err != nil {
			t.Fatal(err)
		}
		return b.ID, b.Lines[0].ID
	}
	a, lineA := book(w.emails[1])
	a2, _ := book(w.emails[1])
	_, lineB := book(w.emails[2])
	var handover int64
	if err := db.QueryRowContext(ctx, `INSERT INTO handovers (booking_id, handed_at, lines, currency) VALUES ($1, now(), '[]', 'EUR') RETURNING id`, a).Scan(&handover); err != nil {
		t.Fatal(err)
	}
	w.vars["{handoverA}"] = fmt.Sprint(handover)
	var block int64
	if err := db.QueryRowContext(ctx, `INSERT INTO maintenance_blocks (unit_id, starts_at, ends_at, reason)
		SELECT id, now() + interval '300 days', now() + interval '301 days', 'W8' FROM units WHERE asset_tag = 'W8-3' RETURNING id`).Scan(&block); err != nil {
		t.Fatal(err)
	}
	w.vars["{block}"] = fmt.Sprint(block)
	// A return of booking A whose late fee was charged, with a photo.
	var entry, ret, photo int64
	if err := db.QueryRowContext(ctx, `INSERT INTO ledger_entries (booking_id, kind, charge_type, amount, currency)
		VALUES ($1, 'charge', 'late_fee', 500, 'EUR') RETURNING id`, a).Scan(&entry); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `INSERT INTO unit_returns (booking_id, booking_line_id, condition, note, late_fee, ledger_entry_id, returned_at)
		VALUES ($1, $2, 'damaged', 'W8', 500, $3, now()) RETURNING id`, a, lineA, entry).Scan(&ret); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `INSERT INTO return_photos (unit_return_id, content_type, data, thumbnail)
		VALUES ($1, 'image/png', '\x89504e47', '\xffd8') RETURNING id`, ret).Scan(&photo); err != nil {
		t.Fatal(err)
	}
	w.vars["{returnA}"], w.vars["{returnPhoto}"] = fmt.Sprint(ret), fmt.Sprint(photo)
	for k, v := range map[string]int64{"{bookLoc}": loc, "{bookItem}": item, "{bookingA}": a, "{lineA}": lineA, "{bookingA2}": a2, "{lineA2}": lineB} {
		w.vars[k] = fmt.Sprint(v)
	}
	var invoiceA int64
	if err := db.QueryRowContext(ctx, `SELECT id FROM invoices WHERE booking_id = $1`, a).Scan(&invoiceA); err != nil {
		t.Fatalf("invoice of booking A: %v", err)
	}
	w.vars["{invoiceA}"] = fmt.Sprint(invoiceA)
	w.vars["{start}"] = period.FormatLocal(start, zone)
	w.vars["{end}"] = period.FormatLocal(end, zone)
}
