// Package benchenv is what the benchmarks share: a shop as large as a busy
// rental business (the demo shop plus a generated catalog) in a fresh
// database, and a parallel runner that reports throughput and latency
// percentiles. It is a package of its own because the demo package's tests
// use testenv.
package benchenv

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/demo"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/internal/testenv"
)

// Size of the generated catalog, on top of the demo shop.
const (
	Items        = 2000
	UnitsPerItem = 5 // 10,000 units
)

// PoolSize is the connection pool of the benchmarked store: the production default.
const PoolSize = 20

// Shop returns a store on a new database holding the demo shop (its logins
// hashed with the production argon2id parameters) and the generated catalog:
// Items items named "Bench item NNNN" over the demo categories, each with
// UnitsPerItem units spread over the demo locations. The database is dropped
// when b ends; call it from a top-level benchmark and run the measurements as
// sub-benchmarks.
func Shop(b testing.TB) (*store.Store, string) {
	b.Helper()
	url := testenv.DatabaseURL(b)
	st, err := store.Open(context.Background(), url, store.Options{MaxOpenConns: PoolSize, MaxIdleConns: PoolSize, AcquireTimeout: 2 * time.Second})
	if err != nil {
		b.Fatalf("benchenv: open store: %v", err)
	}
	b.Cleanup(func() { st.Close() })
	ctx := context.Background()
	if _, err := demo.Load(ctx, st, auth.NewHasher(auth.DefaultParams)); err != nil {
		b.Fatalf("benchenv: demo data: %v", err)
	}
	if err := generate(ctx, st); err != nil {
		b.Fatalf("benchenv: generated catalog: %v", err)
	}
	// A live database has statistics (autovacuum keeps them); freshly bulk
	// loaded tables would otherwise be planned as if nearly empty.
	if _, err := st.DB().ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatalf("benchenv: analyze: %v", err)
	}
	return st, url
}

// generate adds the generated catalog in one transaction.
func generate(ctx context.Context, st *store.Store) error {
	cats, err := st.ListPublicCategories(ctx)
	if err != nil {
		return err
	}
	locs, err := st.ListLocations(ctx)
	if err != nil {
		return err
	}
	if len(cats) == 0 || len(locs) == 0 {
		return fmt.Errorf("the demo shop has no categories or locations")
	}
	return st.WithTx(ctx, func(tx *store.Store) error {
		for i := range Items {
			catID := cats[i%len(cats)].ID
			it, err := tx.CreateItem(ctx, catalog.Item{CategoryID: &catID, Name: fmt.Sprintf("Bench item %04d", i),
				Slug: fmt.Sprintf("bench-item-%04d", i), Description: "A generated item for the benchmarks: camera, bike or tool.",
				Tracking: catalog.Serialized, RateDay: ptr(int64(1000 + i)), RateWeek: ptr(int64(5000 + i)), MinDurationMinutes: 60,
				Deposit: 10000, TaxCategory: "standard", OnlineBookable: true, Featured: i%100 == 0})
			if err != nil {
				return err
			}
			loc := locs[i%len(locs)].ID
			tags := catalog.SeriesTags(fmt.Sprintf("BI%04d-", i), 1, UnitsPerItem, 2)
			if _, err := tx.CreateUnits(ctx, it.ID, loc, tags, ""); err != nil {
				return err
			}
		}
		return nil
	})
}

func ptr[T any](v T) *T { return &v }

// Parallel runs op b.N times from GOMAXPROCS×parallelism goroutines
// (b.SetParallelism) and reports, besides ns/op, the throughput (req/s) and
// the latency percentiles of single calls (p50-ms, p95-ms, p99-ms). An error
// fails the benchmark.
func Parallel(b *testing.B, op func() error) {
	b.Helper()
	var mu sync.Mutex
	var all []time.Duration
	var firstErr error
	cpu0 := processCPU()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			start := time.Now()
			err := op()
			mine = append(mine, time.Since(start))
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}
		mu.Lock()
		all = append(all, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	cpu := processCPU() - cpu0
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-us/op")
}

// processCPU is the user and system CPU time this process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
