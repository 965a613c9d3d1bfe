package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// formFields reads the named fields of the form matching sel as the page
// shows them (hidden fields included), as a browser would send them.
func formFields(t *testing.T, r *testResponse, sel string) url.Values {
	t.Helper()
	form := r.Doc.Find(sel)
	if form.Length() != 1 {
		t.Fatalf("%d forms %s on the page", form.Length(), sel)
	}
	v := url.Values{}
	form.Find("input[name], select[name]").Each(func(_ int, f *goquery.Selection) {
		name, _ := f.Attr("name")
		val, _ := f.Attr("value")
		if f.Is("select") {
			val, _ = f.Find("option").First().Attr("value")
		}
		v.Set(name, val)
	})
	return v
}

// A money form of the desk sent twice (a double click, a resent request,
// the back button and send again) records once, one after the other or all
// at once; the repeat goes back to the booking and says so. A new page
// brings a new form that records again.
func TestDeskMoneyFormRecordsOnce(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Bike", 1) // €25.00 a day, €100.00 deposit
	cust, _ := s.customer("ann@example.com")
	cust.bookOne(s.loc, item, s.local(1, 10), s.local(2, 10)).expectStatus(t, http.StatusSeeOther)
	id := s.id(`SELECT max(id) FROM bookings`)
	path := "/staff/bookings/" + itoa(id)
	desk := s.staffOf("sam@example.com")
	entries := func() int64 {
		return s.id(`SELECT count(*) FROM ledger_entries WHERE booking_id = $1 AND kind = 'payment'`, id)
	}

	pay := formFields(t, desk.get(path).expectStatus(t, http.StatusOK), `[data-testid="payment-form"]`)
	pay.Set("pay_amount", "10.00")
	if pay.Get("pay_once") == "" {
		t.Fatal("the payment form has no once token")
	}
	desk.post(path+"/payments", pay).expectStatus(t, http.StatusSeeOther)
	again := desk.post(path+"/payments", pay).expectStatus(t, http.StatusSeeOther)
	if loc := again.Header.Get("Location"); loc != path {
		t.Errorf("the repeat goes to %q, want %q", loc, path)
	}
	if n := entries(); n != 1 {
		t.Fatalf("the payment form sent twice recorded %d payments, want 1", n)
	}
	if got := desk.get(path).text(`[data-testid="flash"]`); got == "" {
		t.Error("the repeat is not told")
	}

	// The deposit form of a fresh page, sent five times at once.
	dep := formFields(t, desk.get(path).expectStatus(t, http.StatusOK), `[data-testid="deposit-form"]`)
	parallel(t, 5, 60*time.Second, func(int) {
		res := desk.post(path+"/deposit", cloneValues(dep))
		if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("deposit sent at once: %d", res.StatusCode)
		}
	})
	if n := entries(); n != 2 {
		t.Fatalf("after the deposit form sent 5 times at once: %d payments, want 2", n)
	}

	// A new page is a new form: the same amount is recorded again.
	pay = formFields(t, desk.get(path).expectStatus(t, http.StatusOK), `[data-testid="payment-form"]`)
	pay.Set("pay_amount", "10.00")
	desk.post(path+"/payments", pay).expectStatus(t, http.StatusSeeOther)
	if n := entries(); n != 3 {
		t.Fatalf("a second payment from a new page: %d payments, want 3", n)
	}
	// A once token that no page made is refused, not stored.
	pay.Set("pay_once", "x")
	desk.post(path+"/payments", pay).expectStatus(t, http.StatusBadRequest)

	// The refund form of a fresh page, sent three times at once, gives back
	// once; a new page's refund form gives back again.
	refunds := func() int64 {
		return s.id(`SELECT count(*) FROM ledger_entries WHERE booking_id = $1 AND kind = 'refund'`, id)
	}
	first := s.id(`SELECT min(id) FROM ledger_entries WHERE booking_id = $1 AND kind = 'payment' AND note <> 'security deposit'`, id)
	refund := func() url.Values {
		ref := formFields(t, desk.get(path).expectStatus(t, http.StatusOK), `[data-testid="refund-form"]`)
		if ref.Get("ref_once") == "" {
			t.Fatal("the refund form has no once token")
		}
		ref.Set("ref_payment", itoa(first))
		ref.Set("ref_amount", "2.00")
		return ref
	}
	ref := refund()
	parallel(t, 3, 60*time.Second, func(int) {
		if res := desk.post(path+"/refunds", cloneValues(ref)); res.StatusCode != http.StatusSeeOther {
			t.Errorf("refund sent at once: %d", res.StatusCode)
		}
	})
	if n := refunds(); n != 1 {
		t.Fatalf("the refund form sent 3 times at once gave back %d times, want 1", n)
	}
	desk.post(path+"/refunds", refund()).expectStatus(t, http.StatusSeeOther)
	if n := refunds(); n != 2 {
		t.Fatalf("a refund from a new page: %d refunds, want 2", n)
	}
}

