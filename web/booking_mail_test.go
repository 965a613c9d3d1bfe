package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/jobs"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// mailShop is a shop whose mail goes to its own Mailpit, workers running.
type mailShop struct {
	*shop
	mp *testenv.MailpitServer
}

func newMailShop(t *testing.T, zone string) *mailShop {
	t.Helper()
	ma := newMailApp(t)
	z, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	s := &shop{testApp: ma.testApp, zone: z, zoneStr: zone}
	s.loc = s.id(`INSERT INTO locations (name, slug, time_zone, address) VALUES ('Harbour store', 'harbour', $1, '1 Quay Street') RETURNING id`, zone)
	return &mailShop{shop: s, mp: ma.mp}
}

// emailCount counts email rows of a kind.
func (s *shop) emailCount(kind string) int {
	s.t.Helper()
	var n int
	if err := s.st.DB().QueryRow(`SELECT count(*) FROM emails WHERE kind = $1`, kind).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// mailsTo lists the subjects of every message Mailpit holds for addr.
func (s *mailShop) mailsTo(addr string) []string {
	s.t.Helper()
	list, err := s.mp.Messages(200)
	if err != nil {
		s.t.Fatal(err)
	}
	var out []string
	for _, m := range list {
		for _, to := range m.To {
			if strings.EqualFold(to.Address, addr) {
				out = append(out, m.Subject)
			}
		}
	}
	return out
}

// waitSent waits until every booking's emails are written (the jobs that
// render them after the booking commits are done) and every queued email
// has been sent.
func (s *shop) waitSent() {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var pending int
		if err := s.st.DB().QueryRow(`SELECT (SELECT count(*) FROM emails WHERE status <> 'sent') +
			(SELECT count(*) FROM river_job WHERE kind = 'booking_made_mail' AND finalized_at IS NULL)`).Scan(&pending); err != nil {
			s.t.Fatal(err)
		}
		if pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%d emails still not sent", pending)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// mailWritten starts the shop's workers (a shop made by newShop runs none)
// and waits until the jobs that write the bookings' emails after their
// confirmation commits are done, so the emails are written (sent or not).
func (s *shop) mailWritten() {
	s.t.Helper()
	if err := s.srv.Jobs.Start(context.Background()); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { _ = s.srv.Jobs.Stop(context.Background()) })
	deadline := time.Now().Add(15 * time.Second)
	for s.id(`SELECT count(*) FROM river_job WHERE kind = 'booking_made_mail' AND finalized_at IS NULL`) != 0 {
		if time.Now().After(deadline) {
			s.t.Fatal("the bookings' email jobs did not complete")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Confirming a booking sends exactly one confirmation, with a calendar file,
// the location's address and local dates (the same local date the booking
// page shows: B13's email half), linking to the customer's booking page; staff
// hear of the online booking with a link to the desk's page of it.
func TestBookingConfirmationEmail(t *testing.T) {
	s := newMailShop(t, "Pacific/Auckland")
	item := s.item("Canon R6", 2)
	staff := s.createUser(store.RoleStaff, "desk@example.test", "staff password 1")
	c, _ := s.customer("ana@example.test")
	// The shop's own name, from the settings, not the product's.
	settings, err := s.st.GetSettings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	settings.ShopName = "Harbour Hire"
	if err := s.st.UpdateSettings(t.Context(), settings); err != nil {
		t.Fatal(err)
	}
	// 08:00 in Auckland is the evening before in UTC: a date taken in the
	// wrong zone shows the wrong day.
	res := c.bookOne(s.loc, item, s.local(3, 8), s.local(5, 8)).expectStatus(t, http.StatusSeeOther)
	bookingPath := res.location()
	s.waitSent()

	msg := s.mp.FindTo(t, "ana@example.test", 10*time.Second)
	if subjects := s.mailsTo("ana@example.test"); len(subjects) != 1 {
		t.Fatalf("customer got %d emails, want exactly 1: %q", len(subjects), subjects)
	}
	if !strings.Contains(msg.Subject, "confirmed") {
		t.Errorf("subject %q", msg.Subject)
	}
	start := s.instant(3, 8)
	local := period.FormatDisplay(start, s.zone)
	for _, want := range []string{local, "Canon R6", "Harbour store", "1 Quay Street", s.ts.URL + bookingPath, "Harbour Hire"} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("confirmation text lacks %q:\n%s", want, msg.Text)
		}
	}
	if strings.Contains(msg.Text+msg.HTML+msg.Subject, "Rentdesk") {
		t.Error("the email names the product instead of the shop")
	}
	if len(msg.Attachments) != 1 || !strings.HasSuffix(msg.Attachments[0].FileName, ".ics") {
		t.Fatalf("attachments %+v, want one .ics", msg.Attachments)
	}
	ics, err := s.mp.Attachment(msg.ID, msg.Attachments[0].PartID)
	if err != nil {
		t.Fatal(err)
	}
	if want := "DTSTART:" + start.UTC().Format("20060102T150405Z"); !strings.Contains(string(ics), want) {
		t.Errorf("calendar file lacks %s:\n%s", want, ics)
	}
	page := c.get(bookingPath).expectStatus(t, http.StatusOK)
	if got := page.Doc.Find(`[data-testid="line-period"]`).First().Text(); !strings.HasPrefix(strings.TrimSpace(got), local) {
		t.Errorf("booking page shows %q, email shows %q", got, local)
	}

	note := s.mp.FindTo(t, staff.Email, 10*time.Second)
	if !strings.Contains(note.Subject, "New online booking") || !strings.Contains(note.Text, s.ts.URL+"/staff"+bookingPath) {
		t.Errorf("staff notice %q:\n%s", note.Subject, note.Text)
	}
}

// Cancelling sends the cancellation; a walk-in booked by staff is confirmed
// by email too, without a staff notice.
func TestBookingCancellationEmail(t *testing.T) {
	s := newMailShop(t, "Europe/Berlin")
	item := s.item("Tripod", 1)
	c, _ := s.customer("ben@example.test")
	path := c.bookOne(s.loc, item, s.local(4, 10), s.local(6, 10)).expectStatus(t, http.StatusSeeOther).location()
	c.post(path+"/cancel", nil).expectStatus(t, http.StatusSeeOther)
	s.waitSent()
	subjects := s.mailsTo("ben@example.test")
	if len(subjects) != 2 || !strings.Contains(subjects[0]+subjects[1], "cancelled") {
		t.Fatalf("customer emails %q, want a confirmation and a cancellation", subjects)
	}
	if n := s.emailCount("booking_cancelled"); n != 1 {
		t.Errorf("%d cancellation emails, want 1", n)
	}
}

// holdOnly leaves online bookings as holds, as an online payment step does
// while the customer pays.
type holdOnly struct{}

func (holdOnly) Begin(context.Context, *store.Store, store.Booking, store.Settings) (booking.PaymentOutcome, error) {
	return booking.PaymentOutcome{RedirectURL: "/pay"}, nil
}

// A hold that runs out (injected clock) is expired by the periodic step and
// its customer is told, once.
func TestHoldExpiredEmail(t *testing.T) {
	s := newMailShop(t, "America/Los_Angeles")
	item := s.item("Drone", 1)
	u := s.createUser(store.RoleCustomer, "cy@example.test", "correct horse battery")
	eng := s.srv.Booking.WithPayment(holdOnly{})
	ctx := context.Background()
	res, err := eng.Book(ctx, booking.Request{CustomerID: u.ID, LocationID: s.loc, Online: true,
		Actor: booking.Actor{UserID: u.ID}, Lines: []booking.LineRequest{{ItemID: item, Quantity: 1, Start: s.instant(2, 9), End: s.instant(3, 9)}}})
	if err != nil || res.Status != store.BookingHold {
		t.Fatalf("book: %+v %v", res, err)
	}
	if n, err := eng.ExpireHolds(ctx); err != nil || n != 0 {
		t.Fatalf("expired %d (%v) before the hold ran out", n, err)
	}
	s.advance(46 * time.Minute) // past the default hold of 45 minutes
	for range 2 {
		if _, err := eng.ExpireHolds(ctx); err != nil {
			t.Fatal(err)
		}
	}
	msg := s.mp.FindTo(t, "cy@example.test", 10*time.Second)
	if !strings.Contains(msg.Subject, "has expired") {
		t.Errorf("subject %q", msg.Subject)
	}
	if n := s.emailCount("hold_expired"); n != 1 {
		t.Errorf("%d hold expired emails, want 1", n)
	}
	if n := s.emailCount("booking_confirmed"); n != 0 {
		t.Errorf("%d confirmations for a hold", n)
	}
}

// failingNotifier queues the real emails, then fails: the booking's
// transaction rolls back, and the emails and their jobs with it.
type failingNotifier struct{ booking.Notifier }

func (f failingNotifier) BookingConfirmed(ctx context.Context, tx *store.Store, b store.Booking, online bool) error {
	if err := f.Notifier.BookingConfirmed(ctx, tx, b, online); err != nil {
		return err
	}
	return errors.New("boom after queueing")
}

// A booking that rolls back sends nothing (invariant 5): not after a failure
// behind the email, not after a conflict.
func TestRolledBackBookingSendsNothing(t *testing.T) {
	s := newMailShop(t, "Europe/Berlin")
	item := s.item("Lens", 1)
	u := s.createUser(store.RoleCustomer, "dee@example.test", "correct horse battery")
	s.createUser(store.RoleStaff, "desk@example.test", "staff password 1")
	eng := booking.New(s.st, s.clock, booking.Pricing{}).WithNotifier(failingNotifier{s.srv.Jobs.BookingMail()})
	req := booking.Request{CustomerID: u.ID, LocationID: s.loc, Online: true, Actor: booking.Actor{UserID: u.ID},
		Lines: []booking.LineRequest{{ItemID: item, Quantity: 1, Start: s.instant(2, 10), End: s.instant(3, 10)}}}
	if _, err := eng.Book(context.Background(), req); err == nil {
		t.Fatal("booking succeeded with a failing step after the email")
	}
	// A conflict: the only unit goes to another customer while dee2 checks out.
	c, _ := s.customer("dee2@example.test")
	c.choose(s.loc, s.local(2, 12), s.local(3, 12)).expectStatus(t, http.StatusSeeOther)
	c.add(item, 1).expectStatus(t, http.StatusSeeOther)
	token := c.checkoutToken()
	other, _ := s.customer("eve@example.test")
	other.bookOne(s.loc, item, s.local(2, 10), s.local(3, 10)).expectStatus(t, http.StatusSeeOther)
	c.post("/checkout", url.Values{"token": {token}}).expectStatus(t, http.StatusConflict)
	s.waitSent()

	var bookings, emails, jobs int
	db := s.st.DB()
	_ = db.QueryRow(`SELECT count(*) FROM bookings`).Scan(&bookings)
	_ = db.QueryRow(`SELECT count(*) FROM emails WHERE kind IN ('booking_confirmed', 'staff_new_booking')`).Scan(&emails)
	_ = db.QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'send_email'`).Scan(&jobs)
	// Only eve's booking stands: her confirmation and the desk's notice.
	if bookings != 1 || emails != 2 || jobs < 2 {
		t.Fatalf("bookings %d, emails %d, send jobs %d; want 1, 2, ≥2", bookings, emails, jobs)
	}
	for _, addr := range []string{"dee@example.test", "dee2@example.test"} {
		if got := s.mailsTo(addr); len(got) != 0 {
			t.Errorf("%s got %q", addr, got)
		}
	}
}

// Pickup and return reminders go out when due in the location's calendar
// (18:00 the evening before), once each, with an injected clock.
func TestRemindersDueAndNotDue(t *testing.T) {
	s := newMailShop(t, "Pacific/Auckland")
	item := s.item("Bike", 1)
	c, _ := s.customer("fay@example.test")
	c.bookOne(s.loc, item, s.local(3, 9), s.local(5, 11)).expectStatus(t, http.StatusSeeOther)
	ctx := context.Background()
	jb := s.srv.Jobs
	steps := []struct {
		day, hour       int
		pickup, return_ int
	}{
		{1, 12, 0, 0}, // two days before: nothing
		{2, 17, 0, 0}, // the evening before, too early
		{2, 18, 1, 0}, // pickup reminder due
		{2, 20, 1, 0}, // asked again: still one
		{4, 18, 1, 1}, // the evening before the return
		{4, 23, 1, 1},
	}
	for _, st := range steps {
		if err := jb.SendReminders(ctx, s.instant(st.day, st.hour)); err != nil {
			t.Fatal(err)
		}
		if p, r := s.emailCount("pickup_reminder"), s.emailCount("return_reminder"); p != st.pickup || r != st.return_ {
			t.Fatalf("day %d %02d:00: %d pickup and %d return reminders, want %d and %d", st.day, st.hour, p, r, st.pickup, st.return_)
		}
	}
	msg := s.mp.FindTo(t, "fay@example.test", 10*time.Second)
	s.waitSent()
	if subjects := s.mailsTo("fay@example.test"); len(subjects) != 3 {
		t.Errorf("customer got %q, want confirmation and two reminders (newest %q)", subjects, msg.Subject)
	}
}

// An unreturned rental gets one overdue notice a day (from 09:00 local) and
// staff get the daily digest, linking to the desk's page of the booking.
func TestOverdueNoticesAndDigest(t *testing.T) {
	s := newMailShop(t, "Europe/Berlin")
	item := s.item("Tent", 1)
	staff := s.createUser(store.RoleStaff, "desk@example.test", "staff password 1")
	c, _ := s.customer("gus@example.test")
	path := c.bookOne(s.loc, item, s.local(1, 10), s.local(2, 10)).expectStatus(t, http.StatusSeeOther).location()
	var id int64
	if _, err := fmt.Sscanf(path, "/bookings/%d", &id); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.srv.Booking.CheckOut(ctx, id, "Tent-1", booking.Actor{UserID: staff.ID}); err != nil {
		t.Fatal(err)
	}
	jb := s.srv.Jobs
	steps := []struct {
		day, hour, notices, digests int
	}{
		{2, 9, 0, 0},  // due at 10:00
		{2, 11, 1, 1}, // late
		{2, 15, 1, 1}, // the same day: nothing new
		{3, 8, 1, 1},  // the next day, too early
		{3, 10, 2, 2}, // the second notice and digest
	}
	for _, st := range steps {
		if err := jb.ScanOverdue(ctx, s.instant(st.day, st.hour)); err != nil {
			t.Fatal(err)
		}
		if n, d := s.emailCount("overdue_notice"), s.emailCount("staff_overdue_digest"); n != st.notices || d != st.digests {
			t.Fatalf("day %d %02d:00: %d notices and %d digests, want %d and %d", st.day, st.hour, n, d, st.notices, st.digests)
		}
	}
	s.waitSent()
	var digest string
	if err := s.st.DB().QueryRow(`SELECT text_body FROM emails WHERE kind = 'staff_overdue_digest' AND to_address = $1 LIMIT 1`,
		staff.Email).Scan(&digest); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(digest, s.ts.URL+"/staff"+path) {
		t.Errorf("digest lacks the desk link:\n%s", digest)
	}
	if got := s.mailsTo(staff.Email); len(got) != 3 {
		t.Errorf("staff got %q, want the new booking notice and two digests", got)
	}
}

// A checkout confirmed at once commits one job for its emails, not the emails
// themselves: they are rendered after the commit, and tell the booking as it
// was confirmed even when the customer, the item or the booking changed
// before the job ran. The staff notice goes out too.
func TestBookingEmailsRenderedAfterCommitTellTheBookingAsConfirmed(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Canon R6", 1)
	staff := s.createUser(store.RoleStaff, "desk@example.test", "staff password 1")
	c, u := s.customer("gus@example.test")
	path := c.bookOne(s.loc, item, s.local(3, 10), s.local(5, 10)).expectStatus(t, http.StatusSeeOther).location()
	id := s.id(`SELECT id FROM bookings WHERE customer_id = $1`, u.ID)
	if !strings.HasSuffix(path, "/"+itoa(id)) {
		t.Fatalf("checkout went to %s, booking %d", path, id)
	}
	var jobs, emails int
	db := s.st.DB()
	if err := db.QueryRow(`SELECT (SELECT count(*) FROM river_job WHERE kind = 'booking_made_mail' AND args->>'booking_id' = $1),
		(SELECT count(*) FROM emails)`, itoa(id)).Scan(&jobs, &emails); err != nil {
		t.Fatal(err)
	}
	if jobs != 1 || emails != 0 {
		t.Fatalf("after the checkout: %d email jobs, %d emails; want 1 job and no email yet", jobs, emails)
	}
	// What changes after the confirmation is not what it tells.
	s.id(`UPDATE items SET name = 'Renamed camera' WHERE id = $1 RETURNING id`, item)
	s.id(`UPDATE users SET name = 'Someone Else' WHERE id = $1 RETURNING id`, u.ID)
	s.id(`UPDATE bookings SET total = total + 99999 WHERE id = $1 RETURNING id`, id)
	if err := s.srv.Jobs.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.srv.Jobs.Stop(context.Background()) })
	deadline := time.Now().Add(15 * time.Second)
	for s.id(`SELECT count(*) FROM river_job WHERE kind = 'booking_made_mail' AND state = 'completed'`) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the booking's email job did not complete")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The rows keep what the emails are written from, not three rendered
	// copies: the mailer renders them as it sends them.
	if n := s.id(`SELECT count(*) FROM emails WHERE kind IN ('booking_confirmed', 'staff_new_booking')
		AND facts IS NOT NULL AND text_body = '' AND html_body = '' AND attachments = '[]'`); n != 2 {
		t.Errorf("%d of the confirmation and the staff notice stored as facts alone, want 2", n)
	}
	text := s.sentText(t, `SELECT id FROM emails WHERE kind = 'booking_confirmed' AND to_address = 'gus@example.test'`)
	for _, want := range []string{"Canon R6", u.Name} {
		if !strings.Contains(text, want) {
			t.Errorf("confirmation lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Renamed camera") || strings.Contains(text, "Someone Else") {
		t.Errorf("confirmation tells the booking as it is now, not as it was confirmed:\n%s", text)
	}
	staffText := s.sentText(t, `SELECT id FROM emails WHERE kind = 'staff_new_booking' AND to_address = $1`, staff.Email)
	if !strings.Contains(staffText, "Canon R6") {
		t.Errorf("staff notice lacks the item:\n%s", staffText)
	}
}

// A confirmation's email job carries ids only (the queue indexes every key
// and value of a job's arguments): the booking as confirmed waits in
// booking_mail_snapshots, and the job's worker takes it there in the
// transaction that writes the emails, so none is left behind. A job queued
// with the booking in its arguments, as they all were before, still writes
// its emails.
func TestBookingEmailJobCarriesIdsOnly(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	item := s.item("Canon R6", 2)
	ca, ua := s.customer("kim@example.test")
	cb, ub := s.customer("lee@example.test")
	ca.bookOne(s.loc, item, s.local(3, 10), s.local(5, 10)).expectStatus(t, http.StatusSeeOther)
	cb.bookOne(s.loc, item, s.local(3, 10), s.local(5, 10)).expectStatus(t, http.StatusSeeOther)
	a := s.id(`SELECT id FROM bookings WHERE customer_id = $1`, ua.ID)
	b := s.id(`SELECT id FROM bookings WHERE customer_id = $1`, ub.ID)
	db := s.st.DB()
	var keys string
	if err := db.QueryRow(`SELECT string_agg(k, ',' ORDER BY k) FROM river_job, jsonb_object_keys(args) k
		WHERE kind = 'booking_made_mail' AND args->>'booking_id' = $1`, itoa(a)).Scan(&keys); err != nil {
		t.Fatal(err)
	}
	if keys != "booking_id,online,snapshot_id" {
		t.Errorf("the email job's arguments have the keys %q, want booking_id,online,snapshot_id", keys)
	}
	if n := s.id(`SELECT count(*) FROM booking_mail_snapshots WHERE booking_id IN ($1, $2)`, a, b); n != 2 {
		t.Fatalf("%d booking mail snapshots before the jobs ran, want 2", n)
	}
	// b's job as it was queued before the snapshots: the booking in its arguments.
	ctx := context.Background()
	bm, err := s.st.ListBookingMail(ctx, []int64{b})
	if err != nil || len(bm) != 1 {
		t.Fatalf("booking mail of %d: %v %v", b, bm, err)
	}
	legacy := jobs.MailBooking(bm[0])
	s.id(`WITH j AS (DELETE FROM river_job WHERE kind = 'booking_made_mail' AND args->>'booking_id' = $1 RETURNING 1)
		SELECT count(*) FROM j`, itoa(b))
	s.id(`WITH d AS (DELETE FROM booking_mail_snapshots WHERE booking_id = $1 RETURNING 1) SELECT count(*) FROM d`, b)
	if _, err := s.srv.Jobs.Client().Insert(ctx, jobs.BookingMadeArgs{BookingID: b, Online: true, Booking: &legacy}, nil); err != nil {
		t.Fatal(err)
	}
	s.mailWritten()
	for _, email := range []string{"kim@example.test", "lee@example.test"} {
		if n := s.id(`SELECT count(*) FROM emails WHERE kind = 'booking_confirmed' AND to_address = $1`, email); n != 1 {
			t.Errorf("%d confirmations to %s, want 1", n, email)
			continue
		}
		if text := s.sentText(t, `SELECT id FROM emails WHERE kind = 'booking_confirmed' AND to_address = $1`, email); !strings.Contains(text, "Canon R6") {
			t.Errorf("the confirmation to %s lacks the Canon R6:\n%s", email, text)
		}
	}
	if n := s.id(`SELECT count(*) FROM booking_mail_snapshots`); n != 0 {
		t.Errorf("%d booking mail snapshots left after the jobs ran, want 0", n)
	}
}

// A hold confirmed at the desk or by its payment commits one job for its
// emails, not the emails: they are written after the commit, from the
// booking as the confirming transaction read it (the location's address,
// the item, the amount due). Each confirmation mails its customer once,
// however often the booking is confirmed (again after a cancellation); staff
// hear of the holds the system confirmed for a customer who booked online,
// not of those they confirmed themselves.
func TestHoldConfirmedEmailsRenderedAfterCommit(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	s.id(`UPDATE locations SET address = '7 Dock Road' WHERE id = $1 RETURNING id`, s.loc)
	item := s.item("Kayak", 2)
	staff := s.createUser(store.RoleStaff, "desk@example.test", "staff password 1")
	ctx := context.Background()
	eng := s.srv.Booking.WithPayment(holdOnly{})
	hold := func(email string, day int) int64 {
		t.Helper()
		u := s.createUser(store.RoleCustomer, email, "correct horse battery")
		res, err := eng.Book(ctx, booking.Request{CustomerID: u.ID, LocationID: s.loc, Online: true, Actor: booking.Actor{UserID: u.ID},
			Lines: []booking.LineRequest{{ItemID: item, Quantity: 1, Start: s.instant(day, 10), End: s.instant(day+1, 10)}}})
		if err != nil || res.Status != store.BookingHold {
			t.Fatalf("hold: %+v %v", res, err)
		}
		return res.BookingID
	}
	atDesk, paid := hold("ida@example.test", 3), hold("jon@example.test", 5)
	if err := eng.Confirm(ctx, atDesk, booking.Actor{UserID: staff.ID}); err != nil {
		t.Fatal(err)
	}
	if err := eng.Confirm(ctx, paid, booking.Actor{}); err != nil {
		t.Fatal(err)
	}
	count := func(q string, args ...any) int64 { t.Helper(); return s.id(q, args...) }
	if jobs, emails := count(`SELECT count(*) FROM river_job WHERE kind = 'booking_made_mail'`), count(`SELECT count(*) FROM emails`); jobs != 2 || emails != 0 {
		t.Fatalf("after two confirmations: %d email jobs, %d emails; want 2 jobs and no email yet", jobs, emails)
	}
	// What changes after the confirmation is not what it tells.
	s.id(`UPDATE items SET name = 'Renamed boat' WHERE id = $1 RETURNING id`, item)
	s.mailWritten()
	for _, email := range []string{"ida@example.test", "jon@example.test"} {
		text := s.sentText(t, `SELECT id FROM emails WHERE kind = 'booking_confirmed' AND to_address = $1`, email)
		for _, want := range []string{"Kayak", "Main store", "7 Dock Road"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s's confirmation lacks %q:\n%s", email, want, text)
			}
		}
	}
	if n := count(`SELECT count(*) FROM emails WHERE kind = 'staff_new_booking' AND to_address = $1 AND dedupe_key = $2`,
		staff.Email, fmt.Sprintf("staff-new-booking:%d:%d", paid, staff.ID)); n != 1 {
		t.Errorf("%d staff notices of the paid hold, want 1", n)
	}
	if n := count(`SELECT count(*) FROM emails WHERE kind = 'staff_new_booking'`); n != 1 {
		t.Errorf("%d staff notices in all, want 1 (none for the hold staff confirmed)", n)
	}
	// Cancelled and confirmed again: a second job, no second email.
	if err := eng.Cancel(ctx, atDesk, 0, booking.Actor{UserID: staff.ID}); err != nil {
		t.Fatal(err)
	}
	if err := eng.Confirm(ctx, atDesk, booking.Actor{UserID: staff.ID}); err != nil {
		t.Fatal(err)
	}
	s.mailWritten()
	if n := count(`SELECT count(*) FROM emails WHERE kind = 'booking_confirmed' AND to_address = 'ida@example.test'`); n != 1 {
		t.Errorf("%d confirmations after confirming again, want 1", n)
	}
}

// sentText is the text of the email whose id q selects, as the mailer sends
// it (rendered from its facts when it is stored so).
func (a *shop) sentText(t *testing.T, q string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	e, err := a.st.GetEmail(ctx, a.id(q, args...))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := a.srv.Jobs.Message(ctx, e)
	if err != nil {
		t.Fatalf("email %d as sent: %v", e.ID, err)
	}
	return msg.Text
}
