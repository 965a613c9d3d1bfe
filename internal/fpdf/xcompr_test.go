package fpdf

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestCompressFontStreamAgrees compresses varied streams (more than the memo
// keeps, of equal lengths, some differing in one byte), each several times
// and interleaved, and checks every answer against compressing it afresh.
func TestCompressFontStreamAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var streams [][]byte
	for i := range 3 * fontStreamsMax {
		b := make([]byte, 4096)
		for j := range b {
			b[j] = byte(rng.IntN(8)) // compressible, like a font's tables
		}
		if i%3 == 1 {
			b = bytes.Clone(streams[i-1])
			b[rng.IntN(len(b))]++ // the same length, one byte apart
		}
		streams = append(streams, b)
	}
	for round := range 3 {
		for _, i := range rng.Perm(len(streams)) {
			mem := xmem.compress(streams[i])
			want := bytes.Clone(mem.bytes())
			mem.release()
			if got := compressFontStream(streams[i]); !bytes.Equal(got, want) {
				t.Fatalf("round %d, stream %d: %d bytes remembered, %d compressed afresh", round, i, len(got), len(want))
			}
		}
	}
}
