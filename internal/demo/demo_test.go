package demo

import (
	"testing"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// Loading the demo twice (a second `make run`) duplicates nothing, and every
// printed login works.
func TestLoadIsIdempotent(t *testing.T) {
	st, _ := testenv.Store(t)
	h := auth.NewHasher(auth.Params{Time: 1, Memory: 1024, Threads: 1, KeyLen: 32, SaltLen: 16})
	var logins []Login
	for range 2 {
		var err error
		if logins, err = Load(t.Context(), st, h); err != nil {
			t.Fatal(err)
		}
	}
	users, err := st.ListUsers(t.Context(), store.UserFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != len(Logins) {
		t.Fatalf("%d accounts after two loads, want %d", len(users), len(Logins))
	}
	roles := map[string]bool{}
	for _, l := range logins {
		u, err := st.GetUserByEmail(t.Context(), l.Email)
		if err != nil || u.Role != l.Role {
			t.Fatalf("%s: %+v %v", l.Email, u, err)
		}
		if ok, _, _ := h.Verify(l.Password, u.PasswordHash); !ok {
			t.Errorf("%s: the printed password does not work", l.Email)
		}
		roles[l.Role] = true
	}
	for _, r := range []string{store.RoleAdmin, store.RoleStaff, store.RoleCustomer} {
		if !roles[r] {
			t.Errorf("no demo login for %s", r)
		}
	}
}
