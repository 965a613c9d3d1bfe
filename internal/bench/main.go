package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"
)

// Options of one benchmark run.
type Options struct {
	Size        string
	Duration    time.Duration
	Concurrency int
	Rounds      int
	Binary      string // the rentdesk binary under test
	OutDir      string
	Only        string // run only the scenarios whose name contains it (or one of its |-separated parts)
	ExplainOnly bool
	Soak        time.Duration // the soak run after the scenarios; 0 skips it
	Growth      bool          // on the large data set, serve the same shop with a short history beside it
	GrowthSmall bool          // and the small data set too (catalog and history both grow)
	PgxBinary   string        // rentdesk built with -tags benchpgx; empty skips the driver comparison
}

// Main runs the benchmark: prepare the data, check the plans, start the
// servers, drive every scenario, write the report.
func Main(ctx context.Context, args []string) error {
	var o Options
	fs := flag.NewFlagSet("rentdesk-bench", flag.ContinueOnError)
	fs.StringVar(&o.Size, "size", "small", "data set: small, large or large-short")
	fs.DurationVar(&o.Duration, "duration", 5*time.Second, "how long each scenario runs per round")
	fs.IntVar(&o.Concurrency, "c", 16, "concurrent clients per scenario")
	fs.IntVar(&o.Rounds, "rounds", 2, "interleaved rounds (each scenario and ceiling once per round)")
	fs.StringVar(&o.Binary, "bin", ".dev/bin/rentdesk", "the rentdesk binary to serve")
	fs.StringVar(&o.OutDir, "out", ".dev", "where the report goes")
	fs.StringVar(&o.Only, "only", "", "run only scenarios whose name contains this (a|b: either)")
	fs.DurationVar(&o.Soak, "soak", time.Minute, "how long the soak run (mixed load, then invariants, jobs, memory) lasts; 0 skips it")
	fs.BoolVar(&o.Growth, "growth", true, "with -size large, run every read scenario on large-short too (the same shop and present, a week of history): the growth ratio")
	fs.BoolVar(&o.GrowthSmall, "growth-small", true, "with -growth, run them on the small data set too (large ÷ small: catalog and history both grow)")
	fs.StringVar(&o.PgxBinary, "pgx-bin", "", "rentdesk built with -tags benchpgx (pgx instead of lib/pq), for the driver ratio; empty skips it")
	fs.BoolVar(&o.ExplainOnly, "explain-only", false, "prepare the data and check the plans, no load")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sz, ok := Sizes[o.Size]
	if !ok {
		return fmt.Errorf("unknown size %q (small, large or large-short)", o.Size)
	}
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		return errors.New("DATABASE_URL is not set")
	}
	dbURL, dataNow, err := Prepare(ctx, base, sz, time.Time{}, stdLogf)
	if err != nil {
		return err
	}
	if o.ExplainOnly {
		_, err := checkPlans(ctx, sz, dbURL, dataNow)
		return err
	}
	var sides []sideSet
	if short := ShortOf[sz.Name]; short != "" && o.Growth {
		names := []string{short}
		if o.GrowthSmall {
			names = append(names, "small")
		}
		for _, name := range names {
			// large-short is large's present: made for large's now.
			var twin time.Time
			if name == short {
				twin = dataNow
			}
			u, at, err := Prepare(ctx, base, Sizes[name], twin, stdLogf)
			if err != nil {
				return err
			}
			sides = append(sides, sideSet{size: name, url: u, now: at})
		}
	}
	return runLoad(ctx, o, sz, dbURL, dataNow, sides)
}

// checkPlans runs and logs the plan check, and fails on the large data set
// when a hot query scans a big table or is planned on every call.
func checkPlans(ctx context.Context, sz Size, dbURL string, dataNow time.Time) ([]Plan, error) {
	plans, err := CheckPlans(ctx, dbURL, dataNow)
	if err != nil {
		return nil, err
	}
	for _, p := range plans {
		stdLogf("plan %-28s %8.2f ms  %s", p.Name, p.Millis, p.Verdict())
	}
	// On the small data set a sequential scan is often the planner's right
	// choice; the large one is where it means a page that slows with history.
	if bad := badPlans(plans); len(bad) > 0 {
		if sz.Name == "large" {
			return nil, fmt.Errorf("sequential scans of big tables or plans made on every call in: %v (see the plans above)", bad)
		}
		stdLogf("sequential scans or plans made on every call in %v: expected on the small data set, checked on the large one", bad)
	}
	return plans, nil
}
