package logging

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"testing"
	"time"
)

// The request line written by hand is byte for byte the one slog's own
// handlers write, in both formats, at both levels, for a time zone with an
// offset and for times whose milliseconds end in zeros.
func TestRequestLineMatchesSlog(t *testing.T) {
	zone := time.FixedZone("X", -7*3600)
	times := []time.Time{
		time.Date(2026, 12, 5, 12, 7, 43, 123456789, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 0, zone),
		time.Date(2026, 1, 2, 3, 4, 5, 100_000_000, zone),
	}
	reqs := []Request{
		{ID: "AbC-123_x", Method: "GET", Path: "/items/canon-eos-r6", Status: 200, Duration: 1234567 * time.Nanosecond, Bytes: 2},
		{ID: "", Method: "GET", Path: "/", Status: 204},
		{ID: "z", Method: "POST", Path: "/admin/alerts/1?x", Status: 503, Duration: 2 * time.Second, Bytes: 0},
	}
	for _, json := range []bool{true, false} {
		for _, level := range []slog.Level{slog.LevelInfo, slog.LevelError} {
			for _, at := range times {
				for _, r := range reqs {
					var want bytes.Buffer
					var h slog.Handler = slog.NewTextHandler(&want, nil)
					if json {
						h = slog.NewJSONHandler(&want, nil)
					}
					rec := slog.NewRecord(at, level, "request", 0)
					rec.AddAttrs(slog.String("id", r.ID), slog.String("method", r.Method), slog.String("path", r.Path),
						slog.Int("status", r.Status), slog.Duration("duration", r.Duration), slog.Int64("bytes", r.Bytes))
					if err := h.Handle(context.Background(), rec); err != nil {
						t.Fatal(err)
					}
					if got := appendRequest(nil, json, at, level, r); string(got) != want.String() {
						t.Errorf("json=%v:\n got %q\nwant %q", json, got, want.String())
					}
				}
			}
		}
	}
}

// Fields slog would quote or escape, and loggers with attributes, take
// slog's own path; a line at warning level or above is flushed at once;
// lines below the logger's level are dropped.
func TestLogRequest(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		var out syncBuffer
		logger, buf := newLogger(&out, format, slog.LevelInfo, time.Hour)
		var want bytes.Buffer
		ref := slog.New(slog.NewTextHandler(&want, nil))
		if format == "json" {
			ref = slog.New(slog.NewJSONHandler(&want, nil))
		}
		odd := Request{ID: "x y", Method: "GET", Path: `/a b="c"\<é>`, Status: 404, Duration: time.Millisecond, Bytes: 9}
		LogRequest(context.Background(), logger, time.Now(), slog.LevelDebug, odd)
		LogRequest(context.Background(), logger, time.Now(), slog.LevelInfo, odd)
		LogRequest(context.Background(), logger.With("k", "v"), time.Now(), slog.LevelInfo, Request{ID: "i", Method: "GET", Path: "/", Status: 200})
		if out.String() != "" {
			t.Fatalf("%s: written before a flush: %q", format, out.String())
		}
		LogRequest(context.Background(), logger, time.Now(), slog.LevelError, Request{ID: "e", Method: "GET", Path: "/x", Status: 500})
		got := out.String()
		ref.LogAttrs(context.Background(), slog.LevelInfo, "request", slog.String("id", odd.ID), slog.String("method", odd.Method),
			slog.String("path", odd.Path), slog.Int("status", odd.Status), slog.Duration("duration", odd.Duration), slog.Int64("bytes", odd.Bytes))
		ref.With("k", "v").LogAttrs(context.Background(), slog.LevelInfo, "request", slog.String("id", "i"), slog.String("method", "GET"),
			slog.String("path", "/"), slog.Int("status", 200), slog.Duration("duration", 0), slog.Int64("bytes", 0))
		ref.LogAttrs(context.Background(), slog.LevelError, "request", slog.String("id", "e"), slog.String("method", "GET"),
			slog.String("path", "/x"), slog.Int("status", 500), slog.Duration("duration", 0), slog.Int64("bytes", 0))
		if stripTimes(got) != stripTimes(want.String()) {
			t.Errorf("%s:\n got %q\nwant %q", format, got, want.String())
		}
		if err := buf.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// stripTimes blanks the timestamps, which differ between the two loggers.
func stripTimes(s string) string { return timeField.ReplaceAllString(s, "${1}T") }

var timeField = regexp.MustCompile(`("time":"|time=)[^" ]+`)

func BenchmarkRequestLine(b *testing.B) {
	r := Request{ID: "AbC-123_x", Method: "GET", Path: "/items/canon-eos-r6", Status: 200, Duration: 1234567, Bytes: 2}
	at := time.Now()
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = appendRequest(buf[:0], true, at, slog.LevelInfo, r)
	}
}
