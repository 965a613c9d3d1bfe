//go:build benchpprof

package main

import (
	"log"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux
	"os"
)

// A build with the benchpprof tag serves Go's profiler on a loopback
// address of its own (RENTDESK_PPROF_ADDR), so a profile can be taken of
// the server under the load benchmark. The shipped binary is built without
// the tag and the app's routes never carry the profiler.
func init() {
	addr := os.Getenv("RENTDESK_PPROF_ADDR")
	if addr == "" {
		return
	}
	go func() { log.Println(http.ListenAndServe(addr, nil)) }()
}
