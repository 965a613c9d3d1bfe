package jobs

import (
	"testing"
	"time"
)

func at(tz, s string) time.Time {
	loc, _ := time.LoadLocation(tz)
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

// Reminder times follow the location's calendar, across DST changes, in any
// process time zone.
func TestReminderTimes(t *testing.T) {
	cases := []struct {
		tz, pickup, ret, wantPickup, wantReturn string
	}{
		{"Europe/Berlin", "2031-03-31 09:00", "2031-04-03 17:00", "2031-03-30 18:00", "2031-04-02 18:00"},
		{"Pacific/Auckland", "2031-04-06 10:00", "2031-04-08 10:00", "2031-04-05 18:00", "2031-04-07 18:00"},
		{"America/Los_Angeles", "2031-03-10 08:00", "2031-03-10 17:00", "2031-03-09 18:00", "2031-03-10 14:00"},
		{"America/Los_Angeles", "2031-03-10 08:00", "2031-03-10 10:00", "2031-03-09 18:00", "2031-03-10 08:00"},
	}
	for _, c := range cases {
		p, r := at(c.tz, c.pickup), at(c.tz, c.ret)
		if got := PickupReminderAt(p, c.tz); !got.Equal(at(c.tz, c.wantPickup)) {
			t.Errorf("%s pickup %s: reminder %s, want %s", c.tz, c.pickup, got, c.wantPickup)
		}
		if got := ReturnReminderAt(p, r, c.tz); !got.Equal(at(c.tz, c.wantReturn)) {
			t.Errorf("%s return %s: reminder %s, want %s", c.tz, c.ret, got.In(p.Location()), c.wantReturn)
		}
	}
	p := at("Europe/Berlin", "2031-03-31 09:00")
	if PickupReminderDue(at("Europe/Berlin", "2031-03-30 17:59"), p, "Europe/Berlin") {
		t.Error("due before 18:00 the day before")
	}
	if !PickupReminderDue(at("Europe/Berlin", "2031-03-30 18:00"), p, "Europe/Berlin") {
		t.Error("not due at 18:00 the day before")
	}
	if PickupReminderDue(p.Add(time.Minute), p, "Europe/Berlin") {
		t.Error("due after the pickup")
	}
	due := at("Europe/Berlin", "2031-04-03 17:00")
	if OverdueNoticeDue(at("Europe/Berlin", "2031-04-04 08:00"), due, "Europe/Berlin", time.Hour) {
		t.Error("overdue notice before 09:00 local")
	}
	if !OverdueNoticeDue(at("Europe/Berlin", "2031-04-04 09:00"), due, "Europe/Berlin", time.Hour) {
		t.Error("overdue notice not due the next morning")
	}
}
