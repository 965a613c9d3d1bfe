package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/store"
)

// The board lists overdue lines with how late they are and how to reach the
// customer, the bookings a late return endangers with a free unit to swap in
// (and bulk lines left short), holds about to lapse, and day navigation; it
// refreshes itself from outside anything staff type into.
func TestDeskBoardOverdueRiskAndHolds(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 2)
	chairs := s.bulkItem("Chair", 10)
	cust := s.createUser(store.RoleCustomer, "late@example.test", "correct horse battery")
	if _, err := s.st.DB().Exec(`UPDATE users SET phone = '+49 170 555' WHERE id = $1`, cust.ID); err != nil {
		t.Fatal(err)
	}
	d1, d2, d2_14, d3 := s.instant(1, 10), s.instant(2, 10), s.instant(2, 14), s.instant(3, 10)
	late := s.deskBook(cust.ID, tent, d1, d2)
	next := s.deskBook(cust.ID, tent, d2_14, d3) // waits for the late tent (Tent-1)
	if next.Lines[0].Units[0].UnitID != late.Lines[0].Units[0].UnitID {
		t.Fatalf("fixture: both bookings should hold %s", late.Lines[0].Units[0].AssetTag)
	}
	lateChairs := s.bookDirect(chairs, 6, d1, d2)
	moreChairs := s.bookDirect(chairs, 6, d2_14, d3) // only 4 left while 6 are overdue
	hold := s.bookDirect(tent, 1, s.instant(6, 10), s.instant(7, 10))

	c, staff := s.staffClient("desk@example.test")
	act := booking.Actor{UserID: staff.ID}
	s.setClock(d1.Add(time.Minute))
	if err := s.srv.Booking.CheckOut(context.Background(), late.ID, "Tent-1", act); err != nil {
		t.Fatal(err)
	}
	lb, _ := s.st.GetBooking(context.Background(), lateChairs)
	if err := s.srv.Booking.MarkBulkLine(context.Background(), lateChairs, lb.Lines[0].ID, true, act); err != nil {
		t.Fatal(err)
	}
	now := d2.Add(90 * time.Minute)
	s.setClock(now)
	if _, err := s.st.DB().Exec(`UPDATE bookings SET status = 'hold', expires_at = $2 WHERE id = $1`, hold, now.Add(40*time.Minute)); err != nil {
		t.Fatal(err)
	}

	res := c.get("/desk").expectStatus(t, http.StatusOK)
	row := res.Doc.Find(fmt.Sprintf(`[data-testid="overdue-line-%d"]`, late.Lines[0].ID))
	for sel, want := range map[string]string{`[data-testid="late"]`: "1 h 30 min", `[data-testid="email"]`: "late@example.test", `[data-testid="phone"]`: "+49 170 555"} {
		if got := row.Find(sel).Text(); got != want {
			t.Errorf("overdue %s: %q, want %q", sel, got, want)
		}
	}
	if got := res.Doc.Find(`[data-testid="overdue-count"]`).Text(); got != "2" {
		t.Errorf("overdue badge %q, want 2", got)
	}
	expectRows(t, "endangered", deskRows(res, "endangered"), next.Number, bookingNumber(moreChairs))
	if got := res.Doc.Find(fmt.Sprintf(`[data-testid="endangered-line-%d"] [data-testid="substitute"]`, next.Lines[0].ID)).Text(); !strings.Contains(got, "Tent-2") {
		t.Errorf("substitute %q, want Tent-2", got)
	}
	mb, _ := s.st.GetBooking(context.Background(), moreChairs)
	if got := res.Doc.Find(fmt.Sprintf(`[data-testid="endangered-line-%d"] [data-testid="short"]`, mb.Lines[0].ID)).Text(); got != "2 short" {
		t.Errorf("bulk shortfall %q, want 2 short", got)
	}
	if res.Doc.Find(fmt.Sprintf(`[data-testid="hold-%d"]`, hold)).Length() != 1 {
		t.Error("the hold about to lapse is not listed")
	}
	board := res.Doc.Find(`[data-testid="desk-board"]`)
	if trig, _ := board.Attr("hx-trigger"); !strings.HasPrefix(trig, "every ") {
		t.Errorf("the board does not refresh itself: hx-trigger %q", trig)
	}
	if board.Find("input, textarea, select").Length() != 0 {
		t.Error("the refreshing board holds an input: a refresh would lose what staff type")
	}
	today := now.In(s.zone)
	prev, _ := res.Doc.Find(`[data-testid="prev-day"]`).Attr("href")
	if !strings.Contains(prev, today.AddDate(0, 0, -1).Format("2006-01-02")) {
		t.Errorf("previous day link %q", prev)
	}
	c.get(prev).expectStatus(t, http.StatusOK)

	// Once the tent is back, nothing is endangered by it and it is not overdue.
	if err := s.srv.Booking.CheckIn(context.Background(), late.ID, "Tent-1", act); err != nil {
		t.Fatal(err)
	}
	res = c.get("/desk").expectStatus(t, http.StatusOK)
	expectRows(t, "endangered after check-in", deskRows(res, "endangered"), bookingNumber(moreChairs))
}

