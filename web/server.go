// Package web is everything HTTP: the Echo server, the one route table, the
// handlers (one file per resource), rendering and error pages.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/auth"
	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/config"
	"github.com/rentdesk/rentdesk/internal/desk"
	"github.com/rentdesk/rentdesk/internal/jobs"
	"github.com/rentdesk/rentdesk/internal/metrics"
	"github.com/rentdesk/rentdesk/internal/payment"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/static"
)

// Deps is everything the web layer uses, built by the composition root.
type Deps struct {
	Config   config.Config
	Store    *store.Store
	Sessions *scs.SessionManager
	Assets   *static.Assets
	Logger   *slog.Logger
	Hasher   *auth.Hasher
	Policy   *auth.Policy
	// Booking is the booking engine: every write that takes stock goes through it.
	Booking *booking.Engine
	// Desk is the counter's work beyond stock: hand-overs, returns, fees.
	Desk *desk.Desk
	// Jobs enqueues background work (mail) inside store transactions.
	Jobs *jobs.Jobs
	// Payments is the money of bookings: the ledger, Stripe Checkout, the
	// webhook and refunds.
	Payments *payment.Service
	// Metrics is the registry behind /metrics and the admin dashboard; New
	// builds one per server when it is nil.
	Metrics *metrics.Metrics
	// Now is the clock; tests move it.
	Now func() time.Time
	// DrainDelay is how long /readyz reports 503 before the listener closes on
	// shutdown, so load balancers stop sending new requests first.
	DrainDelay time.Duration
}

// Server is the HTTP side of Rentdesk.
type Server struct {
	Deps
	echo     *echo.Echo
	draining atomic.Bool
	// shopInfo caches the shop's name, address and hours for the pages.
	shopInfo shopCache
	// datesKey signs the cookie that keeps a visitor's chosen dates.
	datesKey choiceCodec
	// crossOrigin refuses unsafe requests a browser says come from another
	// origin (checkCSRF).
	crossOrigin *http.CrossOriginProtection
	// assetURL is Assets.Path as a function value, made once rather than
	// for every page (page).
	assetURL func(name string) string
}

// New builds the server and its routes.
func New(d Deps) *Server {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Booking == nil && d.Store != nil {
		// The same engine main builds; tests that do not care get it too.
		d.Booking = booking.New(d.Store, d.Now, booking.Pricing{}).
			WithPayment(booking.ByPaymentMode{OnlinePayment: StripeConfig(d.Config).Configured()})
		if d.Jobs != nil {
			d.Booking.WithNotifier(d.Jobs.BookingMail())
		}
	}
	if d.Payments == nil && d.Store != nil {
		d.Payments = NewPayments(d.Config, d.Store, d.Booking, d.Jobs, d.Now, d.Logger)
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics(d.Store)
	}
	if d.Desk == nil && d.Store != nil {
		d.Desk = desk.New(d.Store, d.Booking, payment.NewLedger(d.Store, d.Now), d.Now)
	}
	s := &Server{Deps: d, echo: echo.New(), crossOrigin: crossOriginProtection(d.Config)}
	if d.Assets != nil {
		s.assetURL = d.Assets.Path
	}
	s.echo.HideBanner = true
	s.echo.HidePort = true
	s.echo.HTTPErrorHandler = s.handleError
	s.echo.IPExtractor = ipExtractor(d.Config)
	s.routes()
	s.registerRouteMetrics()
	return s
}

// crossOriginProtection checks Sec-Fetch-Site and Origin against the
// request's Host; the base URL's origin is trusted too, for a reverse proxy
// that does not pass the browser's Host on.
func crossOriginProtection(c config.Config) *http.CrossOriginProtection {
	p := http.NewCrossOriginProtection()
	if c.BaseURL != nil && c.BaseURL.Host != "" {
		// The origin is a scheme and a host alone: nothing AddTrustedOrigin refuses.
		_ = p.AddTrustedOrigin(c.BaseURL.Scheme + "://" + c.BaseURL.Host)
	}
	return p
}

// StripeConfig is the Stripe part of the configuration, as payment takes it.
func StripeConfig(c config.Config) payment.StripeConfig {
	return payment.StripeConfig{SecretKey: c.Stripe.SecretKey, WebhookSecret: c.Stripe.WebhookSecret, APIURL: c.Stripe.APIURL}
}

// NewPayments builds the payment service on the engine; staff are alerted
// through the job queue when there is one.
func NewPayments(c config.Config, st *store.Store, eng *booking.Engine, jb *jobs.Jobs, now func() time.Time, logger *slog.Logger) *payment.Service {
	o := payment.Options{Store: st, Engine: eng, Stripe: StripeConfig(c), Now: now, Logger: logger}
	if c.BaseURL != nil {
		o.BaseURL = strings.TrimSuffix(c.BaseURL.String(), "/")
	}
	if jb != nil {
		o.Alerts = jb.BookingMail()
	}
	return payment.NewService(o)
}

// NewMetrics builds the metrics of one server: the connection pools (the
// main one, which sessions use too, and the desk board's), the job queue and
// the database size come from st (when there is one). Its clock is the wall
// clock: uptime and rates are about this process, not about the shop's
// (possibly simulated) time.
func NewMetrics(st *store.Store) *metrics.Metrics {
	o := metrics.Options{}
	if st != nil {
		o.Store = st
		o.Pools = st.Pools()
	}
	return metrics.New(o)
}

// ipExtractor decides where a request comes from, for login throttling and
// logs. Echo's default believes X-Forwarded-For from anyone; here only the
// configured reverse proxies are believed.
func ipExtractor(c config.Config) echo.IPExtractor {
	if len(c.TrustedProxies) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range c.TrustedProxies {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// Handler is the root http.Handler (useful to tests).
func (s *Server) Handler() http.Handler { return s.echo }

// Echo exposes the router so tests can mount extra probe routes.
func (s *Server) Echo() *echo.Echo { return s.echo }

// Serve answers on ln until ctx is cancelled, then shuts down gracefully:
// /readyz turns 503 at once, new connections stop after DrainDelay, and
// in-flight requests get ShutdownTimeout to finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	c := s.Config
	srv := &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: c.ReadHeaderTimeout,
		ReadTimeout:       c.ReadTimeout,
		WriteTimeout:      c.WriteTimeout,
		IdleTimeout:       c.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("web: serve: %w", err)
	case <-ctx.Done():
	}
	s.draining.Store(true)
	s.Logger.Info("shutting down: readiness off, draining", "delay", s.DrainDelay)
	time.Sleep(s.DrainDelay)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), c.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("web: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("web: serve: %w", err)
	}
	s.Logger.Info("http server stopped")
	return nil
}
