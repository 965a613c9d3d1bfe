package logging

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// Request is one request's log line: its fields in the order written.
type Request struct {
	ID, Method, Path string
	Status           int
	Duration         time.Duration
	Bytes            int64
}

// LogRequest writes r as the "request" record at level and time at, exactly
// the line a slog.Record of that time with the attributes id, method, path,
// status, duration and bytes makes through logger. The caller passes the
// time it already read for the request's duration: a clock read is not free.
// On NewLogger's own logger the line is appended straight into a pooled
// buffer: the request line is the busiest thing the server logs, and slog's
// record, attribute and handler state cost about as much as a bare
// request's handling (issue 11 wants instrumentation under 5%). Any other
// logger, or a field that slog would quote or escape, takes the slog path,
// so the output never differs.
func LogRequest(ctx context.Context, logger *slog.Logger, at time.Time, level slog.Level, r Request) {
	h, ok := logger.Handler().(flushAtLevel)
	if !ok || !h.plain || !safe(r.ID) || r.Method == "" || !safe(r.Method) || r.Path == "" || !safe(r.Path) {
		if !logger.Enabled(ctx, level) {
			return
		}
		rec := slog.NewRecord(at, level, "request", 0)
		rec.AddAttrs(
			slog.String("id", r.ID),
			slog.String("method", r.Method),
			slog.String("path", r.Path),
			slog.Int("status", r.Status),
			slog.Duration("duration", r.Duration),
			slog.Int64("bytes", r.Bytes),
		)
		_ = logger.Handler().Handle(ctx, rec)
		return
	}
	if !h.Enabled(ctx, level) {
		return
	}
	bp := linePool.Get().(*[]byte)
	*bp = appendRequest((*bp)[:0], h.json, at, level, r)
	_, _ = h.buf.Write(*bp)
	if cap(*bp) <= 4<<10 {
		linePool.Put(bp)
	}
	if level >= h.min {
		_ = h.buf.Flush()
	}
}

var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// appendRequest is the line slog's JSON or text handler writes for r at t.
func appendRequest(b []byte, json bool, t time.Time, level slog.Level, r Request) []byte {
	if json {
		b = append(b, `{"time":"`...)
		b = t.AppendFormat(b, time.RFC3339Nano)
		b = append(b, `","level":"`...)
		b = append(b, level.String()...)
		b = append(b, `","msg":"request","id":"`...)
		b = append(b, r.ID...)
		b = append(b, `","method":"`...)
		b = append(b, r.Method...)
		b = append(b, `","path":"`...)
		b = append(b, r.Path...)
		b = append(b, `","status":`...)
		b = strconv.AppendInt(b, int64(r.Status), 10)
		b = append(b, `,"duration":`...)
		b = strconv.AppendInt(b, int64(r.Duration), 10)
		b = append(b, `,"bytes":`...)
		b = strconv.AppendInt(b, r.Bytes, 10)
		return append(b, "}\n"...)
	}
	b = append(b, "time="...)
	b = appendRFC3339Millis(b, t)
	b = append(b, " level="...)
	b = append(b, level.String()...)
	b = append(b, " msg=request id="...)
	if r.ID == "" {
		b = append(b, `""`...) // no request id: slog's text handler quotes the empty string
	}
	b = append(b, r.ID...)
	b = append(b, " method="...)
	b = append(b, r.Method...)
	b = append(b, " path="...)
	b = append(b, r.Path...)
	b = append(b, " status="...)
	b = strconv.AppendInt(b, int64(r.Status), 10)
	b = append(b, " duration="...)
	b = append(b, r.Duration.String()...)
	b = append(b, " bytes="...)
	b = strconv.AppendInt(b, r.Bytes, 10)
	return append(b, '\n')
}

// appendRFC3339Millis is slog's text handler's time format: RFC 3339 with
// exactly three digits of milliseconds (its JSON handler writes RFC3339Nano).
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...) // drop the 4th digit
}

// safe reports whether s is written verbatim by both slog handlers:
// printable ASCII with nothing JSON escapes or text quotes (an empty id is
// handled in appendRequest; an empty method or path never happens).
func safe(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c <= ' ' || c >= 0x7f, c == '"', c == '\\', c == '=', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}
