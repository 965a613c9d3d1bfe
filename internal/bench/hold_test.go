package bench

import (
	"testing"
	"time"
)

// A run's hold flow starts two days after what earlier runs booked in its
// stretch, so their bookings never turn its fresh attempts into refusals.
func TestHoldStartDayFollowsEarlierRuns(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	day := func(d float64) time.Time { return now.Add(time.Duration(d * 24 * float64(time.Hour))) }
	for _, c := range []struct {
		name     string
		lastHeld time.Time
		want     int
	}{
		{"nothing held yet", time.Time{}, holdFirstDay},
		{"the data set's own bookings end before the stretch", day(120), holdFirstDay},
		{"an earlier run held up to day 200 and a half", day(200.5), 202},
		{"an earlier run held up to the last day", day(holdLastDay - 2), holdLastDay},
	} {
		if got := holdStartDay(now, c.lastHeld); got != c.want {
			t.Errorf("%s: starts on day %d, want %d", c.name, got, c.want)
		}
	}
	// Past the room to the horizon, a stretch inside it.
	if got := holdStartDay(now, day(holdLastDay+10)); got < holdFirstDay || got > holdLastDay || (got-holdFirstDay)%20 != 0 {
		t.Errorf("held past the horizon's room: starts on day %d, want a stretch between %d and %d", got, holdFirstDay, holdLastDay)
	}
}
