package emails

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/mail"
	"github.com/rentdesk/rentdesk/internal/money"
)

var shop = mail.Shop{Name: "Bike & Lens Hire", BaseURL: "https://rent.example.test/"}

// booking is picked up on Friday 28 March 2031 09:00 in Berlin (CET) and
// returned Monday 31 March 17:30, after the switch to summer time (CEST).
func booking() mail.Booking {
	loc, _ := time.LoadLocation("Europe/Berlin")
	pick := time.Date(2031, 3, 28, 9, 0, 0, 0, loc)
	ret := time.Date(2031, 3, 31, 17, 30, 0, 0, loc)
	eur := func(c int64) money.Money { return money.Money{Amount: c, Currency: "EUR"} }
	return mail.Booking{
		ID: 42, Number: "R-0042",
		Customer: mail.Recipient{UserID: 7, Name: "Ada <Lovelace>", Email: "ada@example.test"},
		Location: mail.Location{Name: "Berlin Mitte", Address: "Torstraße 1, 10119 Berlin", TimeZone: "Europe/Berlin"},
		Lines: []mail.BookingLine{
			{ItemName: "Canon R6 body", Quantity: 1, PickupAt: pick, ReturnAt: ret, Price: eur(12000)},
			{ItemName: "Tripod", Quantity: 2, PickupAt: pick, ReturnAt: ret, Price: eur(3000)},
		},
		Subtotal: eur(15000), Tax: eur(2395), Total: eur(15000), Deposit: eur(50000), DueAtPickup: eur(65000),
	}
}

// Every kind of email: its subject, recipient, local dates and links, in both
// the text and the HTML part.
func TestEveryEmailKind(t *testing.T) {
	b := booking()
	staff := mail.Recipient{UserID: 2, Name: "Sven", Email: "sven@example.test"}
	due := time.Date(2031, 4, 2, 16, 0, 0, 0, time.UTC)
	const pickup, ret = "Fri 28 Mar 2031, 09:00 CET", "Mon 31 Mar 2031, 17:30 CEST"
	cases := []struct {
		c       mail.Content
		to      string
		subject string
		want    []string // in the text and the HTML
	}{
		{mail.Welcome{To: mail.Recipient{Name: "Ada", Email: "ada@example.test"}}, "ada@example.test",
			"Welcome to Bike & Lens Hire", []string{"Hello Ada,", "https://rent.example.test/catalog", "https://rent.example.test/account"}},
		{mail.PasswordReset{To: mail.Recipient{Name: "Ada", Email: "ada@example.test"}, Token: "tok_EN-123"}, "ada@example.test",
			"Reset your Bike & Lens Hire password", []string{"https://rent.example.test/password/reset?token=tok_EN-123", "within an hour"}},
		{mail.BookingConfirmed{Booking: b}, "ada@example.test", "Booking R-0042 confirmed – Bike & Lens Hire",
			[]string{pickup, ret, "Canon R6 body", "Torstraße 1", "€150.00", "€500.00", "€650.00", "https://rent.example.test/bookings/42"}},
		{mail.HoldExpired{Booking: b}, "ada@example.test", "Your reservation R-0042 has expired – Bike & Lens Hire",
			[]string{"expired", pickup, "https://rent.example.test/bookings/42"}},
		{mail.PickupReminder{Booking: b}, "ada@example.test", "Reminder: pick up R-0042 on Fri 28 Mar 2031 – Bike & Lens Hire",
			[]string{pickup, "Berlin Mitte"}},
		{mail.ReturnReminder{Booking: b}, "ada@example.test", "Reminder: return R-0042 by " + ret + " – Bike & Lens Hire",
			[]string{ret}},
		{mail.OverdueNotice{Booking: b, Notice: 2}, "ada@example.test", "Overdue: please return R-0042 – Bike & Lens Hire",
			[]string{"was due back", ret}},
		{mail.BookingCancelled{Booking: b, Reason: "Cancelled at your request."}, "ada@example.test", "Booking R-0042 cancelled – Bike & Lens Hire",
			[]string{"cancelled", "Cancelled at your request."}},
		{mail.StaffNewBooking{To: staff, Booking: b}, "sven@example.test", "New online booking R-0042 from Ada <Lovelace>",
			[]string{"Hello Sven,", pickup, "https://rent.example.test/staff/bookings/42"}},
		{mail.StaffPaymentAlert{To: staff, Booking: b, Message: "Paid after the hold ran out; refunded."}, "sven@example.test",
			"Payment needs attention: booking R-0042", []string{"Hello Sven,", "refunded", "https://rent.example.test/staff/bookings/42"}},
		{mail.StaffOverdueDigest{To: staff, Date: "2031-04-02", Items: []mail.OverdueItem{{BookingID: 42, BookingNumber: "R-0042",
			Customer: "Ada", Items: "Canon R6 body", DueAt: due, TimeZone: "Europe/Berlin"}}},
			"sven@example.test", "Overdue rentals on 2031-04-02: 1 – Bike & Lens Hire",
			[]string{"Wed 2 Apr 2031, 18:00 CEST", "https://rent.example.test/staff/bookings/42"}},
		{mail.AdminDeadJobs{To: staff, Jobs: []mail.DeadJob{{ID: 9, Kind: "send_email", Attempts: 8, LastError: "451 try later", Email: `"Welcome" to a@b.test`}}},
			"sven@example.test", "1 background job(s) gave up – Bike & Lens Hire",
			[]string{"451 try later", "https://rent.example.test/admin/mail?status=dead"}},
		{mail.AdminAlert{To: staff, Rule: "Latency p95", Value: "1.40 s", Threshold: "1000 ms", Started: due},
			"sven@example.test", "Alert: Latency p95 at 1.40 s (threshold 1000 ms) – Bike & Lens Hire",
			[]string{"Latency p95", "https://rent.example.test/admin/metrics"}},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.c.Kind(), func(t *testing.T) {
			seen[tc.c.Kind()] = true
			r, err := Render(context.Background(), tc.c, shop)
			if err != nil {
				t.Fatal(err)
			}
			if r.Subject != tc.subject {
				t.Errorf("subject %q, want %q", r.Subject, tc.subject)
			}
			if got := tc.c.Recipient().Email; got != tc.to {
				t.Errorf("recipient %q, want %q", got, tc.to)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, r.Text)
				}
				if !strings.Contains(r.HTML, htmlEscape(w)) {
					t.Errorf("html lacks %q", w)
				}
			}
			if strings.Contains(r.HTML, "<Lovelace>") {
				t.Error("a name reached the HTML unescaped")
			}
		})
	}
	all := []string{mail.KindWelcome, mail.KindPasswordReset, mail.KindBookingConfirmed, mail.KindHoldExpired,
		mail.KindPickupReminder, mail.KindReturnReminder, mail.KindOverdueNotice, mail.KindBookingCancelled,
		mail.KindStaffNewBooking, mail.KindStaffOverdueDigest, mail.KindAdminDeadJobs, mail.KindStaffPaymentAlert,
		mail.KindAdminAlert}
	for _, k := range all {
		if !seen[k] {
			t.Errorf("kind %s is not tested", k)
		}
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}

