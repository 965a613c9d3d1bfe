package web

import (
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/rentdesk/rentdesk/internal/logging"
	"github.com/rentdesk/rentdesk/internal/metrics"
)

var requestLine = regexp.MustCompile(`level=(\w+) msg=request id=(\S+) method=GET path=(\S+) status=(\d+) duration=(\S+) bytes=(\d+)`)

// One request gives one log line and one count, with the status that was
// sent (an error the handler returns is rendered first), and the line's
// duration is the very one the route group's histogram observed: a single
// measurement serves both.
func TestInstrumentRequestsLogsAndCountsOneMeasure(t *testing.T) {
	var out syncBuffer // the logger's flusher and the test share it
	logger, buf := logging.NewLogger(&out, "text", slog.LevelInfo)
	m := metrics.New(metrics.Options{Version: "test"})
	e := echo.New()
	e.Use(middleware.RequestID(), InstrumentRequests(m, logger))
	e.GET("/items/:slug", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/bookings/:id", func(c echo.Context) error { return echo.NewHTTPError(http.StatusConflict, "taken") })
	e.GET("/admin/boom", func(c echo.Context) error { return echo.ErrInternalServerError })
	for _, r := range e.Routes() {
		m.AddRoute(r.Method, r.Path)
	}
	cases := []struct {
		path, pattern, group, level, class string
		status                             int
	}{
		{"/items/tent", "/items/:slug", "public", "INFO", "2xx", http.StatusOK},
		{"/bookings/7", "/bookings/:id", "account", "INFO", "4xx", http.StatusConflict},
		{"/admin/boom", "/admin/boom", "admin", "ERROR", "5xx", http.StatusInternalServerError},
	}
	for _, tc := range cases {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		if rec.Code != tc.status {
			t.Fatalf("%s: status %d, want %d", tc.path, rec.Code, tc.status)
		}
		if err := buf.Flush(); err != nil {
			t.Fatal(err)
		}
		lines := requestLine.FindAllStringSubmatch(out.String(), -1)
		if len(lines) == 0 {
			t.Fatalf("%s: no request line in %q", tc.path, out.String())
		}
		got := lines[len(lines)-1]
		if got[1] != tc.level || got[2] != rec.Header().Get(echo.HeaderXRequestID) || got[3] != tc.path ||
			got[4] != strconv.Itoa(tc.status) || got[6] != strconv.Itoa(rec.Body.Len()) {
			t.Errorf("%s: line %q (request id %q, %d bytes sent)", tc.path, got[0], rec.Header().Get(echo.HeaderXRequestID), rec.Body.Len())
		}
		logged, err := time.ParseDuration(got[5])
		if err != nil {
			t.Fatal(err)
		}
		count, sum := requestFigures(t, m, tc.pattern, tc.class, tc.group)
		if count != 1 {
			t.Errorf("%s: counted %v times as %s %s", tc.path, count, tc.pattern, tc.class)
		}
		if observed := time.Duration(math.Round(sum * 1e9)); observed != logged {
			t.Errorf("%s: the histogram observed %v, the line says %v", tc.path, observed, logged)
		}
	}
	if err := buf.Close(); err != nil {
		t.Fatal(err)
	}
}

// requestFigures reads the request counter of one route and status class and
// the duration sum of one route group.
func requestFigures(t *testing.T, m *metrics.Metrics, pattern, class, group string) (count, sum float64) {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	label := func(pairs map[string]string, got interface {
		GetName() string
		GetValue() string
	}) bool {
		want, ok := pairs[got.GetName()]
		return !ok || want == got.GetValue()
	}
	for _, f := range fams {
		for _, mt := range f.GetMetric() {
			match := true
			for _, lp := range mt.GetLabel() {
				match = match && label(map[string]string{"route": pattern, "method": "GET", "code": class, "group": group}, lp)
			}
			switch {
			case !match:
			case f.GetName() == metrics.RequestsTotal:
				count = mt.GetCounter().GetValue()
			case f.GetName() == metrics.RequestDuration:
				sum = mt.GetHistogram().GetSampleSum()
			}
		}
	}
	return count, sum
}
