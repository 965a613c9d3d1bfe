package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"github.com/lib/pq"
	"time"
)

// Email statuses. Queued mail has a job that sends it; not_sent mail was
// written while no mail server was configured and waits for an admin.
const (
	EmailQueued  = "queued"
	EmailSent    = "sent"
	EmailFailed  = "failed"
	EmailNotSent = "not_sent"
)

// Attachment is a file sent with an email (such as a calendar invitation).
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// Email is one message the app wrote, with its delivery state.
type Email struct {
	ID          int64       `db:"id"`
	Kind        string      `db:"kind"`
	UserID      *int64      `db:"user_id"`
	ToAddress   string      `db:"to_address"`
	ToName      string      `db:"to_name"`
	Subject     string      `db:"subject"`
	TextBody    string      `db:"text_body"`
	HTMLBody    string      `db:"html_body"`
	Attachments Attachments `db:"attachments"`
	// Facts: what the email is rendered from as it is sent, in place of
	// its text, HTML and attachments (mail.EncodeFacts); nil when stored
	// rendered.
	Facts     []byte     `db:"facts"`
	DedupeKey *string    `db:"dedupe_key"`
	MessageID string     `db:"message_id"`
	Status    string     `db:"status"`
	Attempts  int        `db:"attempts"`
	LastError string     `db:"last_error"`
	JobID     *int64     `db:"job_id"`
	CreatedAt time.Time  `db:"created_at"`
	SentAt    *time.Time `db:"sent_at"`
}

// Attachments is stored as a JSON array.
type Attachments []Attachment

// Scan reads the JSON column.
func (a *Attachments) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	case nil:
		*a = nil
		return nil
	default:
		return fmt.Errorf("store: attachments: unexpected %T", src)
	}
	return json.Unmarshal(b, a)
}

const emailColumns = `id, kind, user_id, to_address, to_name, subject, text_body, html_body, attachments,
	facts, dedupe_key, message_id, status, attempts, last_error, job_id, created_at, sent_at`

// NewEmail is what InsertEmail needs. An empty DedupeKey means the email is
// never a duplicate (a password reset link, for instance).
type NewEmail struct {
	Kind        string
	UserID      int64 // 0 when the recipient has no account (a shop address)
	ToAddress   string
	ToName      string
	Subject     string
	TextBody    string
	HTMLBody    string
	Attachments []Attachment
	// Facts stands for TextBody, HTMLBody and Attachments (left empty):
	// see Email.Facts.
	Facts     []byte
	DedupeKey string
	Status    string
}

func nonNil(a []Attachment) []Attachment {
	if a == nil {
		return []Attachment{}
	}
	return a
}

// insertEmailsSQL writes a batch of emails in one statement. Each row's id
// is drawn in the batch's order before the insert, so its Message-ID
// ($11 || id || $12) is written with it and every row of the batch is
// answered, in order, with its id or NULL when its dedupe key exists
// (concurrent transactions wait on the unique index, so exactly one of them
// writes an email of a key).
const insertEmailsSQL = `
WITH v AS MATERIALIZED (
  SELECT nextval('emails_id_seq') AS id, v.*
  FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
              $9::text[], $10::text[], $13::text[]) WITH ORDINALITY
       AS v(kind, user_id, to_address, to_name, subject, text_body, html_body, attachments, dedupe_key, status, facts, n)
), ins AS (
  INSERT INTO emails (id, kind, user_id, to_address, to_name, subject, text_body, html_body, attachments,
                      facts, dedupe_key, status, message_id)
  SELECT id, kind, NULLIF(user_id, 0), to_address, to_name, subject, text_body, html_body, attachments::jsonb,
         facts::jsonb, NULLIF(dedupe_key, ''), status, $11::text || id || $12::text
  FROM v ORDER BY n
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING id
)
SELECT COALESCE(ins.id, 0) FROM v LEFT JOIN ins ON ins.id = v.id ORDER BY v.n`

