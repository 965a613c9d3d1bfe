package web

import (
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/payment"
)

// maxWebhookBody caps a Stripe event: real ones are a few kilobytes, and the
// signature is checked over the whole body, so it is read in full first.
const maxWebhookBody = 256 << 10

// StripeWebhook receives Stripe's payment events. The answer tells Stripe
// whether to deliver again: 2xx done (a duplicate too), 400 never valid
// (bad signature, another API version), 5xx try later.
func (s *Server) StripeWebhook(c echo.Context) error {
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, maxWebhookBody+1))
	if err != nil {
		return c.String(http.StatusBadRequest, "unreadable body\n")
	}
	if len(body) > maxWebhookBody {
		return c.String(http.StatusRequestEntityTooLarge, "body too large\n")
	}
	err = s.Payments.HandleWebhook(c.Request().Context(), body, c.Request().Header.Get("Stripe-Signature"))
	switch {
	case errors.Is(err, payment.ErrBadSignature):
		s.Logger.Info("stripe webhook: signature refused", "err", err, "request_id", actor(c).RequestID)
		return c.String(http.StatusBadRequest, "invalid signature\n")
	case errors.Is(err, payment.ErrBadEvent):
		s.Logger.Warn("stripe webhook: event refused", "err", err, "request_id", actor(c).RequestID)
		return c.String(http.StatusBadRequest, err.Error()+"\n")
	case errors.Is(err, payment.ErrAPIVersion):
		return c.String(http.StatusBadRequest, err.Error()+"\n")
	case err != nil:
		return err
	}
	return c.String(http.StatusOK, "ok\n")
}
