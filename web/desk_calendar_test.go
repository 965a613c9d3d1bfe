package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
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

// The units calendar pages through a large shop 200 units at a time, says
// which of how many it shows, and keeps the filters and the days from page
// to page; its item menu lists every item, however many.
func TestUnitsCalendarPages(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	lamp := s.item("Lamp", 0)
	s.exec(`INSERT INTO units (item_id, location_id, asset_tag) SELECT $1, $2, 'Lamp-' || lpad(n::text, 3, '0') FROM generate_series(1, 230) n`, lamp, s.loc)
	s.exec(`INSERT INTO items (name, slug, tracking, rate_day, deposit)
		SELECT 'Spare ' || lpad(n::text, 3, '0'), 'spare-' || n, 'serialized', 100, 0 FROM generate_series(1, 501) n`)
	c, _ := s.staffClient("desk@example.test")

	tags := map[string]bool{}
	first := c.get(fmt.Sprintf("/staff/calendar?location=%d&item=%d&days=7", s.loc, lamp)).expectStatus(t, http.StatusOK)
	if got := first.text(`[data-testid="calendar-showing"]`); got != "Showing 1–200 of 230 units" {
		t.Errorf("first page says %q", got)
	}
	rows := first.Doc.Find(`[data-testid="units-calendar"] tbody tr`)
	if rows.Length() != 200 {
		t.Fatalf("first page: %d rows, want 200", rows.Length())
	}
	rows.Each(func(_ int, tr *goquery.Selection) { tags[tr.AttrOr("data-testid", "")] = true })
	if first.has(`[data-testid="calendar-prev-page"]`) {
		t.Error("the first page links to a previous one")
	}
	next, _ := first.Doc.Find(`[data-testid="calendar-next-page"]`).Attr("href")
	for _, kept := range []string{fmt.Sprintf("item=%d", lamp), fmt.Sprintf("location=%d", s.loc), "days=7", "from=", "page=2"} {
		if !strings.Contains(next, kept) {
			t.Errorf("the next page %q loses %s", next, kept)
		}
	}
	if later, _ := first.Doc.Find(`[data-testid="calendar-next"]`).Attr("href"); strings.Contains(later, "page=") {
		t.Errorf("later days on page 1 go to another page: %q", later)
	}

	second := c.get(next).expectStatus(t, http.StatusOK)
	if got := second.text(`[data-testid="calendar-showing"]`); got != "Showing 201–230 of 230 units" {
		t.Errorf("second page says %q", got)
	}
	second.Doc.Find(`[data-testid="units-calendar"] tbody tr`).Each(func(_ int, tr *goquery.Selection) { tags[tr.AttrOr("data-testid", "")] = true })
	if len(tags) != 230 {
		t.Errorf("two pages show %d distinct units, want 230", len(tags))
	}
	if second.has(`[data-testid="calendar-next-page"]`) {
		t.Error("the last page links to a next one")
	}
	if prev, _ := second.Doc.Find(`[data-testid="calendar-prev-page"]`).Attr("href"); !strings.Contains(prev, fmt.Sprintf("item=%d", lamp)) || strings.Contains(prev, "page=") {
		t.Errorf("the previous page %q", prev)
	}
	if later, _ := second.Doc.Find(`[data-testid="calendar-next"]`).Attr("href"); !strings.Contains(later, "page=2") {
		t.Errorf("later days leave page 2: %q", later)
	}

	// The item menu: every item, the 501st spare included.
	menu := first.Doc.Find(`select[name="item"] option`)
	if !first.has(`select[name="item"] option[value=""]`) || menu.Length() != 1+1+501 {
		t.Errorf("the item menu has %d options, want every item and \"Every item\"", menu.Length())
	}
	if !strings.Contains(menu.Text(), "Spare 501") {
		t.Error("the item menu leaves out Spare 501")
	}
	for _, q := range []string{"page=0", "page=x", "page=-1", "page=1000000"} {
		c.get(fmt.Sprintf("/staff/calendar?location=%d&%s", s.loc, q)).expectStatus(t, http.StatusBadRequest)
	}
}
