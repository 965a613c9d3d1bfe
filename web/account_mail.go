package web

import (
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// mailPreferencesSection is the mail part of the account page. A database
// error here shows the defaults rather than failing the whole page; saving
// will report it.
func (s *Server) mailPreferencesSection(c echo.Context) templ.Component {
	u := currentUser(c)
	prefs, err := s.Store.GetMailPreferences(c.Request().Context(), u.ID)
	if err != nil {
		s.Logger.Warn("load mail preferences", "user", u.ID, "err", err)
		prefs = store.DefaultMailPreferences
	}
	token, _ := c.Get(ctxCSRF).(string)
	return pages.MailPreferencesSection(pages.MailPreferencesView{CSRFToken: token, Reminders: prefs.Reminders, News: prefs.News})
}

// AccountUpdateMailPreferences saves which optional mail the user wants.
func (s *Server) AccountUpdateMailPreferences(c echo.Context) error {
	ctx := c.Request().Context()
	u := currentUser(c)
	prefs := store.MailPreferences{Reminders: c.FormValue("reminders") != "", News: c.FormValue("news") != ""}
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		before, err := tx.GetMailPreferences(ctx, u.ID)
		if err != nil {
			return err
		}
		if err := tx.SetMailPreferences(ctx, u.ID, prefs); err != nil {
			return err
		}
		return audit(ctx, c, tx, "user.mail_preferences", "user", strconv.FormatInt(u.ID, 10), before, prefs)
	})
	if err != nil {
		return err
	}
	s.flash(c, "success", "Your email settings are saved.")
	return redirect(c, "/account#mail")
}
