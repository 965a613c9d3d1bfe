package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/period"
)

// A visitor who has only chosen dates has no session: the choice lives in a
// signed cookie, so their pages read no session row. The pages still show
// the dates; a cookie changed by hand is no choice; logging in keeps the
// choice and logging out ends it, as when it lived in the session.
func TestChosenDatesNeedNoSession(t *testing.T) {
	app := newTestApp(t)
	fx := app.seedCatalog()
	app.createUser("customer", "ann@example.com", "correct horse battery")
	c := app.client()
	zone, _ := time.LoadLocation("Europe/Berlin")
	now := app.clock().In(zone)
	start := period.Date(now.Year(), now.Month(), now.Day()+2, 10, 0, 0, 0, zone)
	end := period.Date(now.Year(), now.Month(), now.Day()+5, 10, 0, 0, 0, zone)
	c.choose(fx.berlin.ID, period.FormatLocal(start, zone), period.FormatLocal(end, zone)).expectStatus(t, http.StatusSeeOther)

	if tok := c.cookie(SessionCookieName); tok != "" {
		t.Errorf("choosing dates started a session")
	}
	var rows int
	if err := app.st.DB().QueryRow(`SELECT count(*) FROM sessions`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 0 {
		t.Errorf("%d session rows after choosing dates, want 0", rows)
	}
	offer := fmt.Sprintf(`[data-testid="offer-%d"] [data-testid="offer-free"]`, fx.r6.ID)
	shows := func() bool {
		t.Helper()
		res := c.get("/catalog").expectStatus(t, http.StatusOK)
		return strings.TrimSpace(res.Doc.Find(offer).Text()) == "2 of 2 free" &&
			strings.Contains(res.Doc.Find(`[data-testid="offer-period"]`).Text(), period.FormatDisplay(start, zone))
	}
	if !shows() {
		t.Fatal("the catalog does not show the chosen dates")
	}
	if got := c.get("/items/canon-r6").inputValue("start"); got != period.FormatLocal(start, zone) {
		t.Errorf("item page starts at %q, want the chosen %q", got, period.FormatLocal(start, zone))
	}

	// Another signature, or changed dates under the old one, count for nothing.
	signed := c.cookie(choiceCookie)
	for _, at := range []int{len(signed) / 3, len(signed) / 2, len(signed) - 8} {
		swap := byte('A')
		if signed[at] == swap {
			swap = 'B'
		}
		c.setCookie(choiceCookie, signed[:at]+string(swap)+signed[at+1:])
		if shows() {
			t.Errorf("a cookie changed at byte %d of %d still counts as a choice", at, len(signed))
		}
	}
	c.setCookie(choiceCookie, signed)
	if !shows() {
		t.Fatal("the signed cookie no longer counts")
	}

	c.login("ann@example.com", "correct horse battery")
	if !shows() {
		t.Error("logging in lost the chosen dates")
	}
	c.post("/logout", nil).expectStatus(t, http.StatusSeeOther)
	if shows() {
		t.Error("logging out kept the chosen dates")
	}
}
