package auth

import (
	"sync"
	"testing"
)

// A burst of hashes runs at most MaxConcurrentHashes at once, so argon2id's
// memory is bounded however many sign-ups and logins arrive together.
func TestHasherBoundsConcurrentHashes(t *testing.T) {
	h := NewHasher(Params{Time: 1, Memory: 8 * 1024, Threads: 1, KeyLen: 32, SaltLen: 16})
	var wg sync.WaitGroup
	for range 8 * MaxConcurrentHashes() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			enc, err := h.Hash("correct horse battery")
			if err != nil {
				t.Error(err)
				return
			}
			if ok, _, err := h.Verify("correct horse battery", enc); !ok || err != nil {
				t.Errorf("verify: %v %v", ok, err)
			}
		}()
	}
	wg.Wait()
	if peak := h.peak.Load(); peak < 1 || peak > int64(MaxConcurrentHashes()) {
		t.Errorf("peak of %d hashes at once, want at most %d", peak, MaxConcurrentHashes())
	}
}
