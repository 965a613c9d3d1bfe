package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
)

// formCase is one bad submission: the field that must carry a message, part
// of that message, and the fields whose input must be kept.
type formCase struct {
	name  string
	form  url.Values
	field string
	msg   string
	kept  []string
}

// runFormCases submits each case from a fresh page and checks the 422 answer.
func runFormCases(t *testing.T, c *testClient, page, action string, cases []formCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.get(page)
			res := c.post(action, tc.form).expectStatus(t, http.StatusUnprocessableEntity)
			if got := res.fieldError(tc.field); !strings.Contains(got, tc.msg) {
				t.Errorf("message beside %s = %q, want %q", tc.field, got, tc.msg)
			}
			for _, k := range tc.kept {
				if got := res.inputValue(k); got != tc.form.Get(k) {
					t.Errorf("input %s not kept: %q, want %q", k, got, tc.form.Get(k))
				}
			}
			if pw := tc.form.Get("password") + tc.form.Get("new_password") + tc.form.Get("current_password"); pw != "" && strings.Contains(res.Body, pw) {
				t.Error("a password was echoed back into the page")
			}
		})
	}
}

func TestLoginFormBadInput(t *testing.T) {
	app := newTestApp(t)
	runFormCases(t, app.client(), "/login", "/login", []formCase{
		{"no email", url.Values{"email": {""}, "password": {"hunter2-secret"}}, "email", "Enter your email", nil},
		{"no password", url.Values{"email": {"ann@example.com"}, "password": {""}}, "password", "Enter your password", []string{"email"}},
	})
}

func TestProfileFormBadInput(t *testing.T) {
	app := newTestApp(t)
	app.createUser("customer", "ann@example.com", authzPassword)
	app.createUser("customer", "taken@example.com", authzPassword)
	c := app.client()
	c.login("ann@example.com", authzPassword)
	runFormCases(t, c, "/account", "/account/profile", []formCase{
		{"empty name", url.Values{"name": {""}, "phone": {"+49 30 1234567"}, "email": {"ann@example.com"}}, "name", "Enter your name", []string{"phone", "email"}},
		{"long name", url.Values{"name": {strings.Repeat("n", 101)}, "email": {"ann@example.com"}}, "name", "at most 100", []string{"email"}},
		{"bad phone", url.Values{"name": {"Ann Lee"}, "phone": {"call me maybe"}, "email": {"ann@example.com"}}, "phone", "digits", []string{"name", "phone"}},
		{"bad email", url.Values{"name": {"Ann Lee"}, "email": {"ann@"}}, "email", "email address like", []string{"name", "email"}},
		{"new email without password", url.Values{"name": {"Ann Lee"}, "email": {"ann2@example.com"}}, "current_password", "current password", []string{"name", "email"}},
		{"new email, wrong password", url.Values{"name": {"Ann Lee"}, "email": {"ann2@example.com"}, "current_password": {"wrong one"}}, "current_password", "current password", []string{"name", "email"}},
	})
	// And a good change goes through, audited, with the input shown inert;
	// the new email waits for its link (TestProfileEmailChangeIsConfirmedByLink).
	c.get("/account")
	c.post("/account/profile", url.Values{"name": {`<script>alert(1)</script>`}, "email": {"ann2@example.com"}, "current_password": {authzPassword}}).expectStatus(t, http.StatusSeeOther)
	res := c.get("/account").expectStatus(t, http.StatusOK)
	if res.inputValue("name") != `<script>alert(1)</script>` || strings.Contains(res.Body, `<script>alert(1)`) {
		t.Error("the name is not shown inert")
	}
	if res.inputValue("email") != "ann@example.com" {
		t.Errorf("email changed before its link was opened: %q", res.inputValue("email"))
	}
	rows, err := app.st.ListAudit(t.Context(), storeAuditFilter("user.profile"))
	if err != nil || len(rows) != 1 || !strings.Contains(string(rows[0].Before), `"ann"`) || !strings.Contains(string(rows[0].After), `alert(1)`) {
		t.Errorf("profile change not audited with before and after: %v %+v", err, rows)
	}
}

func TestPasswordFormBadInput(t *testing.T) {
	app := newTestApp(t)
	app.createUser("customer", "ann@example.com", authzPassword)
	c := app.client()
	c.login("ann@example.com", authzPassword)
	runFormCases(t, c, "/account", "/account/password", []formCase{
		{"wrong current password", url.Values{"current_password": {"not it at all"}, "new_password": {"a fine new password"}}, "current_password", "not your current password", nil},
		{"short new password", url.Values{"current_password": {authzPassword}, "new_password": {"short"}}, "new_password", "at least 8", nil},
		{"email as password", url.Values{"current_password": {authzPassword}, "new_password": {"ann@example.com"}}, "new_password", "email or name", nil},
	})
	c.get("/account")
	res := c.post("/account/password", url.Values{"current_password": {"nope nope"}, "new_password": {"a fine new password"}})
	if res.Doc.Find(`input[name="logout_others"][checked]`).Length() != 0 {
		t.Error(`"log out my other sessions" was unticked by the user but shows ticked`)
	}
	c.login("ann@example.com", authzPassword) // unchanged
}

func TestAdminNewUserFormBadInput(t *testing.T) {
	app := newTestApp(t)
	app.createUser("admin", "boss@example.com", authzPassword)
	app.createUser("customer", "taken@example.com", authzPassword)
	c := app.client()
	c.login("boss@example.com", authzPassword)
	good := func(k, v string) url.Values {
		f := url.Values{"name": {"Sam Staff"}, "email": {"sam@example.com"}, "phone": {"+49 30 1234567"}, "role": {"staff"}, "password": {"correct horse battery"}}
		f.Set(k, v)
		return f
	}
	runFormCases(t, c, "/admin/users/new", "/admin/users", []formCase{
		{"empty name", good("name", ""), "name", "Enter your name", []string{"email", "phone"}},
		{"bad email", good("email", "sam at example"), "email", "email address like", []string{"name", "email", "phone"}},
		{"bad phone", good("phone", "ring ring"), "phone", "digits", []string{"name", "email", "phone"}},
		{"customer role", good("role", "customer"), "role", "staff or admin", []string{"name", "email"}},
		{"made-up role", good("role", "root"), "role", "staff or admin", []string{"name", "email"}},
		{"short password", good("password", "short"), "password", "at least 8", []string{"name", "email"}},
		{"taken email", good("email", "taken@example.com"), "email", "exists", []string{"name", "email"}},
	})
	c.get("/admin/users/new")
	res := c.post("/admin/users", good("email", "bad"))
	if sel, _ := res.Doc.Find(`select[name="role"] option[selected]`).Attr("value"); sel != "staff" {
		t.Errorf("role choice not kept: %q", sel)
	}
}

func storeAuditFilter(action string) store.AuditFilter {
	return store.AuditFilter{Action: action, Limit: 100}
}
