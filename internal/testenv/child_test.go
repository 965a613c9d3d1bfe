package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// A peer whose port another process took between FreePort and its start
// exits saying so; it is started again on other ports instead of failing the
// test. The child here is a shell that does exactly that on its first start.
func TestStartOnFreePortsTriesOtherPortsWhenOneWasTaken(t *testing.T) {
	dir := t.TempDir()
	tried, ready := filepath.Join(dir, "tried"), filepath.Join(dir, "ready")
	var started [][]int
	ports := startOnFreePorts(t, "peer", 2, func(p []int) *exec.Cmd {
		started = append(started, p)
		return exec.Command("sh", "-c", `if [ ! -e "$1" ]; then : > "$1"; echo "listen tcp 127.0.0.1:1: bind: address already in use"; exit 1; fi
: > "$2"; exec sleep 60`, "sh", tried, ready)
	}, func([]int) bool {
		_, err := os.Stat(ready)
		return err == nil
	})
	if len(started) != 2 {
		t.Fatalf("started %d times, want 2 (once refused, once ready)", len(started))
	}
	if len(ports) != 2 || ports[0] != started[1][0] || ports[1] != started[1][1] {
		t.Errorf("ports %v, want the second start's %v", ports, started[1])
	}
}
