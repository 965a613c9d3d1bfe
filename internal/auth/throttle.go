package auth

import "time"

// Login throttling limits. Failures are counted over a sliding window per
// client address, per account from one address, and per account from every
// address; beyond a limit logins are refused with a 429 until the window
// passes.
const (
	ThrottleWindow = 15 * time.Minute
	// MaxFailsPerEmail bounds the guesses at one account: from one address,
	// and from all addresses together unless the address is one the account
	// logged in from before (a stranger cannot lock the owner out).
	MaxFailsPerEmail = 5
	MaxFailsPerIP    = 20
	// KnownAddressAge is how long an address an account logged in from
	// counts as the owner's.
	KnownAddressAge = 90 * 24 * time.Hour
	// SlowLoginDelay is the wait of a login from the owner's known address
	// while the account is under attack from elsewhere.
	SlowLoginDelay = 2 * time.Second
)

// Limits on costly actions per client address: each sign-up and password
// change runs argon2id (tens of MiB), so a flood of them is a memory lever.
const (
	CostlyWindow            = time.Hour
	MaxSignupsPerIP         = 20
	MaxPasswordChangesPerIP = 10
)

// LoginCounts are the recent failures that decide whether a login may go on.
type LoginCounts struct {
	ByAccount     int  // for the account, from every address
	ByAccountHere int  // for the account, from this address
	ByAddress     int  // from this address, for every account
	KnownAddress  bool // the account logged in from this address before
}

// Throttled reports whether another attempt must be refused.
func Throttled(n LoginCounts) bool {
	return n.ByAddress >= MaxFailsPerIP || n.ByAccountHere >= MaxFailsPerEmail ||
		(n.ByAccount >= MaxFailsPerEmail && !n.KnownAddress)
}

// Slowed reports whether an attempt that may go on waits SlowLoginDelay
// first: the account is under attack, and this is its owner's address.
func Slowed(n LoginCounts) bool {
	return n.ByAccount >= MaxFailsPerEmail
}
