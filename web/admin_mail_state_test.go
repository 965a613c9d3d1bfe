package web

import (
	"net/http"
	"strings"
	"testing"

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
