package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/store"
)

// deskBook books one item for a customer, as staff, and returns the booking.
func (s *shop) deskBook(customer, item int64, start, end time.Time) store.Booking {
	s.t.Helper()
	ctx := context.Background()
	res, err := s.srv.Booking.Book(ctx, booking.Request{CustomerID: customer, LocationID: s.loc,
		Lines: []booking.LineRequest{{ItemID: item, Quantity: 1, Start: start, End: end}}})
	if err != nil {
		s.t.Fatal(err)
	}
	b, err := s.st.GetBooking(ctx, res.BookingID)
	if err != nil {
		s.t.Fatal(err)
	}
	return b
}

// setClock moves the injected clock to t.
func (a *testApp) setClock(t time.Time) {
	a.mu.Lock()
	a.now = t
	a.mu.Unlock()
}

// deskRows lists the booking numbers of one section of the desk.
func deskRows(res *testResponse, section string) []string {
	var out []string
	res.Doc.Find(fmt.Sprintf(`[data-testid=%q] tbody tr a.mono`, section)).Each(func(_ int, a *goquery.Selection) {
		out = append(out, a.Text())
	})
	return out
}

// The desk shows, per local day of the location (Auckland, far from UTC),
// what goes out, what comes back and what is overdue, and flags the next
// booking of a unit that is still out overdue.
func TestDeskListsTheDay(t *testing.T) {
	s := newShop(t, "Pacific/Auckland")
	tent, kayak := s.item("Tent", 2), s.item("Kayak", 1)
	cust := s.createUser(store.RoleCustomer, "hiker@example.test", "correct horse battery")
	staff := s.createUser(store.RoleStaff, "desk@example.test", "staff password 1")
	// Every instant is fixed before the clock moves.
	day1_9, day1_930, day1_14 := s.instant(1, 9), s.instant(1, 9).Add(30*time.Minute), s.instant(1, 14)
	day2_10, day2_11, day2_12, day2_13 := s.instant(2, 10), s.instant(2, 11), s.instant(2, 12), s.instant(2, 13)
	day3_10, day4_10 := s.instant(3, 10), s.instant(4, 10)
	date1, date2 := day1_9.In(s.zone).Format("2006-01-02"), day2_10.In(s.zone).Format("2006-01-02")

	out := s.deskBook(cust.ID, tent, day1_9, day2_11)    // goes out on day 1, due back day 2 11:00
	kay := s.deskBook(cust.ID, kayak, day1_14, day3_10)  // a pickup on day 1
	next := s.deskBook(cust.ID, tent, day2_10, day4_10)  // the other tent, day 2
	after := s.deskBook(cust.ID, tent, day2_13, day3_10) // the first tent again, after its return
	if out.Lines[0].Units[0].UnitID != after.Lines[0].Units[0].UnitID {
		t.Fatalf("fixture: %s and %s should share a unit", out.Number, after.Number)
	}

	s.setClock(day1_930)
	if err := s.srv.Booking.CheckOut(context.Background(), out.ID, out.Lines[0].Units[0].AssetTag, booking.Actor{UserID: staff.ID}); err != nil {
		t.Fatal(err)
	}
	c := s.client()
	c.login("desk@example.test", "staff password 1")

	today := c.get("/desk").expectStatus(t, http.StatusOK)
	if got := today.Doc.Find(`[data-testid="desk-day"]`).Text(); !strings.Contains(got, s.clock().In(s.zone).Format("2 January 2006")) {
		t.Errorf("desk day %q, want the location's today", got)
	}
	expectRows(t, "day 1 pickups", deskRows(today, "pickups"), kay.Number)
	expectRows(t, "day 1 returns", deskRows(today, "returns"))
	expectRows(t, "day 1 overdue", deskRows(today, "overdue"))
	if href, _ := today.Doc.Find(`[data-testid="pickups"] a.mono`).Attr("href"); href != fmt.Sprintf("/staff/bookings/%d", kay.ID) {
		t.Errorf("pickup links to %q", href)
	}
	if got := c.get("/desk?date=" + date1); deskRows(got, "pickups")[0] != kay.Number {
		t.Error("the explicit date differs from today")
	}
	tomorrow := c.get("/desk?date="+date2).expectStatus(t, http.StatusOK)
	expectRows(t, "day 2 pickups", deskRows(tomorrow, "pickups"), next.Number, after.Number)
	expectRows(t, "day 2 returns", deskRows(tomorrow, "returns"), out.Number)

	// Day 2, 12:00: the tent is an hour late, and the booking waiting for it is endangered.
	s.setClock(day2_12)
	late := c.get("/desk").expectStatus(t, http.StatusOK)
	expectRows(t, "day 2 overdue", deskRows(late, "overdue"), out.Number)
	expectRows(t, "day 2 returns after the hour", deskRows(late, "returns"))
	expectRows(t, "endangered", deskRows(late, "endangered"), after.Number)
	flag := late.Doc.Find(fmt.Sprintf(`[data-testid="pickups-line-%d"] [data-testid="endangered-flag"]`, after.Lines[0].ID))
	if !strings.Contains(flag.Text(), out.Number) {
		t.Errorf("the endangered pickup is not flagged with the overdue booking: %q", flag.Text())
	}
	if late.Doc.Find(fmt.Sprintf(`[data-testid="pickups-line-%d"] [data-testid="endangered-flag"]`, next.Lines[0].ID)).Length() != 0 {
		t.Error("a booking of another unit is flagged")
	}
}

