package jobs

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// River's routine INFO lines stay out of the default log; its warnings and
// errors, and everything at LOG_LEVEL=debug, go through.
func TestRiverLoggerKeepsHeartbeatOutOfDefaultLog(t *testing.T) {
	var buf bytes.Buffer
	info := riverLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))
	info.With("queue", "mail").Info("producer: Producer job counts")
	info.Warn("job failed")
	if got := buf.String(); strings.Contains(got, "Producer job counts") || !strings.Contains(got, "job failed") {
		t.Errorf("default log: %q", got)
	}
	buf.Reset()
	debug := riverLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	debug.Info("producer: Producer job counts")
	if !strings.Contains(buf.String(), "Producer job counts") {
		t.Errorf("debug log lost River's lines: %q", buf.String())
	}
}
