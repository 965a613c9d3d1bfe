package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
)

func (a *testApp) adminClient() *testClient {
	a.t.Helper()
	if _, err := a.st.GetUserByEmail(a.t.Context(), "boss@example.com"); err != nil {
		a.createUser("admin", "boss@example.com", authzPassword)
	}
	c := a.client()
	c.login("boss@example.com", authzPassword)
	return c
}

// auditActions lists the audit entries for an entity, oldest first.
func (a *testApp) auditOf(entityID int64) []store.AuditEntry {
	a.t.Helper()
	rows, err := a.st.ListAudit(a.t.Context(), store.AuditFilter{EntityType: "user", Limit: 1000})
	if err != nil {
		a.t.Fatal(err)
	}
	var out []store.AuditEntry
	for _, r := range rows {
		if r.EntityID == strconv.FormatInt(entityID, 10) {
			out = append([]store.AuditEntry{r}, out...)
		}
	}
	return out
}

// An admin creates a staff account from the UI; it can log in, and the change is audited.
func TestAdminCreatesStaffAccount(t *testing.T) {
	app := newTestApp(t)
	boss := app.adminClient()
	boss.get("/admin/users/new").expectStatus(t, http.StatusOK)
	res := boss.post("/admin/users", url.Values{"name": {"Sam Staff"}, "email": {"Sam@Example.com"}, "role": {"staff"}, "password": {"correct horse battery"}})
	if res.expectStatus(t, http.StatusSeeOther).location() != "/admin/users" {
		t.Fatalf("went to %q", res.location())
	}
	list := boss.get("/admin/users")
	if !strings.Contains(list.Doc.Find(`[data-testid="flash"]`).Text(), "sam@example.com") {
		t.Error("no confirmation message")
	}
	if !strings.Contains(list.Doc.Find(`[data-testid="users-table"]`).Text(), "sam@example.com") {
		t.Error("new account not listed")
	}
	sam, err := app.st.GetUserByEmail(t.Context(), "sam@example.com")
	if err != nil || sam.Role != store.RoleStaff {
		t.Fatalf("stored account: %+v %v", sam, err)
	}
	app.client().login("sam@example.com", "correct horse battery")
	audit := app.auditOf(sam.ID)
	if len(audit) != 1 || audit[0].Action != "user.create" || audit[0].ActorEmail == nil || *audit[0].ActorEmail != "boss@example.com" ||
		audit[0].Before != nil || !strings.Contains(string(audit[0].After), `"role": "staff"`) {
		t.Fatalf("audit: %+v", audit)
	}
	if strings.Contains(string(audit[0].After), "argon2") {
		t.Error("the audit row holds the password hash")
	}
}

// Disabling ends the account's sessions and refuses its logins; enabling lets it back in.
func TestAdminDisablesAndEnablesAccount(t *testing.T) {
	app := newTestApp(t)
	boss := app.adminClient()
	sam := app.createUser("staff", "sam@example.com", authzPassword)
	samC := app.client()
	samC.login("sam@example.com", authzPassword)

	boss.get("/admin/users")
	boss.post("/admin/users/"+itoa(sam.ID)+"/disabled", url.Values{"disabled": {"1"}}).expectStatus(t, http.StatusSeeOther)
	row := boss.get("/admin/users").Doc.Find(fmt.Sprintf(`[data-testid="user-%d"]`, sam.ID)).Text()
	if !strings.Contains(row, "disabled") {
		t.Errorf("list does not show the account disabled: %q", row)
	}
	if samC.loggedIn() {
		t.Fatal("a disabled account's session still works")
	}
	app.client().tryLogin("sam@example.com", authzPassword, nil).expectStatus(t, http.StatusUnprocessableEntity)

	boss.post("/admin/users/"+itoa(sam.ID)+"/disabled", url.Values{"disabled": {"0"}}).expectStatus(t, http.StatusSeeOther)
	app.client().login("sam@example.com", authzPassword)
	audit := app.auditOf(sam.ID)
	if len(audit) != 2 || audit[0].Action != "user.disabled" || !strings.Contains(string(audit[0].After), `"disabled": true`) ||
		!strings.Contains(string(audit[1].Before), `"disabled": true`) || !strings.Contains(string(audit[1].After), `"disabled": false`) {
		t.Fatalf("audit: %+v", audit)
	}
}

// A role change is audited with before and after, and takes effect.
func TestAdminChangesRole(t *testing.T) {
	app := newTestApp(t)
	boss := app.adminClient()
	sam := app.createUser("customer", "sam@example.com", authzPassword)
	boss.get("/admin/users")
	boss.post("/admin/users/"+itoa(sam.ID)+"/role", url.Values{"role": {"staff"}}).expectStatus(t, http.StatusSeeOther)
	u, _ := app.st.GetUser(t.Context(), sam.ID)
	if u.Role != store.RoleStaff {
		t.Fatalf("role %q", u.Role)
	}
	audit := app.auditOf(sam.ID)
	if len(audit) != 1 || audit[0].Action != "user.role" || !strings.Contains(string(audit[0].Before), `"role": "customer"`) ||
		!strings.Contains(string(audit[0].After), `"role": "staff"`) || audit[0].RequestID == "" {
		t.Fatalf("audit: %+v", audit)
	}
}

