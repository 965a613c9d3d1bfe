package web

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// StaffCustomerSearch finds customers for the walk-in form by a part of their
// name, email or phone (an htmx fragment of choices).
func (s *Server) StaffCustomerSearch(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("customer_q"))
	if utf8.RuneCountInString(q) > 100 {
		return echo.NewHTTPError(http.StatusBadRequest, "The search is too long.")
	}
	var choices []pages.CustomerChoice
	if utf8.RuneCountInString(q) >= 2 {
		digits := strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return r
			}
			return -1
		}, q)
		if len(digits) < 3 {
			digits = ""
		}
		us, err := s.Store.SearchCustomers(c.Request().Context(), q, digits, 10)
		if err != nil {
			return err
		}
		for _, u := range us {
			choices = append(choices, pages.CustomerChoice{ID: fmt.Sprint(u.ID), Name: u.Name, Email: u.Email, Phone: u.Phone})
		}
	}
	return s.render(c, http.StatusOK, pages.CustomerResults(choices, "", q))
}

// walkInCustomer resolves who the walk-in is for: a customer chosen from the
// search, one given by exact email, or a new one (0, checked, made later).
func (s *Server) walkInCustomer(c echo.Context, f *pages.WalkInForm, errs components.Errors) (int64, error) {
	ctx := c.Request().Context()
	if f.CustomerID != "" {
		id, _ := strconv.ParseInt(f.CustomerID, 10, 64)
		u, err := s.Store.GetUser(ctx, id)
		if errors.Is(err, store.ErrNotFound) || err == nil && u.Role != store.RoleCustomer {
			errs["customer_id"] = "Choose a customer from the search."
			f.CustomerID = ""
			return 0, nil
		}
		f.CustomerLabel = u.Name + " · " + u.Email
		return u.ID, err
	}
	if f.NewName != "" || f.NewEmail != "" {
		if f.NewName == "" || utf8.RuneCountInString(f.NewName) > 100 {
			errs["new_name"] = "Enter the customer's name (at most 100 characters)."
		}
		checkEmail(errs, "new_email", f.NewEmail)
		checkPhone(errs, "new_phone", f.NewPhone)
		if _, err := s.Store.GetUserByEmail(ctx, f.NewEmail); err == nil {
			errs["new_email"] = "An account has this email already: find it above."
		} else if !errors.Is(err, store.ErrNotFound) {
			return 0, err
		}
		return 0, nil
	}
	cust, err := s.Store.GetUserByEmail(ctx, f.Email)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && cust.Role != store.RoleCustomer):
		errs["email"] = "No customer has this email: find them above, or add a new customer."
		return 0, nil
	case err != nil:
		return 0, err
	}
	return cust.ID, nil
}

// createWalkInCustomer makes the new customer with a password nobody knows
// and, in the same transaction, the email with a link to set their own.
func (s *Server) createWalkInCustomer(c echo.Context, f pages.WalkInForm) (store.User, error) {
	ctx := c.Request().Context()
	hash, err := s.Hasher.Hash(rand.Text())
	if err != nil {
		return store.User{}, err
	}
	var u store.User
	a := actor(c)
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		var err error
		u, err = tx.CreateUser(ctx, store.NewUser{Email: f.NewEmail, Name: f.NewName, Phone: f.NewPhone, Role: store.RoleCustomer, PasswordHash: hash})
		if err != nil {
			return err
		}
		// As for a reset link: the token is issued when the email is sent,
		// never stored in the queued message.
		_, th, err := auth.NewToken()
		if err != nil {
			return err
		}
		expires := s.Now().Add(walkInLinkLifetime)
		if err := tx.CreatePasswordReset(ctx, u.ID, th, expires); err != nil {
			return err
		}
		if _, err := s.Jobs.EnqueuePasswordReset(ctx, tx, u, th, expires); err != nil {
			return err
		}
		return tx.InsertAudit(ctx, store.Audit{ActorID: a.UserID, Action: "user.create.walk_in", EntityType: "user",
			EntityID: fmt.Sprint(u.ID), After: map[string]string{"email": u.Email, "name": u.Name}, RequestID: a.RequestID})
	})
	return u, err
}

// walkInLinkLifetime is how long a walk-in customer's link to set a password
// lasts: they read it at home, not at the counter.
const walkInLinkLifetime = 7 * 24 * time.Hour
