package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/logging"
	"github.com/rentdesk/rentdesk/internal/metrics"
	"github.com/rentdesk/rentdesk/web"
)

// The two ceilings Rentdesk's pages are measured against, served by their
// own process (`rentdesk-bench ceiling`) so they pay the same loopback and
// process costs as `rentdesk serve`:
//   - /bare writes a fixed string: the most an HTTP server here can answer;
//   - /instrumented/bare is /bare behind the app's own request metrics and
//     request log middleware (web.InstrumentRequests): its rate against
//     /bare is the cost of instrumentation;
//   - /one-query reads a 12-row table, sorts it and renders an HTML
//     template, with the product's stack (Echo, sqlx, lib/pq, a pool of 8);
//   - /cpu answers the CPU time (user and system) the process has used, in
//     nanoseconds: the bench reads it around each slice of the paired
//     instrumentation measurement.

const ceilingTableSQL = `
CREATE TABLE IF NOT EXISTS bench_ceiling (id int PRIMARY KEY, name text NOT NULL, price bigint NOT NULL);
INSERT INTO bench_ceiling
SELECT g, 'Row ' || g, g * 1250 FROM generate_series(1, 12) g
ON CONFLICT DO NOTHING`

var ceilingPage = template.Must(template.New("p").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>One query</title></head>
<body><h1>Rows</h1><table><thead><tr><th>Name</th><th>Price</th></tr></thead><tbody>
{{range .}}<tr><td>{{.Name}}</td><td>{{.Price}}</td></tr>
{{end}}</tbody></table></body></html>`))

type ceilingRow struct {
	ID    int    `db:"id"`
	Name  string `db:"name"`
	Price int64  `db:"price"`
}

// ServeCeiling runs the ceiling server: -addr to listen on, -db the
// database (the bench's own) for the one-query page.
func ServeCeiling(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ceiling", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	dbURL := fs.String("db", "", "database URL")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := sqlx.Open("postgres", *dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	if _, err := db.ExecContext(ctx, ceilingTableSQL); err != nil {
		return err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	bare := func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") }
	e.GET("/bare", bare)
	m := metrics.New(metrics.Options{})
	// The server's own logger (batched lines), as `rentdesk serve` writes its log.
	logger, logBuf := logging.NewLogger(os.Stdout, "text", slog.LevelInfo)
	defer logBuf.Close()
	instr := e.Group("/instrumented", web.InstrumentRequests(m, logger))
	instr.GET("/bare", bare)
	for _, r := range e.Routes() {
		m.AddRoute(r.Method, r.Path)
	}
	e.GET("/one-query", func(c echo.Context) error {
		var rows []ceilingRow
		if err := db.SelectContext(c.Request().Context(), &rows, `SELECT id, name, price FROM bench_ceiling WHERE price > $1`, 0); err != nil {
			return err
		}
		sort.Slice(rows, func(i, j int) bool { return strings.Compare(rows[i].Name, rows[j].Name) < 0 })
		c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextHTMLCharsetUTF8)
		c.Response().WriteHeader(http.StatusOK)
		return ceilingPage.Execute(c.Response(), rows)
	})
	e.GET("/cpu", func(c echo.Context) error {
		return c.String(http.StatusOK, strconv.FormatInt(int64(selfCPU()), 10))
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// processCPU reads a process's CPU time from its url (the ceiling's /cpu).
func processCPU(tr *http.Transport, url string) func() (time.Duration, error) {
	cl := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	return func() (time.Duration, error) {
		res, err := cl.Get(url)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			return 0, err
		}
		ns, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err != nil || res.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("CPU time of %s: status %d: %.100s", url, res.StatusCode, b)
		}
		return time.Duration(ns), nil
	}
}

// selfCPU is the CPU time (user and system) this process has used so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime))
}