// Admin changes are checked: not on oneself, not on unknown accounts, not to unknown roles.
func TestAdminUserChangesRefused(t *testing.T) {
	app := newTestApp(t)
	boss := app.adminClient()
	me, _ := app.st.GetUserByEmail(t.Context(), "boss@example.com")
	sam := app.createUser("staff", "sam@example.com", authzPassword)
	before := dbSnapshot(t, app)
	boss.get("/admin/users")
	boss.post("/admin/users/"+itoa(me.ID)+"/role", url.Values{"role": {"customer"}}).expectStatus(t, http.StatusForbidden)
	boss.post("/admin/users/"+itoa(me.ID)+"/disabled", url.Values{"disabled": {"1"}}).expectStatus(t, http.StatusForbidden)
	boss.post("/admin/users/999999/role", url.Values{"role": {"staff"}}).expectStatus(t, http.StatusNotFound)
	boss.post("/admin/users/abc/role", url.Values{"role": {"staff"}}).expectStatus(t, http.StatusNotFound)
	boss.post("/admin/users/"+itoa(sam.ID)+"/role", url.Values{"role": {"root"}}).expectStatus(t, http.StatusBadRequest)
	if after := dbSnapshot(t, app); after != before {
		t.Errorf("refused changes changed data:\n%s", diffSnapshots(before, after))
	}
}

// The user list filters by role and search text and pages by keyset.
func TestAdminUsersListFiltersAndPages(t *testing.T) {
	app := newTestApp(t)
	boss := app.adminClient()
	for i := range 60 {
		app.createUser("customer", fmt.Sprintf("c%02d@example.com", i), authzPassword)
	}
	app.createUser("staff", "sam@example.com", authzPassword)
	var seen []string
	next := "/admin/users?role=customer"
	for pages := 0; next != ""; pages++ {
		if pages > 3 {
			t.Fatal("pagination does not end")
		}
		res := boss.get(next).expectStatus(t, http.StatusOK)
		res.Doc.Find(`[data-testid="users-table"] tbody tr td:nth-child(2)`).Each(func(_ int, s *goquerySelection) {
			seen = append(seen, s.Text())
		})
		next, _ = res.Doc.Find(`nav.pagination a`).Attr("href")
	}
	if len(seen) != 60 || slices.Contains(seen, "sam@example.com") || slices.Contains(seen, "boss@example.com") {
		t.Fatalf("customers listed: %d %v", len(seen), seen)
	}
	slices.Sort(seen)
	if len(slices.Compact(seen)) != 60 {
		t.Fatal("a customer is listed twice")
	}
	team := boss.get("/admin/users?role=team").Doc.Find(`[data-testid="users-table"]`).Text()
	if !strings.Contains(team, "sam@example.com") || !strings.Contains(team, "boss@example.com") || strings.Contains(team, "c01@example.com") {
		t.Errorf("team filter: %q", team)
	}
	if got := boss.get("/admin/users?q=c0").Doc.Find(`[data-testid="users-table"] tbody tr`).Length(); got != 10 {
		t.Errorf("search c0 found %d, want 10", got)
	}
	if got := boss.get("/admin/users?q=%25").Doc.Find(`[data-testid="users-table"] tbody tr`).Length(); got != 0 {
		t.Errorf("search %% matched %d accounts: LIKE wildcards are not escaped", got)
	}
	boss.get("/admin/users?role=root").expectStatus(t, http.StatusBadRequest)
	boss.get("/admin/users?after=x").expectStatus(t, http.StatusBadRequest)
}

// The audit page filters by entity type and action and pages by keyset,
// newest first, without gaps or repeats.
func TestAdminAuditFiltersAndPages(t *testing.T) {
	app := newTestApp(t)
	boss := app.adminClient()
	var userIDs []int64
	for i := range 130 {
		entity, action := "user", "user.role"
		if i%3 == 0 {
			entity, action = "item", "item.update"
		}
		err := app.st.InsertAudit(t.Context(), store.Audit{Action: action, EntityType: entity, EntityID: strconv.Itoa(i), After: map[string]int{"n": i}})
		if err != nil {
			t.Fatal(err)
		}
	}
	rows, _ := app.st.ListAudit(t.Context(), store.AuditFilter{EntityType: "user", Limit: 1000})
	for _, r := range rows {
		userIDs = append(userIDs, r.ID)
	}
	var got []int64
	next := "/admin/audit?entity=user"
	for pages := 0; next != ""; pages++ {
		if pages > 4 {
			t.Fatal("pagination does not end")
		}
		res := boss.get(next).expectStatus(t, http.StatusOK)
		res.Doc.Find(`[data-testid="audit-row"]`).Each(func(_ int, s *goquerySelection) {
			id, _ := strconv.ParseInt(s.AttrOr("data-id", ""), 10, 64)
			got = append(got, id)
		})
		next, _ = res.Doc.Find(`nav.pagination a`).Attr("href")
	}
	if !slices.Equal(got, userIDs) {
		t.Fatalf("paged ids (%d) differ from the user entries newest first (%d):\n%v\n%v", len(got), len(userIDs), got, userIDs)
	}
	if n := boss.get("/admin/audit?action=item.update").Doc.Find(`[data-testid="audit-row"]`).Length(); n != 44 {
		t.Errorf("action filter: %d rows, want 44", n)
	}
	if n := boss.get("/admin/audit?entity=item&action=user.role").Doc.Find(`[data-testid="audit-row"]`).Length(); n != 0 {
		t.Errorf("combined filter: %d rows, want 0", n)
	}
	boss.get("/admin/audit?entity=nonsense").expectStatus(t, http.StatusBadRequest)
	boss.get("/admin/audit?before=-1").expectStatus(t, http.StatusBadRequest)
	boss.get("/admin/audit?before=1%27%20OR%201=1").expectStatus(t, http.StatusBadRequest)
}
