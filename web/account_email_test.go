package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

var emailChangeLink = regexp.MustCompile(`https?://[^\s"<>]+/account/email\?token=[A-Za-z0-9_-]+`)

// A customer's new email takes effect when the link mailed to it is opened,
// not when the profile form is sent, and the form never says whether the
// address has an account: a taken address answers as a free one does, and
// its owner is mailed instead. Once the change is made, the old address is
// told; the link works once.
func TestProfileEmailChangeIsConfirmedByLink(t *testing.T) {
	app := newMailApp(t)
	ann := app.createUser(store.RoleCustomer, "ann@example.test", authzPassword)
	app.createUser(store.RoleCustomer, "taken@example.test", authzPassword)
	c := app.client()
	c.login("ann@example.test", authzPassword)
	email := func() string {
		u, err := app.st.GetUser(t.Context(), ann.ID)
		if err != nil {
			t.Fatal(err)
		}
		return u.Email
	}
	change := func(to string) (string, string) {
		c.get("/account")
		res := c.post("/account/profile", url.Values{"name": {"Ann Lee"}, "email": {to}, "current_password": {authzPassword}}).
			expectStatus(t, http.StatusSeeOther)
		page := c.get(res.location()).expectStatus(t, http.StatusOK)
		return strings.ReplaceAll(page.text(`[data-testid="flash"]`), to, "NEW"), page.inputValue("email")
	}

	takenSays, takenShows := change("taken@example.test")
	freeSays, freeShows := change("ann2@example.test")
	if takenSays != freeSays || takenShows != freeShows || strings.Contains(takenSays, "Another account") {
		t.Errorf("a taken address answers unlike a free one:\n%q (form %q)\n%q (form %q)", takenSays, takenShows, freeSays, freeShows)
	}
	if !strings.Contains(freeSays, "open the link we sent to NEW") {
		t.Errorf("the answer does not say a link was sent: %q", freeSays)
	}
	if got := email(); got != "ann@example.test" {
		t.Fatalf("the email changed before the link was opened: %q", got)
	}
	if msg := app.mp.FindTo(t, "taken@example.test", 10*time.Second); !strings.Contains(msg.Text, "tried to change the email of another") ||
		emailChangeLink.MatchString(msg.Text) {
		t.Errorf("the owner of the taken address is told:\n%s", msg.Text)
	}

	msg := app.mp.FindTo(t, "ann2@example.test", 10*time.Second)
	link := emailChangeLink.FindString(msg.Text)
	if !strings.HasPrefix(link, app.ts.URL+"/account/email?token=") {
		t.Fatalf("no link to confirm in:\n%s", msg.Text)
	}
	u, _ := url.Parse(link)
	// Opened in another browser, not logged in: it asks, a GET changes nothing.
	other := app.client()
	page := other.get(u.RequestURI()).expectStatus(t, http.StatusOK)
	if got := page.text(`[data-testid="email-change-new"]`); got != "ann2@example.test" {
		t.Errorf("the page asks to confirm %q", got)
	}
	if got := email(); got != "ann@example.test" {
		t.Fatalf("opening the link changed the email without confirming: %q", got)
	}
	other.post("/account/email", url.Values{"token": {u.Query().Get("token")}}).expectStatus(t, http.StatusSeeOther)
	if got := email(); got != "ann2@example.test" {
		t.Fatalf("after confirming, the email is %q", got)
	}
	if msg := app.mp.FindTo(t, "ann@example.test", 10*time.Second); !strings.Contains(msg.Text, "changed to ann2@example.test") {
		t.Errorf("the old address is told:\n%s", msg.Text)
	}
	other.get(u.RequestURI()).expectStatus(t, http.StatusNotFound)
	other.post("/account/email", url.Values{"token": {u.Query().Get("token")}}).expectStatus(t, http.StatusNotFound)
	app.client().login("ann2@example.test", authzPassword)
	// Admins can list each of the new kinds of mail.
	app.createUser(store.RoleAdmin, "boss@example.test", authzPassword)
	admin := app.client()
	admin.login("boss@example.test", authzPassword)
	for _, kind := range []string{"email_change", "email_in_use", "email_changed"} {
		admin.get("/admin/mail?status=sent&kind="+kind).expectStatus(t, http.StatusOK)
	}
	var n int
	_ = app.st.DB().QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'user.email'`).Scan(&n)
	if n != 1 {
		t.Errorf("audit rows for the email change: %d, want 1", n)
	}
}

// A password reset link mailed to the old address stops working once the
// account moves to a new one: whoever still reads the old mailbox (the
// reason people change it) cannot take the account back with it.
func TestEmailChangeEndsResetLinksOfTheOldAddress(t *testing.T) {
	app := newMailApp(t)
	app.createUser(store.RoleCustomer, "bo@example.test", authzPassword)
	c := app.client()
	c.get("/password/forgot")
	c.post("/password/forgot", url.Values{"email": {"bo@example.test"}}).expectStatus(t, http.StatusOK)
	reset := linkIn(t, app.mp.FindTo(t, "bo@example.test", 10*time.Second).Text)

	c.login("bo@example.test", authzPassword)
	c.get("/account")
	c.post("/account/profile", url.Values{"name": {"Bo Berg"}, "email": {"bo2@example.test"}, "current_password": {authzPassword}}).
		expectStatus(t, http.StatusSeeOther)
	u, _ := url.Parse(emailChangeLink.FindString(app.mp.FindTo(t, "bo2@example.test", 10*time.Second).Text))
	c.post("/account/email", url.Values{"token": {u.Query().Get("token")}}).expectStatus(t, http.StatusSeeOther)

	old := app.client()
	old.get(reset).expectStatus(t, http.StatusNotFound)
	token := strings.TrimPrefix(reset, "/password/reset?token=")
	old.post("/password/reset", url.Values{"token": {token}, "new_password": {"taken over 12345"}}).expectStatus(t, http.StatusNotFound)
	app.client().login("bo2@example.test", authzPassword)
}

// Past the hourly number of email changes the profile form says so beside
// the email, with what was typed kept, instead of saying a link was sent
// that never is; the answer is the same for a taken address.
func TestTooManyEmailChangesSaysSo(t *testing.T) {
	app := newMailApp(t)
	app.createUser(store.RoleCustomer, "cy@example.test", authzPassword)
	app.createUser(store.RoleCustomer, "taken@example.test", authzPassword)
	c := app.client()
	c.login("cy@example.test", authzPassword)
	change := func(to string) *testResponse {
		c.get("/account")
		return c.post("/account/profile", url.Values{"name": {"Cy Nu"}, "email": {to}, "current_password": {authzPassword}})
	}
	for i := 1; i <= emailChangesPerHour; i++ {
		change(fmt.Sprintf("cy%d@example.test", i)).expectStatus(t, http.StatusSeeOther)
	}
	for _, to := range []string{"cy9@example.test", "taken@example.test"} {
		res := change(to).expectStatus(t, http.StatusTooManyRequests)
		if msg := res.fieldError("email"); !strings.Contains(msg, "Too many email changes") {
			t.Errorf("%s: message beside the email %q", to, msg)
		}
		if got := res.inputValue("email"); got != to {
			t.Errorf("%s: the form shows %q", to, got)
		}
	}
}

// The hour's limit cannot tell whether an address has an account: one
// address asked for again and again meets it on the same request whether it
// is free or taken.
func TestEmailChangeLimitSaysNothingOfTheAddress(t *testing.T) {
	app := newMailApp(t)
	app.createUser(store.RoleCustomer, "owner@example.test", authzPassword)
	for _, to := range []string{"free@example.test", "owner@example.test"} {
		asker := fmt.Sprintf("asker-%s", strings.Split(to, "@")[0])
		app.createUser(store.RoleCustomer, asker+"@example.test", authzPassword)
		c := app.client()
		c.login(asker+"@example.test", authzPassword)
		var codes []int
		for i := 0; i <= emailChangesPerHour; i++ {
			c.get("/account")
			codes = append(codes, c.post("/account/profile", url.Values{"name": {"Asker"}, "email": {to}, "current_password": {authzPassword}}).StatusCode)
		}
		want := fmt.Sprint([]int{303, 303, 303, 429})
		if got := fmt.Sprint(codes); got != want {
			t.Errorf("%s asked %d times: %s, want %s", to, emailChangesPerHour+1, got, want)
		}
	}
}

// A link opened in a browser where someone else is logged in (a shared
// computer) changes the account it was sent for, and says so without
// telling the person logged in that their own email changed.
func TestEmailChangeLinkOpenedByAnotherAccount(t *testing.T) {
	app := newMailApp(t)
	app.createUser(store.RoleCustomer, "dee@example.test", authzPassword)
	app.createUser(store.RoleCustomer, "eli@example.test", authzPassword)
	dee := app.client()
	dee.login("dee@example.test", authzPassword)
	dee.get("/account")
	dee.post("/account/profile", url.Values{"name": {"Dee"}, "email": {"dee2@example.test"}, "current_password": {authzPassword}}).
		expectStatus(t, http.StatusSeeOther)
	u, _ := url.Parse(emailChangeLink.FindString(app.mp.FindTo(t, "dee2@example.test", 10*time.Second).Text))

	eli := app.client()
	eli.login("eli@example.test", authzPassword)
	eli.get(u.RequestURI()).expectStatus(t, http.StatusOK)
	res := eli.post("/account/email", url.Values{"token": {u.Query().Get("token")}}).expectStatus(t, http.StatusSeeOther)
	page := eli.get(res.location()).expectStatus(t, http.StatusOK)
	flash := page.text(`[data-testid="flash"]`)
	if strings.Contains(flash, "Your email") || !strings.Contains(flash, "dee2@example.test") {
		t.Errorf("Eli is told %q", flash)
	}
	if got := page.inputValue("email"); got != "" && got != "eli@example.test" {
		t.Errorf("Eli's page shows the email %q", got)
	}
	app.client().login("dee2@example.test", authzPassword)
}
