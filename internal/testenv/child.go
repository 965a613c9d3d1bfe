package testenv

import (
	"bytes"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// childStart is how long a peer the tests start (Mailpit, stripe-mock) may
// take to listen: stripe-mock loads and indexes the whole OpenAPI spec
// first, which takes seconds on a loaded machine where many test binaries
// start theirs at once.
const childStart = 60 * time.Second

// child is a peer process a test started, in its own process group, stopped
// when the test ends.
type child struct {
	name   string
	out    *LockedBuffer
	exited chan struct{}
}

// startChild starts cmd, gathering its output, and stops it (SIGTERM, then
// SIGKILL after 5 s) when the test ends.
func startChild(t testing.TB, name string, cmd *exec.Cmd) *child {
	t.Helper()
	c := &child{name: name, out: &LockedBuffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = c.out, c.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("testenv: start %s: %v", name, err)
	}
	go func() { _ = cmd.Wait(); close(c.exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-c.exited
		}
	})
	return c
}

// awaitReady polls ready until it holds; the test fails with the child's
// output if the child exits first or childStart passes.
func (c *child) awaitReady(t testing.TB, ready func() bool) {
	t.Helper()
	deadline := time.Now().Add(childStart)
	for !ready() {
		select {
		case <-c.exited:
			t.Fatalf("testenv: %s exited before it was ready:\n%s", c.name, c.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("testenv: %s was not ready within %s:\n%s", c.name, childStart, c.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// LockedBuffer collects a child process's output: exec's copying
// goroutine writes it while a failing test reads it.
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
