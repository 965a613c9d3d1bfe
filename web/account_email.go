package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// emailChangeLifetime is how long a link confirming a new email works, and
// emailChangesPerHour how many such links one account may have sent an hour.
const (
	emailChangeLifetime = 24 * time.Hour
	emailChangesPerHour = 3
)

// errTooManyEmailChanges refuses an email change past emailChangesPerHour.
var errTooManyEmailChanges = errors.New("web: too many email changes")

// requestEmailChange asks, in the profile's transaction, to move u to
// newEmail. The answer is the same whether or not the address has an
// account: a free address gets a link that makes the change when opened,
// the owner of a taken one an email saying someone tried to use it. Past
// emailChangesPerHour it is errTooManyEmailChanges and nothing is sent.
func (s *Server) requestEmailChange(c echo.Context, tx *store.Store, u store.User, newEmail string) error {
	ctx, now := c.Request().Context(), s.Now()
	// Counted before the address is looked up, so that the refusal says
	// nothing about whether it has an account.
	n, err := tx.CountRecentEmailChanges(ctx, u.ID, now.Add(-time.Hour))
	if err != nil {
		return err
	}
	if n >= emailChangesPerHour {
		return errTooManyEmailChanges
	}
	owner, err := tx.GetUserByEmail(ctx, newEmail)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	taken := err == nil
	// The token the link carries is issued when the email is sent. A
	// request for a taken address is kept too, with a token no email ever
	// carries: it counts towards the hour's limit like any other, so asking
	// for one address again and again meets the limit whether or not it has
	// an account.
	_, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	expires := now.Add(emailChangeLifetime)
	if err := tx.CreateEmailChange(ctx, u.ID, newEmail, hash, expires); err != nil {
		return err
	}
	if taken {
		_, err = s.Jobs.EnqueueEmailInUse(ctx, tx, owner, now)
		return err
	}
	_, err = s.Jobs.EnqueueEmailChange(ctx, tx, u, newEmail, hash, expires)
	return err
}

// EmailChangeForm is the page a link confirming a new email opens: it asks
// to confirm (a GET changes nothing).
func (s *Server) EmailChangeForm(c echo.Context) error {
	token := c.QueryParam("token")
	v := pages.EmailChangeView{Page: s.page(c, "Confirm your new email"), Token: token}
	ch, err := s.Store.CheckEmailChange(c.Request().Context(), hashToken(token), s.Now())
	if errors.Is(err, store.ErrNotFound) {
		v.Invalid = true
		return s.render(c, http.StatusNotFound, pages.EmailChangePage(v))
	}
	if err != nil {
		return err
	}
	v.NewEmail = ch.NewEmail
	return s.render(c, http.StatusOK, pages.EmailChangePage(v))
}

// EmailChangeConfirm spends the link and moves the account to its new
// email; the old address is told and its open reset links stop working. An address that got an account of its own
// in the meantime is refused and nothing changes.
func (s *Server) EmailChangeConfirm(c echo.Context) error {
	ctx := c.Request().Context()
	token := c.FormValue("token")
	v := pages.EmailChangeView{Page: s.page(c, "Confirm your new email"), Token: token}
	var userID int64
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		ch, err := tx.UseEmailChange(ctx, hashToken(token), s.Now())
		if err != nil {
			return err
		}
		v.NewEmail, userID = ch.NewEmail, ch.UserID
		old, err := tx.GetUser(ctx, ch.UserID)
		if err != nil {
			return err
		}
		updated, err := tx.UpdateProfile(ctx, old.ID, old.Name, old.Phone, ch.NewEmail)
		if err != nil {
			return err
		}
		// A reset link mailed to the old address must not take the
		// account back from whoever still reads that mailbox.
		if err := tx.RetirePasswordResets(ctx, old.ID, s.Now()); err != nil {
			return err
		}
		if err := audit(ctx, c, tx, "user.email", "user", strconv.FormatInt(old.ID, 10),
			profileAudit{old.Name, old.Phone, old.Email}, profileAudit{updated.Name, updated.Phone, updated.Email}); err != nil {
			return err
		}
		_, err = s.Jobs.EnqueueEmailChanged(ctx, tx, updated, old.Email, updated.Email)
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		v.Invalid = true
		return s.render(c, http.StatusNotFound, pages.EmailChangePage(v))
	case errors.Is(err, store.ErrConflict):
		v.Taken = true
		return s.render(c, http.StatusConflict, pages.EmailChangePage(v))
	case err != nil:
		return err
	}
	// Someone else may be logged in where the link was opened (a shared
	// computer): they are not told that their own email changed.
	switch u := currentUser(c); {
	case u == nil:
		s.flash(c, "success", "Your email is now "+v.NewEmail+". Log in with it from now on.")
		return redirect(c, "/login")
	case u.ID == userID:
		s.flash(c, "success", "Your email is now "+v.NewEmail+". Log in with it from now on.")
		return redirect(c, "/account")
	default:
		s.flash(c, "success", "The account that asked for it now uses "+v.NewEmail+"; your own account is as it was.")
		return redirect(c, "/")
	}
}
