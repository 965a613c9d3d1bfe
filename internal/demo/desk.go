package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
)

// deskCustomer is the walk-in customer of the desk's story: no demo login,
// but a phone number the board shows.
var deskCustomer = struct{ Name, Email, Phone string }{"Maria Rossi", "maria.rossi@rentdesk.test", "+49 30 5550123"}

// lateFeeRules give some demo items a late fee, unless staff set one.
var lateFeeRules = map[string]store.LateFeeRule{
	"cargo-bike":   {Per: "day", Amount: 1500, GraceMinutes: 60, Cap: 6000},
	"city-e-bike":  {Per: "hour", Amount: 500, GraceMinutes: 15, Cap: 3500},
	"canon-eos-r6": {Per: "day", Amount: 2500, GraceMinutes: 30},
	"road-bike":    {Per: "hour", Amount: 400, GraceMinutes: 15, Cap: 3000},
}

// loadDeskDay gives the desk a day to work, whatever day the demo is loaded:
// a pickup and a return due today (the overdue cargo bike and the booking it
// endangers are among the first demo bookings). Their keys carry the local
// date, so each day brings its own and loading twice a day changes nothing.
func loadDeskDay(ctx context.Context, st *store.Store, walkInID int64) error {
	if err := loadLateFeeRules(ctx, st); err != nil {
		return err
	}
	staff, err := st.GetUserByEmail(ctx, Logins[1].Email)
	if err != nil {
		return err
	}
	loc, err := st.GetLocationBySlug(ctx, demoLocations[0].Slug)
	if err != nil {
		return err
	}
	hours, err := st.GetBookingLocation(ctx, loc.ID)
	if err != nil {
		return err
	}
	zone := period.Zone(hours.TimeZone)
	now := time.Now()
	for _, d := range deskDayBookings(now, hours, zone) {
		if err := loadBooking(ctx, st, d, walkInID, staff.ID, loc.ID); err != nil {
			return fmt.Errorf("demo: booking %s: %w", d.key, err)
		}
	}
	return nil
}

// deskDayBookings are today's: each only when the shop opens again today
// (after closing time there is nothing left to hand out today).
func deskDayBookings(now time.Time, loc store.BookingLocation, zone *time.Location) []demoBooking {
	n := now.In(zone)
	day := n.Format(period.DateLayout)
	open := func(days, hour int) time.Time {
		return booking.NextOpen(loc, period.Date(n.Year(), n.Month(), n.Day()+days, hour, 0, 0, 0, zone))
	}
	today := func(t time.Time) bool { return t.In(zone).Format(period.DateLayout) == day }
	var out []demoBooking
	if pickup := booking.NextOpen(loc, now.Add(30*time.Minute)); today(pickup) {
		out = append(out, demoBooking{key: "demo-pickup-" + day, slug: "bosch-hammer-drill", bookedAt: now, start: pickup, end: open(2, 17)})
	}
	// Picked up some days ago; after a holiday closure the shop may not have
	// opened since, and then there is no such return today.
	if due, start := booking.NextOpen(loc, now.Add(time.Hour)), open(-3, 10); today(due) && start.Before(now.Add(-time.Hour)) {
		out = append(out, demoBooking{key: "demo-return-" + day, slug: "road-bike", bookedAt: start.Add(-time.Hour), start: start,
			end: due, pickedUp: start.Add(5 * time.Minute)})
	}
	return out
}

func deskCustomerAccount(ctx context.Context, st *store.Store, h *auth.Hasher) (store.User, error) {
	u, err := st.GetUserByEmail(ctx, deskCustomer.Email)
	if !errors.Is(err, store.ErrNotFound) {
		return u, err
	}
	// No one logs in as this customer: a random password nobody knows.
	hash, err := h.Hash(rand.Text())
	if err != nil {
		return u, err
	}
	u, err = st.CreateUser(ctx, store.NewUser{Email: deskCustomer.Email, Name: deskCustomer.Name, Phone: deskCustomer.Phone,
		Role: store.RoleCustomer, PasswordHash: hash})
	if errors.Is(err, store.ErrConflict) {
		return st.GetUserByEmail(ctx, deskCustomer.Email)
	}
	return u, err
}

func loadLateFeeRules(ctx context.Context, st *store.Store) error {
	for slug, rule := range lateFeeRules {
		it, err := st.GetPublicItem(ctx, slug)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		cur, err := st.GetLateFeeRule(ctx, it.ID)
		if err != nil {
			return err
		}
		if cur.Per == "none" {
			if err := st.SetLateFeeRule(ctx, it.ID, rule); err != nil {
				return err
			}
		}
	}
	return nil
}
