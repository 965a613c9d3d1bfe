package store

import (
	"context"
	"fmt"
	"time"
)

// Roles a user can have.
const (
	RoleCustomer = "customer"
	RoleStaff    = "staff"
	RoleAdmin    = "admin"
)

// User is an account: a customer, a staff member or an admin.
type User struct {
	ID           int64      `db:"id"`
	Email        string     `db:"email"`
	Name         string     `db:"name"`
	Phone        string     `db:"phone"`
	Role         string     `db:"role"`
	PasswordHash string     `db:"password_hash"`
	SessionEpoch int        `db:"session_epoch"`
	DisabledAt   *time.Time `db:"disabled_at"`
	CreatedAt    time.Time  `db:"created_at"`
}

// IsStaff reports whether the user works at the shop (staff or admin).
func (u User) IsStaff() bool { return u.Role == RoleStaff || u.Role == RoleAdmin }

// Disabled reports whether an admin has switched the account off.
func (u User) Disabled() bool { return u.DisabledAt != nil }

const userColumns = `id, email, name, phone, role, password_hash, session_epoch, disabled_at, created_at`

// NewUser is what CreateUser needs.
type NewUser struct {
	Email, Name, Phone, Role, PasswordHash string
}

const createUserSQL = `
INSERT INTO users (email, name, phone, role, password_hash)
VALUES ($1, $2, $3, $4, $5)
RETURNING ` + userColumns

// CreateUser inserts an account; a taken email is ErrConflict.
func (s *Store) CreateUser(ctx context.Context, nu NewUser) (User, error) {
	var u User
	err := s.q.GetContext(ctx, &u, createUserSQL, nu.Email, nu.Name, nu.Phone, nu.Role, nu.PasswordHash)
	if err != nil {
		return User{}, fmt.Errorf("store: create user: %w", classify(err))
	}
	return u, nil
}

const getUserSQL = `SELECT ` + userColumns + ` FROM users WHERE id = $1`

// GetUser loads one account by id.
func (s *Store) GetUser(ctx context.Context, id int64) (User, error) {
	var u User
	if err := s.prepared().GetContext(ctx, &u, getUserSQL, id); err != nil {
		return User{}, fmt.Errorf("store: get user %d: %w", id, classify(err))
	}
	return u, nil
}

const getUserByEmailSQL = `SELECT ` + userColumns + ` FROM users WHERE email = $1`

// GetUserByEmail loads one account by email, compared case-insensitively.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (User, error) {
	var u User
	if err := s.q.GetContext(ctx, &u, getUserByEmailSQL, email); err != nil {
		return User{}, fmt.Errorf("store: get user by email: %w", classify(err))
	}
	return u, nil
}

const updateProfileSQL = `
UPDATE users SET name = $2, phone = $3, email = $4, updated_at = now()
WHERE id = $1
RETURNING ` + userColumns

// UpdateProfile changes a user's name, phone and email; a taken email is ErrConflict.
func (s *Store) UpdateProfile(ctx context.Context, id int64, name, phone, email string) (User, error) {
	var u User
	if err := s.q.GetContext(ctx, &u, updateProfileSQL, id, name, phone, email); err != nil {
		return User{}, fmt.Errorf("store: update profile %d: %w", id, classify(err))
	}
	return u, nil
}

const setPasswordSQL = `
UPDATE users SET password_hash = $2, session_epoch = session_epoch + CASE WHEN $3 THEN 1 ELSE 0 END, updated_at = now()
WHERE id = $1
RETURNING ` + userColumns

// SetPassword stores a new password hash; with logoutOthers it also bumps the
// session epoch so every other session of the user stops working.
func (s *Store) SetPassword(ctx context.Context, id int64, hash string, logoutOthers bool) (User, error) {
	var u User
	if err := s.q.GetContext(ctx, &u, setPasswordSQL, id, hash, logoutOthers); err != nil {
		return User{}, fmt.Errorf("store: set password %d: %w", id, classify(err))
	}
	return u, nil
}

const setRoleSQL = `
UPDATE users SET role = $2, session_epoch = session_epoch + 1, updated_at = now()
WHERE id = $1
RETURNING ` + userColumns

// SetRole changes a user's role and ends their sessions, so the new rights only
// apply after a fresh login with a new session token.
func (s *Store) SetRole(ctx context.Context, id int64, role string) (User, error) {
	var u User
	if err := s.q.GetContext(ctx, &u, setRoleSQL, id, role); err != nil {
		return User{}, fmt.Errorf("store: set role %d: %w", id, classify(err))
	}
	return u, nil
}

const setDisabledSQL = `
UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END,
       session_epoch = session_epoch + CASE WHEN $2 THEN 1 ELSE 0 END, updated_at = now()
WHERE id = $1
RETURNING ` + userColumns

// SetDisabled switches an account off (ending its sessions) or back on.
func (s *Store) SetDisabled(ctx context.Context, id int64, disabled bool) (User, error) {
	var u User
	if err := s.q.GetContext(ctx, &u, setDisabledSQL, id, disabled); err != nil {
		return User{}, fmt.Errorf("store: set disabled %d: %w", id, classify(err))
	}
	return u, nil
}

// UserFilter narrows ListUsers. AfterID is the keyset cursor.
type UserFilter struct {
	Role    string // "" = any; "team" = staff and admins
	Query   string
	AfterID int64
	Limit   int
}

const listUsersSQL = `
SELECT ` + userColumns + ` FROM users
WHERE ($1 = '' OR role = $1 OR ($1 = 'team' AND role IN ('staff', 'admin')))
  AND ($2 = '' OR email ILIKE '%' || $2 || '%' OR name ILIKE '%' || $2 || '%')
  AND id > $3
ORDER BY id
LIMIT $4`

// listTeamSQL is listUsersSQL for the team without a search: the staff
// notice of every online booking lists them, so it is prepared, which the
// search's form (its generic plan could use neither index) is not.
const listTeamSQL = `
SELECT ` + userColumns + ` FROM users
WHERE role IN ('staff', 'admin') AND id > $1
ORDER BY id
LIMIT $2`

// ListUsers pages through accounts in id order.
func (s *Store) ListUsers(ctx context.Context, f UserFilter) ([]User, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var us []User
	if f.Role == "team" && f.Query == "" {
		if err := s.prepared().SelectContext(ctx, &us, listTeamSQL, f.AfterID, f.Limit); err != nil {
			return nil, fmt.Errorf("store: list team: %w", classify(err))
		}
		return us, nil
	}
	if err := s.q.SelectContext(ctx, &us, listUsersSQL, f.Role, likeEscape(f.Query), f.AfterID, f.Limit); err != nil {
		return nil, fmt.Errorf("store: list users: %w", classify(err))
	}
	return us, nil
}

const countAdminsSQL = `SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL`

// CountActiveAdmins counts admins who can still log in; the last one may not be demoted.
func (s *Store) CountActiveAdmins(ctx context.Context) (int, error) {
	var n int
	if err := s.q.GetContext(ctx, &n, countAdminsSQL); err != nil {
		return 0, fmt.Errorf("store: count admins: %w", classify(err))
	}
	return n, nil
}
