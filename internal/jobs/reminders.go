package jobs

import (
	"time"

	"github.com/rentdesk/rentdesk/internal/period"
)

// When reminders go out, in the location's own calendar. The bookings
// feature's Reminders hook asks these for each upcoming booking and enqueues
// the ones that are due; the dedupe keys make asking again harmless.

// ReminderHour is the local hour of the evening before a pickup when its
// reminder goes out: late enough to be fresh, early enough to be polite.
const ReminderHour = 18

// PickupReminderAt is when the reminder of a pickup is due: 18:00 local time
// on the day before (period.Date, so a zone whose clocks jump at 18:00 still
// gets one well-defined instant). A booking made after that gets its reminder at once.
func PickupReminderAt(pickup time.Time, tz string) time.Time {
	loc := period.Zone(tz)
	p := pickup.In(loc)
	y, m, d := p.Date()
	return period.Date(y, m, d-1, ReminderHour, 0, 0, 0, loc)
}

// PickupReminderDue reports whether a pickup's reminder should be sent now:
// its time has come and the pickup is still ahead.
func PickupReminderDue(now, pickup time.Time, tz string) bool {
	return !now.Before(PickupReminderAt(pickup, tz)) && now.Before(pickup)
}

// ReturnReminderAt is when the reminder of a return is due: 18:00 local time
// the day before it, or, for a rental shorter than that, three hours before
// the return but never before the pickup.
func ReturnReminderAt(pickup, ret time.Time, tz string) time.Time {
	at := PickupReminderAt(ret, tz)
	if at.Before(pickup) {
		at = ret.Add(-3 * time.Hour)
		if at.Before(pickup) {
			at = pickup
		}
	}
	return at
}

// ReturnReminderDue reports whether a return's reminder should be sent now.
func ReturnReminderDue(now, pickup, ret time.Time, tz string) bool {
	return !now.Before(ReturnReminderAt(pickup, ret, tz)) && now.Before(ret)
}

// OverdueNoticeDue reports whether an unreturned rental should get today's
// overdue notice: it is past due by more than the grace period, and it is
// daytime (09:00 or later) at the location.
func OverdueNoticeDue(now, due time.Time, tz string, grace time.Duration) bool {
	return now.After(due.Add(grace)) && now.In(period.Zone(tz)).Hour() >= 9
}
