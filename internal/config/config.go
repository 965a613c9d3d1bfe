// Package config reads Rentdesk's configuration from the environment.
//
// Load validates everything at once and reports every problem together, so an
// operator fixes a broken deployment in one pass instead of one error per restart.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/gommon/bytes"
)

// Config is the whole runtime configuration of the app.
type Config struct {
	DatabaseURL       string
	DBMaxOpenConns    int
	DBMaxIdleConns    int
	DBConnMaxLifetime time.Duration
	// DBAcquireTimeout bounds how long a request waits for a pooled connection,
	// so an exhausted pool answers 503 instead of queueing without end.
	DBAcquireTimeout time.Duration
	// DBDeskConns sizes the desk pool, whose connections carry the desk
	// board's plan settings (store.Options.DeskConns); 0: no desk pool.
	DBDeskConns int

	Addr    string
	BaseURL *url.URL
	// TrustedProxies are the reverse proxies whose X-Forwarded-For header is
	// believed; with none, the client address is the connection's peer, so a
	// client cannot dodge per-address login throttling with a forged header.
	TrustedProxies    []*net.IPNet
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	ShutdownTimeout   time.Duration
	// RequestTimeout bounds the work of one request (database calls included).
	RequestTimeout time.Duration
	BodyLimit      string
	// UploadLimit is the largest body of a staff form that carries photos
	// (a return with photos of several units, an item photo), in bytes:
	// several phone photos together pass RENTDESK_BODY_LIMIT.
	UploadLimit int64

	SessionIdleTimeout time.Duration
	SessionLifetime    time.Duration

	SMTP   SMTP
	Stripe Stripe

	// MetricsToken is the bearer token /metrics asks for; MetricsAddr, when
	// set, serves /metrics on a listener of its own (a private interface) with
	// no token. With neither, /metrics does not exist.
	MetricsToken string
	MetricsAddr  string

	LogLevel  slog.Level
	LogFormat string // "text" or "json"
}

// SMTP holds the outgoing mail server settings. An empty Host means mail is
// kept in the queue and shown to admins as not sent.
type SMTP struct {
	Host           string
	Port           int
	Username       string
	Password       string
	TLS            string // "none", "starttls" or "tls"
	From           string
	ConnectTimeout time.Duration
	SendTimeout    time.Duration
}

// Stripe holds the Stripe API settings; APIURL points at stripe-mock in tests.
type Stripe struct {
	SecretKey     string
	WebhookSecret string
	APIURL        string
}

// Secure reports whether the app is served over https, which decides cookie
// names and flags and HSTS.
func (c Config) Secure() bool { return c.BaseURL != nil && c.BaseURL.Scheme == "https" }

// Var documents one environment variable; Vars drives both Load and the README table.
type Var struct {
	Name, Default, Example, Help string
}

