package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

const usersPerPage = 50

var roleFilterOptions = []components.Option{{Value: "", Label: "Any role"}, {Value: "team", Label: "Staff and admins"}, {Value: "customer", Label: "Customers"}, {Value: "staff", Label: "Staff"}, {Value: "admin", Label: "Admins"}}

// AdminUsersList lists accounts with filters and keyset pagination.
func (s *Server) AdminUsersList(c echo.Context) error {
	role := c.QueryParam("role")
	if err := oneOf(role, "", "team", "customer", "staff", "admin"); err != nil {
		return err
	}
	after, err := queryInt64(c, "after")
	if err != nil {
		return err
	}
	q := strings.TrimSpace(c.QueryParam("q"))
	users, err := s.Store.ListUsers(c.Request().Context(), store.UserFilter{Role: role, Query: q, AfterID: after, Limit: usersPerPage + 1})
	if err != nil {
		return err
	}
	v := pages.AdminUsersView{Page: s.page(c, "Users"), Role: role, Query: q, Roles: roleFilterOptions}
	if len(users) > usersPerPage {
		users = users[:usersPerPage]
		v.NextHref = "/admin/users?" + url.Values{"role": {role}, "q": {q}, "after": {strconv.FormatInt(users[len(users)-1].ID, 10)}}.Encode()
	}
	me := currentUser(c)
	for _, u := range users {
		v.Users = append(v.Users, pages.UserRow{ID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role,
			Disabled: u.Disabled(), Created: u.CreatedAt.UTC().Format("2006-01-02"), IsSelf: u.ID == me.ID})
	}
	return s.render(c, http.StatusOK, pages.AdminUsersPage(v))
}

// AdminUserNew shows the form for a new staff or admin account.
func (s *Server) AdminUserNew(c echo.Context) error {
	v := pages.AdminUserNewView{Page: s.page(c, "New staff account"), Form: pages.NewUserForm{Role: store.RoleStaff}}
	return s.render(c, http.StatusOK, pages.AdminUserNewPage(v))
}

// userAudit is what the audit log keeps of an account.
type userAudit struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Disabled bool   `json:"disabled"`
}

func auditOf(u store.User) userAudit {
	return userAudit{Email: u.Email, Name: u.Name, Role: u.Role, Disabled: u.Disabled()}
}

// AdminUserCreate creates a staff or admin account.
func (s *Server) AdminUserCreate(c echo.Context) error {
	ctx := c.Request().Context()
	f := pages.NewUserForm{Name: field(c, "name"), Email: strings.ToLower(field(c, "email")), Phone: field(c, "phone"), Role: field(c, "role"), Password: c.FormValue("password")}
	v := pages.AdminUserNewView{Page: s.page(c, "New staff account"), Form: f, Errors: components.Errors{}}
	checkName(v.Errors, "name", f.Name)
	checkEmail(v.Errors, "email", f.Email)
	checkPhone(v.Errors, "phone", f.Phone)
	if f.Role != store.RoleStaff && f.Role != store.RoleAdmin {
		v.Errors["role"] = "Choose staff or admin."
	}
	if msg := s.Policy.Check(f.Password, f.Email, f.Name); msg != "" {
		v.Errors["password"] = msg
	}
	if tooLong(c, v.Errors).Any() {
		return s.render(c, http.StatusUnprocessableEntity, pages.AdminUserNewPage(v))
	}
	hash, err := s.Hasher.Hash(f.Password)
	if err != nil {
		return err
	}
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		u, err := tx.CreateUser(ctx, store.NewUser{Email: f.Email, Name: f.Name, Phone: f.Phone, Role: f.Role, PasswordHash: hash})
		if err != nil {
			return err
		}
		return audit(ctx, c, tx, "user.create", "user", strconv.FormatInt(u.ID, 10), nil, auditOf(u))
	})
	if errors.Is(err, store.ErrConflict) {
		v.Errors["email"] = "An account with this email exists; change its role in the list instead."
		return s.render(c, http.StatusUnprocessableEntity, pages.AdminUserNewPage(v))
	}
	if err != nil {
		return err
	}
	s.flash(c, "success", fmt.Sprintf("Account for %s created.", f.Email))
	return redirect(c, "/admin/users")
}

// AdminUserSetRole changes another user's role; their sessions end so the new
// rights start with a new login.
func (s *Server) AdminUserSetRole(c echo.Context) error {
	role := c.FormValue("role")
	if err := oneOf(role, store.RoleCustomer, store.RoleStaff, store.RoleAdmin); err != nil {
		return err
	}
	return s.changeUser(c, "user.role", func(tx *store.Store, id int64) (store.User, error) {
		return tx.SetRole(c.Request().Context(), id, role)
	})
}

// AdminUserSetDisabled switches another user's account off or on.
func (s *Server) AdminUserSetDisabled(c echo.Context) error {
	disabled := c.FormValue("disabled") == "1"
	return s.changeUser(c, "user.disabled", func(tx *store.Store, id int64) (store.User, error) {
		return tx.SetDisabled(c.Request().Context(), id, disabled)
	})
}

// changeUser applies an admin change to another account with its audit row,
// refusing changes to oneself (an admin cannot lock themselves out).
func (s *Server) changeUser(c echo.Context, action string, change func(tx *store.Store, id int64) (store.User, error)) error {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if id == currentUser(c).ID {
		return echo.NewHTTPError(http.StatusForbidden, "You cannot change your own role or status.")
	}
	var after store.User
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		before, err := tx.GetUser(ctx, id)
		if err != nil {
			return err
		}
		if after, err = change(tx, id); err != nil {
			return err
		}
		return audit(ctx, c, tx, action, "user", strconv.FormatInt(id, 10), auditOf(before), auditOf(after))
	})
	if err != nil {
		return err
	}
	s.flash(c, "success", fmt.Sprintf("%s is now %s%s.", after.Email, after.Role, map[bool]string{true: " (disabled)"}[after.Disabled()]))
	return redirect(c, fmt.Sprintf("/admin/users/%d", id))
}

// AdminUserShow is one account's page: who it is, when it last logged in,
// how many bookings it has, and the changes an admin can make to it.
func (s *Server) AdminUserShow(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	u, err := s.Store.GetUser(ctx, id)
	if err != nil {
		return err
	}
	act, err := s.Store.GetUserActivity(ctx, id)
	if err != nil {
		return err
	}
	zone, _, err := s.shopZone(ctx)
	if err != nil {
		return err
	}
	v := pages.AdminUserView{Page: s.page(c, u.Name), ID: u.ID, Name: u.Name, Email: u.Email, Phone: u.Phone, Role: u.Role,
		Disabled: u.Disabled(), Since: period.FormatDisplay(u.CreatedAt, zone), LastLogin: "never",
		Bookings: act.Bookings, IsSelf: u.ID == currentUser(c).ID, Zone: zone.String()}
	if act.LastLogin != nil {
		v.LastLogin = period.FormatDisplay(*act.LastLogin, zone)
	}
	return s.render(c, http.StatusOK, pages.AdminUserPage(v))
}
