package testenv

import (
	"sync"
	"testing"
	"time"
)

// Together runs fn(0) … fn(n-1) in n goroutines released at once from a
// barrier, as concurrency tests must, and fails the test when they have not
// all finished within timeout.
func Together(t testing.TB, n int, timeout time.Duration, fn func(i int)) {
	t.Helper()
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			fn(i)
		}()
	}
	ready.Wait()
	close(start)
	finished := make(chan struct{})
	go func() { done.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(timeout):
		t.Fatalf("%d goroutines did not finish within %s", n, timeout)
	}
}
