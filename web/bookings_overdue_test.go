package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/emails"
)

// A customer's overdue booking says so on its page and in the list: since
// when, how late each line is, and the late fee run up so far by the items'
// rules, the same figures the staff booking page and the desk's return form
// show. Another customer still cannot see it.
func TestCustomerSeesOverdueBooking(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 1)
	chairs := s.bulkItem("Chair <i>x</i>", 4)
	if _, err := s.st.DB().Exec(`UPDATE items SET late_fee_per = 'hour', late_fee_amount = 500, late_fee_grace_minutes = 15,
		late_fee_cap = 3000 WHERE id = $1`, tent); err != nil {
		t.Fatal(err)
	}
	if _, err := s.st.DB().Exec(`UPDATE items SET late_fee_per = 'day', late_fee_amount = 300 WHERE id = $1`, chairs); err != nil {
		t.Fatal(err)
	}
	cust, u := s.customer("hiker@example.test")
	start, end := s.instant(1, 10), s.instant(2, 10)
	b := s.deskBookLines(u.ID, start, end, bookingLine(tent, 1), bookingLine(chairs, 2))
	var tentLine, chairLine store.BookingLine
	for _, l := range b.Lines {
		if l.ItemID == tent {
			tentLine = l
		} else {
			chairLine = l
		}
	}
	staff, su := s.staffClient("desk@example.test")
	act := booking.Actor{UserID: su.ID}
	ctx := context.Background()
	page := fmt.Sprintf("/bookings/%d", b.ID)
	dueLabel := func(res *testResponse) string { return res.Doc.Find(`[data-testid="due"]`).Prev().Text() }
	if got := dueLabel(cust.get(page).expectStatus(t, http.StatusOK)); got != "Due at pickup" {
		t.Errorf("before the pickup the money left reads %q, want Due at pickup", got)
	}
	s.setClock(start.Add(5 * time.Minute))
	if err := s.srv.Booking.CheckOut(ctx, b.ID, "Tent-1", act); err != nil {
		t.Fatal(err)
	}
	if err := s.srv.Booking.MarkBulkLine(ctx, b.ID, chairLine.ID, true, act); err != nil {
		t.Fatal(err)
	}
	row := fmt.Sprintf(`[data-testid="booking-%s"] [data-testid="booking-overdue"]`, b.Number)

	// Out and not yet due: nothing is said to be late.
	s.setClock(end.Add(-time.Hour))
	res := cust.get(page).expectStatus(t, http.StatusOK)
	if res.has(`[data-testid="overdue"]`) || res.has(`[data-testid="line-overdue"]`) {
		t.Error("a rental not yet due is shown overdue")
	}
	// The gear is out: nothing is due "at pickup" any more.
	if got := dueLabel(res); got != "Balance due" {
		t.Errorf("a rental out reads %q for the money left, want Balance due", got)
	}
	if cust.get("/bookings").expectStatus(t, http.StatusOK).has(row) {
		t.Error("the list shows a rental not yet due as overdue")
	}

	s.setClock(end.Add(2*time.Hour + 10*time.Minute))
	res = cust.get(page).expectStatus(t, http.StatusOK)
	due := period.FormatDisplay(end, s.zone)
	if got := res.Doc.Find(`[data-testid="overdue-since"]`).Text(); got != "Overdue by 2 h 10 min: it was due back "+due+"." {
		t.Errorf("overdue notice %q", got)
	}
	staffPage := staff.get(fmt.Sprintf("/staff/bookings/%d", b.ID)).expectStatus(t, http.StatusOK)
	for _, l := range []store.BookingLine{tentLine, chairLine} {
		sel := fmt.Sprintf(`[data-testid="line-%d"] [data-testid="line-overdue"]`, l.ID)
		got, want := res.Doc.Find(sel).Text(), staffPage.Doc.Find(sel).Text()
		if got != "overdue 2 h 10 min" || got != want {
			t.Errorf("line %d badge %q, staff page %q", l.ID, got, want)
		}
		if got := res.Doc.Find(fmt.Sprintf(`[data-testid="line-%d"] [data-testid="line-progress"]`, l.ID)).Text(); got != "Overdue: it was due back "+due+"." {
			t.Errorf("line %d progress %q", l.ID, got)
		}
	}

	// The late fee so far: each late thing as the desk's return form
	// computes it, and their sum.
	fees := res.Doc.Find(`[data-testid="late-fee"]`)
	if fees.Length() != 2 {
		t.Fatalf("%d late fees, want 2: %q", fees.Length(), res.Doc.Find(`[data-testid="overdue"]`).Text())
	}
	form := staff.get(fmt.Sprintf("/staff/bookings/%d/return", b.ID)).expectStatus(t, http.StatusOK)
	for i, c := range []struct{ key, line string }{
		{"Tent-1", "3 hours × €5.00 = €15.00"},
		{fmt.Sprintf("line:%d", chairLine.ID), "1 day × €3.00 × 2 = €6.00"},
	} {
		got := fees.Eq(i).Text()
		desk := form.Doc.Find(fmt.Sprintf(`[data-testid="return-%s"] [data-testid="late-fee"]`, c.key)).Text()
		if !strings.Contains(got, c.line) || !strings.Contains(desk, c.line) {
			t.Errorf("late fee of %s: customer %q, return form %q, want both to say %q", c.key, got, desk, c.line)
		}
	}
	if got := res.Doc.Find(`[data-testid="late-fee-total"]`).Text(); got != "€21.00" {
		t.Errorf("late fee total %q, want €21.00", got)
	}
	if strings.Contains(res.Body, "<i>x</i>") || !strings.Contains(fees.Eq(1).Text(), "Chair <i>x</i>") {
		t.Error("an item name is not escaped on the overdue card")
	}

	list := cust.get("/bookings").expectStatus(t, http.StatusOK)
	if got := list.Doc.Find(row).Text(); got != "overdue since "+due {
		t.Errorf("list badge %q, want %q", got, "overdue since "+due)
	}

	// Another customer sees neither the page nor the row.
	other, _ := s.customer("other@example.test")
	other.get(page).expectStatus(t, http.StatusNotFound)
	if other.get("/bookings").expectStatus(t, http.StatusOK).has(fmt.Sprintf(`[data-testid="booking-%s"]`, b.Number)) {
		t.Error("another customer's list shows the booking")
	}

	// Once everything is back, nothing is overdue any more.
	if err := s.srv.Booking.CheckIn(ctx, b.ID, "Tent-1", act); err != nil {
		t.Fatal(err)
	}
	if err := s.srv.Booking.MarkBulkLine(ctx, b.ID, chairLine.ID, false, act); err != nil {
		t.Fatal(err)
	}
	if res := cust.get(page).expectStatus(t, http.StatusOK); res.has(`[data-testid="overdue"]`) || res.has(`[data-testid="line-overdue"]`) {
		t.Error("a returned booking is still shown overdue")
	}
	if cust.get("/bookings").expectStatus(t, http.StatusOK).has(row) {
		t.Error("the list shows a returned booking as overdue")
	}
}

