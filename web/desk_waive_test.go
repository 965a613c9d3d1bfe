package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/payment"
	"github.com/rentdesk/rentdesk/internal/store"
)

// lateReturn is a booking whose tents came back late, each late fee charged
// on the ledger at check-in (3 hours × €5.00 = €15.00 a tent).
type lateReturn struct {
	s       *shop
	staff   *testClient
	booking store.Booking
	returns []int64 // the unit_returns ids, in order
}

// checkedInLate books n tents, hands them out, and checks them in two hours
// and ten minutes late, one return per tent, the fee charged.
func checkedInLate(t *testing.T, n int) lateReturn {
	t.Helper()
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", n)
	if _, err := s.st.DB().Exec(`UPDATE items SET late_fee_per = 'hour', late_fee_amount = 500, late_fee_grace_minutes = 15,
		late_fee_cap = 3000 WHERE id = $1`, tent); err != nil {
		t.Fatal(err)
	}
	cust := s.createUser(store.RoleCustomer, "hiker@example.test", "correct horse battery")
	start, end := s.instant(1, 10), s.instant(2, 10)
	b := s.deskBookLines(cust.ID, start, end, bookingLine(tent, n))
	c, _ := s.staffClient("desk@example.test")
	s.setClock(start)
	for _, u := range b.Lines[0].Units {
		c.htmx(fmt.Sprintf("/staff/bookings/%d/scan", b.ID), url.Values{"tag": {u.AssetTag}}).expectStatus(t, http.StatusOK)
	}
	s.setClock(end.Add(2*time.Hour + 10*time.Minute))
	for _, u := range b.Lines[0].Units {
		c.post(fmt.Sprintf("/staff/bookings/%d/return", b.ID), url.Values{"item": {u.AssetTag}, "condition_" + u.AssetTag: {"ok"}}).
			expectStatus(t, http.StatusSeeOther)
	}
	lr := lateReturn{s: s, staff: c, booking: b}
	rows, err := s.st.DB().Query(`SELECT id FROM unit_returns WHERE booking_id = $1 AND ledger_entry_id IS NOT NULL ORDER BY id`, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		lr.returns = append(lr.returns, id)
	}
	if len(lr.returns) != n {
		t.Fatalf("%d charged returns, want %d", len(lr.returns), n)
	}
	return lr
}

func (lr lateReturn) waiveURL(i int) string {
	return fmt.Sprintf("/staff/bookings/%d/returns/%d/waive", lr.booking.ID, lr.returns[i])
}

func (lr lateReturn) due(t *testing.T) int64 {
	t.Helper()
	b, err := lr.s.st.GetBooking(context.Background(), lr.booking.ID)
	if err != nil {
		t.Fatal(err)
	}
	bal, err := payment.NewLedger(lr.s.st, lr.s.clock).Balance(context.Background(), lr.s.st, b)
	if err != nil {
		t.Fatal(err)
	}
	return bal.Due
}