func expectRows(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("%s: %q, want %q", what, got, want)
	}
}

// Search by number or customer, the list of all bookings with its status
// filter and keyset pages, and junk parameters answered with 400 (W11).
func TestDeskSearchAndBookingList(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Bike", 5)
	ana := s.createUser(store.RoleCustomer, "ana.lopez@example.test", "correct horse battery")
	bob := s.createUser(store.RoleCustomer, "bob@example.test", "correct horse battery")
	b1 := s.deskBook(ana.ID, item, s.instant(2, 10), s.instant(3, 10))
	b2 := s.deskBook(bob.ID, item, s.instant(2, 10), s.instant(3, 10))
	if err := s.srv.Booking.Cancel(context.Background(), b2.ID, 0, booking.Actor{}); err != nil {
		t.Fatal(err)
	}
	s.createUser(store.RoleStaff, "desk@example.test", "staff password 1")
	c := s.client()
	c.login("desk@example.test", "staff password 1")

	for q, want := range map[string][]string{
		b1.Number:                         {b1.Number},
		strings.TrimLeft(b2.Number, "R0"): {b2.Number},
		"ana.lopez":                       {b1.Number},
		"BOB":                             {b2.Number},
		"example.test":                    {b2.Number, b1.Number},
		"%":                               nil,
	} {
		res := c.get("/desk?q="+url.QueryEscape(q)).expectStatus(t, http.StatusOK)
		var got []string
		res.Doc.Find(`[data-testid="search-results"] tbody tr a.mono`).Each(func(_ int, a *goquery.Selection) { got = append(got, a.Text()) })
		expectRows(t, "search "+q, got, want...)
		if res.Doc.Find(`[data-testid="desk-board"]`).Length() != 0 {
			t.Errorf("search %s: the board is shown beside the results", q)
		}
		if href, _ := res.Doc.Find(`[data-testid="board-link"]`).Attr("href"); href != "/desk?location="+fmt.Sprint(s.loc) {
			t.Errorf("search %s: the link back to the board is %q", q, href)
		}
	}
	// A search from another day's board leads back to that day.
	day := c.get("/desk?date=2026-03-02&q=BOB").expectStatus(t, http.StatusOK)
	if href, _ := day.Doc.Find(`[data-testid="board-link"]`).Attr("href"); href != fmt.Sprintf("/desk?date=2026-03-02&location=%d", s.loc) {
		t.Errorf("the link back from a search of another day is %q", href)
	}
	if v, _ := c.get("/desk?date=2026-03-02").expectStatus(t, http.StatusOK).Doc.
		Find(`[data-testid="desk-search"] input[name="date"]`).Attr("value"); v != "2026-03-02" {
		t.Errorf("the search of another day's board does not keep the day: %q", v)
	}

	list := func(query string) []string {
		var got []string
		c.get("/staff/bookings"+query).expectStatus(t, http.StatusOK).Doc.
			Find(`[data-testid="booking-table"] tbody tr a.mono`).Each(func(_ int, a *goquery.Selection) { got = append(got, a.Text()) })
		return got
	}
	expectRows(t, "all", list(""), b2.Number, b1.Number)
	expectRows(t, "cancelled", list("?status=cancelled"), b2.Number)
	expectRows(t, "confirmed", list("?status=confirmed"), b1.Number)
	expectRows(t, "before", list(fmt.Sprintf("?before=%d", b2.ID)), b1.Number)

	for _, path := range []string{"/staff/bookings?status=junk", "/staff/bookings?status=confirmed'--", "/staff/bookings?before=x",
		"/staff/bookings?before=-1", "/desk?location=abc", "/desk?location=99999", "/desk?date=2026-13-01", "/desk?date=tomorrow",
		"/desk?q=" + strings.Repeat("x", 101)} {
		c.get(path).expectStatus(t, http.StatusBadRequest)
	}
}
