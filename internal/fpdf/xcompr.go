// Copyright ©2021 The go-pdf Authors. All rights reserved.
// Use of this source code is governed by a MIT-style
// license that can be found in the LICENSE file.

package fpdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"hash/maphash"
	"sync"
)

var xmem = xmempool{
	Pool: sync.Pool{
		New: func() any {
			var m membuffer
			return &m
		},
	},
}

type xmempool struct{ sync.Pool }

// zwPool keeps zlib writers for reuse (not in v0.12.0, which made a new one
// for every stream: each allocates about 1 MB). A writer Reset to a new
// destination writes the same bytes as a new one.
var zwPool = sync.Pool{
	New: func() any {
		zw, err := zlib.NewWriterLevel(nil, zlib.BestSpeed)
		if err != nil {
			panic(fmt.Errorf("could not create zlib writer: %w", err))
		}
		return zw
	},
}

func (pool *xmempool) compress(data []byte) *membuffer {
	mem := pool.Get().(*membuffer)
	buf := &mem.buf
	buf.Grow(len(data))

	zw := zwPool.Get().(*zlib.Writer)
	zw.Reset(buf)
	_, err := zw.Write(data)
	if err != nil {
		panic(fmt.Errorf("could not zlib-compress slice: %w", err))
	}

	err = zw.Close()
	if err != nil {
		panic(fmt.Errorf("could not close zlib writer: %w", err))
	}
	zwPool.Put(zw)
	return mem
}

func (pool *xmempool) uncompress(data []byte) (*membuffer, error) {
	zr, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}

	mem := pool.Get().(*membuffer)
	mem.buf.Reset()

	_, err = mem.buf.ReadFrom(zr)
	if err != nil {
		mem.release()
		return nil, err
	}

	return mem, nil
}

type membuffer struct {
	buf bytes.Buffer
}

func (mem *membuffer) bytes() []byte { return mem.buf.Bytes() }
func (mem *membuffer) release() {
	mem.buf.Reset()
	xmem.Put(mem)
}

func (mem *membuffer) copy() []byte {
	src := mem.bytes()
	dst := make([]byte, len(src))
	copy(dst, src)
	return dst
}

// fontStreams remembers the compressed form of recent font streams (not in
// v0.12.0). A document embeds the subset of each UTF-8 font it uses and that
// subset's CID-to-GID map, both cut to the characters it prints, and
// compressing them was the larger part of a short document's CPU; documents
// of one kind (a shop's invoices) mostly print the same characters, so the
// same streams come again. A stream is found by a hash of its bytes and
// used only when its bytes are equal too, so what is written is exactly what
// compressing it again would write.
var fontStreams struct {
	mu   sync.Mutex
	seed maphash.Seed
	m    map[uint64]fontStream
}

type fontStream struct{ in, out []byte }

// fontStreamsMax bounds the memory kept (a CID-to-GID map is 128 kB before
// compression): when full, a new stream takes the place of one at random.
const fontStreamsMax = 16

func init() { fontStreams.seed = maphash.MakeSeed() }

// compressFontStream is xmem.compress of data, remembered. The caller must
// not change what it returns.
func compressFontStream(data []byte) []byte {
	h := maphash.Bytes(fontStreams.seed, data)
	fontStreams.mu.Lock()
	e, ok := fontStreams.m[h]
	fontStreams.mu.Unlock()
	if ok && bytes.Equal(e.in, data) {
		return e.out
	}
	mem := xmem.compress(data)
	out := bytes.Clone(mem.bytes())
	mem.release()
	fontStreams.mu.Lock()
	if fontStreams.m == nil {
		fontStreams.m = make(map[uint64]fontStream)
	}
	for k := range fontStreams.m {
		if len(fontStreams.m) < fontStreamsMax {
			break
		}
		delete(fontStreams.m, k) // one at random: the streams most documents share are soon back
	}
	fontStreams.m[h] = fontStream{in: bytes.Clone(data), out: out}
	fontStreams.mu.Unlock()
	return out
}

// cidToGidMapStream is the compressed CIDToGIDMap of a font subset: two bytes
// (the glyph, big-endian) for each of the 65,536 codes, zero where unused.
func cidToGidMapStream(codes map[int]int) []byte {
	cidToGidMap := make([]byte, 256*256*2)
	for cc, glyph := range codes {
		cidToGidMap[cc*2] = byte(glyph >> 8)
		cidToGidMap[cc*2+1] = byte(glyph & 0xFF)
	}
	return compressFontStream(cidToGidMap)
}
