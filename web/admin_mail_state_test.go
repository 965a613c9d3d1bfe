package web

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/riverqueue/river"

	"github.com/rentdesk/rentdesk/internal/jobs"
	"github.com/rentdesk/rentdesk/internal/store"
)

// A finished job is history: discarding it must not mark its sent email
// failed, and retrying it must not send the email a second time.
func TestAdminJobActionsRefuseFinishedJobs(t *testing.T) {
	app := newTestApp(t)
	app.srv.Jobs = testJobs(t, app.st, nopSender{}, app.srv.Config.BaseURL)
	signup(app.client(), "Sam", "sam@example.test").expectStatus(t, http.StatusSeeOther)
	app.createUser(store.RoleAdmin, "admin@example.test", "admin password 1")
	admin := app.client()
	admin.login("admin@example.test", "admin password 1")
	res := admin.get("/admin/mail?status=queued&kind=send_email").expectStatus(t, http.StatusOK)
	id, _ := res.Doc.Find(`[data-testid="jobs-table"] tbody tr`).Attr("data-testid")
	id = strings.TrimPrefix(id, "job-")
	// The worker finished it: the job is completed, its email sent.
	if _, err := app.st.DB().Exec(`UPDATE river_job SET state = 'completed', finalized_at = now() WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := app.st.DB().Exec(`UPDATE emails SET status = $1, sent_at = now() WHERE job_id = $2`, store.EmailSent, id); err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"discard", "retry"} {
		res := admin.post("/admin/mail/jobs/"+id+"/"+action, nil)
		if res.StatusCode != http.StatusConflict {
			t.Errorf("%s of a completed job: %d, want 409", action, res.StatusCode)
		}
	}
	var state, status string
	_ = app.st.DB().QueryRow(`SELECT j.state::text, e.status FROM river_job j JOIN emails e ON e.job_id = j.id WHERE j.id = $1`, id).Scan(&state, &status)
	if state != "completed" || status != store.EmailSent {
		t.Errorf("after the refused actions: job %s, email %s; want completed, sent", state, status)
	}
}

// The mail page opens on what needs an admin most, and on what was sent
// when nothing does.
func TestMailOpensOnWhatNeedsAttention(t *testing.T) {
	for _, tc := range []struct {
		counts map[string]int
		want   string
	}{
		{map[string]int{"sent": 9, "queued": 2, "failed": 1}, "failed"},
		{map[string]int{"sent": 9, "queued": 2, "running": 1}, "queued"},
		{map[string]int{"sent": 9, "dead": 1, "failed": 1}, "dead"},
		{map[string]int{"sent": 9}, "sent"},
		{map[string]int{}, "sent"},
	} {
		if got := attentionTab(tc.counts); got != tc.want {
			t.Errorf("%v: opens on %q, want %q", tc.counts, got, tc.want)
		}
	}
	app := newTestApp(t)
	res := app.adminClient().get("/admin/mail").expectStatus(t, http.StatusOK)
	if cls, _ := res.Doc.Find(`[data-testid="tab-sent"]`).Attr("class"); !strings.Contains(cls, "btn-primary") {
		t.Errorf("with nothing to do the page opens elsewhere (sent tab class %q)", cls)
	}
}

// The jobs tabs read the queue through River's client: counts per tab, the
// kind filter, and keyset pages that together list every job once, newest
// first.
func TestAdminJobListPagesThroughRiver(t *testing.T) {
	app := newTestApp(t)
	app.srv.Jobs = testJobs(t, app.st, nopSender{}, app.srv.Config.BaseURL) // not started: jobs stay queued
	var params []river.InsertManyParams
	for range 60 {
		params = append(params, river.InsertManyParams{Args: jobs.CleanupArgs{}})
	}
	for range 3 {
		params = append(params, river.InsertManyParams{Args: jobs.OverdueScanArgs{}})
	}
	if _, err := app.srv.Jobs.Client().InsertMany(t.Context(), params); err != nil {
		t.Fatal(err)
	}
	admin := app.adminClient()
	ids := func(res *testResponse) []string {
		var out []string
		res.Doc.Find(`[data-testid="jobs-table"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
			id, _ := s.Attr("data-testid")
			out = append(out, id)
		})
		return out
	}
	first := admin.get("/admin/mail").expectStatus(t, http.StatusOK)
	if got := strings.TrimSpace(first.Doc.Find(`[data-testid="count-queued"]`).Text()); got != "63" {
		t.Errorf("queued count %q, want 63", got)
	}
	page1 := ids(first)
	next, ok := first.Doc.Find(`a[rel="next"]`).Attr("href")
	if len(page1) != mailPerPage || !ok {
		t.Fatalf("first page: %d jobs, next link %v", len(page1), ok)
	}
	page2 := ids(admin.get(next).expectStatus(t, http.StatusOK))
	seen := map[string]bool{}
	all := append(append([]string(nil), page1...), page2...)
	for i, id := range all {
		if seen[id] {
			t.Errorf("job %s listed twice", id)
		}
		seen[id] = true
		if i > 0 {
			a, _ := strconv.Atoi(strings.TrimPrefix(all[i-1], "job-"))
			b, _ := strconv.Atoi(strings.TrimPrefix(id, "job-"))
			if b >= a {
				t.Errorf("job %d listed after %d: not newest first", b, a)
			}
		}
	}
	if len(seen) != 63 {
		t.Errorf("two pages list %d jobs, want all 63", len(seen))
	}
	if got := ids(admin.get("/admin/mail?status=queued&kind=overdue_scan").expectStatus(t, http.StatusOK)); len(got) != 3 {
		t.Errorf("kind filter lists %d jobs, want 3", len(got))
	}
}