// The confirmation carries a calendar file with the pickup and the return at
// the right instants (UTC), whatever the server's zone.
func TestConfirmationCalendarFile(t *testing.T) {
	r, err := Render(context.Background(), mail.BookingConfirmed{Booking: booking()}, shop)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Attachments) != 1 || r.Attachments[0].ContentType != "text/calendar" || r.Attachments[0].Name != "booking-R-0042.ics" {
		t.Fatalf("attachments %+v", r.Attachments)
	}
	ics := string(r.Attachments[0].Data)
	for _, w := range []string{
		"BEGIN:VCALENDAR", "DTSTART:20310328T080000Z", "DTEND:20310328T083000Z", // 09:00 CET
		"DTSTART:20310331T150000Z", "DTEND:20310331T153000Z", // 17:30 CEST
		"UID:booking-42-pickup@rent.example.test", "LOCATION:Berlin Mitte\\, Torstraße 1\\, 10119 Berlin", "END:VCALENDAR",
	} {
		if !strings.Contains(ics, w) {
			t.Errorf("calendar lacks %q:\n%s", w, ics)
		}
	}
	for _, line := range strings.Split(ics, "\r\n") {
		if len(line) > 75 {
			t.Errorf("line longer than 75 octets: %q", line)
		}
	}
}

func TestLocalTimeUsesTheLocationZone(t *testing.T) {
	at := time.Date(2031, 1, 10, 23, 30, 0, 0, time.UTC)
	cases := map[string]string{
		"Pacific/Auckland":    "Sat 11 Jan 2031, 12:30 NZDT",
		"America/Los_Angeles": "Fri 10 Jan 2031, 15:30 PST",
		"Europe/Berlin":       "Sat 11 Jan 2031, 00:30 CET",
		"Not/AZone":           "Fri 10 Jan 2031, 23:30 UTC",
	}
	for tz, want := range cases {
		if got := LocalTime(at, tz); got != want {
			t.Errorf("%s: %q, want %q", tz, got, want)
		}
	}
}

// A booking confirmed by an online prepayment: its confirmation, rendered at
// send time from the facts kept at confirmation, says what was paid and what
// is left for the pickup, and still tells the booking as confirmed.
func TestConfirmationOfAPrepaidBookingSaysWhatWasPaid(t *testing.T) {
	b := booking()
	b.Deposit = money.Money{}
	b.Paid = money.Money{Amount: 4500, Currency: "EUR"}
	b.DueAtPickup = money.Money{Amount: 10500, Currency: "EUR"}
	facts, ok, err := mail.EncodeFacts(mail.BookingConfirmed{Booking: b})
	if err != nil || !ok {
		t.Fatalf("facts: %v %v", ok, err)
	}
	c, err := mail.DecodeFacts(mail.KindBookingConfirmed, facts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Render(context.Background(), c, shop)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Total: €150.00\nPaid: €45.00\nDue at pickup: €105.00\n", "Your booking is confirmed"} {
		if !strings.Contains(r.Text, w) {
			t.Errorf("text lacks %q:\n%s", w, r.Text)
		}
	}
	for _, w := range []string{"Paid", "€45.00", "€105.00", "Your booking is confirmed"} {
		if !strings.Contains(r.HTML, w) {
			t.Errorf("html lacks %q", w)
		}
	}
}

// A booking that will not be picked up (cancelled, or a hold that ran out)
// asks for no payment at pickup: its email keeps the total and the lines but
// no "Due at pickup" line.
func TestNothingDueAtPickupOnAnEndedBooking(t *testing.T) {
	b := booking()
	for _, c := range []mail.Content{mail.BookingCancelled{Booking: b}, mail.HoldExpired{Booking: b},
		mail.BookingCancelled{Booking: b, Reason: "Cancelled by the shop."}} {
		r, err := Render(context.Background(), c, shop)
		if err != nil {
			t.Fatal(err)
		}
		for part, s := range map[string]string{"text": r.Text, "html": r.HTML} {
			if strings.Contains(s, "Due at pickup") || strings.Contains(s, "650.00") {
				t.Errorf("%s %s asks for payment at pickup:\n%s", c.Kind(), part, s)
			}
			if !strings.Contains(s, "150.00") {
				t.Errorf("%s %s lost its total:\n%s", c.Kind(), part, s)
			}
		}
	}
}
