package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
)

// B13: the same checks with the process zone set to each of UTC,
// Pacific/Auckland and America/Los_Angeles. The process zone is fixed at
// start-up, so the test runs this test binary again with TZ set; in that
// child run (RENTDESK_B13_CHILD) it does the checks itself.
func TestB13TimeZoneMatrix(t *testing.T) {
	if os.Getenv("RENTDESK_B13_CHILD") != "" {
		b13InProcessZone(t)
		return
	}
	for _, tz := range []string{"UTC", "Pacific/Auckland", "America/Los_Angeles"} {
		t.Run(tz, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestB13TimeZoneMatrix$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), "TZ="+tz, "RENTDESK_B13_CHILD=1")
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "--- PASS: TestB13TimeZoneMatrix") {
				t.Fatalf("TZ=%s: %v\n%s", tz, err, out)
			}
		})
	}
}

// b13InProcessZone runs under the zone its parent chose, against a database
// session in Asia/Tokyo, for a location in Europe/Berlin: three different
// zones, and only the location's may matter.
func b13InProcessZone(t *testing.T) {
	t.Logf("process zone TZ=%s (%s)", os.Getenv("TZ"), time.Local)
	var tokyo *store.Store
	s := newShop(t, "Europe/Berlin", func(d *Deps) {
		st, err := store.Open(context.Background(), d.Config.DatabaseURL+"&TimeZone=Asia%2FTokyo", store.Options{MaxOpenConns: 10})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		tokyo, d.Store, d.Booking = st, st, nil
	})
	var sessionZone string
	if err := tokyo.DB().QueryRowContext(context.Background(), `SHOW TimeZone`).Scan(&sessionZone); err != nil || sessionZone != "Asia/Tokyo" {
		t.Fatalf("database session zone %q (%v), want Asia/Tokyo", sessionZone, err)
	}
	berlin := s.zone
	// Friday 28 March 2031, 09:00 in Berlin; summer time starts on Sunday the 30th.
	s.mu.Lock()
	s.now = period.Date(2031, 3, 28, 9, 0, 0, 0, berlin)
	s.mu.Unlock()
	item := s.item("Bike", 3)
	s.createUser("customer", "tz@example.com", "correct horse battery")
	desk := s.client()
	s.createUser("staff", "tzdesk@example.com", "correct horse battery")
	desk.login("tzdesk@example.com", "correct horse battery")

	// "Today 15:00" at the location is 14:00 UTC (CET, +01:00).
	walkIn := func(start, end string) int64 {
		t.Helper()
		desk.get("/staff/bookings/new")
		res := desk.post("/staff/bookings", url.Values{"email": {"tz@example.com"}, "item": {fmt.Sprint(item)}, "quantity": {"1"},
			"location": {fmt.Sprint(s.loc)}, "start": {start}, "end": {end}}).expectStatus(t, http.StatusSeeOther)
		var id int64
		fmt.Sscanf(res.Header.Get("Location"), "/staff/bookings/%d", &id)
		return id
	}
	b := walkIn("2031-03-28T15:00", "2031-03-28T18:00")
	var startsAt time.Time
	if err := s.st.DB().QueryRowContext(context.Background(), `SELECT starts_at FROM booking_lines WHERE booking_id = $1`, b).Scan(&startsAt); err != nil {
		t.Fatal(err)
	}
	if wantUTC := time.Date(2031, 3, 28, 14, 0, 0, 0, time.UTC); !startsAt.Equal(wantUTC) {
		t.Fatalf("today 15:00 stored as %s, want %s", startsAt.UTC(), wantUTC)
	}

	// Form defaults pass their own validation.
	page := desk.get("/book").expectStatus(t, http.StatusOK)
	desk.post("/book/dates", url.Values{"location": {page.Doc.Find(`#f-location option[selected]`).AttrOr("value", "")},
		"start": {page.inputValue("start")}, "end": {page.inputValue("end")}}).expectStatus(t, http.StatusSeeOther)
	form := desk.get("/staff/bookings/new").expectStatus(t, http.StatusOK)
	walkIn(form.inputValue("start"), form.inputValue("end"))

	// Across the DST change: Sat 10:00 to Mon 10:00 is 47 hours, two days' price.
	dst := walkIn("2031-03-29T10:00", "2031-03-31T10:00")
	var hours float64
	var total int64
	if err := s.st.DB().QueryRowContext(context.Background(),
		`SELECT extract(epoch FROM ends_at - starts_at) / 3600, line_total FROM booking_lines WHERE booking_id = $1`, dst).Scan(&hours, &total); err != nil {
		t.Fatal(err)
	}
	if hours != 47 || total != 2*2500 {
		t.Fatalf("across DST: %v hours, total %d; want 47 hours, 5000", hours, total)
	}
	page = desk.get(fmt.Sprintf("/staff/bookings/%d", dst)).expectStatus(t, http.StatusOK)
	if want := "Sat 29 Mar 2031, 10:00 – Mon 31 Mar 2031, 10:00"; !strings.Contains(page.Body, want) {
		t.Fatalf("staff page does not show %q", want)
	}
	cust := s.client()
	cust.login("tz@example.com", "correct horse battery")
	mine := cust.get(fmt.Sprintf("/bookings/%d", dst)).expectStatus(t, http.StatusOK)
	if got := mine.Doc.Find(`[data-testid="line-period"]`).Text(); got != "Sat 29 Mar 2031, 10:00 – Mon 31 Mar 2031, 10:00" {
		t.Fatalf("customer page shows %q", got)
	}
}
