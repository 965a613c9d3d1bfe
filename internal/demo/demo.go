// Package demo loads the demo shop that `make run` starts with. Loading is
// idempotent: running it again changes nothing that is already there.
package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/store"
)

// Login is a demo account to print at start-up.
type Login struct {
	Role, Email, Password string
}

// Logins are the demo accounts. The passwords are public: demo data is for a
// local trial, never for a real shop.
var Logins = []Login{
	{store.RoleAdmin, "admin@rentdesk.test", "demo-admin-pass"},
	{store.RoleStaff, "staff@rentdesk.test", "demo-staff-pass"},
	{store.RoleCustomer, "customer@rentdesk.test", "demo-customer-pass"},
}

var names = map[string]string{
	store.RoleAdmin:    "Ada Admin",
	store.RoleStaff:    "Sam Staff",
	store.RoleCustomer: "Casey Customer",
}

// Load creates the demo accounts (and, through the other loaders, the demo
// shop and a few bookings of the demo customer) unless they exist.
func Load(ctx context.Context, st *store.Store, h *auth.Hasher) ([]Login, error) {
	for _, l := range Logins {
		if _, err := st.GetUserByEmail(ctx, l.Email); err == nil {
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		hash, err := h.Hash(l.Password)
		if err != nil {
			return nil, err
		}
		_, err = st.CreateUser(ctx, store.NewUser{Email: l.Email, Name: names[l.Role], Role: l.Role, PasswordHash: hash})
		if err != nil && !errors.Is(err, store.ErrConflict) {
			return nil, fmt.Errorf("demo: create %s: %w", l.Email, err)
		}
	}
	if err := loadCatalog(ctx, st); err != nil {
		return nil, err
	}
	if err := loadPictures(ctx, st); err != nil {
		return nil, err
	}
	walkIn, err := deskCustomerAccount(ctx, st, h)
	if err != nil {
		return nil, err
	}
	if err := loadBookings(ctx, st, walkIn.ID); err != nil {
		return nil, err
	}
	if err := loadDeskDay(ctx, st, walkIn.ID); err != nil {
		return nil, err
	}
	return Logins, nil
}
