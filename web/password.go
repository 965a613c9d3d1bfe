package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// Reset links work once, within resetLinkLifetime; at most resetLinksPerHour
// are sent to one account an hour, so the form cannot flood a mailbox.
const (
	resetLinkLifetime = time.Hour
	resetLinksPerHour = 3
)

// ForgotPasswordForm asks for the email to send a reset link to.
func (s *Server) ForgotPasswordForm(c echo.Context) error {
	v := pages.ForgotPasswordView{Page: s.page(c, "Forgot your password?"), Errors: components.Errors{}}
	return s.render(c, http.StatusOK, pages.ForgotPasswordPage(v))
}

// ForgotPassword mails a reset link when an enabled account has the address.
// The answer is the same either way.
func (s *Server) ForgotPassword(c echo.Context) error {
	ctx := c.Request().Context()
	v := pages.ForgotPasswordView{Page: s.page(c, "Forgot your password?"), Email: strings.ToLower(field(c, "email")), Errors: components.Errors{}}
	checkEmail(v.Errors, "email", v.Email)
	if tooLong(c, v.Errors).Any() {
		return s.render(c, http.StatusUnprocessableEntity, pages.ForgotPasswordPage(v))
	}
	u, err := s.Store.GetUserByEmail(ctx, v.Email)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	case !u.Disabled():
		if err := s.sendResetLink(c, u); err != nil {
			return err
		}
	}
	v.Sent = true
	return s.render(c, http.StatusOK, pages.ForgotPasswordPage(v))
}

// sendResetLink stores the hash of a new token and queues its email in one
// transaction, unless the account had enough links this hour.
func (s *Server) sendResetLink(c echo.Context, u store.User) error {
	ctx := c.Request().Context()
	now := s.Now()
	return s.Store.WithTx(ctx, func(tx *store.Store) error {
		n, err := tx.CountRecentPasswordResets(ctx, u.ID, now.Add(-time.Hour))
		if err != nil || n >= resetLinksPerHour {
			return err
		}
		// The token the link carries is issued when the email is sent; until
		// then the row holds the hash of a token no one was given.
		_, hash, err := auth.NewToken()
		if err != nil {
			return err
		}
		expires := now.Add(resetLinkLifetime)
		if err := tx.CreatePasswordReset(ctx, u.ID, hash, expires); err != nil {
			return err
		}
		_, err = s.Jobs.EnqueuePasswordReset(ctx, tx, u, hash, expires)
		return err
	})
}

func hashToken(token string) []byte { return auth.HashToken(token) }

// ResetPasswordForm is the page a reset link opens.
func (s *Server) ResetPasswordForm(c echo.Context) error {
	token := c.QueryParam("token")
	v := pages.ResetPasswordView{Page: s.page(c, "Choose a new password"), Token: token, Errors: components.Errors{}}
	if _, err := s.Store.CheckPasswordReset(c.Request().Context(), hashToken(token), s.Now()); errors.Is(err, store.ErrNotFound) {
		v.Invalid = true
		return s.render(c, http.StatusNotFound, pages.ResetPasswordPage(v))
	} else if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, pages.ResetPasswordPage(v))
}

// ResetPassword spends the link and sets the new password, logging out every
// session of the account; the user then logs in with the new password.
func (s *Server) ResetPassword(c echo.Context) error {
	token, password := c.FormValue("token"), c.FormValue("new_password")
	v := pages.ResetPasswordView{Page: s.page(c, "Choose a new password"), Token: token, Errors: components.Errors{}}
	u, err := s.resetUser(c, token)
	if errors.Is(err, store.ErrNotFound) {
		return s.renderInvalidReset(c, v)
	}
	if err != nil {
		return err
	}
	if msg := s.Policy.Check(password, u.Email, u.Name); msg != "" {
		v.Errors["new_password"] = msg
	}
	if tooLong(c, v.Errors).Any() {
		return s.render(c, http.StatusUnprocessableEntity, pages.ResetPasswordPage(v))
	}
	err = s.spendReset(c, token, u, password)
	if errors.Is(err, store.ErrNotFound) {
		return s.renderInvalidReset(c, v)
	}
	if err != nil {
		return err
	}
	// Whoever was logged in in this browser is not any more.
	ctx := c.Request().Context()
	if err := s.Sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("web: renew session: %w", err)
	}
	s.Sessions.Remove(ctx, sessUserID)
	s.flash(c, "success", "Your password is changed. Log in with your new password.")
	return redirect(c, "/login")
}

// resetUser is the account a reset token (still unused and unexpired)
// belongs to; ErrNotFound otherwise.
func (s *Server) resetUser(c echo.Context, token string) (store.User, error) {
	ctx := c.Request().Context()
	userID, err := s.Store.CheckPasswordReset(ctx, hashToken(token), s.Now())
	if err != nil {
		return store.User{}, err
	}
	return s.Store.GetUser(ctx, userID)
}

// renderInvalidReset answers a link that is unknown, spent or expired.
func (s *Server) renderInvalidReset(c echo.Context, v pages.ResetPasswordView) error {
	v.Invalid = true
	return s.render(c, http.StatusNotFound, pages.ResetPasswordPage(v))
}

// spendReset uses the token and sets the password with its audit row.
// Spending the token is the atomic step: of two submits, one wins and the
// other gets ErrNotFound.
func (s *Server) spendReset(c echo.Context, token string, u store.User, password string) error {
	ctx := c.Request().Context()
	hash, err := s.Hasher.Hash(password)
	if err != nil {
		return err
	}
	return s.Store.WithTx(ctx, func(tx *store.Store) error {
		if _, err := tx.UsePasswordReset(ctx, hashToken(token), s.Now()); err != nil {
			return err
		}
		if _, err := tx.SetPassword(ctx, u.ID, hash, true); err != nil {
			return err
		}
		return audit(ctx, c, tx, "user.password_reset", "user", strconv.FormatInt(u.ID, 10), nil, nil)
	})
}
