package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strings"
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
	if err := c.waitReady(ready); err != nil {
		t.Fatalf("testenv: %s %v:\n%s", c.name, err, c.out.String())
	}
}

// errExited is a child that exited before it was ready.
var errExited = errors.New("exited before it was ready")

// waitReady polls ready until it holds, the child exits (errExited) or
// childStart passes.
func (c *child) waitReady(ready func() bool) error {
	deadline := time.Now().Add(childStart)
	for !ready() {
		select {
		case <-c.exited:
			return errExited
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("was not ready within %s", childStart)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil
}

// startOnFreePorts starts a peer listening on n loopback ports picked free
// a moment before (cmd builds its command for them) and waits until ready
// holds for them. A port is only free until someone takes it: when another
// process bound one first and the child exits saying so, it starts again
// on other ports, a few times, instead of failing the test.
func startOnFreePorts(t testing.TB, name string, n int, cmd func(ports []int) *exec.Cmd, ready func(ports []int) bool) []int {
	t.Helper()
	const attempts = 5
	for i := 1; ; i++ {
		ports := make([]int, n)
		for j := range ports {
			ports[j] = FreePort(t)
		}
		c := startChild(t, name, cmd(ports))
		err := c.waitReady(func() bool { return ready(ports) })
		if err == nil {
			return ports
		}
		if i < attempts && errors.Is(err, errExited) && strings.Contains(c.out.String(), "address already in use") {
			continue
		}
		t.Fatalf("testenv: %s %v:\n%s", name, err, c.out.String())
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
