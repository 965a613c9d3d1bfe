package web

import (
	"database/sql"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// sessionWrite is the transaction id that last wrote the session row of
// token (xmin).
func (a *testApp) sessionWrite(token string) (xmin string) {
	a.t.Helper()
	err := a.st.DB().QueryRow(`SELECT xmin::text FROM sessions WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, token).Scan(&xmin)
	if err != nil {
		a.t.Fatalf("session row of the cookie's token: %v", err)
	}
	return xmin
}

// The sessions table keeps a hash of each token, never the token: a copy of
// the table logs nobody in.
func TestSessionTokenNotStoredInClear(t *testing.T) {
	app := newTestApp(t)
	app.createUser("customer", "ann@example.com", "correct horse battery")
	c := app.client()
	c.login("ann@example.com", "correct horse battery")
	token := c.cookie(SessionCookieName)
	if token == "" || app.sessionRows(token) != 1 {
		t.Fatalf("no stored session for the login cookie %q", token)
	}
	var cols []string
	rows, err := app.st.DB().Query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'sessions'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		cols = append(cols, s)
	}
	rows.Close()
	var n int
	// Any column, in any form, holding the token's text.
	err = app.st.DB().QueryRow(`SELECT count(*) FROM sessions s
		WHERE position(convert_to($1, 'UTF8') IN s.data) > 0
		   OR position(convert_to($1, 'UTF8') IN s.token_hash) > 0
		   OR s::text LIKE '%' || $1 || '%'`, token).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("the token is stored in clear (columns %v)", cols)
	}
	for _, col := range cols {
		if col == "token" {
			t.Fatalf("sessions still has a token column: %v", cols)
		}
	}
	if !c.loggedIn() {
		t.Fatal("the hashed session does not log the user in")
	}
}

// A visitor with a cart who only looks at pages does not write the sessions
// table: scs renews the idle timeout on every request, and the store skips
// that write until the expiry has moved by a minute. The cart stays.
func TestPageViewDoesNotWriteSession(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	cam := s.item("Camera", 2)
	lens := s.item("Lens", 1)
	c := s.client()
	c.choose(s.loc, s.local(2, 15), s.local(4, 10)).expectStatus(t, http.StatusSeeOther)
	c.add(cam, 1).expectStatus(t, http.StatusSeeOther)
	token := c.cookie(SessionCookieName)
	// The first view shows (and so removes) the "added" message: a change.
	c.get("/cart").expectStatus(t, http.StatusOK)
	before := s.sessionWrite(token)
	for _, path := range []string{"/", "/catalog", "/book", "/cart", "/catalog"} {
		c.get(path).expectStatus(t, http.StatusOK)
		if after := s.sessionWrite(token); after != before {
			t.Fatalf("GET %s wrote the session (xmin %s, then %s)", path, before, after)
		}
	}
	if !strings.Contains(c.get("/cart").Body, "Camera") {
		t.Fatal("the cart lost its item")
	}
	// A change is written at once.
	c.add(lens, 1).expectStatus(t, http.StatusSeeOther)
	if after := s.sessionWrite(token); after == before {
		t.Fatal("a cart change was not written")
	}
}

// Once the expiry has moved far enough, the unchanged session is written
// again, so the idle timeout keeps counting from the last request.
func TestSessionRenewedWhenExpiryMoves(t *testing.T) {
	s := newShop(t, "Europe/Berlin", func(d *Deps) {
		ss := d.Store.SessionStore()
		ss.RenewAfter = 0
		d.Sessions = NewSessions(d.Config, ss)
	})
	cam := s.item("Camera", 1)
	c := s.client()
	c.choose(s.loc, s.local(2, 15), s.local(4, 10)).expectStatus(t, http.StatusSeeOther)
	c.add(cam, 1).expectStatus(t, http.StatusSeeOther)
	token := c.cookie(SessionCookieName)
	before := s.sessionWrite(token)
	c.get("/catalog").expectStatus(t, http.StatusOK)
	if after := s.sessionWrite(token); after == before {
		t.Fatal("the session's expiry was not pushed on")
	}
}

// sessionUserColumn is the user id stored beside the session of token (0:
// NULL).
func (a *testApp) sessionUserColumn(token string) int64 {
	a.t.Helper()
	var id sql.NullInt64
	err := a.st.DB().QueryRow(`SELECT user_id FROM sessions WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, token).Scan(&id)
	if err != nil {
		a.t.Fatalf("session row of the cookie's token: %v", err)
	}
	return id.Int64
}

// The session row carries its user, so a request loads both in one
// statement; the session's data stays the truth: a row naming another
// account, or none, changes nobody's login, and a change to the account is
// seen on the next request as before.
func TestSessionRowCarriesItsUser(t *testing.T) {
	app := newTestApp(t)
	ann := app.createUser("customer", "ann@example.com", "correct horse battery")
	bob := app.createUser("staff", "bob@example.com", "correct horse battery")
	c := app.client()
	c.login("ann@example.com", "correct horse battery")
	token := c.cookie(SessionCookieName)
	if got := app.sessionUserColumn(token); got != ann.ID {
		t.Fatalf("session row's user %d, want %d", got, ann.ID)
	}
	setRowUser := func(id any) {
		t.Helper()
		if _, err := app.st.DB().Exec(`UPDATE sessions SET user_id = $2 WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, token, id); err != nil {
			t.Fatal(err)
		}
	}
	// A row naming another account: still Ann, never Bob's staff pages.
	setRowUser(bob.ID)
	if res := c.get("/account"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "ann@example.com") || strings.Contains(res.Body, "bob@example.com") {
		t.Fatalf("with the row naming Bob: status %d\n%.2000s", res.StatusCode, res.Body)
	}
	if res := c.get("/desk"); res.StatusCode == http.StatusOK {
		t.Fatal("Ann's session reached the desk with the row naming Bob")
	}
	// No user in the row (as written before the column existed): still Ann.
	setRowUser(nil)
	if res := c.get("/account"); res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "ann@example.com") {
		t.Fatalf("with no user in the row: status %d", res.StatusCode)
	}
	setRowUser(ann.ID)
	// Disabling the account ends the session on the next request.
	if _, err := app.st.DB().Exec(`UPDATE users SET disabled_at = now() WHERE id = $1`, ann.ID); err != nil {
		t.Fatal(err)
	}
	if c.loggedIn() {
		t.Fatal("a disabled account is still logged in")
	}
	// Logging out (a new login of Bob in the same browser) rewrites the row.
	c.login("bob@example.com", "correct horse battery")
	if got := app.sessionUserColumn(c.cookie(SessionCookieName)); got != bob.ID {
		t.Fatalf("after Bob's login the row names %d, want %d", got, bob.ID)
	}
}

// The checkout form's token is made with the cart, in the save that stores
// the cart, so opening the checkout page writes nothing; it stays the same
// until a booking is made, and the next cart gets a new one.
func TestCheckoutPageDoesNotWriteSession(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	cam := s.item("Camera", 3)
	c, _ := s.customer("token@example.com")
	c.choose(s.loc, s.local(2, 15), s.local(4, 10)).expectStatus(t, http.StatusSeeOther)
	c.add(cam, 1).expectStatus(t, http.StatusSeeOther)
	token := c.cookie(SessionCookieName)
	before := s.sessionWrite(token)
	first := c.checkoutToken()
	if after := s.sessionWrite(token); after != before {
		t.Fatalf("GET /checkout wrote the session (xmin %s, then %s)", before, after)
	}
	if again := c.checkoutToken(); again != first {
		t.Fatalf("the checkout page's token changed from %q to %q", first, again)
	}
	// A change of the cart keeps the form's token.
	c.add(cam, 1).expectStatus(t, http.StatusSeeOther)
	if again := c.checkoutToken(); again != first {
		t.Fatalf("a cart change turned the token %q into %q", first, again)
	}
	booked := c.post("/checkout", url.Values{"token": {first}}).expectStatus(t, http.StatusSeeOther).Header.Get("Location")
	if !strings.HasPrefix(booked, "/bookings/") {
		t.Fatalf("the checkout went to %q", booked)
	}
	c.add(cam, 1).expectStatus(t, http.StatusSeeOther)
	next := c.checkoutToken()
	if next == first {
		t.Fatal("the next cart kept the booked cart's token")
	}
	if loc := c.post("/checkout", url.Values{"token": {next}}).expectStatus(t, http.StatusSeeOther).Header.Get("Location"); loc == booked {
		t.Fatalf("the second checkout answered with the first booking %q", loc)
	}
	if n := s.id(`SELECT count(*) FROM bookings`); n != 2 {
		t.Fatalf("%d bookings, want 2", n)
	}
}
