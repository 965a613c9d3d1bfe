package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/store"
)

// bulkItem makes a bulk item with qty pieces at the shop's location.
func (s *shop) bulkItem(name string, qty int) int64 {
	id := s.id(`INSERT INTO items (name, slug, tracking, rate_day) VALUES ($1, $2, 'bulk', 500) RETURNING id`,
		name, fmt.Sprintf("bulk-%d", s.seq.Add(1)))
	s.id(`INSERT INTO bulk_stock (item_id, location_id, quantity) VALUES ($1, $2, $3) RETURNING item_id`, id, s.loc, qty)
	return id
}

// bookDirect books through the engine for a new customer.
func (s *shop) bookDirect(item int64, qty int, start, end time.Time) int64 {
	s.t.Helper()
	u := s.createUser(store.RoleCustomer, fmt.Sprintf("direct%d@example.test", s.seq.Add(1)), "correct horse battery")
	res, err := s.srv.Booking.Book(context.Background(), booking.Request{CustomerID: u.ID, LocationID: s.loc,
		Lines: []booking.LineRequest{{ItemID: item, Quantity: qty, Start: start, End: end}}})
	if err != nil {
		s.t.Fatal(err)
	}
	return res.BookingID
}

// Invariant 1 through the stock form: a location cannot keep fewer pieces
// than its bookings need at once; the form says so beside the field.
func TestStaffStockCannotGoBelowBookings(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	chairs := s.bulkItem("Chair", 5)
	s.bookDirect(chairs, 5, s.instant(2, 10), s.instant(3, 10))
	staff := s.roleClient("staff")
	field := "qty_" + idOf(s.loc)
	res := staff.post("/staff/items/"+idOf(chairs)+"/stock", url.Values{field: {"1"}}).expectStatus(t, http.StatusUnprocessableEntity)
	if msg := res.fieldError(field); !strings.Contains(msg, "keep at least 5") || res.inputValue(field) != "1" {
		t.Fatalf("field message %q, input %q", msg, res.inputValue(field))
	}
	if q := s.id(`SELECT quantity FROM bulk_stock WHERE item_id = $1`, chairs); q != 5 {
		t.Fatalf("stock is %d after a refused change", q)
	}
	staff.post("/staff/items/"+idOf(chairs)+"/stock", url.Values{field: {"7"}}).expectStatus(t, http.StatusSeeOther)
	if n := s.id(`SELECT count(*) FROM audit_log WHERE action = 'stock.update' AND entity_id = $1`, idOf(chairs)); n != 1 {
		t.Fatalf("%d stock audit rows, want 1", n)
	}
}

// Wider buffers make a bulk item's bookings overlap more: the edit is
// refused when they would then need more than the stock.
func TestStaffItemBuffersCannotOverbook(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tents := s.bulkItem("Tent", 1)
	s.bookDirect(tents, 1, s.instant(2, 10), s.instant(3, 10))
	s.bookDirect(tents, 1, s.instant(3, 11), s.instant(4, 10))
	staff := s.roleClient("staff")
	form := itemForm("name", "Tent", "tracking", "bulk", "buffer_after", "120")
	res := staff.post("/staff/items/"+idOf(tents), form).expectStatus(t, http.StatusUnprocessableEntity)
	if msg := res.fieldError("buffer_after"); !strings.Contains(msg, "keep at least 2") {
		t.Fatalf("buffer message %q", msg)
	}
	if n := s.id(`SELECT buffer_after_minutes FROM items WHERE id = $1`, tents); n != 0 {
		t.Fatalf("buffer saved as %d", n)
	}
	form.Set("buffer_after", "30")
	staff.post("/staff/items/"+idOf(tents), form).expectStatus(t, http.StatusSeeOther)
}
