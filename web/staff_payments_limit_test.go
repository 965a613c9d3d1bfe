package web

import (
	"net/http"
	"net/url"
	"testing"
)

// An amount typed (or scanned) into a desk money form that no booking could
// take, up to the largest a money field reads, is refused beside its field
// with what was typed kept, and changes nothing: accepted, it made the
// booking's ledger totals overflow, so every later payment, deposit or
// refund of the booking failed with a 500. A barcode scanned into the field
// is the likely way such an amount comes.
func TestDeskMoneyAmountLimit(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Bike", 1) // €25.00 a day, €100.00 deposit
	cust, _ := s.customer("ann@example.com")
	cust.bookOne(s.loc, item, s.local(1, 10), s.local(2, 10)).expectStatus(t, http.StatusSeeOther)
	id := s.id(`SELECT max(id) FROM bookings`)
	path := "/staff/bookings/" + itoa(id)
	desk := s.staffOf("sam@example.com")

	for _, huge := range []string{"92233720368547758.07", "50000000000000.00", "4006381333931"} {
		res := desk.post(path+"/payments", withOnce("pay_", url.Values{"pay_amount": {huge}, "pay_method": {"cash"}, "pay_reference": {"RC-1"}})).
			expectStatus(t, http.StatusUnprocessableEntity)
		if res.fieldError("pay_amount") == "" || res.inputValue("pay_amount") != huge {
			t.Errorf("payment of %s: message %q, kept %q", huge, res.fieldError("pay_amount"), res.inputValue("pay_amount"))
		}
		res = desk.post(path+"/deposit", withOnce("dep_", url.Values{"dep_amount": {huge}, "dep_method": {"cash"}})).
			expectStatus(t, http.StatusUnprocessableEntity)
		if res.fieldError("dep_amount") == "" || res.inputValue("dep_amount") != huge {
			t.Errorf("deposit of %s: message %q, kept %q", huge, res.fieldError("dep_amount"), res.inputValue("dep_amount"))
		}
	}
	if n := s.id(`SELECT count(*) FROM ledger_entries WHERE booking_id = $1`, id); n != 0 {
		t.Fatalf("%d ledger entries after refused amounts", n)
	}
	// The booking still takes money as usual.
	desk.post(path+"/payments", withOnce("pay_", url.Values{"pay_amount": {"25.00"}, "pay_method": {"cash"}})).expectStatus(t, http.StatusSeeOther)
	desk.post(path+"/deposit", withOnce("dep_", url.Values{"dep_amount": {"100.00"}, "dep_method": {"cash"}})).expectStatus(t, http.StatusSeeOther)
	if got := desk.get(path).expectStatus(t, http.StatusOK).text(`[data-testid="balance-due"]`); got != "€0.00" {
		t.Errorf("balance due %q after paying the rental and the deposit", got)
	}
	// A damage charge at the return, likewise.
	desk.htmx(path+"/scan", url.Values{"tag": {"Bike-1"}}).expectStatus(t, http.StatusOK)
	res := desk.post(path+"/return", url.Values{"item": {"Bike-1"}, "condition_Bike-1": {"damaged"}, "damage_amount": {"4006381333931"},
		"damage_note": {"bent wheel"}}).expectStatus(t, http.StatusUnprocessableEntity)
	if res.fieldError("damage_amount") == "" || res.inputValue("damage_amount") != "4006381333931" {
		t.Errorf("damage charge: message %q, kept %q", res.fieldError("damage_amount"), res.inputValue("damage_amount"))
	}
}
