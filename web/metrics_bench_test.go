package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/logging"
	"github.com/rentdesk/rentdesk/internal/metrics"
)

// instrumentation is a variant of the request pipeline: nothing, or the
// request metrics and the request log line.
var instrumentation = []struct {
	name         string
	instrumented bool
}{{"bare", false}, {"instrumented", true}}

// benchEcho is a trivial route behind Echo's router with the chosen
// instrumentation; the request log is the server's own (batched) logger
// over a real file, so its writes are paid for.
func benchEcho(b *testing.B, instrumented bool) *echo.Echo {
	e := echo.New()
	logFile, err := os.Create(filepath.Join(b.TempDir(), "requests.log"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { logFile.Close() }) // runs after logBuf's Close below
	logger, logBuf := logging.NewLogger(logFile, "json", slog.LevelInfo)
	b.Cleanup(func() { logBuf.Close() })
	s := &Server{Deps: Deps{Metrics: metrics.New(metrics.Options{Version: "bench"}), Logger: logger}, echo: e}
	if instrumented {
		e.Use(InstrumentRequests(s.Metrics, s.Logger))
	}
	e.GET("/items/:slug", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	s.registerRouteMetrics()
	return e
}

// BenchmarkRequestMetrics measures what the request metrics (and the
// request log) add to a request, two ways:
//
//   - in process: Echo's ServeHTTP with a recorder, a handler that does
//     nothing — the harshest comparison, since nothing else is paid for;
//   - over loopback HTTP with keep-alive, as a client meets the server: the
//     bare handler here is what the load benchmark's ceiling serves.
//
// Compare ns/op of each variant with "bare" of the same kind.
func BenchmarkRequestMetrics(b *testing.B) {
	for _, v := range instrumentation {
		b.Run("inprocess/"+v.name, func(b *testing.B) {
			e := benchEcho(b, v.instrumented)
			req := httptest.NewRequest(http.MethodGet, "/items/canon-eos-r6", nil)
			b.ReportAllocs()
			for b.Loop() {
				e.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
	for _, v := range instrumentation {
		b.Run("loopback/"+v.name, func(b *testing.B) {
			srv := httptest.NewServer(benchEcho(b, v.instrumented))
			defer srv.Close()
			client := srv.Client()
			url := srv.URL + "/items/canon-eos-r6"
			b.ReportAllocs()
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					res, err := client.Get(url)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						b.Errorf("status %d", res.StatusCode)
						return
					}
				}
			})
		})
	}
}
