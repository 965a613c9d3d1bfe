// Package logging is how the server writes its log: one line per request
// is the busiest thing it writes, so lines are gathered in memory and
// written out in batches, while warnings and errors go out at once.
package logging

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Buffered is an io.Writer that gathers whole log lines and writes them to
// the underlying writer when the buffer fills, every interval, on Flush and
// on Close. A request log written line by line costs a system call per
// request — more than a bare request's whole handling in a benchmark — and
// batching makes it a system call per batch. The price: a process killed
// outright loses at most one interval of informational lines; warnings and
// errors are flushed as they are written (see NewLogger).
type Buffered struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

// NewBuffered starts the periodic flush of w.
func NewBuffered(w io.Writer, size int, interval time.Duration) *Buffered {
	b := &Buffered{w: bufio.NewWriterSize(w, size), stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushEvery(interval)
	return b
}

func (b *Buffered) flushEvery(interval time.Duration) {
	defer close(b.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			_ = b.Flush()
		case <-b.stop:
			return
		}
	}
}

// Write adds p (one whole log record from slog) to the batch.
func (b *Buffered) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

// Flush writes out what is gathered.
func (b *Buffered) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Flush()
}

// Close stops the periodic flush and writes out the rest.
func (b *Buffered) Close() error {
	close(b.stop)
	<-b.done
	return b.Flush()
}

// flushAtLevel writes records at or above min through at once, so a
// warning or an error is never waiting in the batch when it matters.
type flushAtLevel struct {
	slog.Handler
	buf *Buffered
	min slog.Level
	// json is the format; plain is true while no attributes or groups
	// were added, so LogRequest may write the line itself.
	json, plain bool
}

func (h flushAtLevel) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= h.min {
		if ferr := h.buf.Flush(); err == nil {
			err = ferr
		}
	}
	return err
}

func (h flushAtLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return flushAtLevel{Handler: h.Handler.WithAttrs(attrs), buf: h.buf, min: h.min, json: h.json}
}

func (h flushAtLevel) WithGroup(name string) slog.Handler {
	return flushAtLevel{Handler: h.Handler.WithGroup(name), buf: h.buf, min: h.min, json: h.json}
}

// NewLogger is the server's logger over a buffered w: format "json" or
// text, records below level dropped, warnings and errors flushed at once,
// the rest within a quarter of a second. Close the Buffered before exit.
func NewLogger(w io.Writer, format string, level slog.Leveler) (*slog.Logger, *Buffered) {
	return newLogger(w, format, level, 250*time.Millisecond)
}

func newLogger(w io.Writer, format string, level slog.Leveler, interval time.Duration) (*slog.Logger, *Buffered) {
	buf := NewBuffered(w, 64<<10, interval)
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(buf, opts)
	if format == "json" {
		h = slog.NewJSONHandler(buf, opts)
	}
	return slog.New(flushAtLevel{Handler: h, buf: buf, min: slog.LevelWarn, json: format == "json", plain: true}), buf
}
