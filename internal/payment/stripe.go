package payment

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
)

// Stripe client limits. stripe-go's defaults (an 80 s timeout, 2 retries)
// outlast a request's deadline; a customer waiting at checkout gets an
// answer, or a clear "try again", within about 20 s.
const (
	StripeTimeout = 10 * time.Second
	StripeRetries = 1
	// WebhookTolerance is how old a signed webhook may be (replays are refused).
	WebhookTolerance = 300 * time.Second
	// CheckoutOrigin is where Stripe Checkout pages live; the CSP lets forms
	// go there when Stripe is configured.
	CheckoutOrigin = "https://checkout.stripe.com"
)

// StripeConfig is how to reach Stripe.
type StripeConfig struct {
	SecretKey     string
	WebhookSecret string
	// APIURL overrides Stripe's API address (stripe-mock in development and tests).
	APIURL string
}

// Configured reports whether online payment can run: a secret key to create
// sessions and a webhook secret to trust their outcome.
func (c StripeConfig) Configured() bool { return c.SecretKey != "" && c.WebhookSecret != "" }

// newStripeAPI builds a Stripe client of our own: its own backends (not
// stripe-go's package globals), our timeout and retries, our logger.
func newStripeAPI(c StripeConfig, logger *slog.Logger) *client.API {
	cfg := &stripe.BackendConfig{
		HTTPClient:        &http.Client{Timeout: StripeTimeout},
		MaxNetworkRetries: stripe.Int64(StripeRetries),
		LeveledLogger:     stripeLogger{logger},
		EnableTelemetry:   stripe.Bool(false),
	}
	if c.APIURL != "" {
		cfg.URL = stripe.String(c.APIURL)
	}
	api := &client.API{}
	api.Init(c.SecretKey, stripe.NewBackendsWithConfig(cfg))
	return api
}

// stripeLogger sends stripe-go's log lines to our logger, one level down:
// its errors are answers we handle and log ourselves.
type stripeLogger struct{ l *slog.Logger }

func (s stripeLogger) Debugf(format string, v ...any) {}
func (s stripeLogger) Infof(format string, v ...any)  {}
func (s stripeLogger) Warnf(format string, v ...any) {
	s.l.Debug("stripe: " + fmt.Sprintf(format, v...))
}
func (s stripeLogger) Errorf(format string, v ...any) {
	s.l.Info("stripe: " + fmt.Sprintf(format, v...))
}