// Vars lists every variable Load reads, with its default and an example.
var Vars = []Var{
	{"DATABASE_URL", "", "postgres://rentdesk:secret@localhost:5432/rentdesk?sslmode=disable", "PostgreSQL connection URL (required)"},
	{"RENTDESK_DB_MAX_OPEN", "20", "40", "maximum open database connections per instance"},
	{"RENTDESK_DB_MAX_IDLE", "", "8", "idle database connections kept in the pool (default: RENTDESK_DB_MAX_OPEN)"},
	{"RENTDESK_DB_CONN_MAX_LIFETIME", "30m", "1h", "recycle a connection after this long"},
	{"RENTDESK_DB_ACQUIRE_TIMEOUT", "2s", "1s", "how long a request waits for a free connection before a 503"},
	{"RENTDESK_DB_DESK_CONNS", "4", "2", "connections of the desk board's own small pool (its reads without a transaction); 0 reads the board on the main pool"},
	{"RENTDESK_ADDR", ":8080", "127.0.0.1:8080", "listen address"},
	{"RENTDESK_BASE_URL", "http://localhost:8080", "https://rent.example.com", "public URL used in links, emails and to decide https-only cookies"},
	{"RENTDESK_TRUSTED_PROXIES", "", "127.0.0.1/32,10.0.0.0/8", "reverse proxies (comma-separated addresses or CIDR ranges) whose X-Forwarded-For is trusted"},
	{"RENTDESK_READ_HEADER_TIMEOUT", "5s", "5s", "time allowed to read request headers"},
	{"RENTDESK_READ_TIMEOUT", "30s", "60s", "time allowed to read a whole request (uploads included)"},
	{"RENTDESK_WRITE_TIMEOUT", "60s", "60s", "time allowed to write a response"},
	{"RENTDESK_IDLE_TIMEOUT", "120s", "120s", "keep-alive idle timeout"},
	{"RENTDESK_SHUTDOWN_TIMEOUT", "30s", "20s", "grace period for in-flight requests on SIGTERM"},
	{"RENTDESK_REQUEST_TIMEOUT", "30s", "15s", "deadline for the work of one request"},
	{"RENTDESK_BODY_LIMIT", "12M", "20M", "largest accepted request body"},
	{"RENTDESK_UPLOAD_LIMIT", "64M", "100M", "largest body of a staff form with photos (a return, an item photo); other requests keep RENTDESK_BODY_LIMIT"},
	{"RENTDESK_SESSION_IDLE_TIMEOUT", "2h", "30m", "log out after this long without a request"},
	{"RENTDESK_SESSION_LIFETIME", "24h", "12h", "log out this long after login whatever happens"},
	{"SMTP_HOST", "", "smtp.gmail.com", "mail server; empty keeps mail unsent in the admin mail queue"},
	{"SMTP_PORT", "587", "465", "mail server port"},
	{"SMTP_USERNAME", "", "shop@gmail.com", "SMTP user name"},
	{"SMTP_PASSWORD", "", "abcd efgh ijkl mnop", "SMTP password (a Gmail app password works)"},
	{"SMTP_TLS", "starttls", "tls", "none, starttls (port 587) or tls (implicit, port 465)"},
	{"SMTP_FROM", "Rentdesk <rentdesk@localhost>", "Bike Hire <hello@bikehire.example>", "sender of every email"},
	{"SMTP_CONNECT_TIMEOUT", "10s", "10s", "timeout to connect to the mail server"},
	{"SMTP_SEND_TIMEOUT", "30s", "30s", "timeout for one message"},
	{"STRIPE_SECRET_KEY", "", "sk_live_...", "Stripe secret key; with the webhook secret it turns on online payment (Stripe Checkout)"},
	{"STRIPE_WEBHOOK_SECRET", "", "whsec_...", "signing secret of the Stripe webhook endpoint (https://YOUR-HOST/webhooks/stripe, API version 2023-10-16)"},
	{"STRIPE_API_URL", "", "http://127.0.0.1:12111", "Stripe API address override (stripe-mock in development); empty = Stripe itself"},
	{"RENTDESK_METRICS_TOKEN", "", "s3cret-scrape-token", "bearer token that /metrics requires (Prometheus format); empty turns /metrics off on the main address"},
	{"RENTDESK_METRICS_ADDR", "", "127.0.0.1:9090", "a separate listen address serving only /metrics, without a token (bind it to a private interface)"},
	{"LOG_LEVEL", "info", "debug", "debug, info, warn or error"},
	{"LOG_FORMAT", "text", "json", "text or json"},
}

