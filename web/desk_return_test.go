package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/payment"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Check-in from anywhere: the board's scan box finds the open check-out of a
// unit; per unit staff choose the condition (damaged and needing cleaning
// block the unit for maintenance); returns may be partial; the late fee is
// computed by the item's rule and charged on the ledger with its breakdown,
// or waived with a reason (audited); a damage charge and the deposit settle
// at the desk; the booking closes once everything is back and settled.
func TestReturnFromTheBoard(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 3)
	if _, err := s.st.DB().Exec(`UPDATE items SET late_fee_per = 'hour', late_fee_amount = 500, late_fee_grace_minutes = 15,
		late_fee_cap = 3000 WHERE id = $1`, tent); err != nil {
		t.Fatal(err)
	}
	cust := s.createUser(store.RoleCustomer, "hiker@example.test", "correct horse battery")
	start, end := s.instant(1, 10), s.instant(2, 10)
	b := s.deskBookLines(cust.ID, start, end, bookingLine(tent, 2))
	c, staff := s.staffClient("desk@example.test")
	ctx := context.Background()
	s.setClock(start)
	ledger := payment.NewLedger(s.st, s.clock)
	if err := ledger.TakeDeposit(ctx, nil, b.ID, 20000, store.MethodCash, "", staff.ID); err != nil {
		t.Fatal(err)
	}
	for _, u := range b.Lines[0].Units {
		c.htmx(fmt.Sprintf("/staff/bookings/%d/scan", b.ID), url.Values{"tag": {u.AssetTag}}).expectStatus(t, http.StatusOK)
	}
	t1, t2 := b.Lines[0].Units[0].AssetTag, b.Lines[0].Units[1].AssetTag
	s.setClock(end.Add(2*time.Hour + 10*time.Minute))

	// The board's scan box.
	board := c.get("/desk").expectStatus(t, http.StatusOK)
	if !board.has(`[data-testid="board-return"] [data-testid="return-scan-form"]`) || board.has(`[data-testid="desk-board"] [data-testid="return-scan-form"]`) {
		t.Error("the board's scan box is missing, or inside the part that refreshes")
	}
	if got := c.get("/staff/returns?tag=NOPE").expectStatus(t, http.StatusUnprocessableEntity).fieldError("tag"); got != "No unit has the tag NOPE." {
		t.Errorf("unknown tag: %q", got)
	}
	if got := c.get("/staff/returns?tag=Tent-3").expectStatus(t, http.StatusUnprocessableEntity).fieldError("tag"); got != "Tent-3 is not out on any booking." {
		t.Errorf("unit not out: %q", got)
	}
	res := c.get("/staff/returns?tag="+t1).expectStatus(t, http.StatusSeeOther)
	page := fmt.Sprintf("/staff/bookings/%d/return", b.ID)
	if res.location() != page+"?tag="+t1 {
		t.Fatalf("the scan opens %q", res.location())
	}
	form := c.get(res.location()).expectStatus(t, http.StatusOK)
	if _, on := form.Doc.Find(fmt.Sprintf(`[data-testid="return-%s"] input[name=item]`, t1)).Attr("checked"); !on {
		t.Error("the scanned unit is not ticked")
	}
	if _, on := form.Doc.Find(fmt.Sprintf(`[data-testid="return-%s"] input[name=item]`, t2)).Attr("checked"); on {
		t.Error("a unit not scanned is ticked")
	}
	if got := form.Doc.Find(fmt.Sprintf(`[data-testid="return-%s"] [data-testid="late-fee"]`, t1)).Text(); !strings.Contains(got, "3 hours × €5.00 = €15.00") {
		t.Errorf("late fee preview %q", got)
	}

	// Damaged needs a note; the form keeps what was typed.
	res = c.post(page, url.Values{"item": {t1}, "condition_" + t1: {"damaged"}, "damage_amount": {"12,x"}}).expectStatus(t, http.StatusUnprocessableEntity)
	if res.fieldError("damage_amount") == "" || res.inputValue("damage_amount") != "12,x" {
		t.Errorf("bad amount: error %q, kept %q", res.fieldError("damage_amount"), res.inputValue("damage_amount"))
	}
	res = c.post(page, url.Values{"item": {t1}, "condition_" + t1: {"damaged"}}).expectStatus(t, http.StatusUnprocessableEntity)
	if got := res.Doc.Find(`[data-testid="error-condition_` + t1 + `"]`).Text(); got != "Say what is damaged." {
		t.Errorf("damaged without a note: %q", got)
	}

	// Partial return: the first tent, damaged, late.
	c.post(page, url.Values{"item": {t1}, "condition_" + t1: {"damaged"}, "note_" + t1: {"torn fly"}}).expectStatus(t, http.StatusSeeOther)
	got, _ := s.st.GetBooking(ctx, b.ID)
	if got.Status != store.BookingOut {
		t.Errorf("after a partial return the booking is %s", got.Status)
	}
	var status string
	var blocks int
	if err := s.st.DB().QueryRow(`SELECT u.status, (SELECT count(*) FROM maintenance_blocks m WHERE m.unit_id = u.id AND m.ends_at IS NULL)
		FROM units u WHERE asset_tag = $1`, t1).Scan(&status, &blocks); err != nil || status != "maintenance" || blocks != 1 {
		t.Errorf("damaged %s: status %q, open blocks %d (%v)", t1, status, blocks, err)
	}
	var fee int64
	var note string
	if err := s.st.DB().QueryRow(`SELECT amount, note FROM ledger_entries WHERE booking_id = $1 AND charge_type = 'late_fee'`, b.ID).Scan(&fee, &note); err != nil ||
		fee != 1500 || !strings.Contains(note, "3 hours × €5.00") {
		t.Errorf("late fee charge %d %q (%v)", fee, note, err)
	}

	// The second tent: needs cleaning, late fee waived (a reason is needed),
	// a damage charge, and part of the deposit back.
	second := url.Values{"item": {t2}, "condition_" + t2: {"needs_cleaning"}, "waive": {"1"},
		"damage_amount": {"40.00"}, "damage_note": {"new fly for " + t1}, "deposit_give": {"1"}, "deposit_back": {"100.00"}, "deposit_method": {"cash"}}
	res = c.post(page, second).expectStatus(t, http.StatusUnprocessableEntity)
	if res.fieldError("waive_reason") == "" {
		t.Error("a waiver without a reason went through")
	}
	second.Set("waive_reason", "regular customer, rain")
	c.post(page, second).expectStatus(t, http.StatusSeeOther)
	got, _ = s.st.GetBooking(ctx, b.ID)
	if got.Status != store.BookingReturned {
		t.Errorf("with everything back but money due the booking is %s, want returned", got.Status)
	}
	var waived int
	if err := s.st.DB().QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'booking.late_fee.waive' AND actor_id = $1
		AND after->>'reason' = 'regular customer, rain'`, staff.ID).Scan(&waived); err != nil || waived != 1 {
		t.Errorf("waiver audit rows %d (%v)", waived, err)
	}
	var cleanEnds time.Time
	if err := s.st.DB().QueryRow(`SELECT m.ends_at FROM maintenance_blocks m JOIN units u ON u.id = m.unit_id WHERE u.asset_tag = $1`, t2).Scan(&cleanEnds); err != nil ||
		!cleanEnds.Equal(s.clock().Add(24*time.Hour)) {
		t.Errorf("cleaning block ends %s (%v)", cleanEnds, err)
	}
	// Rental 50.00 + late fee 15.00 + damage 40.00, paid 200.00 deposit less 100.00 back: 5.00 due.
	bal, err := ledger.Balance(ctx, s.st, got)
	if err != nil || bal.Due != 500 || bal.DepositHeld != 0 {
		t.Fatalf("balance %+v (%v)", bal, err)
	}
	view := c.get(fmt.Sprintf("/staff/bookings/%d", b.ID)).expectStatus(t, http.StatusOK)
	if view.has(`[data-testid="close-form"]`) || view.Doc.Find(`#booking-state [data-testid="balance"]`).Text() != "€5.00" {
		t.Errorf("unsettled booking: close offered %v, balance %q", view.has(`[data-testid="close-form"]`), view.Doc.Find(`#booking-state [data-testid="balance"]`).Text())
	}
	if n := view.Doc.Find(`[data-testid="return-row"]`).Length(); n != 2 {
		t.Errorf("%d returns listed, want 2", n)
	}
	c.post(fmt.Sprintf("/staff/bookings/%d/close", b.ID), nil).expectStatus(t, http.StatusUnprocessableEntity)

	// The second tent is clean: staff end its block early from the booking.
	if n := view.Doc.Find(`[data-testid="end-block-form"]`).Length(); n != 2 {
		t.Fatalf("%d end-block forms, want one per unit blocked", n)
	}
	var cleanBlock int64
	if err := s.st.DB().QueryRow(`SELECT m.id FROM maintenance_blocks m JOIN units u ON u.id = m.unit_id WHERE u.asset_tag = $1`, t2).Scan(&cleanBlock); err != nil {
		t.Fatal(err)
	}
	res = c.post(fmt.Sprintf("/staff/maintenance/%d/end", cleanBlock), url.Values{"back": {fmt.Sprintf("/staff/bookings/%d", b.ID)}}).expectStatus(t, http.StatusSeeOther)
	if res.location() != fmt.Sprintf("/staff/bookings/%d", b.ID) {
		t.Errorf("after ending the block: %q", res.location())
	}
	var free bool
	if err := s.st.DB().QueryRow(`SELECT NOT EXISTS (SELECT 1 FROM unit_allocations a JOIN units u ON u.id = a.unit_id
		WHERE u.asset_tag = $1 AND a.active AND a.maintenance_id IS NOT NULL AND a.occupied && tstzrange($2, NULL))`, t2, s.clock().Add(time.Hour)).Scan(&free); err != nil || !free {
		t.Errorf("%s still blocked after the block ended (%v)", t2, err)
	}
	c.post(fmt.Sprintf("/staff/maintenance/%d/end", cleanBlock), nil).expectStatus(t, http.StatusNotFound)

	if _, err := ledger.RecordPayment(ctx, nil, payment.Payment{BookingID: b.ID, Method: store.MethodCash, Amount: 500, StaffID: staff.ID}); err != nil {
		t.Fatal(err)
	}
	view = c.get(fmt.Sprintf("/staff/bookings/%d", b.ID)).expectStatus(t, http.StatusOK)
	if !view.has(`[data-testid="close-form"]`) {
		t.Error("a settled returned booking offers no close")
	}
	c.post(fmt.Sprintf("/staff/bookings/%d/close", b.ID), nil).expectStatus(t, http.StatusSeeOther)
	got, _ = s.st.GetBooking(ctx, b.ID)
	if got.Status != store.BookingClosed {
		t.Errorf("after settling the booking is %s, want closed", got.Status)
	}
}