// A late fee already charged is waived afterwards from the booking page, all
// of it or a part, with a reason: a reversing late-fee charge lowers the
// balance, the return records the waiver, the audit log the reason; bad input
// is refused beside the field with the values kept; revenue, which counts
// money that moved, does not change.
func TestWaiveChargedLateFee(t *testing.T) {
	lr := checkedInLate(t, 2)
	s, c, ctx := lr.s, lr.staff, context.Background()
	page := fmt.Sprintf("/staff/bookings/%d", lr.booking.ID)
	view := c.get(page).expectStatus(t, http.StatusOK)
	if n := view.Doc.Find(`[data-testid="waive"]`).Length(); n != 2 {
		t.Fatalf("%d waive forms, want one per charged fee", n)
	}
	dueBefore := lr.due(t)
	revBefore, err := s.st.GetRevenue(ctx, time.Time{}, s.clock().Add(24*time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}

	form := fmt.Sprintf(`[data-testid="waive-form-%d"]`, lr.returns[0])
	for name, tc := range map[string]struct {
		form  url.Values
		field string
	}{
		"no reason":       {url.Values{"waive_reason": {"  "}, "waive_amount": {"5.00"}}, "waive_reason"},
		"junk amount":     {url.Values{"waive_reason": {"rain"}, "waive_amount": {"12,x"}}, "waive_amount"},
		"negative amount": {url.Values{"waive_reason": {"rain"}, "waive_amount": {"-5.00"}}, "waive_amount"},
		"zero amount":     {url.Values{"waive_reason": {"rain"}, "waive_amount": {"0"}}, "waive_amount"},
		"over the charge": {url.Values{"waive_reason": {"rain"}, "waive_amount": {"15.01"}}, "waive_amount"},
	} {
		t.Run(name, func(t *testing.T) {
			res := c.post(lr.waiveURL(0), tc.form).expectStatus(t, http.StatusUnprocessableEntity)
			if got := res.Doc.Find(form + ` [data-testid="error-` + tc.field + `"]`).Text(); got == "" {
				t.Errorf("no message beside %s", tc.field)
			}
			for k, v := range tc.form {
				if got, _ := res.Doc.Find(form + ` [name="` + k + `"]`).Attr("value"); got != strings.TrimSpace(v[0]) {
					t.Errorf("%s kept as %q, want %q", k, got, v[0])
				}
			}
			if _, open := res.Doc.Find(fmt.Sprintf(`#return-%d [data-testid="waive"]`, lr.returns[0])).Attr("open"); !open {
				t.Error("the refused waiver's form is not open")
			}
		})
	}
	if got := lr.due(t); got != dueBefore {
		t.Fatalf("refused waivers changed the balance: %d → %d", dueBefore, got)
	}
	res := c.post(lr.waiveURL(0), url.Values{"waive_reason": {"rain"}, "waive_amount": {"15.01"}})
	if got := res.fieldError("waive_amount"); got != "Waive at most the late fee charged (€15.00)." {
		t.Errorf("over the charge: %q", got)
	}

	// A part of the first fee.
	res = c.post(lr.waiveURL(0), url.Values{"waive_reason": {"customer called: the shop was closed early"}, "waive_amount": {"5.00"}}).
		expectStatus(t, http.StatusSeeOther)
	if !strings.HasPrefix(res.location(), page) {
		t.Errorf("after the waiver: %q", res.location())
	}
	if got := lr.due(t); got != dueBefore-500 {
		t.Errorf("balance after waiving €5.00: %d, want %d", got, dueBefore-500)
	}
	var amount int64
	var chargeType string
	if err := s.st.DB().QueryRow(`SELECT e.amount, e.charge_type FROM unit_returns r JOIN ledger_entries e ON e.id = r.late_fee_waiver_entry_id
		WHERE r.id = $1 AND r.late_fee_waived = 'customer called: the shop was closed early' AND r.late_fee_waived_amount = 500`, lr.returns[0]).
		Scan(&amount, &chargeType); err != nil || amount != -500 || chargeType != store.ChargeLateFee {
		t.Errorf("reversing entry %d %q (%v)", amount, chargeType, err)
	}
	var audited int
	if err := s.st.DB().QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'booking.late_fee.waive' AND entity_id = $1
		AND after->>'reason' = 'customer called: the shop was closed early' AND (after->>'amount')::int = 500`, fmt.Sprint(lr.booking.ID)).Scan(&audited); err != nil || audited != 1 {
		t.Errorf("waiver audit rows %d (%v)", audited, err)
	}
	revAfter, err := s.st.GetRevenue(ctx, time.Time{}, s.clock().Add(24*time.Hour), 0)
	if err != nil || revAfter != revBefore {
		t.Errorf("revenue moved with a waiver of an unpaid fee: %+v → %+v (%v)", revBefore, revAfter, err)
	}

	// Shown on the return; the form is gone; a second waiver is refused.
	view = c.get(page).expectStatus(t, http.StatusOK)
	row := view.Doc.Find(fmt.Sprintf(`#return-%d`, lr.returns[0]))
	if !strings.Contains(row.Text(), "€5.00 of it waived later by") || row.Find(`[data-testid="waive"]`).Length() != 0 {
		t.Errorf("waived return shows %q", row.Text())
	}
	res = c.post(lr.waiveURL(0), url.Values{"waive_reason": {"again"}}).expectStatus(t, http.StatusUnprocessableEntity)
	if !strings.Contains(res.Doc.Find(`[data-testid="form-error"]`).Text(), "waived already") {
		t.Errorf("second waiver: %q", res.Doc.Find(`[data-testid="form-error"]`).Text())
	}
	if got := lr.due(t); got != dueBefore-500 {
		t.Errorf("a second waiver changed the balance: %d", got)
	}

	// The whole second fee (no amount).
	c.post(lr.waiveURL(1), url.Values{"waive_reason": {"regular customer"}}).expectStatus(t, http.StatusSeeOther)
	if got := lr.due(t); got != dueBefore-500-1500 {
		t.Errorf("balance after waiving the second fee: %d, want %d", got, dueBefore-2000)
	}

	// Another booking's return, an unknown return, a junk id: not found.
	other := s.deskBookLines(lr.booking.CustomerID, s.instant(5, 10), s.instant(6, 10), bookingLine(lr.booking.Lines[0].ItemID, 1))
	c.post(fmt.Sprintf("/staff/bookings/%d/returns/%d/waive", other.ID, lr.returns[1]), url.Values{"waive_reason": {"x"}}).expectStatus(t, http.StatusNotFound)
	c.post(fmt.Sprintf("/staff/bookings/%d/returns/999999/waive", lr.booking.ID), url.Values{"waive_reason": {"x"}}).expectStatus(t, http.StatusNotFound)
	c.post(fmt.Sprintf("/staff/bookings/%d/returns/abc/waive", lr.booking.ID), url.Values{"waive_reason": {"x"}}).expectStatus(t, http.StatusNotFound)
}

// A fee waived at check-in was never charged: there is nothing to waive.
func TestWaiveUnchargedLateFee(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 1)
	if _, err := s.st.DB().Exec(`UPDATE items SET late_fee_per = 'day', late_fee_amount = 1000 WHERE id = $1`, tent); err != nil {
		t.Fatal(err)
	}
	cust := s.createUser(store.RoleCustomer, "hiker@example.test", "correct horse battery")
	start, end := s.instant(1, 10), s.instant(2, 10)
	b := s.deskBookLines(cust.ID, start, end, bookingLine(tent, 1))
	c, _ := s.staffClient("desk@example.test")
	s.setClock(start)
	tag := b.Lines[0].Units[0].AssetTag
	c.htmx(fmt.Sprintf("/staff/bookings/%d/scan", b.ID), url.Values{"tag": {tag}}).expectStatus(t, http.StatusOK)
	s.setClock(end.Add(26 * time.Hour))
	c.post(fmt.Sprintf("/staff/bookings/%d/return", b.ID), url.Values{"item": {tag}, "condition_" + tag: {"ok"},
		"waive": {"1"}, "waive_reason": {"storm"}}).expectStatus(t, http.StatusSeeOther)
	var ret int64
	if err := s.st.DB().QueryRow(`SELECT id FROM unit_returns WHERE booking_id = $1 AND late_fee > 0 AND late_fee_waived_amount = late_fee`, b.ID).Scan(&ret); err != nil {
		t.Fatal(err)
	}
	if c.get(fmt.Sprintf("/staff/bookings/%d", b.ID)).has(`[data-testid="waive"]`) {
		t.Error("a fee waived at check-in offers a waiver")
	}
	c.post(fmt.Sprintf("/staff/bookings/%d/returns/%d/waive", b.ID, ret), url.Values{"waive_reason": {"again"}}).expectStatus(t, http.StatusUnprocessableEntity)
	var n int
	if err := s.st.DB().QueryRow(`SELECT count(*) FROM ledger_entries WHERE booking_id = $1 AND charge_type = 'late_fee'`, b.ID).Scan(&n); err != nil || n != 0 {
		t.Errorf("late fee entries %d (%v)", n, err)
	}
}