// When a booking's late lines were due back at different times, the
// customer's overdue card, the staff banner and the overdue email each name
// every late line's own due time (not only the earliest, or the booking's
// last end), and the email gives the late fee so far, the page's figure.
func TestOverdueNamesEachLateLinesDueTime(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent, stove := s.item("Tent", 1), s.item("Stove", 1)
	if _, err := s.st.DB().Exec(`UPDATE items SET late_fee_per = 'hour', late_fee_amount = 500, late_fee_cap = 3000
		WHERE id IN ($1, $2)`, tent, stove); err != nil {
		t.Fatal(err)
	}
	cust, u := s.customer("hiker@example.test")
	staff, su := s.staffClient("desk@example.test")
	ctx := context.Background()
	start, tentEnd, stoveEnd := s.instant(1, 10), s.instant(2, 10), s.instant(3, 10)
	res, err := s.srv.Booking.Book(ctx, booking.Request{CustomerID: u.ID, LocationID: s.loc, Lines: []booking.LineRequest{
		{ItemID: tent, Quantity: 1, Start: start, End: tentEnd}, {ItemID: stove, Quantity: 1, Start: start, End: stoveEnd}}})
	if err != nil {
		t.Fatal(err)
	}
	s.setClock(start.Add(5 * time.Minute))
	for _, tag := range []string{"Tent-1", "Stove-1"} {
		if err := s.srv.Booking.CheckOut(ctx, res.BookingID, tag, booking.Actor{UserID: su.ID}); err != nil {
			t.Fatal(err)
		}
	}
	now := stoveEnd.Add(2 * time.Hour)
	s.setClock(now)

	page := cust.get(fmt.Sprintf("/bookings/%d", res.BookingID)).expectStatus(t, http.StatusOK)
	card := page.Doc.Find(`[data-testid="overdue-since"]`).Text()
	if want := "Overdue by 1 day 2 h: it was due back Tent at " + period.FormatDisplay(tentEnd, s.zone) +
		"; Stove at " + period.FormatDisplay(stoveEnd, s.zone) + "."; card != want {
		t.Errorf("overdue card %q, want %q", card, want)
	}
	banner := staff.get(fmt.Sprintf("/staff/bookings/%d", res.BookingID)).expectStatus(t, http.StatusOK).
		Doc.Find(`[data-testid="status-banner"]`).Text()
	at := func(t time.Time) string { return t.In(s.zone).Format("Mon 2 Jan 15:04") }
	if want := "was due back Tent at " + at(tentEnd) + "; Stove at " + at(stoveEnd) + "."; !strings.Contains(banner, want) {
		t.Errorf("staff banner %q, want it to say %q", banner, want)
	}

	if err := s.srv.Jobs.ScanOverdue(ctx, now); err != nil {
		t.Fatal(err)
	}
	var text string
	if err := s.st.DB().QueryRow(`SELECT text_body FROM emails WHERE kind = 'overdue_notice'`).Scan(&text); err != nil {
		t.Fatal(err)
	}
	total := page.Doc.Find(`[data-testid="late-fee-total"]`).Text()
	for _, want := range []string{"Tent at " + emails.LocalTime(tentEnd, s.zoneStr), "Stove at " + emails.LocalTime(stoveEnd, s.zoneStr),
		"late fee so far", total, "Tent Tent-1: €30.00", "Stove Stove-1: €10.00"} {
		if total != "€40.00" || !strings.Contains(text, want) {
			t.Errorf("overdue email lacks %q (page total %q):\n%s", want, total, text)
		}
	}
}

