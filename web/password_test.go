package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/auth"
)

// storedHash reads a user's password hash.
func (a *testApp) storedHash(email string) string {
	a.t.Helper()
	u, err := a.st.GetUserByEmail(a.t.Context(), email)
	if err != nil {
		a.t.Fatal(err)
	}
	return u.PasswordHash
}

var phc = regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$`)

// checkArgon2id asserts a hash is argon2id with at least OWASP's parameters.
func checkArgon2id(t *testing.T, hash string) {
	t.Helper()
	m := phc.FindStringSubmatch(hash)
	if m == nil {
		t.Fatalf("not an argon2id hash: %q", hash)
	}
	mem, _ := strconv.Atoi(m[1])
	iter, _ := strconv.Atoi(m[2])
	if mem < 19*1024 || iter < 2 || m[3] != "1" {
		t.Errorf("argon2id parameters m=%s t=%s p=%s are below m=19456 t=2 p=1", m[1], m[2], m[3])
	}
}

// productionHasher makes the app hash as it does in production.
func productionHasher(d *Deps) { d.Hasher = auth.NewHasher(auth.DefaultParams) }

// W5: sign-up stores an argon2id hash with production parameters, and a
// 64-character multibyte password works end to end.
func TestSignupHashesWithArgon2idAndTakesMultibytePasswords(t *testing.T) {
	app := newTestApp(t, productionHasher)
	pw := strings.Repeat("пароль🔑ü", 8) // 64 characters, 152 bytes
	if n := len([]rune(pw)); n != 64 {
		t.Fatalf("test password has %d characters", n)
	}
	c := app.client()
	c.get("/signup")
	c.post("/signup", url.Values{"name": {"Ann Lee"}, "email": {"ann@example.com"}, "password": {pw}}).expectStatus(t, http.StatusSeeOther)
	checkArgon2id(t, app.storedHash("ann@example.com"))
	c.post("/logout", nil)
	c.login("ann@example.com", pw)
	// One character short (cutting bytes would make invalid UTF-8, refused
	// with 400 before any handler).
	if res := app.client().tryLogin("ann@example.com", string([]rune(pw)[:63]), nil); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a truncated password logged in: status %d", res.StatusCode)
	}
}

// W5: the password-change form takes a multibyte password and stores it
// with production parameters.
func TestPasswordChangeHashesWithArgon2id(t *testing.T) {
	app := newTestApp(t, productionHasher)
	app.createUser("customer", "ann@example.com", authzPassword)
	c := app.client()
	c.login("ann@example.com", authzPassword)
	c.get("/account")
	pw := strings.Repeat("日本語のパスワード", 7) + "!" // 64 characters
	c.post("/account/password", url.Values{"current_password": {authzPassword}, "new_password": {pw}}).expectStatus(t, http.StatusSeeOther)
	checkArgon2id(t, app.storedHash("ann@example.com"))
	app.client().login("ann@example.com", pw)
}

// W5: a hash made with weaker parameters is replaced at the next login.
func TestLoginRehashesWeakHash(t *testing.T) {
	app := newTestApp(t, productionHasher)
	app.createUser("customer", "ann@example.com", authzPassword) // test hasher: m=1024, t=1
	if phc.FindStringSubmatch(app.storedHash("ann@example.com"))[1] != "1024" {
		t.Fatal("fixture hash is not the weak one")
	}
	app.client().login("ann@example.com", authzPassword)
	checkArgon2id(t, app.storedHash("ann@example.com"))
	app.client().login("ann@example.com", authzPassword)
}

// W6: short and common passwords are refused by every form that sets one,
// with no composition rules.
func TestPasswordPolicyOnEveryForm(t *testing.T) {
	app := newTestApp(t)
	app.createUser("admin", "boss@example.com", authzPassword)
	cases := []struct {
		pw, msg string
	}{
		{"short", "at least 8"},
		{"1234567", "at least 8"},
		{"password1", "too common"},
		{"qwertyuiop", "too common"},
	}
	accepted := []string{"alllowercaseletters", "12345678901234"} // no composition rules
	forms := []struct {
		name, page, action, field string
		form                      func(pw string, i int) url.Values
		login                     string
	}{
		{"signup", "/signup", "/signup", "password", func(pw string, i int) url.Values {
			return url.Values{"name": {"Ann"}, "email": {"ann" + strconv.Itoa(i) + "@example.com"}, "password": {pw}}
		}, ""},
		{"password change", "/account", "/account/password", "new_password", func(pw string, _ int) url.Values {
			return url.Values{"current_password": {authzPassword}, "new_password": {pw}}
		}, "boss@example.com"},
		{"admin new user", "/admin/users/new", "/admin/users", "password", func(pw string, i int) url.Values {
			return url.Values{"name": {"Sam"}, "email": {"sam" + strconv.Itoa(i) + "@example.com"}, "role": {"staff"}, "password": {pw}}
		}, "boss@example.com"},
	}
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			for i, tc := range cases {
				c := app.client()
				if f.login != "" {
					c.login(f.login, authzPassword)
				}
				c.get(f.page)
				res := c.post(f.action, f.form(tc.pw, i)).expectStatus(t, http.StatusUnprocessableEntity)
				if got := res.fieldError(f.field); !strings.Contains(got, tc.msg) {
					t.Errorf("%q: message %q, want %q", tc.pw, got, tc.msg)
				}
			}
			for i, pw := range accepted {
				c := app.client()
				if f.login != "" {
					c.login(f.login, authzPassword)
				}
				c.get(f.page)
				res := c.post(f.action, f.form(pw, 100+i))
				if res.StatusCode != http.StatusSeeOther {
					t.Errorf("%q refused: status %d, %q", pw, res.StatusCode, res.fieldError(f.field))
				}
				if f.name == "password change" { // put it back for the next case
					c.get("/account")
					c.post("/account/password", url.Values{"current_password": {pw}, "new_password": {authzPassword}}).expectStatus(t, http.StatusSeeOther)
				}
			}
		})
	}
}
