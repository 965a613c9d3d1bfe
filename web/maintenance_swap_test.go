package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/store"
)

// unitOfBooking is the asset tag a booking's (single) line holds.
func (s *shop) unitOfBooking(id int64) string {
	s.t.Helper()
	var tag string
	if err := s.st.DB().QueryRow(`SELECT u.asset_tag FROM unit_allocations a JOIN units u ON u.id = a.unit_id
		JOIN booking_lines l ON l.id = a.booking_line_id WHERE l.booking_id = $1 AND a.active`, id).Scan(&tag); err != nil {
		s.t.Fatal(err)
	}
	return tag
}

// swapForm reads the hidden fields of the swap button for tag, as the page
// would post them.
func swapForm(t *testing.T, res *testResponse, tag string) url.Values {
	t.Helper()
	form := res.Doc.Find(fmt.Sprintf(`[data-testid="swap-form"]:has([data-testid="swap-%s"])`, tag))
	if form.Length() != 1 {
		t.Fatalf("no swap button for %s in %q", tag, res.Doc.Find(`[data-testid="maintenance-refusal"]`).Text())
	}
	v := url.Values{}
	form.Find(`input[type="hidden"]`).Each(func(_ int, in *goquery.Selection) {
		name, _ := in.Attr("name")
		val, _ := in.Attr("value")
		if name != "_csrf" {
			v.Set(name, val)
		}
	})
	return v
}

