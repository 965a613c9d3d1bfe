package testenv

import (
	"bytes"
	"fmt"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// StripeMock starts the stripe-mock binary named by STRIPE_MOCK_BIN on free
// loopback ports (HTTP and HTTPS, so nothing listens beyond 127.0.0.1) and
// returns its API URL; it is stopped when the test ends. stripe-mock keeps no
// state: tests write and sign the webhook events they deliver themselves.
func StripeMock(t testing.TB) string {
	t.Helper()
	bin := Require(t, "STRIPE_MOCK_BIN")
	httpPort, httpsPort := FreePort(t), FreePort(t)
	cmd := exec.Command(bin,
		"-http-addr", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"-https-addr", fmt.Sprintf("127.0.0.1:%d", httpsPort),
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("testenv: start stripe-mock: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for !portOpen(httpPort) {
		if time.Now().After(deadline) {
			t.Fatalf("testenv: stripe-mock did not start:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Sprintf("http://127.0.0.1:%d", httpPort)
}
