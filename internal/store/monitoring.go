package store

import (
	"context"
	"fmt"
	"time"
)

// QueueStats is the job queue as monitoring sees it: River's states folded
// like JobGroups, and how long the oldest runnable job has waited.
type QueueStats struct {
	Queued   int64 `db:"queued"`
	Running  int64 `db:"running"`
	Retrying int64 `db:"retrying"`
	Dead     int64 `db:"dead"`
	// OldestQueued is when the longest-waiting runnable job became due; nil
	// when none waits. Scheduled jobs in the future do not count as waiting.
	OldestQueued *time.Time `db:"oldest_queued"`
}

const queueStatsSQL = `
SELECT count(*) FILTER (WHERE state IN ('available', 'scheduled', 'pending')) AS queued,
       count(*) FILTER (WHERE state = 'running') AS running,
       count(*) FILTER (WHERE state = 'retryable') AS retrying,
       count(*) FILTER (WHERE state IN ('discarded', 'cancelled')) AS dead,
       min(scheduled_at) FILTER (WHERE state = 'available') AS oldest_queued
FROM river_job
WHERE state <> 'completed'`

// GetQueueStats counts the job queue by state.
func (s *Store) GetQueueStats(ctx context.Context) (QueueStats, error) {
	var q QueueStats
	if err := s.q.GetContext(ctx, &q, queueStatsSQL); err != nil {
		return q, fmt.Errorf("store: queue stats: %w", classify(err))
	}
	return q, nil
}

// GetDatabaseSize is the size of the current database on disk, in bytes.
func (s *Store) GetDatabaseSize(ctx context.Context) (int64, error) {
	var n int64
	if err := s.q.GetContext(ctx, &n, `SELECT pg_database_size(current_database())`); err != nil {
		return 0, fmt.Errorf("store: database size: %w", classify(err))
	}
	return n, nil
}