// InsertEmails records a batch of emails in one round trip, each with the
// Message-ID idPrefix + id + idSuffix, and returns their ids in order: 0 for
// an email whose dedupe key exists (of two with one key in
// the batch, the first is written).
func (s *Store) InsertEmails(ctx context.Context, es []NewEmail, idPrefix, idSuffix string) ([]int64, error) {
	if len(es) == 0 {
		return nil, nil
	}
	n := len(es)
	kind, addr, name, subj := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	text, html, att, key, status := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	user := make([]int64, n)
	facts := make([]sql.NullString, n)
	for i, e := range es {
		a, err := json.Marshal(nonNil(e.Attachments))
		if err != nil {
			return nil, fmt.Errorf("store: email attachments: %w", err)
		}
		kind[i], user[i], addr[i], name[i], subj[i] = e.Kind, e.UserID, e.ToAddress, e.ToName, e.Subject
		text[i], html[i], att[i], key[i], status[i] = e.TextBody, e.HTMLBody, string(a), e.DedupeKey, e.Status
		facts[i] = sql.NullString{String: string(e.Facts), Valid: e.Facts != nil}
	}
	ids := make([]int64, 0, n)
	err := s.prepared().SelectContext(ctx, &ids, insertEmailsSQL, pq.Array(kind), pq.Array(user), pq.Array(addr),
		pq.Array(name), pq.Array(subj), pq.Array(text), pq.Array(html), pq.Array(att), pq.Array(key),
		pq.Array(status), idPrefix, idSuffix, pq.Array(facts))
	if err != nil {
		return nil, fmt.Errorf("store: insert emails: %w", classify(err))
	}
	if len(ids) != n {
		return nil, fmt.Errorf("store: insert emails: %d ids for %d emails", len(ids), n)
	}
	return ids, nil
}

const setEmailJobsSQL = `
UPDATE emails e SET job_id = v.job_id, updated_at = now()
FROM unnest($1::bigint[], $2::bigint[]) AS v(id, job_id)
WHERE e.id = v.id`

// SetEmailJobs links emails to the jobs that send them (ids[i] to jobIDs[i]).
func (s *Store) SetEmailJobs(ctx context.Context, ids, jobIDs []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := s.prepared().ExecContext(ctx, setEmailJobsSQL, pq.Array(ids), pq.Array(jobIDs)); err != nil {
		return fmt.Errorf("store: set email jobs: %w", classify(err))
	}
	return nil
}

const setEmailJobSQL = `UPDATE emails SET job_id = NULLIF($2, 0), message_id = $3, updated_at = now() WHERE id = $1`

// SetEmailJob links an email to the job that sends it (0: none) and fixes its
// Message-ID.
func (s *Store) SetEmailJob(ctx context.Context, id, jobID int64, messageID string) error {
	if _, err := s.prepared().ExecContext(ctx, setEmailJobSQL, id, jobID, messageID); err != nil {
		return fmt.Errorf("store: set email job %d: %w", id, classify(err))
	}
	return nil
}

const getEmailSQL = `SELECT ` + emailColumns + ` FROM emails WHERE id = $1`

// GetEmail loads one email.
func (s *Store) GetEmail(ctx context.Context, id int64) (Email, error) {
	var e Email
	if err := s.q.GetContext(ctx, &e, getEmailSQL, id); err != nil {
		return Email{}, fmt.Errorf("store: get email %d: %w", id, classify(err))
	}
	return e, nil
}

const markEmailSentSQL = `
UPDATE emails SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = '', updated_at = now()
WHERE id = $1`

// MarkEmailSent records a delivery.
func (s *Store) MarkEmailSent(ctx context.Context, id int64) error {
	if _, err := s.q.ExecContext(ctx, markEmailSentSQL, id); err != nil {
		return fmt.Errorf("store: mark email %d sent: %w", id, classify(err))
	}
	return nil
}

const markEmailAttemptSQL = `
UPDATE emails SET attempts = attempts + 1, last_error = left($2, 2000),
       status = CASE WHEN $3 THEN 'failed' ELSE status END, updated_at = now()
WHERE id = $1`

// MarkEmailAttemptFailed records a failed try; final means no more tries follow.
func (s *Store) MarkEmailAttemptFailed(ctx context.Context, id int64, msg string, final bool) error {
	if _, err := s.q.ExecContext(ctx, markEmailAttemptSQL, id, msg, final); err != nil {
		return fmt.Errorf("store: mark email %d failed: %w", id, classify(err))
	}
	return nil
}

const setEmailStatusSQL = `
UPDATE emails SET status = $2, last_error = CASE WHEN $3 = '' THEN last_error ELSE $3 END, updated_at = now()
WHERE id = $1`

// SetEmailStatus changes an email's status (an admin retrying or discarding
// it); a non-empty note replaces the last error shown.
func (s *Store) SetEmailStatus(ctx context.Context, id int64, status, note string) error {
	if _, err := s.q.ExecContext(ctx, setEmailStatusSQL, id, status, note); err != nil {
		return fmt.Errorf("store: set email %d status: %w", id, classify(err))
	}
	return nil
}

