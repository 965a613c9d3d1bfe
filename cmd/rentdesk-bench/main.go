// Command rentdesk-bench is the load benchmark behind `make bench`; see
// package bench. `rentdesk-bench ceiling` is the reference server it
// measures Rentdesk against.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/rentdesk/rentdesk/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	if len(os.Args) > 1 && os.Args[1] == "ceiling" {
		err = bench.ServeCeiling(ctx, os.Args[2:])
	} else {
		err = bench.Main(ctx, os.Args[1:])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "rentdesk-bench:", err)
		os.Exit(1)
	}
}
