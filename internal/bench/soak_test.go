package bench

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/jobs"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

func TestParseProcessSample(t *testing.T) {
	text := `# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 42
go_memstats_heap_inuse_bytes 1.2582912e+07
go_memstats_heap_inuse_bytes_total_not_this 9
process_resident_memory_bytes 3.3554432e+07
`
	s, err := parseProcessSample(text)
	if err != nil {
		t.Fatal(err)
	}
	if s.Goroutines != 42 || s.HeapInuse != 12582912 || s.RSS != 33554432 {
		t.Fatalf("sample %+v", s)
	}
	if _, err := parseProcessSample("process_resident_memory_bytes 1\n"); err == nil {
		t.Fatal("a scrape without the Go gauges must be refused, not read as 0")
	}
}

func TestGrowthBounds(t *testing.T) {
	start := ProcessSample{Goroutines: 100, HeapInuse: 40 << 20}
	if f := growthFailures(start, ProcessSample{Goroutines: 130, HeapInuse: (60 + 32) << 20}); len(f) != 0 {
		t.Fatalf("growth within the bounds failed: %v", f)
	}
	f := growthFailures(start, ProcessSample{Goroutines: 131, HeapInuse: (60+32)<<20 + 1})
	if len(f) != 2 {
		t.Fatalf("growth beyond both bounds: %v", f)
	}
	low := lowestOf([]ProcessSample{{Goroutines: 9, HeapInuse: 5}, {Goroutines: 7, HeapInuse: 8}})
	if low.Goroutines != 7 || low.HeapInuse != 5 {
		t.Fatalf("lowest of samples: %+v", low)
	}
}

func TestMixedRunsEveryKindAndNamesOutcomes(t *testing.T) {
	seen := map[string]int{}
	kinds := []soakStep{
		{"a", func(int, int) (string, error) { return "", nil }},
		{"b", func(int, int) (string, error) { return "booked", nil }},
		{"c", func(int, int) (string, error) { return "", errors.New("boom") }},
	}
	mix := mixed(kinds)
	errs := 0
	for w := 0; w < 2; w++ {
		for i := 0; i < 6; i++ {
			out, err := mix(w, i)
			if err != nil {
				errs++
				continue
			}
			seen[out]++
		}
	}
	if seen["a"] != 4 || seen["b: booked"] != 4 || errs != 4 {
		t.Fatalf("mix: %v, %d errors", seen, errs)
	}
}

// The invariant and job checks find what they look for on a real database:
// nothing on a consistent shop, then a serialized line with no unit and a
// job discarded without a reason once they are written.
func TestSoakChecksFindViolations(t *testing.T) {
	ctx := context.Background()
	st, _ := testenv.Store(t)
	db := st.DB()
	tiny := Size{Name: "tiny", Locations: 1, Categories: 2, Items: 10, Units: 20, Lines: 50, Customers: 10, AuditRows: 10}
	now := time.Now().UTC().Truncate(time.Hour)
	since := now.Add(-24 * 365 * 10 * time.Hour)
	if err := Generate(ctx, db, tiny, now, "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA"); err != nil {
		t.Fatal(err)
	}
	inv, err := checkInvariants(ctx, db, since)
	if err != nil {
		t.Fatal(err)
	}
	queue, err := checkJobs(ctx, db, since, 0)
	if err != nil {
		t.Fatal(err)
	}
	if f := invariantFailures(inv, queue); len(f) != 0 {
		t.Fatalf("a generated shop breaks: %v", f)
	}
	_, err = db.ExecContext(ctx, `
WITH b AS (SELECT id, location_id FROM bookings ORDER BY id LIMIT 1),
     i AS (SELECT i.id FROM items i JOIN units u ON u.item_id = i.id, b WHERE i.tracking = 'serialized' AND u.location_id = b.location_id LIMIT 1),
     c AS (UPDATE bookings SET status = 'confirmed' FROM b WHERE bookings.id = b.id RETURNING bookings.id)
INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at, unit_price, line_total)
SELECT c.id, i.id, 1, now() + interval '400 days', now() + interval '401 days', 100, 100 FROM c, i`)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(ctx, `
INSERT INTO river_job (kind, args, state, max_attempts, queue, priority, attempt, finalized_at)
VALUES ('bench_check', '{}', 'discarded', 1, 'default', 1, 1, now())`)
	if err != nil {
		t.Fatal(err)
	}
	// Running past its timeout is stuck: two minutes for an ordinary job,
	// the metrics rollup only past its own (longer) timeout.
	_, err = db.ExecContext(ctx, `
INSERT INTO river_job (kind, args, state, max_attempts, queue, priority, attempt, attempted_at)
VALUES ('bench_check', '{}', 'running', 1, 'default', 1, 1, now() - interval '2 minutes'),
       ($1, '{}', 'running', 1, 'default', 1, 1, now() - interval '2 minutes'),
       ($1, '{}', 'running', 1, 'default', 1, 1, now() - $2 * interval '1 second' - interval '2 minutes')`,
		jobs.MetricsRollupArgs{}.Kind(), jobs.MetricsRollupTimeout.Seconds())
	if err != nil {
		t.Fatal(err)
	}
	inv, err = checkInvariants(ctx, db, since)
	if err != nil {
		t.Fatal(err)
	}
	queue, err = checkJobs(ctx, db, since, 0)
	if err != nil {
		t.Fatal(err)
	}
	f := invariantFailures(inv, queue)
	want := []string{"lines short of units: 1", "jobs stuck: 2", "jobs discarded without a reason: 1"}
	if !slices.Equal(f, want) {
		t.Fatalf("failures %v, want %v", f, want)
	}
}
