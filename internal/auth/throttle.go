package auth

import "time"

// Login throttling limits. Failures are counted over a sliding window per
// account and per client address; beyond either limit logins are refused with
// a 429 until the window passes.
const (
	ThrottleWindow   = 15 * time.Minute
	MaxFailsPerEmail = 5
	MaxFailsPerIP    = 20
)

// Throttled reports whether another attempt must be refused.
func Throttled(failsForEmail, failsForIP int) bool {
	return failsForEmail >= MaxFailsPerEmail || failsForIP >= MaxFailsPerIP
}
