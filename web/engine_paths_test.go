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

// A booked unit cannot be taken from its bookings by the CSV import (moved to
// another item, or out of service) nor by the unit form.
func TestStaffUnitChangesCannotStrandBookings(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	cam := s.item("Cam", 1)
	other := s.item("Other", 0)
	s.bookDirect(cam, 1, s.instant(2, 10), s.instant(3, 10))
	staff := s.roleClient("staff")
	var slug string
	if err := s.st.DB().QueryRow(`SELECT slug FROM items WHERE id = $1`, other).Scan(&slug); err != nil {
		t.Fatal(err)
	}
	csv := "asset_tag,item,location,status\nCam-1," + slug + ",main,available\n"
	up := staff.postFile("/staff/import", url.Values{"kind": {"units"}}, "file", "units.csv", []byte(csv)).expectStatus(t, http.StatusSeeOther)
	// The refusal is the import report (422) naming the unit that is held.
	report := staff.post(up.Header.Get("Location")+"/apply", nil).expectStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(report.Body, "Cam-1") {
		t.Error("the refused import does not name the held unit")
	}
	if got := s.id(`SELECT item_id FROM units WHERE asset_tag = 'Cam-1'`); got != cam {
		t.Fatalf("import moved the booked unit to item %d", got)
	}
	// The unit form answers 422 with the booking named beside the field
	// that asked for the change, and keeps what was entered.
	var number string
	if err := s.st.DB().QueryRow(`SELECT number FROM bookings`).Scan(&number); err != nil {
		t.Fatal(err)
	}
	unit := s.id(`SELECT id FROM units WHERE asset_tag = 'Cam-1'`)
	res := staff.post("/staff/units/"+idOf(unit), url.Values{"location_id": {idOf(s.loc)}, "status": {"retired"}, "serial_number": {"SN-9"}}).
		expectStatus(t, http.StatusUnprocessableEntity)
	if msg := res.fieldError("status"); !strings.Contains(msg, number) || !strings.Contains(msg, "Cam-1") {
		t.Errorf("status message %q does not name booking %s and unit Cam-1", msg, number)
	}
	if got, _ := res.Doc.Find(`select[name="status"] option[selected]`).Attr("value"); got != "retired" || res.inputValue("serial_number") != "SN-9" {
		t.Errorf("input not kept: status %q, serial %q", got, res.inputValue("serial_number"))
	}
	if n := s.id(`SELECT count(*) FROM units WHERE status <> 'available'`); n != 0 {
		t.Fatal("the unit form retired a booked unit")
	}
	far := s.id(`INSERT INTO locations (name, slug, time_zone) VALUES ('Far store', 'far', 'Europe/Berlin') RETURNING id`)
	res = staff.post("/staff/units/"+idOf(unit), url.Values{"location_id": {idOf(far)}, "status": {"available"}}).
		expectStatus(t, http.StatusUnprocessableEntity)
	if msg := res.fieldError("location_id"); !strings.Contains(msg, number) {
		t.Errorf("location message %q does not name booking %s", msg, number)
	}
	if got := s.id(`SELECT location_id FROM units WHERE id = $1`, unit); got != s.loc {
		t.Fatal("the unit form moved a booked unit")
	}
}

// An empty "until" blocks a unit until it is put back in service: it is
// unavailable for any later period, and saving it as available ends the block.
func TestMaintenanceOpenEnded(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	drill := s.item("Drill", 1)
	staff := s.roleClient("staff")
	staff.post("/staff/maintenance", url.Values{"tag": {"Drill-1"}, "start": {s.local(1, 10)}, "end": {""}, "reason": {"motor burnt"}}).
		expectStatus(t, http.StatusSeeOther)
	if n := s.id(`SELECT count(*) FROM maintenance_blocks WHERE ends_at IS NULL`); n != 1 {
		t.Fatalf("%d open-ended blocks, want 1", n)
	}
	ia, err := s.srv.Booking.ItemAvailability(context.Background(), drill, s.loc, s.instant(60, 10), s.instant(61, 10))
	if err != nil || ia.Free != 0 {
		t.Fatalf("free two months on = %d (%v), want 0", ia.Free, err)
	}
	unit := s.id(`SELECT id FROM units WHERE asset_tag = 'Drill-1'`)
	staff.post("/staff/units/"+idOf(unit), url.Values{"location_id": {idOf(s.loc)}, "status": {"available"}}).expectStatus(t, http.StatusSeeOther)
	ia, err = s.srv.Booking.ItemAvailability(context.Background(), drill, s.loc, s.instant(60, 10), s.instant(61, 10))
	if err != nil || ia.Free != 1 {
		t.Fatalf("free after it is back in service = %d (%v), want 1", ia.Free, err)
	}
	// A unit booked before the start cannot be taken out until further
	// notice: the answer names the booking; a dated block after it fits.
	number := s.st.DB().QueryRow(`SELECT number FROM bookings WHERE id = $1`, s.bookDirect(drill, 1, s.instant(3, 10), s.instant(4, 10)))
	var n string
	if err := number.Scan(&n); err != nil {
		t.Fatal(err)
	}
	res := staff.post("/staff/maintenance", url.Values{"tag": {"Drill-1"}, "start": {s.local(5, 10)}, "end": {""}, "reason": {"again"}})
	if res.expectStatus(t, http.StatusConflict); !strings.Contains(res.Body, n) {
		t.Fatalf("refusal does not name booking %s", n)
	}
	if st := s.id(`SELECT count(*) FROM units WHERE status = 'available'`); st != 1 {
		t.Fatal("a refused block changed the unit's status")
	}
	staff.post("/staff/maintenance", url.Values{"tag": {"Drill-1"}, "start": {s.local(5, 10)}, "end": {s.local(6, 10)}, "reason": {"again"}}).
		expectStatus(t, http.StatusSeeOther)
}

