// Command rentdesk runs the Rentdesk rental management app.
//
//	rentdesk serve [--migrate] [--demo]   serve HTTP (optionally migrating and loading demo data first)
//	rentdesk migrate up|status            apply or list database migrations
//	rentdesk admin create --email E --name N [--password P]
//	                                      create an admin account on a new install
//
// This file is the one composition root: it reads the configuration, opens the
// database and builds every dependency, then hands them to the web server.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/config"
	"github.com/rentdesk/rentdesk/internal/desk"
	"github.com/rentdesk/rentdesk/internal/jobs"
	"github.com/rentdesk/rentdesk/internal/logging"
	"github.com/rentdesk/rentdesk/internal/mail"
	"github.com/rentdesk/rentdesk/internal/metrics"
	"github.com/rentdesk/rentdesk/internal/payment"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/static"
	"github.com/rentdesk/rentdesk/templates/emails"
	"github.com/rentdesk/rentdesk/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "rentdesk:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  rentdesk serve [--migrate] [--demo]
  rentdesk migrate up|status
  rentdesk admin create --email E --name N [--password P]`

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	logger, logBuf := logging.NewLogger(stdout, cfg.LogFormat, cfg.LogLevel)
	defer logBuf.Close()
	switch args[0] {
	case "serve":
		return serve(ctx, cfg, logger, args[1:], stdout)
	case "migrate":
		return migrate(ctx, cfg, args[1:], stdout)
	case "admin":
		return adminCommand(ctx, cfg, args[1:], getenv, stdout)
	default:
		return errors.New(usage)
	}
}

func openStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	return store.Open(ctx, cfg.DatabaseURL, store.Options{
		MaxOpenConns: cfg.DBMaxOpenConns, MaxIdleConns: cfg.DBMaxIdleConns, ConnMaxLifetime: cfg.DBConnMaxLifetime,
		AcquireTimeout: cfg.DBAcquireTimeout, DeskConns: cfg.DBDeskConns,
	})
}

func serve(ctx context.Context, cfg config.Config, logger *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	autoMigrate := fs.Bool("migrate", false, "apply pending migrations before serving")
	demo := fs.Bool("demo", false, "load demo data (idempotent) and print the demo logins")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if *autoMigrate {
		if _, err := st.Migrate(ctx); err != nil {
			return err
		}
	} else if behind, err := st.SchemaBehind(ctx); err != nil {
		return err
	} else if behind {
		return errors.New("the database schema is behind this version; run `rentdesk migrate up` or start with `serve --migrate`")
	}
	// Settings, locations and categories stay in memory between requests,
	// dropped on every committed change to them by any instance (NOTIFY).
	st.StartCache(cfg.DatabaseURL, store.CacheOptions{Logger: logger})
	hasher := auth.NewHasher(auth.DefaultParams)
	if *demo {
		logins, err := loadDemo(ctx, st, hasher)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		printDemoLogins(stdout, logger, cfg, logins)
	}
	assets, err := static.New()
	if err != nil {
		return err
	}
	// The dashboard's short history: one sample every five seconds.
	met := web.NewMetrics(st)
	go met.Run(ctx, 5*time.Second)
	// This instance's request figures go to the database for the alert
	// check, which adds up every instance's; once more after the server has
	// drained (deferred after st.Close, so it runs first).
	reporter := metrics.NewReporter(met, st, logger)
	go reporter.Run(ctx, 10*time.Second)
	defer func() {
		fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := reporter.Flush(fctx, time.Now()); err != nil {
			logger.Warn("metrics: last write of request minutes", "err", err)
		}
	}()
	if cfg.MetricsAddr != "" {
		stopMetrics, err := serveMetrics(cfg, met, logger)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}
	// The engine mails through the jobs, and the jobs' periodic hooks call the
	// engine; the hooks run only after Start, when both exist.
	var (
		engine *booking.Engine
		jb     *jobs.Jobs
	)
	alerter := metrics.NewAlerter(st, func(ctx context.Context, tx *store.Store, a store.Alert, r metrics.RuleInfo) error {
		return jb.EnqueueAdminAlert(ctx, tx, mail.AdminAlert{Rule: r.Label, Value: r.Format(a.Value),
			Threshold: r.Format(a.Threshold), Started: a.StartedAt}, a.ID)
	})
	jb, err = newJobs(cfg, st, logger, jobs.Hooks{
		Alerts:      alerter.Check,
		ExpireHolds: func(ctx context.Context, _ time.Time) error { _, err := engine.ExpireHolds(ctx); return err },
		Reminders:   func(ctx context.Context, now time.Time) error { return jb.SendReminders(ctx, now) },
		Overdue:     func(ctx context.Context, now time.Time) error { return jb.ScanOverdue(ctx, now) },
	})
	if err != nil {
		return err
	}
	engine = booking.New(st, time.Now, booking.Pricing{}).WithNotifier(jb.BookingMail()).
		WithPayment(booking.ByPaymentMode{OnlinePayment: web.StripeConfig(cfg).Configured()})
	srv := web.New(web.Deps{
		Config:     cfg,
		Store:      st,
		Sessions:   web.NewSessions(cfg, st.SessionStore()),
		Assets:     assets,
		Logger:     logger,
		Hasher:     hasher,
		Policy:     auth.NewPolicy(),
		Booking:    engine,
		Desk:       desk.New(st, engine, payment.NewLedger(st, time.Now), time.Now),
		Jobs:       jb,
		Payments:   web.NewPayments(cfg, st, engine, jb, time.Now, logger),
		Metrics:    met,
		Now:        time.Now,
		DrainDelay: 2 * time.Second,
	})
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	return serveAndWork(ctx, srv, ln, jb, logger, cfg)
}

// serveMetrics serves /metrics alone, without a token, on RENTDESK_METRICS_ADDR
// (meant for a private interface that only the scraper reaches).
func serveMetrics(cfg config.Config, met *metrics.Metrics, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", met.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: cfg.ReadHeaderTimeout, WriteTimeout: cfg.WriteTimeout}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics listener stopped", "err", err)
		}
	}()
	logger.Info("serving /metrics", "addr", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}

// serveAndWork runs the web server and the job workers together. On SIGTERM
// both stop at once: the workers stop claiming and finish (or give back) what
// they run while the web server drains its requests; it returns when both are done.
func serveAndWork(ctx context.Context, srv *web.Server, ln net.Listener, jb *jobs.Jobs, logger *slog.Logger, cfg config.Config) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := jb.Start(ctx); err != nil {
		return err
	}
	jobsDone := make(chan error, 1)
	go func() {
		<-ctx.Done()
		jobsDone <- jb.Stop(context.Background())
	}()
	logger.Info("rentdesk is serving", "addr", ln.Addr().String(), "url", cfg.BaseURL.String())
	err := srv.Serve(ctx, ln)
	cancel() // the server may also stop on its own (a listener error)
	if jerr := <-jobsDone; jerr != nil {
		err = errors.Join(err, jerr)
	} else {
		logger.Info("job workers stopped")
	}
	return err
}

// newJobs builds the job system and its mailer. Without SMTP_HOST mail is
// kept in the database and shown to admins as not sent.
func newJobs(cfg config.Config, st *store.Store, logger *slog.Logger, hooks jobs.Hooks) (*jobs.Jobs, error) {
	var sender mail.Sender
	if cfg.SMTP.Host != "" {
		m, err := mail.NewMailer(cfg.SMTP)
		if err != nil {
			return nil, err
		}
		sender = m
		logger.Info("mail goes out through SMTP", "host", cfg.SMTP.Host, "port", cfg.SMTP.Port, "tls", cfg.SMTP.TLS)
	} else {
		logger.Warn("SMTP_HOST is not set: mail is kept unsent and listed for admins at /admin/mail")
	}
	return jobs.New(jobs.Options{
		Store: st, Sender: sender, Render: emails.Render, BaseURL: cfg.BaseURL, Logger: logger,
		// One attempt may take the connect and the send timeouts, plus slack.
		MailTimeout: cfg.SMTP.ConnectTimeout + cfg.SMTP.SendTimeout + 10*time.Second,
		StopTimeout: cfg.ShutdownTimeout,
		Hooks:       hooks,
	})
}

func migrate(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) != 1 || (args[0] != "up" && args[0] != "status") {
		return errors.New("usage: rentdesk migrate up|status")
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if args[0] == "up" {
		applied, err := st.Migrate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "applied %d migration(s)\n", len(applied))
		for _, a := range applied {
			fmt.Fprintln(stdout, "  ", a)
		}
		return nil
	}
	statuses, err := st.MigrationStatuses(ctx)
	if err != nil {
		return err
	}
	for _, m := range statuses {
		state := "pending"
		if m.Applied {
			state = "applied"
		}
		fmt.Fprintf(stdout, "%-8s %05d %s\n", state, m.Version, m.Name)
	}
	return nil
}
