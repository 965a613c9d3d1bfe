package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

func (s *Server) accountView(c echo.Context) pages.AccountView {
	u := currentUser(c)
	return pages.AccountView{
		Page:           s.page(c, "Your account"),
		Profile:        pages.ProfileForm{Name: u.Name, Phone: u.Phone, Email: u.Email},
		ProfileErrors:  components.Errors{},
		PasswordErrors: components.Errors{},
		LogoutOthers:   true,
		Extra:          s.mailPreferencesSection(c),
	}
}

// AccountShow shows the user's profile and password forms.
func (s *Server) AccountShow(c echo.Context) error {
	return s.render(c, http.StatusOK, pages.AccountPage(s.accountView(c)))
}

// profileAudit is what the audit log keeps of a profile (never the password).
type profileAudit struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// AccountUpdateProfile changes name and phone, and asks for a new email: it
// needs the current password (the email is how the account is recovered)
// and takes effect when the link mailed to the new address is opened. The
// answer does not say whether the address has an account (as at sign-up).
func (s *Server) AccountUpdateProfile(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	v := s.accountView(c)
	v.Profile = pages.ProfileForm{Name: field(c, "name"), Phone: field(c, "phone"), Email: strings.ToLower(field(c, "email"))}
	checkName(v.ProfileErrors, "name", v.Profile.Name)
	checkPhone(v.ProfileErrors, "phone", v.Profile.Phone)
	checkEmail(v.ProfileErrors, "email", v.Profile.Email)
	tooLong(c, v.ProfileErrors)
	if v.Profile.Email != strings.ToLower(u.Email) && !v.ProfileErrors.Any() {
		if ok, _, _ := s.Hasher.Verify(c.FormValue("current_password"), u.PasswordHash); !ok {
			v.ProfileErrors["current_password"] = "Enter your current password to change your email."
		}
	}
	if v.ProfileErrors.Any() {
		return s.render(c, http.StatusUnprocessableEntity, pages.AccountPage(v))
	}
	newEmail := v.Profile.Email != strings.ToLower(u.Email)
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		updated, err := tx.UpdateProfile(ctx, u.ID, v.Profile.Name, v.Profile.Phone, u.Email)
		if err != nil {
			return err
		}
		if err := audit(ctx, c, tx, "user.profile", "user", strconv.FormatInt(u.ID, 10),
			profileAudit{u.Name, u.Phone, u.Email}, profileAudit{updated.Name, updated.Phone, updated.Email}); err != nil {
			return err
		}
		if newEmail {
			return s.requestEmailChange(c, tx, updated, v.Profile.Email)
		}
		return nil
	})
	if errors.Is(err, errTooManyEmailChanges) {
		v.ProfileErrors["email"] = fmt.Sprintf("Too many email changes: %d links were sent in the last hour. "+
			"Use the latest one, or try again in an hour. Nothing was saved.", emailChangesPerHour)
		return s.render(c, http.StatusTooManyRequests, pages.AccountPage(v))
	}
	if err != nil {
		return err
	}
	msg := "Your profile is saved."
	if newEmail {
		msg += " To change your email, open the link we sent to " + v.Profile.Email +
			" (within a day); until then you log in with " + u.Email + "."
	}
	s.flash(c, "success", msg)
	return redirect(c, "/account")
}

// AccountChangePassword sets a new password after checking the current one,
// and optionally logs out every other session.
func (s *Server) AccountChangePassword(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	v := s.accountView(c)
	v.LogoutOthers = c.FormValue("logout_others") != ""
	newPassword := c.FormValue("new_password")
	if tooLong(c, v.PasswordErrors).Any() {
		return s.render(c, http.StatusUnprocessableEntity, pages.AccountPage(v))
	}
	// Each try runs argon2id twice and checks the current password: bounded
	// per address like sign-ups.
	allowed, err := s.takeCostly(c, "password_change", auth.MaxPasswordChangesPerIP)
	if err != nil {
		return err
	}
	if !allowed {
		v.PasswordErrors["current_password"] = "Too many password changes from your network. Please try again in an hour."
		return s.render(c, http.StatusTooManyRequests, pages.AccountPage(v))
	}
	if ok, _, _ := s.Hasher.Verify(c.FormValue("current_password"), u.PasswordHash); !ok {
		v.PasswordErrors["current_password"] = "This is not your current password."
	}
	if msg := s.Policy.Check(newPassword, u.Email, u.Name); msg != "" {
		v.PasswordErrors["new_password"] = msg
	}
	if v.PasswordErrors.Any() {
		return s.render(c, http.StatusUnprocessableEntity, pages.AccountPage(v))
	}
	hash, err := s.Hasher.Hash(newPassword)
	if err != nil {
		return err
	}
	var updated store.User
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		updated, err = tx.SetPassword(ctx, u.ID, hash, v.LogoutOthers)
		if err != nil {
			return err
		}
		return audit(ctx, c, tx, "user.password", "user", strconv.FormatInt(u.ID, 10), nil,
			map[string]bool{"logout_others": v.LogoutOthers})
	})
	if err != nil {
		return err
	}
	// This session continues under a fresh token and the new epoch.
	if err := s.startSession(c, updated); err != nil {
		return err
	}
	s.flash(c, "success", "Your password is changed.")
	return redirect(c, "/account")
}
