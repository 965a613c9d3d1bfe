// Package auth holds the rules of accounts: password hashing and policy,
// throttling limits and safe return URLs. It knows nothing of HTTP or SQL.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters.
type Params struct {
	Time    uint32 // iterations
	Memory  uint32 // KiB
	Threads uint8
	KeyLen  uint32
	SaltLen uint32
}

// DefaultParams follow OWASP's argon2id guidance (m=19 MiB, t=2, p=1) with a
// margin on memory; raising them makes Verify report that old hashes need a rehash.
var DefaultParams = Params{Time: 2, Memory: 24 * 1024, Threads: 1, KeyLen: 32, SaltLen: 16}

// Hasher hashes and verifies passwords with fixed parameters. At most
// MaxConcurrentHashes run at once: each takes Params.Memory, so a burst of
// logins or sign-ups waits instead of exhausting the memory of the process.
type Hasher struct {
	P     Params
	slots chan struct{}
	peak  atomic.Int64 // most hashes seen running at once (tests read it)
	busy  atomic.Int64
}

// MaxConcurrentHashes is how many argon2id computations run at once.
func MaxConcurrentHashes() int { return max(2, runtime.GOMAXPROCS(0)) }

// NewHasher returns a Hasher using p.
func NewHasher(p Params) *Hasher {
	return &Hasher{P: p, slots: make(chan struct{}, MaxConcurrentHashes())}
}

// key runs argon2id in one of the hasher's slots.
func (h *Hasher) key(password, salt []byte, p Params, keyLen uint32) []byte {
	if h.slots != nil {
		h.slots <- struct{}{}
		defer func() { <-h.slots }()
	}
	n := h.busy.Add(1)
	defer h.busy.Add(-1)
	for {
		if old := h.peak.Load(); n <= old || h.peak.CompareAndSwap(old, n) {
			break
		}
	}
	return argon2.IDKey(password, salt, p.Time, p.Memory, p.Threads, keyLen)
}

var errMalformedHash = errors.New("auth: malformed password hash")

// Hash returns a PHC-format argon2id hash of password.
func (h *Hasher) Hash(password string) (string, error) {
	salt := make([]byte, h.P.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := h.key([]byte(password), salt, h.P, h.P.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.P.Memory, h.P.Time, h.P.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches encoded, and whether the hash was made
// with weaker parameters than the current ones and should be replaced.
func (h *Hasher) Verify(password, encoded string) (ok, needsRehash bool, err error) {
	p, salt, key, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	got := h.key([]byte(password), salt, p, uint32(len(key)))
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	weaker := p.Time < h.P.Time || p.Memory < h.P.Memory || p.Threads != h.P.Threads || uint32(len(key)) < h.P.KeyLen
	return true, weaker, nil
}

// DummyVerify spends the same time as a real check, so an unknown email cannot
// be told apart from a wrong password by timing.
func (h *Hasher) DummyVerify(password string) {
	salt := make([]byte, h.P.SaltLen)
	h.key([]byte(password), salt, h.P, h.P.KeyLen)
}

func decode(encoded string) (Params, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return Params{}, nil, nil, errMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return Params{}, nil, nil, errMalformedHash
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return Params{}, nil, nil, errMalformedHash
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return Params{}, nil, nil, errMalformedHash
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return Params{}, nil, nil, errMalformedHash
	}
	return p, salt, key, nil
}
