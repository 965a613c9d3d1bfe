package testenv

import (
	"fmt"
	"os/exec"
	"testing"
)

// StripeMock starts the stripe-mock binary named by STRIPE_MOCK_BIN on free
// loopback ports (HTTP and HTTPS, so nothing listens beyond 127.0.0.1) and
// returns its API URL; it is stopped when the test ends. stripe-mock keeps no
// state: tests write and sign the webhook events they deliver themselves.
func StripeMock(t testing.TB) string {
	t.Helper()
	bin := Require(t, "STRIPE_MOCK_BIN")
	ports := startOnFreePorts(t, "stripe-mock", 2, func(p []int) *exec.Cmd {
		return exec.Command(bin,
			"-http-addr", fmt.Sprintf("127.0.0.1:%d", p[0]),
			"-https-addr", fmt.Sprintf("127.0.0.1:%d", p[1]),
		)
	}, func(p []int) bool { return portOpen(p[0]) })
	httpPort := ports[0]
	return fmt.Sprintf("http://127.0.0.1:%d", httpPort)
}