func bookingNumber(id int64) string { return fmt.Sprintf("R%06d", id) }

// The endangered list looks a week ahead (endangeredAhead), not at every
// booking of an overdue unit months away: a booking starting just inside the
// week is listed, one just outside is not, unless the board shows its day,
// where its pickup is flagged and listed too. Bulk lines likewise.
func TestDeskEndangeredLooksAWeekAhead(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 1)
	chairs := s.bulkItem("Chair", 10)
	cust := s.createUser(store.RoleCustomer, "ahead@example.test", "correct horse battery")
	d1, d2 := s.instant(1, 10), s.instant(2, 10)
	now := d2.Add(time.Hour)
	inside, outside := now.Add(endangeredAhead-time.Hour), now.Add(endangeredAhead+time.Hour)
	late := s.deskBook(cust.ID, tent, d1, d2)
	near := s.deskBook(cust.ID, tent, inside, inside.Add(2*time.Hour))
	far := s.deskBook(cust.ID, tent, outside, outside.Add(2*time.Hour))
	lateChairs := s.bookDirect(chairs, 6, d1, d2)
	nearChairs := s.bookDirect(chairs, 6, inside, inside.Add(2*time.Hour))
	farChairs := s.bookDirect(chairs, 6, outside, outside.Add(2*time.Hour))

	c, staff := s.staffClient("ahead-desk@example.test")
	act := booking.Actor{UserID: staff.ID}
	s.setClock(d1.Add(time.Minute))
	if err := s.srv.Booking.CheckOut(context.Background(), late.ID, "Tent-1", act); err != nil {
		t.Fatal(err)
	}
	lb, _ := s.st.GetBooking(context.Background(), lateChairs)
	if err := s.srv.Booking.MarkBulkLine(context.Background(), lateChairs, lb.Lines[0].ID, true, act); err != nil {
		t.Fatal(err)
	}
	s.setClock(now)

	res := c.get("/desk").expectStatus(t, http.StatusOK)
	expectRows(t, "endangered this week", deskRows(res, "endangered"), near.Number, bookingNumber(nearChairs))

	// The day of the bookings just outside the week: their pickups are
	// flagged, and the list holds them beside the week's.
	farDay := outside.In(s.zone).Format("2006-01-02")
	res = c.get("/desk?date="+farDay).expectStatus(t, http.StatusOK)
	expectRows(t, "endangered with the shown day", deskRows(res, "endangered"),
		near.Number, bookingNumber(nearChairs), far.Number, bookingNumber(farChairs))
	flag := res.Doc.Find(fmt.Sprintf(`[data-testid="pickups-line-%d"] [data-testid="endangered-flag"]`, far.Lines[0].ID))
	if !strings.Contains(flag.Text(), late.Number) {
		t.Errorf("the pickup of the shown day is not flagged with the overdue booking: %q", flag.Text())
	}
}
