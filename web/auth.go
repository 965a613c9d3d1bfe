package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// badLogin is the one answer for an unknown email and a wrong password, so the
// form does not reveal which accounts exist.
const badLogin = "Email or password is wrong."

// LoginForm shows the login page.
func (s *Server) LoginForm(c echo.Context) error {
	v := pages.LoginView{Page: s.page(c, "Log in"), Next: auth.SafeReturnPath(c.QueryParam("next"))}
	return s.render(c, http.StatusOK, pages.LoginPage(v))
}

// Login checks the credentials, throttles guessing, and starts a new session.
func (s *Server) Login(c echo.Context) error {
	email, password := strings.ToLower(field(c, "email")), c.FormValue("password")
	v := pages.LoginView{Page: s.page(c, "Log in"), Email: email, Next: auth.SafeReturnPath(c.FormValue("next")),
		Errors: tooLong(c, checkLogin(email, password))}
	if v.Errors.Any() {
		return s.render(c, http.StatusUnprocessableEntity, pages.LoginPage(v))
	}
	allowed, err := s.takeLoginAttempt(c, email)
	if err != nil {
		return err
	}
	if !allowed {
		v.FormError = "Too many failed attempts. For your security, logging in is paused for 15 minutes."
		return s.render(c, http.StatusTooManyRequests, pages.LoginPage(v))
	}
	u, err := s.checkCredentials(c, email, password)
	if err != nil {
		return err
	}
	if u == nil {
		v.FormError = badLogin
		return s.render(c, http.StatusUnprocessableEntity, pages.LoginPage(v))
	}
	if err := s.Store.ClearLoginFailures(c.Request().Context(), email, c.RealIP(), s.Now()); err != nil {
		return err
	}
	if err := s.startSession(c, *u); err != nil {
		return err
	}
	return redirect(c, s.landingFor(u, v.Next))
}

// checkLogin asks for both fields of the login form.
func checkLogin(email, password string) components.Errors {
	errs := components.Errors{}
	switch {
	case email == "":
		errs["email"] = "Enter your email address."
	case len(email) > maxEmailBytes:
		// Checked before the throttle stores the email in an indexed column.
		errs["email"] = "Enter an email address like name@example.com."
	}
	if password == "" {
		errs["password"] = "Enter your password."
	}
	return errs
}