// A block refused because a booking holds the unit names the booking (number,
// customer, period, link) and offers the units of the same item free for its
// whole period; swapping moves the booking through the guarded change of
// unit and brings the form back as typed, and the block then goes through.
func TestMaintenanceRefusalOffersSwap(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 3)
	held := s.bookDirect(tent, 1, s.instant(3, 10), s.instant(4, 10))
	other := s.bookDirect(tent, 1, s.instant(3, 12), s.instant(5, 10))
	if a, b := s.unitOfBooking(held), s.unitOfBooking(other); a != "Tent-1" || b != "Tent-2" {
		t.Fatalf("fixture: bookings hold %s and %s", a, b)
	}
	var number, customer string
	if err := s.st.DB().QueryRow(`SELECT b.number, u.name FROM bookings b JOIN users u ON u.id = b.customer_id WHERE b.id = $1`, held).
		Scan(&number, &customer); err != nil {
		t.Fatal(err)
	}
	staff := s.roleClient("staff")
	typed := url.Values{"tag": {"Tent-1"}, "start": {s.local(2, 9)}, "end": {s.local(4, 18)}, "reason": {"zip broken"}}
	res := staff.post("/staff/maintenance", typed).expectStatus(t, http.StatusConflict)
	for _, k := range []string{"tag", "start", "end", "reason"} {
		if got := res.inputValue(k); got != typed.Get(k) {
			t.Errorf("refused form lost %s: %q, want %q", k, got, typed.Get(k))
		}
	}
	holder := res.Doc.Find(fmt.Sprintf(`[data-testid="holder-%d"]`, held))
	if text := holder.Text(); !strings.Contains(text, number) || !strings.Contains(text, customer) || !strings.Contains(text, "10:00") {
		t.Errorf("holder row %q does not name booking %s, %s and its period", text, number, customer)
	}
	if href, _ := holder.Find("a").Attr("href"); href != fmt.Sprintf("/staff/bookings/%d", held) {
		t.Errorf("holder link %q", href)
	}
	if n := res.Doc.Find(`[data-testid^="holder-"]`).Length(); n != 1 {
		t.Errorf("%d bookings listed in the way, want 1", n)
	}
	// Tent-2 is promised over the booking's period, so only Tent-3 is offered.
	if holder.Find(`[data-testid="swap-Tent-2"]`).Length() != 0 || holder.Find(`[data-testid="swap-Tent-3"]`).Length() != 1 {
		t.Errorf("substitutes offered: %q, want Tent-3 only", holder.Find(`[data-testid="swap-form"]`).Text())
	}

	res = staff.post("/staff/maintenance/swap", swapForm(t, res, "Tent-3")).expectStatus(t, http.StatusSeeOther)
	if got := s.unitOfBooking(held); got != "Tent-3" {
		t.Fatalf("after the swap the booking holds %s", got)
	}
	var audits int
	if err := s.st.DB().QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'booking.line.unit' AND entity_id = $1`, fmt.Sprint(held)).Scan(&audits); err != nil || audits != 1 {
		t.Errorf("swap audit rows %d (%v)", audits, err)
	}
	back := staff.get(res.location()).expectStatus(t, http.StatusOK)
	if got := back.Doc.Find(`[data-testid="flash"]`).Text(); !strings.Contains(got, number) || !strings.Contains(got, "Tent-3") {
		t.Errorf("after the swap the flash says %q", got)
	}
	for _, k := range []string{"tag", "start", "end", "reason"} {
		if got := back.inputValue(k); got != typed.Get(k) {
			t.Errorf("form after the swap lost %s: %q, want %q", k, got, typed.Get(k))
		}
	}
	staff.post("/staff/maintenance", typed).expectStatus(t, http.StatusSeeOther)
	if n := s.id(`SELECT count(*) FROM maintenance_blocks m JOIN units u ON u.id = m.unit_id WHERE u.asset_tag = 'Tent-1'`); n != 1 {
		t.Fatalf("%d blocks of Tent-1 after blocking again, want 1", n)
	}
}

// A substitute taken between the offer and the click is refused inside the
// swap's own transaction: the booking keeps its unit, the page says which unit
// went and offers what is free now.
func TestMaintenanceSwapTakenMeanwhile(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 3)
	held := s.bookDirect(tent, 1, s.instant(3, 10), s.instant(4, 10))
	staff := s.roleClient("staff")
	typed := url.Values{"tag": {"Tent-1"}, "start": {s.local(3, 9)}, "end": {s.local(3, 18)}, "reason": {"lamp"}}
	res := staff.post("/staff/maintenance", typed).expectStatus(t, http.StatusConflict)
	offer := swapForm(t, res, "Tent-2")
	swapForm(t, res, "Tent-3")
	// Meanwhile someone books the rest: Tent-2 goes first (lowest id).
	rival := s.bookDirect(tent, 1, s.instant(3, 12), s.instant(3, 14))
	if got := s.unitOfBooking(rival); got != "Tent-2" {
		t.Fatalf("fixture: the rival holds %s", got)
	}
	res = staff.post("/staff/maintenance/swap", offer).expectStatus(t, http.StatusConflict)
	if got := res.Doc.Find(`[data-testid="refusal-message"]`).Text(); !strings.Contains(got, "Tent-2 was taken meanwhile") || !strings.Contains(got, "keeps Tent-1") {
		t.Errorf("refusal %q", got)
	}
	if got := s.unitOfBooking(held); got != "Tent-1" {
		t.Fatalf("a refused swap moved the booking to %s", got)
	}
	if res.has(`[data-testid="swap-Tent-2"]`) || !res.has(`[data-testid="swap-Tent-3"]`) {
		t.Errorf("after the refusal offered: %q, want Tent-3 only", res.Doc.Find(`[data-testid="maintenance-holders"]`).Text())
	}
	if got := res.inputValue("reason"); got != "lamp" {
		t.Errorf("reason kept %q", got)
	}
}

// No substitute: the only unit of an item, or a unit already out with the
// customer, is said plainly, with no swap buttons. A bulk item has no units to
// block (its tag is unknown), and a junk booking field is a 400.
func TestMaintenanceRefusalWithoutSubstitute(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	drill := s.item("Drill", 1)
	s.bulkItem("Chair", 10)
	held := s.bookDirect(drill, 1, s.instant(3, 10), s.instant(4, 10))
	staff := s.roleClient("staff")
	typed := url.Values{"tag": {"Drill-1"}, "start": {s.local(3, 9)}, "end": {s.local(3, 18)}, "reason": {"service"}}
	res := staff.post("/staff/maintenance", typed).expectStatus(t, http.StatusConflict)
	if got := res.Doc.Find(fmt.Sprintf(`[data-testid="holder-%d"] [data-testid="no-substitute"]`, held)).Text(); !strings.Contains(got, "No other unit of this item is free") {
		t.Errorf("no-substitute text %q", got)
	}
	if res.has(`[data-testid="swap-form"]`) {
		t.Error("a swap is offered with no unit free")
	}
	if got := staff.post("/staff/maintenance", url.Values{"tag": {"Chair"}, "start": {s.local(3, 9)}, "end": {s.local(3, 18)}, "reason": {"x"}}).
		expectStatus(t, http.StatusUnprocessableEntity).fieldError("tag"); got != "No unit has this tag." {
		t.Errorf("bulk item as tag: %q", got)
	}
	bad := url.Values{"tag": {"Drill-1"}, "booking": {"junk"}, "line": {"1"}, "to": {"Drill-1"}}
	staff.post("/staff/maintenance/swap", bad).expectStatus(t, http.StatusBadRequest)

	// Out with the customer: it must come back before anything moves.
	tent := s.item("Tent", 2)
	out := s.deskBook(s.createUser(store.RoleCustomer, "out@example.test", "correct horse battery").ID, tent, s.instant(1, 10), s.instant(5, 10))
	block := url.Values{"tag": {"Tent-1"}, "start": {s.local(2, 9)}, "end": {s.local(2, 18)}, "reason": {"x"}}
	s.setClock(s.instant(1, 10))
	if err := s.srv.Booking.CheckOut(context.Background(), out.ID, "Tent-1", booking.Actor{}); err != nil {
		t.Fatal(err)
	}
	res = staff.post("/staff/maintenance", block).expectStatus(t, http.StatusConflict)
	if got := res.Doc.Find(fmt.Sprintf(`[data-testid="holder-%d"] [data-testid="no-substitute"]`, out.ID)).Text(); !strings.Contains(got, "out with the customer") {
		t.Errorf("out unit text %q", got)
	}
	if res.has(`[data-testid="swap-form"]`) {
		t.Error("a swap is offered for a unit that is out")
	}
}
