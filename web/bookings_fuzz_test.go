package web

import (
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/booking"
)

// FuzzBookingForm (R6) decodes the booking forms' fields as the handlers do:
// the period in a location's zone and a quantity. It must never panic, and
// what it accepts must be a sane booking: the end after the start, not in the
// past, at most a year, a quantity within the limits.
func FuzzBookingForm(f *testing.F) {
	f.Add("2031-03-29T10:00", "2031-03-31T10:00", "1", "Europe/Berlin")
	f.Add("2031-03-30T02:30", "2031-03-30T03:30", "2", "Europe/Berlin")
	f.Add("2031-10-26T02:30", "2031-10-26T02:45", "100", "Europe/Berlin")
	f.Add("2031-01-01", "2031-01-02", "101", "Pacific/Auckland")
	f.Add("", "", "", "UTC")
	f.Add("2031-13-40T99:99", "x", "-1", "America/Los_Angeles")
	f.Add("2031-03-29T10:00:00.999999999", "2032-03-29T10:00", "9223372036854775808", "Asia/Kathmandu")
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, start, end, qty, zone string) {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			loc = time.UTC
		}
		s, e, errs := parsePeriodForm(start, end, loc, now)
		n := formInt(errs, "quantity", qty, 1, booking.MaxQuantity, quantityMessage())
		if errs.Any() {
			for k, m := range errs {
				if m == "" {
					t.Fatalf("empty message for %s", k)
				}
			}
			return
		}
		if !e.After(s) || s.Before(now.Add(-5*time.Minute)) || e.Sub(s) > booking.MaxDuration {
			t.Fatalf("accepted [%s, %s)", s, e)
		}
		if n < 1 || n > booking.MaxQuantity {
			t.Fatalf("accepted quantity %d", n)
		}
		if s.Location() != time.UTC || e.Location() != time.UTC {
			t.Fatalf("instants not in UTC: %s %s", s, e)
		}
	})
}
