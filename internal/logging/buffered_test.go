package logging

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while the flusher writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Informational lines wait for the batch; a warning takes them and itself
// out at once; Close writes out the rest, in order, nothing lost.
func TestBufferedLogger(t *testing.T) {
	var out syncBuffer
	logger, buf := newLogger(&out, "json", nil, time.Hour) // no periodic flush during the test
	logger.Info("request", "path", "/a")
	logger.Debug("dropped")
	if out.String() != "" {
		t.Fatalf("written before a flush: %q", out.String())
	}
	logger.With("id", "x").Warn("slow query")
	got := out.String()
	if strings.Count(got, "\n") != 2 || !strings.Contains(got, `"path":"/a"`) || !strings.Contains(got, `"msg":"slow query"`) {
		t.Fatalf("after a warning: %q", got)
	}
	for range 100 {
		logger.Info("request")
	}
	if err := buf.Close(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "\n"); n != 102 || strings.Contains(out.String(), "dropped") {
		t.Fatalf("after close: %d lines", n)
	}
}

// A quiet server's lines still go out: the periodic flush writes them.
func TestBufferedFlushesByItself(t *testing.T) {
	var out syncBuffer
	buf := NewBuffered(&out, 1<<10, 5*time.Millisecond)
	defer buf.Close()
	if _, err := buf.Write([]byte("line\n")); err != nil {
		t.Fatal(err)
	}
	for i := 0; out.String() == ""; i++ {
		if i > 2000 {
			t.Fatal("never flushed")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
