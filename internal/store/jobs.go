package store

import (
	"context"
	"fmt"
	"time"
)

// JobGroups names how the admin page groups job states: River's own states
// folded into what an admin needs to know.
var JobGroups = map[string][]string{
	"queued":   {"available", "scheduled", "pending"},
	"running":  {"running"},
	"retrying": {"retryable"},
	"dead":     {"discarded", "cancelled"},
}

// Job is one row of the job queue as the admin page shows it, with the email
// it sends when it is a mail job (the jobs package reads the queue through
// River's client).
type Job struct {
	ID          int64      `db:"id"`
	Kind        string     `db:"kind"`
	State       string     `db:"state"`
	Attempt     int        `db:"attempt"`
	MaxAttempts int        `db:"max_attempts"`
	CreatedAt   time.Time  `db:"created_at"`
	ScheduledAt time.Time  `db:"scheduled_at"`
	FinalizedAt *time.Time `db:"finalized_at"`
	LastError   string     `db:"last_error"`
	EmailID     *int64     `db:"email_id"`
	EmailTo     *string    `db:"email_to"`
	EmailSubj   *string    `db:"email_subject"`
}

// JobFilter narrows the job list; BeforeID is the keyset cursor (newest first).
type JobFilter struct {
	States   []string
	Kind     string
	BeforeID int64
	Limit    int
}

const claimDeadJobNoticesSQL = `
WITH dead AS (
    SELECT j.id FROM river_job j
    WHERE j.state = 'discarded' AND j.finalized_at > $1
      AND NOT (j.kind = 'send_email' AND EXISTS (
          SELECT 1 FROM emails e WHERE e.job_id = j.id AND e.kind = $2))
), claimed AS (
    INSERT INTO dead_job_notices (job_id) SELECT id FROM dead
    ON CONFLICT (job_id) DO NOTHING
    RETURNING job_id
)
SELECT j.id, j.kind, j.state::text AS state, j.attempt, j.max_attempts, j.created_at, j.scheduled_at,
       j.finalized_at, coalesce(j.errors[array_length(j.errors, 1)] ->> 'error', '') AS last_error,
       e.id AS email_id, e.to_address AS email_to, e.subject AS email_subject
FROM claimed c JOIN river_job j ON j.id = c.job_id LEFT JOIN emails e ON e.job_id = j.id
ORDER BY j.id`

// ClaimDeadJobNotices returns the jobs that died since a time and that no
// admin was told about yet, and marks them told, in one statement. Mail about
// dead jobs (kind skipKind) is left out, so a broken mail server cannot make
// the notices feed themselves.
func (s *Store) ClaimDeadJobNotices(ctx context.Context, since time.Time, skipKind string) ([]Job, error) {
	var js []Job
	if err := s.q.SelectContext(ctx, &js, claimDeadJobNoticesSQL, since, skipKind); err != nil {
		return nil, fmt.Errorf("store: claim dead job notices: %w", classify(err))
	}
	return js, nil
}
