package store_test

import (
	"context"
	"testing"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// A booking's confirmation and staff notices are written with no send job
// yet (or never, when mail is kept unsent) and under keys no prefix count
// asks: the job index and the overdue-notice index take no entry for them,
// only for the rows they answer, and both questions are still answered.
func TestEmailIndexesTakeOnlyTheRowsTheyAnswer(t *testing.T) {
	st, _ := testenv.Store(t)
	ctx := context.Background()
	db := st.DB()
	if _, err := db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pageinspect`); err != nil {
		t.Fatal(err)
	}
	mail := func(kind, key string) store.NewEmail {
		return store.NewEmail{Kind: kind, ToAddress: "a@example.test", Subject: kind, TextBody: "x", HTMLBody: "x",
			DedupeKey: key, Status: store.EmailQueued}
	}
	ids, err := st.InsertEmails(ctx, []store.NewEmail{
		mail("booking_confirmed", "booking-confirmed:7"),
		mail("staff_new_booking", "staff-new-booking:7:1"),
		mail("staff_new_booking", "staff-new-booking:7:2"),
		mail("overdue_notice", "overdue:7:2026-12-01"),
		mail("overdue_notice", "overdue:70:2026-12-01"),
	}, "email-", "@example.test")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetEmailJobs(ctx, ids[:1], []int64{9001}); err != nil {
		t.Fatal(err)
	}
	// Entries of a one-page btree: the live items of its root leaf.
	entries := func(index string) int {
		t.Helper()
		var level, n int
		err := db.QueryRowContext(ctx, `
SELECT m.level, CASE WHEN m.root = 0 THEN 0 ELSE (SELECT live_items FROM bt_page_stats($1, m.root::bigint)) END
FROM bt_metap($1) m`, index).Scan(&level, &n)
		if err != nil {
			t.Fatal(err)
		}
		if level != 0 {
			t.Fatalf("%s has %d levels: the count reads one page", index, level+1)
		}
		return n
	}
	if n := entries("emails_job_idx"); n != 1 {
		t.Errorf("emails_job_idx holds %d entries for 5 emails of which 1 has a send job, want 1", n)
	}
	if n := entries("emails_dedupe_key_prefix_idx"); n != 2 {
		t.Errorf("emails_dedupe_key_prefix_idx holds %d entries for 5 emails of which 2 are overdue notices, want 2", n)
	}
	if n, err := st.CountOverdueNotices(ctx, 7); err != nil || n != 1 {
		t.Errorf("overdue notices of booking 7 = %d, %v; want 1", n, err)
	}
	e, err := st.GetEmailByJob(ctx, 9001)
	if err != nil || e.ID != ids[0] {
		t.Errorf("email of job 9001 = %d, %v; want %d", e.ID, err, ids[0])
	}
}