// Load reads the configuration through getenv (os.Getenv in production) and
// returns every problem found, joined.
func Load(getenv func(string) string) (Config, error) {
	p := parser{getenv: getenv}
	var c Config
	c.DatabaseURL = p.str("DATABASE_URL")
	if c.DatabaseURL == "" {
		p.fail("DATABASE_URL", "is required")
	}
	c.DBMaxOpenConns = p.int("RENTDESK_DB_MAX_OPEN", 1, 1000)
	// Idle connections default to the open limit: a pool that closes what
	// a burst opened starts new backends on the next one, and each new
	// connection plans every prepared statement again from cold.
	c.DBMaxIdleConns = c.DBMaxOpenConns
	if p.str("RENTDESK_DB_MAX_IDLE") != "" {
		c.DBMaxIdleConns = p.int("RENTDESK_DB_MAX_IDLE", 0, 1000)
	}
	c.DBConnMaxLifetime = p.dur("RENTDESK_DB_CONN_MAX_LIFETIME")
	c.DBAcquireTimeout = p.dur("RENTDESK_DB_ACQUIRE_TIMEOUT")
	c.DBDeskConns = p.int("RENTDESK_DB_DESK_CONNS", 0, 1000)
	c.Addr = p.str("RENTDESK_ADDR")
	c.BaseURL = p.url("RENTDESK_BASE_URL")
	c.TrustedProxies = p.cidrs("RENTDESK_TRUSTED_PROXIES")
	c.ReadHeaderTimeout = p.dur("RENTDESK_READ_HEADER_TIMEOUT")
	c.ReadTimeout = p.dur("RENTDESK_READ_TIMEOUT")
	c.WriteTimeout = p.dur("RENTDESK_WRITE_TIMEOUT")
	c.IdleTimeout = p.dur("RENTDESK_IDLE_TIMEOUT")
	c.ShutdownTimeout = p.dur("RENTDESK_SHUTDOWN_TIMEOUT")
	c.RequestTimeout = p.dur("RENTDESK_REQUEST_TIMEOUT")
	c.BodyLimit = p.str("RENTDESK_BODY_LIMIT")
	bodyLimit := p.bytes("RENTDESK_BODY_LIMIT")
	c.UploadLimit = p.bytes("RENTDESK_UPLOAD_LIMIT")
	if c.UploadLimit < bodyLimit {
		p.fail("RENTDESK_UPLOAD_LIMIT", "must not be below RENTDESK_BODY_LIMIT")
	}
	c.SessionIdleTimeout = p.dur("RENTDESK_SESSION_IDLE_TIMEOUT")
	c.SessionLifetime = p.dur("RENTDESK_SESSION_LIFETIME")
	c.SMTP = SMTP{
		Host:           p.str("SMTP_HOST"),
		Port:           p.int("SMTP_PORT", 1, 65535),
		Username:       p.str("SMTP_USERNAME"),
		Password:       p.str("SMTP_PASSWORD"),
		TLS:            p.oneOf("SMTP_TLS", "none", "starttls", "tls"),
		From:           p.str("SMTP_FROM"),
		ConnectTimeout: p.dur("SMTP_CONNECT_TIMEOUT"),
		SendTimeout:    p.dur("SMTP_SEND_TIMEOUT"),
	}
	c.Stripe = Stripe{
		SecretKey:     p.str("STRIPE_SECRET_KEY"),
		WebhookSecret: p.str("STRIPE_WEBHOOK_SECRET"),
		APIURL:        p.str("STRIPE_API_URL"),
	}
	c.MetricsToken = p.str("RENTDESK_METRICS_TOKEN")
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		p.fail("RENTDESK_METRICS_TOKEN", "must be at least 16 characters")
	}
	c.MetricsAddr = p.str("RENTDESK_METRICS_ADDR")
	switch lvl := strings.ToLower(p.str("LOG_LEVEL")); lvl {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "info":
		c.LogLevel = slog.LevelInfo
	case "warn":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		p.fail("LOG_LEVEL", fmt.Sprintf("%q is not one of debug, info, warn, error", lvl))
	}
	c.LogFormat = p.oneOf("LOG_FORMAT", "text", "json")
	if c.DBMaxIdleConns > c.DBMaxOpenConns {
		p.fail("RENTDESK_DB_MAX_IDLE", "must not exceed RENTDESK_DB_MAX_OPEN")
	}
	if c.SessionIdleTimeout > c.SessionLifetime {
		p.fail("RENTDESK_SESSION_IDLE_TIMEOUT", "must not exceed RENTDESK_SESSION_LIFETIME")
	}
	return c, errors.Join(p.errs...)
}

type parser struct {
	getenv func(string) string
	errs   []error
}

func (p *parser) fail(name, msg string) { p.errs = append(p.errs, fmt.Errorf("%s %s", name, msg)) }

func (p *parser) str(name string) string {
	if v := strings.TrimSpace(p.getenv(name)); v != "" {
		return v
	}
	return defaultOf(name)
}

func (p *parser) int(name string, lo, hi int) int {
	s := p.str(name)
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		p.fail(name, fmt.Sprintf("%q is not a whole number from %d to %d", s, lo, hi))
	}
	return n
}

// bytes reads a size like 12M or 512K, as the body limit takes it.
func (p *parser) bytes(name string) int64 {
	s := p.str(name)
	n, err := bytes.Parse(s)
	if err != nil || n <= 0 {
		p.fail(name, fmt.Sprintf("%q is not a size like 12M or 512K", s))
	}
	return n
}

func (p *parser) dur(name string) time.Duration {
	s := p.str(name)
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		p.fail(name, fmt.Sprintf("%q is not a positive duration like 30s or 5m", s))
	}
	return d
}

func (p *parser) url(name string) *url.URL {
	s := p.str(name)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.fail(name, fmt.Sprintf("%q is not an absolute http(s) URL", s))
		return &url.URL{Scheme: "http", Host: "localhost"}
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u
}

func (p *parser) cidrs(name string) []*net.IPNet {
	var nets []*net.IPNet
	for _, part := range strings.Split(p.str(name), ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			if ip := net.ParseIP(part); ip != nil && ip.To4() != nil {
				part += "/32"
			} else {
				part += "/128"
			}
		}
		_, n, err := net.ParseCIDR(part)
		if err != nil {
			p.fail(name, fmt.Sprintf("%q is not an address or CIDR range", part))
			continue
		}
		nets = append(nets, n)
	}
	return nets
}

func (p *parser) oneOf(name string, allowed ...string) string {
	s := strings.ToLower(p.str(name))
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	p.fail(name, fmt.Sprintf("%q is not one of %s", s, strings.Join(allowed, ", ")))
	return allowed[0]
}

func defaultOf(name string) string {
	for _, v := range Vars {
		if v.Name == name {
			return v.Default
		}
	}
	return ""
}
