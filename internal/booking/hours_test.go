package booking

import (
	"errors"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
)

var shopHours = catalog.OpeningHours{
	1: {{Open: "09:00", Close: "18:00"}}, 2: {{Open: "09:00", Close: "18:00"}}, 3: {{Open: "09:00", Close: "12:00"}, {Open: "13:00", Close: "18:00"}},
	4: {{Open: "09:00", Close: "18:00"}}, 5: {{Open: "09:00", Close: "18:00"}}, 6: {{Open: "10:00", Close: "14:00"}},
}

// Pickups and returns fall within the location's opening hours, on open
// days, in its own zone (base is Monday 3 March 2031; Berlin is UTC+1).
func TestCheckHours(t *testing.T) {
	loc := store.BookingLocation{TimeZone: "Europe/Berlin", OpeningHours: shopHours, ClosedDates: catalog.DateList{"2031-03-07"}}
	berlin := period.Zone(loc.TimeZone)
	at := func(d, h, m int) time.Time { return time.Date(2031, 3, 3+d, h, m, 0, 0, berlin) }
	cases := []struct {
		name       string
		start, end time.Time
		field, msg string
	}{
		{"within hours", at(0, 9, 0), at(1, 18, 0), "", ""},
		{"sunday pickup", at(6, 10, 0), at(7, 10, 0), "start", "The shop is closed on Sundays."},
		{"sunday return", at(5, 10, 0), at(6, 10, 0), "end", "The shop is closed on Sundays."},
		{"closed date", at(4, 10, 0), at(7, 10, 0), "start", "The shop is closed on Fri 7 Mar 2031."},
		{"before opening", at(0, 8, 30), at(1, 10, 0), "start", "Pick up between 09:00 and 18:00."},
		{"after closing", at(0, 10, 0), at(1, 19, 0), "end", "Return between 09:00 and 18:00."},
		{"lunch break", at(2, 12, 30), at(3, 10, 0), "start", "Pick up between 09:00 and 12:00 or 13:00 and 18:00."},
		{"saturday", at(5, 10, 0), at(5, 14, 0), "", ""},
		// 08:30 UTC is 09:30 in Berlin: the location's zone decides.
		{"zone", time.Date(2031, 3, 3, 8, 30, 0, 0, time.UTC), at(1, 10, 0), "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fe := CheckHours(loc, tc.start, tc.end)
			if got := fe[tc.field]; tc.field != "" && got != tc.msg {
				t.Fatalf("%s: %q, want %q (all: %v)", tc.field, got, tc.msg, fe)
			}
			if tc.field == "" && len(fe) != 0 {
				t.Fatalf("refused: %v", fe)
			}
		})
	}
	// Saturday 15:00 → the next opening is Monday 09:00 (Sunday closed).
	if got := NextOpen(loc, at(5, 15, 0)); !got.Equal(at(7, 9, 0)) {
		t.Fatalf("NextOpen = %s, want Monday 09:00", got.In(berlin))
	}
	if got := NextOpen(loc, at(2, 12, 5)); !got.Equal(at(2, 13, 0)) {
		t.Fatalf("NextOpen over lunch = %s", got.In(berlin))
	}
	if got := NextOpen(loc, at(0, 9, 7)); !got.Equal(at(0, 9, 15)) {
		t.Fatalf("NextOpen within hours = %s, want the next quarter hour", got.In(berlin))
	}
}

// The engine refuses a booking outside opening hours before any SQL.
func TestBookOutsideOpeningHours(t *testing.T) {
	w := newWorld(t)
	w.exec(`UPDATE locations SET opening_hours = '{"1":[{"open":"09:00","close":"18:00"}],"2":[{"open":"09:00","close":"18:00"}]}' WHERE id = $1`, w.loc)
	item := w.item("Saw", 1, 0, 0)
	c := w.customer()
	// base is a Monday; 9:00 UTC is 10:00 in Berlin.
	_, err := w.book(c, item, 1, day(0, 9), day(2, 9)) // returned on a Wednesday: closed
	var fe FieldErrors
	if !errors.As(err, &fe) || fe["end"] != "The shop is closed on Wednesdays." {
		t.Fatalf("return on a closed day: %v", err)
	}
	if n := w.id(`SELECT count(*) FROM bookings`); n != 0 {
		t.Fatalf("%d bookings written", n)
	}
	w.mustBook(c, item, 1, day(0, 9), day(1, 9))
	// Extending to a closed day is refused the same way.
	b := w.booking(w.id(`SELECT id FROM bookings`))
	err = w.eng.ChangeLinePeriod(w.ctx, PeriodChange{BookingID: b.ID, LineID: b.Lines[0].ID, Start: b.Lines[0].StartsAt, End: day(2, 9), Owner: Owner(c)})
	if !errors.As(err, &fe) || fe["end"] == "" {
		t.Fatalf("extend to a closed day: %v", err)
	}
}
