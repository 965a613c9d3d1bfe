package web

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/store"
)

// The units calendar: units × days with bookings, buffers, maintenance and
// overdue in distinct kinds, each booking linking to it, today marked, bulk
// items as free/total per day; junk parameters are a 400.
func TestUnitsCalendar(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 2)
	if _, err := s.st.DB().Exec(`UPDATE items SET buffer_after_minutes = 1440 WHERE id = $1`, tent); err != nil {
		t.Fatal(err)
	}
	chairs := s.bulkItem("Chair", 10)
	cust := s.createUser(store.RoleCustomer, "hiker@example.test", "correct horse battery")
	c, staff := s.staffClient("desk@example.test")
	// Every instant is fixed before the clock moves.
	d1, d2, d3, d4, d5, d6, d8, d9 := s.instant(1, 10), s.instant(2, 10), s.instant(3, 12), s.instant(4, 10), s.instant(5, 10),
		s.instant(6, 10), s.instant(8, 9), s.instant(9, 18)
	late := s.deskBook(cust.ID, tent, d1, d2)
	s.bookDirect(chairs, 4, d4, d5)
	s.setClock(d1)
	if err := s.srv.Booking.CheckOut(context.Background(), late.ID, late.Lines[0].Units[0].AssetTag, booking.Actor{UserID: staff.ID}); err != nil {
		t.Fatal(err)
	}
	s.setClock(d3) // the first tent is a day late
	later := s.deskBook(cust.ID, tent, d5, d6)
	other := "Tent-1"
	if late.Lines[0].Units[0].AssetTag == other {
		other = "Tent-2"
	}
	var otherID int64
	if err := s.st.DB().QueryRow(`SELECT id FROM units WHERE asset_tag = $1`, other).Scan(&otherID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.srv.Booking.BlockForMaintenance(context.Background(), booking.MaintenanceRequest{UnitID: otherID,
		Start: d8, End: d9, Reason: "new poles"}); err != nil {
		t.Fatal(err)
	}

	res := c.get(fmt.Sprintf("/staff/calendar?location=%d", s.loc)).expectStatus(t, http.StatusOK)
	kinds := func(tag string) []string {
		var out []string
		res.Doc.Find(fmt.Sprintf(`[data-testid="cal-row-%s"] td`, tag)).Each(func(_ int, td *goquery.Selection) {
			k, _ := td.Attr("data-kind")
			out = append(out, k)
		})
		return out
	}
	lateTag := late.Lines[0].Units[0].AssetTag
	k := kinds(lateTag)
	if len(k) != calendarDays {
		t.Fatalf("%d days, want %d", len(k), calendarDays)
	}
	// Day 0 is today (day 3 of the fixture): overdue from the due day on.
	if k[0] != "overdue" || k[5] != "overdue" {
		t.Errorf("%s: %v, want overdue every day until it is back", lateTag, k)
	}
	want := map[int]string{0: "free", 2: "booked", 3: "booked", 4: "buffer", 5: "maintenance", 6: "maintenance", 7: "free"}
	if later.Lines[0].Units[0].AssetTag != other {
		t.Fatalf("fixture: the later booking holds %s", later.Lines[0].Units[0].AssetTag)
	}
	ko := kinds(other)
	for day, kind := range want {
		if ko[day] != kind {
			t.Errorf("%s day %d: %s, want %s (%v)", other, day, ko[day], kind, ko)
		}
	}
	if href, _ := res.Doc.Find(fmt.Sprintf(`[data-testid="cal-row-%s"] td[data-kind="booked"] a`, other)).Attr("href"); href != fmt.Sprintf("/staff/bookings/%d", later.ID) {
		t.Errorf("booked cell links to %q", href)
	}
	if res.Doc.Find(`thead th.cal-today`).Length() != 1 {
		t.Error("today is not marked")
	}
	if got := res.Doc.Find(`[data-testid="cal-row-Chair"] td`).Eq(1).Text(); got != "6/10" {
		t.Errorf("chairs on day 4: %q, want 6/10", got)
	}
	if res.Doc.Find(`[data-testid="calendar-legend"] li`).Length() < 5 {
		t.Error("no legend")
	}
	narrowed := c.get(fmt.Sprintf("/staff/calendar?location=%d&item=%d&days=7", s.loc, chairs)).expectStatus(t, http.StatusOK)
	if narrowed.Doc.Find(`[data-testid="units-calendar"] tbody tr`).Length() != 1 {
		t.Error("the item filter shows other items")
	}
	for _, q := range []string{"days=0", "days=x", "days=100", "from=2026-13-40", "item=-1", "category=x", "location=999999"} {
		c.get("/staff/calendar?"+q).expectStatus(t, http.StatusBadRequest)
	}
}