const getEmailByJobSQL = `SELECT ` + emailColumns + ` FROM emails WHERE job_id = $1`

// GetEmailByJob finds the email a job sends.
func (s *Store) GetEmailByJob(ctx context.Context, jobID int64) (Email, error) {
	var e Email
	if err := s.q.GetContext(ctx, &e, getEmailByJobSQL, jobID); err != nil {
		return Email{}, fmt.Errorf("store: get email of job %d: %w", jobID, classify(err))
	}
	return e, nil
}

const emailsOfJobsSQL = `SELECT ` + emailColumns + ` FROM emails WHERE job_id = ANY($1)`

// EmailsOfJobs finds the emails some jobs send, by job id.
func (s *Store) EmailsOfJobs(ctx context.Context, jobIDs []int64) (map[int64]Email, error) {
	out := make(map[int64]Email, len(jobIDs))
	if len(jobIDs) == 0 {
		return out, nil
	}
	var es []Email
	if err := s.q.SelectContext(ctx, &es, emailsOfJobsSQL, pq.Array(jobIDs)); err != nil {
		return nil, fmt.Errorf("store: emails of jobs: %w", classify(err))
	}
	for _, e := range es {
		out[*e.JobID] = e
	}
	return out, nil
}

// EmailFilter narrows ListEmails; BeforeID is the keyset cursor (newest first).
type EmailFilter struct {
	Status   string
	Since    time.Time // zero = any time
	Kind     string
	BeforeID int64
	Limit    int
}

const listEmailsSQL = `
SELECT ` + emailColumns + ` FROM emails
WHERE ($1 = '' OR status = $1)
  AND ($2::timestamptz IS NULL OR coalesce(sent_at, created_at) >= $2)
  AND ($3 = '' OR kind = $3)
  AND ($4 = 0 OR id < $4)
ORDER BY id DESC
LIMIT $5`

// ListEmails pages through the mail history, newest first.
func (s *Store) ListEmails(ctx context.Context, f EmailFilter) ([]Email, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var since any
	if !f.Since.IsZero() {
		since = f.Since
	}
	var es []Email
	if err := s.q.SelectContext(ctx, &es, listEmailsSQL, f.Status, since, f.Kind, f.BeforeID, f.Limit); err != nil {
		return nil, fmt.Errorf("store: list emails: %w", classify(err))
	}
	return es, nil
}

// EmailCounts are the figures at the top of the mail queue page.
type EmailCounts struct {
	SentLastDay int `db:"sent_last_day"`
	NotSent     int `db:"not_sent"`
	Failed      int `db:"failed"`
}

const countEmailsSQL = `
SELECT count(*) FILTER (WHERE status = 'sent' AND sent_at >= $1) AS sent_last_day,
       count(*) FILTER (WHERE status = 'not_sent') AS not_sent,
       count(*) FILTER (WHERE status = 'failed') AS failed
FROM emails`

// CountEmails counts mail sent since a time, mail kept unsent and failed mail.
func (s *Store) CountEmails(ctx context.Context, since time.Time) (EmailCounts, error) {
	var c EmailCounts
	if err := s.q.GetContext(ctx, &c, countEmailsSQL, since); err != nil {
		return EmailCounts{}, fmt.Errorf("store: count emails: %w", classify(err))
	}
	return c, nil
}

// countOverdueNoticesSQL counts a booking's overdue notices, keyed
// "overdue:<booking>:<date>". The second LIKE is the predicate of the partial
// emails_dedupe_key_prefix_idx (00345) written out, so the planner may read
// it; the first, planned with the booking known, bounds the index's range.
const countOverdueNoticesSQL = `SELECT count(*) FROM emails
WHERE dedupe_key LIKE $1 || '%' AND dedupe_key LIKE 'overdue:%'`

// CountOverdueNotices counts the overdue notices written for a booking. It
// runs unprepared: planned with the booking's id known, it reads that
// booking's range of emails_dedupe_key_prefix_idx, not every email.
func (s *Store) CountOverdueNotices(ctx context.Context, bookingID int64) (int, error) {
	var n int
	if err := s.q.GetContext(ctx, &n, countOverdueNoticesSQL, fmt.Sprintf("overdue:%d:", bookingID)); err != nil {
		return 0, fmt.Errorf("store: count overdue notices of booking %d: %w", bookingID, classify(err))
	}
	return n, nil
}