// takeLoginAttempt counts the attempt as a failure before the password is
// checked, so parallel guesses cannot all pass the limit; a success clears
// it. It reports whether this attempt may go on. An account under attack from
// elsewhere is slowed, not closed, for its owner's known address.
func (s *Server) takeLoginAttempt(c echo.Context, email string) (bool, error) {
	now := s.Now()
	ctx := c.Request().Context()
	n, allowed, err := s.Store.TakeLoginAttempt(ctx, store.LoginAttempt{Email: email, IP: c.RealIP(), At: now,
		Since: now.Add(-auth.ThrottleWindow), KnownSince: now.Add(-auth.KnownAddressAge)}, auth.Throttled)
	if err != nil || !allowed || !auth.Slowed(n) {
		return allowed, err
	}
	t := time.NewTimer(auth.SlowLoginDelay)
	defer t.Stop()
	select {
	case <-t.C:
		return true, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// checkCredentials returns the user when the password is right and the account
// is enabled, nil otherwise. It upgrades old hashes on the way.
func (s *Server) checkCredentials(c echo.Context, email, password string) (*store.User, error) {
	ctx := c.Request().Context()
	u, err := s.Store.GetUserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		s.Hasher.DummyVerify(password)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ok, rehash, err := s.Hasher.Verify(password, u.PasswordHash)
	if err != nil || !ok || u.Disabled() {
		return nil, nil
	}
	if rehash {
		if h, err := s.Hasher.Hash(password); err == nil {
			if _, err := s.Store.SetPassword(ctx, u.ID, h, false); err != nil {
				return nil, err
			}
		}
	}
	return &u, nil
}

// startSession gives the browser a new session token (so a token planted before
// login is worthless) and binds it to the user and their session epoch.
func (s *Server) startSession(c echo.Context, u store.User) error {
	ctx := c.Request().Context()
	if err := s.Sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("web: renew session: %w", err)
	}
	s.Sessions.Put(ctx, sessUserID, u.ID)
	s.Sessions.Put(ctx, sessEpoch, u.SessionEpoch)
	if err := s.Store.RecordLogin(ctx, u.ID, s.Now()); err != nil {
		return err
	}
	return s.rotateCSRF(c, nil)
}

// landingFor is where a user goes after login: the page they came for, else
// the home of their role.
func (s *Server) landingFor(u *store.User, next string) string {
	if next != "/" {
		return next
	}
	if u.IsStaff() {
		return staffHome
	}
	return "/"
}

// staffHome is the first page staff see after logging in.
const staffHome = "/desk"

// Logout ends the session on the server and in the browser.
func (s *Server) Logout(c echo.Context) error {
	if err := s.Sessions.Destroy(c.Request().Context()); err != nil {
		return fmt.Errorf("web: destroy session: %w", err)
	}
	s.clearChoice(c)
	s.flash(c, "info", "You are logged out.")
	return redirect(c, "/")
}

// SignupForm shows the customer sign-up page.
func (s *Server) SignupForm(c echo.Context) error {
	if currentUser(c) != nil {
		return redirect(c, "/")
	}
	v := pages.SignupView{Page: s.page(c, "Create your account"), Form: pages.SignupForm{Next: auth.SafeReturnPath(c.QueryParam("next"))}}
	return s.render(c, http.StatusOK, pages.SignupPage(v))
}

// Signup creates a customer account and sends them to log in. The answer is
// the same whether or not the email already has an account (its owner gets
// an email saying so instead), so the form cannot be used to find out who
// has one. Each sign-up runs argon2id, so an address gets a few an hour.
func (s *Server) Signup(c echo.Context) error {
	f := pages.SignupForm{
		Name: field(c, "name"), Email: strings.ToLower(field(c, "email")), Phone: field(c, "phone"),
		Password: c.FormValue("password"), Next: auth.SafeReturnPath(c.FormValue("next")),
	}
	v := pages.SignupView{Page: s.page(c, "Create your account"), Form: f, Errors: tooLong(c, s.checkSignup(f))}
	if v.Errors.Any() {
		return s.render(c, http.StatusUnprocessableEntity, pages.SignupPage(v))
	}
	allowed, err := s.takeCostly(c, "signup", auth.MaxSignupsPerIP)
	if err != nil {
		return err
	}
	if !allowed {
		v.FormError = "Too many sign-ups from your network. Please try again in an hour."
		return s.render(c, http.StatusTooManyRequests, pages.SignupPage(v))
	}
	if err := s.createCustomer(c, f); err != nil {
		return err
	}
	s.flash(c, "success", "Welcome! We sent an email to "+f.Email+". Log in with your email and password to go on.")
	return redirect(c, "/login?next="+url.QueryEscape(f.Next))
}

// takeCostly counts one argon2id-priced action (a sign-up, a password
// change) of the client's address, and reports whether it may go on.
func (s *Server) takeCostly(c echo.Context, kind string, limit int) (bool, error) {
	now := s.Now()
	return s.Store.TakeThrottle(c.Request().Context(), store.ThrottleEvent{Kind: kind, IP: c.RealIP(), At: now,
		Since: now.Add(-auth.CostlyWindow), Max: limit})
}

// checkSignup validates the sign-up form, the password against the policy.
func (s *Server) checkSignup(f pages.SignupForm) components.Errors {
	errs := components.Errors{}
	checkName(errs, "name", f.Name)
	checkEmail(errs, "email", f.Email)
	checkPhone(errs, "phone", f.Phone)
	if msg := s.Policy.Check(f.Password, f.Email, f.Name); msg != "" {
		errs["password"] = msg
	}
	return errs
}

// createCustomer stores the account; its welcome email commits with it, or
// neither exists. For a taken email the owner is told by email instead. The
// password is hashed either way, so both take the same time.
func (s *Server) createCustomer(c echo.Context, f pages.SignupForm) error {
	ctx := c.Request().Context()
	hash, err := s.Hasher.Hash(f.Password)
	if err != nil {
		return err
	}
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		u, err := tx.CreateUser(ctx, store.NewUser{Email: f.Email, Name: f.Name, Phone: f.Phone, Role: store.RoleCustomer, PasswordHash: hash})
		if err != nil {
			return err
		}
		_, err = s.Jobs.EnqueueWelcome(ctx, tx, u)
		return err
	})
	if !errors.Is(err, store.ErrConflict) {
		return err
	}
	return s.Store.WithTx(ctx, func(tx *store.Store) error {
		u, err := tx.GetUserByEmail(ctx, f.Email)
		if errors.Is(err, store.ErrNotFound) {
			return nil // taken by a row that is gone again: nothing to tell
		}
		if err != nil {
			return err
		}
		_, err = s.Jobs.EnqueueAccountExists(ctx, tx, u, s.Now())
		return err
	})
}