// A refused amount at the desk is told beside its field as a sentence, like
// every other message of the forms (the item form's rates already were):
// "The amount cannot be negative.", not "the amount cannot be negative".
func TestDeskAmountMessagesAreSentences(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Bike", 1)
	cust, _ := s.customer("ann@example.com")
	cust.bookOne(s.loc, item, s.local(1, 10), s.local(2, 10)).expectStatus(t, http.StatusSeeOther)
	path := "/staff/bookings/" + itoa(s.id(`SELECT max(id) FROM bookings`))
	desk := s.staffOf("sam@example.com")
	for _, c := range []struct{ form, field, amount, want string }{
		{"/payments", "pay_amount", "-5", "The amount cannot be negative."},
		{"/payments", "pay_amount", "12,3x", "Enter an amount like 12.50."},
		{"/deposit", "dep_amount", "1.234", "Use at most 2 decimals, like 12.50."},
	} {
		method := strings.Replace(c.field, "_amount", "_method", 1)
		res := desk.post(path+c.form, withOnce(strings.TrimSuffix(c.field, "amount"), url.Values{c.field: {c.amount}, method: {"cash"}})).expectStatus(t, http.StatusUnprocessableEntity)
		if got := res.fieldError(c.field); got != c.want {
			t.Errorf("%s %q: %q, want %q", c.field, c.amount, got, c.want)
		}
	}
}

// withOnce gives a money form (fields prefix+name) a fresh once token, as
// the booking page gives every form it shows.
func withOnce(prefix string, v url.Values) url.Values {
	v.Set(prefix+"once", moneyOnce())
	return v
}

// A desk money form sent with no once token (a hand-made or cut-short post:
// the page's forms always carry one) records nothing and says so, like a
// token no page made; the same form with its token records.
func TestDeskMoneyFormWithoutOnceRecordsNothing(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Bike", 1) // €25.00 a day, €100.00 deposit
	cust, _ := s.customer("ann@example.com")
	cust.bookOne(s.loc, item, s.local(1, 10), s.local(2, 10)).expectStatus(t, http.StatusSeeOther)
	id := s.id(`SELECT max(id) FROM bookings`)
	path := "/staff/bookings/" + itoa(id)
	desk := s.staffOf("sam@example.com")
	entries := func() int64 { return s.id(`SELECT count(*) FROM ledger_entries WHERE booking_id = $1`, id) }

	pay := formFields(t, desk.get(path).expectStatus(t, http.StatusOK), `[data-testid="payment-form"]`)
	pay.Set("pay_amount", "10.00")
	desk.post(path+"/payments", pay).expectStatus(t, http.StatusSeeOther)
	paid := s.id(`SELECT min(id) FROM ledger_entries WHERE booking_id = $1 AND kind = 'payment'`, id)

	// refused sends the form of the page without its once token, then with
	// an empty one: each is refused and records nothing.
	refused := func(page *testResponse, form, route, prefix string) {
		t.Helper()
		v := formFields(t, page, `[data-testid="`+form+`"]`)
		if v.Get(prefix+"once") == "" {
			t.Fatalf("the %s has no once token", form)
		}
		v.Set(prefix+"amount", "1.00")
		if prefix == "ref_" {
			v.Set("ref_payment", itoa(paid))
		}
		before := entries()
		v.Del(prefix + "once")
		res := desk.post(path+route, v).expectStatus(t, http.StatusBadRequest)
		if msg := res.fieldError(prefix + "amount"); !strings.Contains(msg, "nothing was recorded") {
			t.Errorf("%s without its once token says %q beside the amount", route, msg)
		}
		again := formFields(t, res, `[data-testid="`+form+`"]`)
		if again.Get(prefix+"amount") != "1.00" || len(again.Get(prefix+"once")) < 16 {
			t.Errorf("%s re-shown with amount %q and once token %q, want 1.00 and a fresh token", route, again.Get(prefix+"amount"), again.Get(prefix+"once"))
		}
		if n := entries(); n != before {
			t.Fatalf("%s without its once token recorded %d entries", route, n-before)
		}
		v.Set(prefix+"once", "")
		desk.post(path+route, v).expectStatus(t, http.StatusBadRequest)
		if n := entries(); n != before {
			t.Fatalf("%s with an empty once token recorded %d entries", route, n-before)
		}
	}
	page := desk.get(path).expectStatus(t, http.StatusOK)
	refused(page, "payment-form", "/payments", "pay_")
	refused(page, "deposit-form", "/deposit", "dep_")
	desk.post(path+"/deposit", formFields(t, page, `[data-testid="deposit-form"]`)).expectStatus(t, http.StatusSeeOther)
	page = desk.get(path).expectStatus(t, http.StatusOK)
	refused(page, "deposit-return-form", "/deposit/return", "ret_")
	refused(page, "refund-form", "/refunds", "ref_")

	// The refund form as the page shows it gives back.
	before := entries()
	ref := formFields(t, page, `[data-testid="refund-form"]`)
	ref.Set("ref_amount", "1.00")
	ref.Set("ref_payment", itoa(paid))
	desk.post(path+"/refunds", ref).expectStatus(t, http.StatusSeeOther)
	if n := entries(); n != before+1 {
		t.Fatalf("the refund with its token: %d entries, want %d", n, before+1)
	}
}