// The overdue card and the list's badge fit a 375 px phone: nothing scrolls
// sideways, and the page passes the same audit as every other page.
func TestBrowserOverdueBookingOnPhone(t *testing.T) {
	ba := newBrowserApp(t)
	z, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	s := &shop{testApp: ba.testApp, zone: z, zoneStr: "Europe/Berlin"}
	s.loc = s.id(`INSERT INTO locations (name, slug, time_zone) VALUES ('Main store', 'main', $1) RETURNING id`, s.zoneStr)
	tent := s.item("Three-season backpacking tent with vestibule", 1)
	if _, err := s.st.DB().Exec(`UPDATE items SET late_fee_per = 'hour', late_fee_amount = 500, late_fee_cap = 3000 WHERE id = $1`, tent); err != nil {
		t.Fatal(err)
	}
	u := s.createUser(store.RoleCustomer, "hiker@example.test", "correct horse battery")
	staff := s.createUser(store.RoleStaff, "desk@example.test", "staff password 1")
	start, end := s.instant(1, 10), s.instant(2, 10)
	b := s.deskBook(u.ID, tent, start, end)
	s.setClock(start.Add(5 * time.Minute))
	if err := s.srv.Booking.CheckOut(context.Background(), b.ID, b.Lines[0].Units[0].AssetTag, booking.Actor{UserID: staff.ID}); err != nil {
		t.Fatal(err)
	}
	s.setClock(end.Add(26 * time.Hour))
	ba.run(chromedp.EmulateViewport(1280, 900), chromedp.Navigate(ba.url("/login")))
	ba.submitForm(`[data-testid="login-form"]`, map[string]string{"email": "hiker@example.test", "password": "correct horse battery"})
	ba.run(chromedp.WaitVisible(chromedp.CSS(`[data-testid="logout"]`)))
	for _, path := range []string{fmt.Sprintf("/bookings/%d", b.ID), "/bookings"} {
		ba.run(chromedp.EmulateViewport(375, 844, chromedp.EmulateMobile), chromedp.Navigate(ba.url(path)), chromedp.WaitReady(chromedp.CSS("body")))
		problems, err := chromedp.Run(ba.b.Context(), chromedp.Evaluate[[]string](pageAudit))
		if err != nil {
			t.Fatalf("%s: audit: %v", path, err)
		}
		problems = append(problems, ba.b.Axe()...)
		for _, p := range problems {
			t.Errorf("%s at 375 px: %s", path, p)
		}
		if path != "/bookings" && !strings.HasPrefix(ba.text(`[data-testid="overdue-since"]`), "Overdue by 1 day") {
			t.Errorf("%s: overdue notice %q", path, ba.text(`[data-testid="overdue-since"]`))
		}
	}
	if got := ba.text(`[data-testid="booking-overdue"]`); !strings.HasPrefix(got, "overdue since ") {
		t.Errorf("list badge %q", got)
	}
}