// A unit checked in as fine is not blocked, so its return row offers no
// "Back in service now" (its form posted to a block that does not exist, a
// 404); a unit checked in as damaged keeps the button for its own block.
func TestReturnRowOffersEndBlockOnlyForABlock(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 2)
	cust := s.createUser(store.RoleCustomer, "hiker@example.test", "correct horse battery")
	start, end := s.instant(1, 10), s.instant(2, 10)
	b := s.deskBookLines(cust.ID, start, end, bookingLine(tent, 2))
	c, _ := s.staffClient("desk@example.test")
	s.setClock(start)
	for _, u := range b.Lines[0].Units {
		c.htmx(fmt.Sprintf("/staff/bookings/%d/scan", b.ID), url.Values{"tag": {u.AssetTag}}).expectStatus(t, http.StatusOK)
	}
	fine, broken := b.Lines[0].Units[0].AssetTag, b.Lines[0].Units[1].AssetTag
	s.setClock(end.Add(-time.Hour))
	page := fmt.Sprintf("/staff/bookings/%d", b.ID)
	c.post(page+"/return", url.Values{"item": {fine}, "condition_" + fine: {"ok"}}).expectStatus(t, http.StatusSeeOther)
	view := c.get(page).expectStatus(t, http.StatusOK)
	if n := view.Doc.Find(`[data-testid="return-row"]`).Length(); n != 1 {
		t.Fatalf("%d return rows, want 1", n)
	}
	if view.has(`[data-testid="end-block-form"]`) {
		action, _ := view.Doc.Find(`[data-testid="end-block-form"]`).Attr("action")
		t.Errorf("a unit back in fine condition offers to end a block (%s)", action)
	}
	c.post(page+"/return", url.Values{"item": {broken}, "condition_" + broken: {"damaged"}, "note_" + broken: {"bent pole"}}).
		expectStatus(t, http.StatusSeeOther)
	view = c.get(page).expectStatus(t, http.StatusOK)
	var block int64
	if err := s.st.DB().QueryRow(`SELECT m.id FROM maintenance_blocks m JOIN units u ON u.id = m.unit_id WHERE u.asset_tag = $1`, broken).Scan(&block); err != nil {
		t.Fatal(err)
	}
	forms := view.Doc.Find(`[data-testid="end-block-form"]`)
	if action, _ := forms.Attr("action"); forms.Length() != 1 || action != fmt.Sprintf("/staff/maintenance/%d/end", block) {
		t.Errorf("%d end-block forms (first %q), want one for block %d", forms.Length(), action, block)
	}
}
