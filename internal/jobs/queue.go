package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"

	"github.com/rentdesk/rentdesk/internal/store"
)

// The admin page reads the queue through River's client (JobList, JobGet and
// the driver's per-state count), never River's tables directly: their layout
// is River's to change between versions, the client's API is not.

// ListJobs pages through the queue, newest first: the jobs in f.States (of
// f.Kind when set) below the keyset cursor f.BeforeID, each with the email
// it sends when it is a mail job.
func (j *Jobs) ListJobs(ctx context.Context, f store.JobFilter) ([]store.Job, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	states := make([]rivertype.JobState, len(f.States))
	for i, s := range f.States {
		states[i] = rivertype.JobState(s)
	}
	p := river.NewJobListParams().States(states...).OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(f.Limit)
	if f.Kind != "" {
		p = p.Kinds(f.Kind)
	}
	if f.BeforeID > 0 {
		p = p.After(river.JobListCursorFromJob(&rivertype.JobRow{ID: f.BeforeID}))
	}
	res, err := j.client.JobList(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("jobs: list jobs: %w", store.Unavailable(err))
	}
	return j.withEmails(ctx, j.st, res.Jobs)
}

// CountJobsByState counts the queue's jobs per River state.
func (j *Jobs) CountJobsByState(ctx context.Context) (map[string]int, error) {
	byState, err := j.client.Driver().GetExecutor().JobCountByAllStates(ctx, &riverdriver.JobCountByAllStatesParams{})
	if err != nil {
		return nil, fmt.Errorf("jobs: count jobs: %w", store.Unavailable(err))
	}
	out := make(map[string]int, len(byState))
	for s, n := range byState {
		out[string(s)] = n
	}
	return out, nil
}

// GetJobTx loads one job and its email inside tx; an unknown id is
// store.ErrNotFound.
func (j *Jobs) GetJobTx(ctx context.Context, tx *store.Store, id int64) (store.Job, error) {
	row, err := j.client.JobGetTx(ctx, tx.Tx(), id)
	if errors.Is(err, rivertype.ErrNotFound) {
		return store.Job{}, fmt.Errorf("jobs: get job %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Job{}, fmt.Errorf("jobs: get job %d: %w", id, store.Unavailable(err))
	}
	js, err := j.withEmails(ctx, tx, []*rivertype.JobRow{row})
	if err != nil {
		return store.Job{}, err
	}
	return js[0], nil
}

// withEmails turns River's rows into the page's, joined with the emails they
// send (one query for the whole page).
func (j *Jobs) withEmails(ctx context.Context, st *store.Store, rows []*rivertype.JobRow) ([]store.Job, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	emails, err := st.EmailsOfJobs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]store.Job, len(rows))
	for i, r := range rows {
		out[i] = store.Job{ID: r.ID, Kind: r.Kind, State: string(r.State), Attempt: r.Attempt, MaxAttempts: r.MaxAttempts,
			CreatedAt: r.CreatedAt, ScheduledAt: r.ScheduledAt, FinalizedAt: r.FinalizedAt}
		if n := len(r.Errors); n > 0 {
			out[i].LastError = r.Errors[n-1].Error
		}
		if e, ok := emails[r.ID]; ok {
			out[i].EmailID, out[i].EmailTo, out[i].EmailSubj = &e.ID, &e.ToAddress, &e.Subject
		}
	}
	return out, nil
}