// The staff's overdue digest judges lateness by the rule of the customer's
// card, the staff banner and the overdue email (desk.LateDue): it lists the
// lines out past their own end, not every line out, with the earliest of
// their due times.
func TestOverdueDigestAgreesWithTheCard(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent, stove := s.item("Tent", 1), s.item("Stove", 1)
	cust, u := s.customer("hiker@example.test")
	_, su := s.staffClient("desk@example.test")
	ctx := context.Background()
	start, tentEnd, stoveEnd := s.instant(1, 10), s.instant(2, 10), s.instant(4, 10)
	res, err := s.srv.Booking.Book(ctx, booking.Request{CustomerID: u.ID, LocationID: s.loc, Lines: []booking.LineRequest{
		{ItemID: tent, Quantity: 1, Start: start, End: tentEnd}, {ItemID: stove, Quantity: 1, Start: start, End: stoveEnd}}})
	if err != nil {
		t.Fatal(err)
	}
	s.setClock(start.Add(5 * time.Minute))
	for _, tag := range []string{"Tent-1", "Stove-1"} {
		if err := s.srv.Booking.CheckOut(ctx, res.BookingID, tag, booking.Actor{UserID: su.ID}); err != nil {
			t.Fatal(err)
		}
	}
	now := tentEnd.Add(2 * time.Hour)
	s.setClock(now)
	card := cust.get(fmt.Sprintf("/bookings/%d", res.BookingID)).expectStatus(t, http.StatusOK).Doc.Find(`[data-testid="overdue-since"]`).Text()
	if want := "it was due back " + period.FormatDisplay(tentEnd, s.zone) + "."; !strings.HasSuffix(card, want) {
		t.Fatalf("overdue card %q, want it to end %q", card, want)
	}
	if err := s.srv.Jobs.ScanOverdue(ctx, now); err != nil {
		t.Fatal(err)
	}
	var html string
	if err := s.st.DB().QueryRow(`SELECT html_body FROM emails WHERE kind = 'staff_overdue_digest'`).Scan(&html); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		t.Fatal(err)
	}
	var cells []string
	doc.Find("tr").FilterFunction(func(_ int, tr *goquery.Selection) bool {
		return tr.Find("a").Length() == 1 && tr.Find("td").Length() == 4
	}).
		Find("td").Each(func(_ int, td *goquery.Selection) { cells = append(cells, strings.TrimSpace(td.Text())) })
	if len(cells) < 3 || cells[len(cells)-2] != "Tent" || cells[len(cells)-1] != emails.LocalTime(tentEnd, s.zoneStr) {
		t.Errorf("digest row %q, want the late tent alone, due %s, as the card says (%q)", cells, emails.LocalTime(tentEnd, s.zoneStr), card)
	}
}