// "Extend" cannot shorten a customer's booking (which would escape the
// free-cancellation window); the form says so and the total stays.
func TestCustomerExtendCannotShorten(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	van := s.item("Van", 1)
	c, _ := s.customer("ann@example.com")
	done := c.bookOne(s.loc, van, s.local(1, 10), s.local(8, 10)).expectStatus(t, http.StatusSeeOther).Header.Get("Location")
	b := s.id(`SELECT id FROM bookings`)
	total := s.id(`SELECT total FROM bookings WHERE id = $1`, b)
	line := s.id(`SELECT id FROM booking_lines WHERE booking_id = $1`, b)
	res := c.post(fmt.Sprintf("%s/lines/%d/extend", done, line), url.Values{"end": {s.local(1, 11)}}).expectStatus(t, http.StatusUnprocessableEntity)
	if msg := res.fieldError("end"); !strings.Contains(msg, "later than the current") {
		t.Fatalf("end message %q", msg)
	}
	if got := s.id(`SELECT total FROM bookings WHERE id = $1`, b); got != total {
		t.Fatalf("total %d → %d", total, got)
	}
}

// Staff mark a bulk line picked up and returned from the booking page; the
// booking follows its lines to "returned".
func TestStaffBulkLinePickupReturn(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	chairs := s.bulkItem("Chair", 10)
	b := s.bookDirect(chairs, 6, s.instant(1, 10), s.instant(2, 10))
	line := s.id(`SELECT id FROM booking_lines WHERE booking_id = $1`, b)
	staff := s.roleClient("staff")
	page := fmt.Sprintf("/staff/bookings/%d", b)
	if staff.get(page).expectStatus(t, http.StatusOK).Doc.Find(`[data-testid="bulk-pickup-form"]`).Length() != 1 {
		t.Fatal("no pickup form for the bulk line")
	}
	s.advance(24 * time.Hour)
	staff.post(fmt.Sprintf("%s/lines/%d/return", page, line), nil).expectStatus(t, http.StatusUnprocessableEntity)
	staff.post(fmt.Sprintf("%s/lines/%d/pickup", page, line), nil).expectStatus(t, http.StatusSeeOther)
	if st := staff.get(page).Doc.Find(`[data-testid="bulk-line-state"]`).Text(); st != "out" {
		t.Fatalf("line state %q, want out", st)
	}
	staff.post(fmt.Sprintf("%s/lines/%d/return", page, line), nil).expectStatus(t, http.StatusSeeOther)
	var status string
	if err := s.st.DB().QueryRow(`SELECT status FROM bookings WHERE id = $1`, b).Scan(&status); err != nil || status != store.BookingReturned {
		t.Fatalf("booking is %q (%v), want returned", status, err)
	}
}

// B13 with opening hours: the /book and walk-in form defaults move to the
// next opening time and pass their own validation; times outside the hours
// get a clear message beside the field.
func TestFormDefaultsMeetOpeningHours(t *testing.T) {
	s := newShop(t, "America/Los_Angeles")
	if _, err := s.st.DB().Exec(`UPDATE locations SET opening_hours = '{"2":[{"open":"09:00","close":"10:00"}],"4":[{"open":"15:00","close":"16:30"}]}' WHERE id = $1`, s.loc); err != nil {
		t.Fatal(err)
	}
	item := s.item("Tent", 1)
	c, _ := s.customer("ann@example.com")
	page := c.get("/book").expectStatus(t, http.StatusOK)
	start, end := page.inputValue("start"), page.inputValue("end")
	c.choose(s.loc, start, end).expectStatus(t, http.StatusSeeOther)

	staff := s.roleClient("staff")
	walkIn := staff.get("/staff/bookings/new").expectStatus(t, http.StatusOK)
	form := url.Values{"email": {"ann@example.com"}, "item": {fmt.Sprint(item)}, "quantity": {"1"}, "location": {fmt.Sprint(s.loc)},
		"start": {walkIn.inputValue("start")}, "end": {walkIn.inputValue("end")}}
	staff.post("/staff/bookings", form).expectStatus(t, http.StatusSeeOther)

	// Find a Monday: the shop is closed on Mondays.
	d := 1
	for s.instant(d, 10).In(s.zone).Weekday() != time.Monday {
		d++
	}
	res := c.choose(s.loc, s.local(d, 10), s.local(d+1, 9)).expectStatus(t, http.StatusUnprocessableEntity)
	if got := res.fieldError("start"); got != "The shop is closed on Mondays." {
		t.Fatalf("start message %q", got)
	}
	res = c.choose(s.loc, s.local(d+1, 9), s.local(d+3, 17)).expectStatus(t, http.StatusUnprocessableEntity)
	if got := res.fieldError("end"); got != "Return between 15:00 and 16:30." {
		t.Fatalf("end message %q", got)
	}
}

// The item update locks the item and reads everything else before or through
// that transaction, so it needs one connection: with a pool of one it still
// saves instead of waiting for a second connection and answering 503.
func TestStaffItemUpdateNeedsOneConnection(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tents := s.bulkItem("Tent", 3)
	staff := s.roleClient("staff")
	s.st.DB().SetMaxOpenConns(1)
	t.Cleanup(func() { s.st.DB().SetMaxOpenConns(0) })
	form := itemForm("name", "Tent", "tracking", "bulk", "buffer_after", "30")
	staff.post("/staff/items/"+idOf(tents), form).expectStatus(t, http.StatusSeeOther)
	if n := s.id(`SELECT buffer_after_minutes FROM items WHERE id = $1`, tents); n != 30 {
		t.Fatalf("buffer saved as %d", n)
	}
}
