package booking

import (
	"fmt"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// DefaultHorizonMonths is the booking horizon of a shop whose setting is not
// set (a zero Settings in code that builds one by hand).
const DefaultHorizonMonths = 18

// HorizonEnd is the latest instant a period may reach: the shop's booking
// horizon counted from now. Without it a booking could be made, and stock
// held, for the year 9999.
func HorizonEnd(st store.Settings, now time.Time) time.Time {
	return now.UTC().AddDate(0, horizonMonths(st), 0)
}

func horizonMonths(st store.Settings) int {
	if st.BookingHorizonMonths <= 0 {
		return DefaultHorizonMonths
	}
	return st.BookingHorizonMonths
}

// CheckHorizon returns the message for an instant (a period's end, or the
// start of an open-ended block) beyond the booking horizon, "" when it is
// within it.
func CheckHorizon(t time.Time, st store.Settings, now time.Time) string {
	if t.IsZero() || !t.After(HorizonEnd(st, now)) {
		return ""
	}
	return fmt.Sprintf("Bookings reach at most %d months ahead; choose an earlier date.", horizonMonths(st))
}

// checkHorizon adds CheckHorizon's message under key.
func checkHorizon(fe FieldErrors, key string, t time.Time, st store.Settings, now time.Time) {
	if _, taken := fe[key]; taken {
		return
	}
	if m := CheckHorizon(t, st, now); m != "" {
		fe[key] = m
	}
}