// A customer whose rental is out and who sends its cancel (an old tab, a
// form kept from before the pickup) gets the booking's own page with why it
// cannot be cancelled and what to do instead, not a bare error page; a
// cancel sent twice goes back to the cancelled booking.
func TestCustomerCancelRefusedSaysWhy(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 2)
	cust, u := s.customer("hiker@example.test")
	_, su := s.staffClient("desk@example.test")
	ctx := context.Background()
	start := s.instant(1, 10)
	out := s.deskBook(u.ID, tent, start, s.instant(3, 10))
	s.setClock(start.Add(5 * time.Minute))
	if err := s.srv.Booking.CheckOut(ctx, out.ID, out.Lines[0].Units[0].AssetTag, booking.Actor{UserID: su.ID}); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/bookings/%d", out.ID)
	res := cust.post(page+"/cancel", nil).expectStatus(t, http.StatusUnprocessableEntity)
	if got := res.text(`[data-testid="cancel-refused"]`); !strings.Contains(got, "the rental has started") || !strings.Contains(got, "Main store") {
		t.Errorf("refusal %q, want why and where to return it", got)
	}
	if res.text(`[data-testid="booking-number"]`) != out.Number || !res.has(`[data-testid="line-progress"]`) {
		t.Error("the refusal is not shown on the booking's page")
	}
	if got := s.id(`SELECT count(*) FROM bookings WHERE status = 'out'`); got != 1 {
		t.Fatalf("the booking changed: %d out", got)
	}

	later := s.deskBook(u.ID, tent, s.instant(5, 10), s.instant(6, 10))
	path := fmt.Sprintf("/bookings/%d", later.ID)
	cust.post(path+"/cancel", nil).expectStatus(t, http.StatusSeeOther)
	if got := cust.post(path+"/cancel", nil).expectStatus(t, http.StatusSeeOther).location(); got != path {
		t.Errorf("a second cancel went to %q, want the booking %q", got, path)
	}
}

// The free-cancellation deadline a customer was shown stays theirs: when
// the shop later asks for more notice, an existing booking keeps its
// deadline and can still be cancelled until then, while a booking made
// after the change gets the new terms. Fewer hours later are given to
// everyone.
func TestFreeCancellationDeadlineKeptWhenTheShopAsksMoreNotice(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 2)
	cust, u := s.customer("hiker@example.test")
	ctx := context.Background()
	st, err := s.st.GetSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.FreeCancellationHours = 48
	if err := s.st.UpdateSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	start := s.instant(4, 10)
	promised := start.Add(-48 * time.Hour).In(s.zone).Format("Mon 2 Jan 2006, 15:04")
	old := s.deskBook(u.ID, tent, start, s.instant(5, 10))
	page := fmt.Sprintf("/bookings/%d", old.ID)
	if got := cust.get(page).expectStatus(t, http.StatusOK).text(`[data-testid="cancel-form"] p`); !strings.Contains(got, promised) {
		t.Fatalf("cancel note %q, want the deadline %s", got, promised)
	}

	if hint := s.adminClient().get("/admin/settings").expectStatus(t, http.StatusOK).Body; !strings.Contains(hint, "bookings already made keep the deadline") {
		t.Error("the settings form does not tell the admin that bookings keep their deadline")
	}
	st.FreeCancellationHours = 120
	if err := s.st.UpdateSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	newer := s.deskBook(u.ID, tent, start, s.instant(5, 10))
	if cust.get(fmt.Sprintf("/bookings/%d", newer.ID)).expectStatus(t, http.StatusOK).has(`[data-testid="cancel-form"]`) {
		t.Error("a booking made under 120 hours' notice, starting in 4 days, offers free cancellation")
	}
	if got := cust.get(page).expectStatus(t, http.StatusOK).text(`[data-testid="cancel-form"] p`); !strings.Contains(got, promised) {
		t.Errorf("after the shop asked for more notice the booking says %q, want the deadline it was shown, %s", got, promised)
	}
	cust.post(page+"/cancel", nil).expectStatus(t, http.StatusSeeOther)
	if got := s.id(`SELECT count(*) FROM bookings WHERE status = 'cancelled'`); got != 1 {
		t.Fatalf("%d bookings cancelled, want the one booked under 48 hours", got)
	}

	st.FreeCancellationHours = 12
	if err := s.st.UpdateSettings(ctx, st); err != nil {
		t.Fatal(err)
	}
	if got, want := cust.get(fmt.Sprintf("/bookings/%d", newer.ID)).text(`[data-testid="cancel-form"] p`),
		start.Add(-12*time.Hour).In(s.zone).Format("Mon 2 Jan 2006, 15:04"); !strings.Contains(got, want) {
		t.Errorf("with fewer hours asked now the note says %q, want %s", got, want)
	}
}