// Two staff waive the same fee at the same moment: one waiver is applied,
// the other is told it was done; the ledger has one reversing entry. When
// the waiver settles a returned booking, it closes.
func TestWaiveLateFeeTwiceAtOnce(t *testing.T) {
	lr := checkedInLate(t, 1)
	s, ctx := lr.s, context.Background()
	b, _ := s.st.GetBooking(ctx, lr.booking.ID)
	// The rental is paid: only the late fee is due.
	if _, err := payment.NewLedger(s.st, s.clock).RecordPayment(ctx, nil, payment.Payment{BookingID: b.ID, Method: store.MethodCash,
		Amount: b.Total, StaffID: 0}); err != nil {
		t.Fatal(err)
	}
	if got := lr.due(t); got != 1500 {
		t.Fatalf("due before the waiver %d, want the late fee", got)
	}
	second, _ := s.staffClient("desk2@example.test")
	clients := []*testClient{lr.staff, second}
	for _, c := range clients {
		c.get(fmt.Sprintf("/staff/bookings/%d", b.ID))
	}
	var wg sync.WaitGroup
	codes := make([]int, len(clients))
	start := make(chan struct{})
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes[i] = c.post(lr.waiveURL(0), url.Values{"waive_reason": {fmt.Sprintf("desk %d", i)}}).StatusCode
		}()
	}
	close(start)
	wg.Wait()
	ok, refused := 0, 0
	for _, code := range codes {
		switch code {
		case http.StatusSeeOther:
			ok++
		case http.StatusUnprocessableEntity:
			refused++
		}
	}
	if ok != 1 || refused != 1 {
		t.Fatalf("statuses %v, want one waiver applied and one refused", codes)
	}
	var n int
	if err := s.st.DB().QueryRow(`SELECT count(*) FROM ledger_entries WHERE booking_id = $1 AND charge_type = 'late_fee' AND amount < 0`, b.ID).Scan(&n); err != nil || n != 1 {
		t.Errorf("reversing entries %d (%v)", n, err)
	}
	if got := lr.due(t); got != 0 {
		t.Errorf("due after the waiver %d", got)
	}
	if got, _ := s.st.GetBooking(ctx, b.ID); got.Status != store.BookingClosed {
		t.Errorf("a settled returned booking is %s after the waiver, want closed", got.Status)
	}
}
