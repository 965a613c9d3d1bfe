package jobs

import (
	"context"
	"log/slog"
)

// riverLogger is the logger River gets: its routine lines (a "Producer job
// counts" heartbeat every minute, elections, starts and stops) are kept
// below the default level, so the default log carries what an operator needs
// (failed jobs, errors). With LOG_LEVEL=debug everything River says shows.
func riverLogger(l *slog.Logger) *slog.Logger {
	if l.Enabled(context.Background(), slog.LevelDebug) {
		return l
	}
	return slog.New(&quietHandler{Handler: l.Handler(), min: slog.LevelWarn})
}

// quietHandler drops records below min.
type quietHandler struct {
	slog.Handler
	min slog.Level
}

func (h *quietHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= h.min && h.Handler.Enabled(ctx, level)
}

func (h *quietHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < h.min {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

func (h *quietHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &quietHandler{Handler: h.Handler.WithAttrs(as), min: h.min}
}

func (h *quietHandler) WithGroup(name string) slog.Handler {
	return &quietHandler{Handler: h.Handler.WithGroup(name), min: h.min}
}
