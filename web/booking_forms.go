package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// parseLocal reads one datetime-local (or date) value as wall-clock time in
// the location's zone; a problem is a field error under name.
func parseLocal(errs components.Errors, name, value string, loc *time.Location) time.Time {
	t, err := period.ParseLocal(value, loc)
	var skipped *period.SkippedError
	switch {
	case errors.As(err, &skipped):
		errs[name] = catalog.Sentence(skipped.Message())
	case errors.Is(err, period.ErrMissing):
		errs[name] = "Choose a date and time."
	case err != nil:
		errs[name] = "Enter a date and time like 2026-03-07 15:00."
	}
	return t
}

// parsePeriodForm reads start and end fields in the location's zone and checks
// the period with the engine's rules, before any SQL.
func parsePeriodForm(start, end string, loc *time.Location, now time.Time) (time.Time, time.Time, components.Errors) {
	errs := components.Errors{}
	p, err := period.Parse(start, end, loc)
	var fe period.FieldErrors
	if errors.As(err, &fe) {
		for k, m := range fe {
			errs[k] = catalog.Sentence(m)
		}
		return p.Start, p.End, errs
	}
	if err != nil {
		errs["start"] = "Choose a location first."
		return p.Start, p.End, errs
	}
	for k, v := range booking.CheckPeriod(p.Start, p.End, now) {
		errs[k] = v
	}
	return p.Start, p.End, errs
}

// checkHorizon adds the booking horizon's message under key when t lies
// beyond it; only a failure to read the settings is an error.
func (s *Server) checkHorizon(ctx context.Context, errs components.Errors, key string, t time.Time) error {
	if errs[key] != "" || t.IsZero() {
		return nil
	}
	st, err := s.Store.GetSettings(ctx)
	if err != nil {
		return err
	}
	if m := booking.CheckHorizon(t, st, s.Now()); m != "" {
		errs[key] = m
	}
	return nil
}

// formatLocal writes t as a datetime-local value in loc.
func formatLocal(t time.Time, loc *time.Location) string { return period.FormatLocal(t, loc) }

// displayRange shows a period for people, in the location's zone.
func displayRange(start, end time.Time, loc *time.Location) string {
	return period.FormatRange(period.Period{Start: start, End: end}, loc)
}

// defaultPeriod is what date forms propose: tomorrow 10:00 to the day after,
// on the location's wall clock, each moved to its next opening, so the values
// pass the forms' own validation (B13).
func defaultPeriod(now time.Time, loc store.BookingLocation) (start, end time.Time) {
	zone := period.Zone(loc.TimeZone)
	l := now.In(zone)
	start = booking.NextOpen(loc, period.Date(l.Year(), l.Month(), l.Day()+1, 10, 0, 0, 0, zone))
	return start, booking.NextOpen(loc, period.AddDays(start, 1, zone))
}

// formInt reads a whole number from a form field; "" and junk are field errors.
func formInt(errs components.Errors, key, raw string, min, max int, msg string) int {
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil || n < min || n > max {
		errs[key] = msg
		return 0
	}
	return n
}

func quantityMessage() string {
	return fmt.Sprintf("Choose a quantity from 1 to %d.", booking.MaxQuantity)
}

// priceRows writes a line's breakdown: the tiers for one item, then the
// quantity, the minimum and the tax when they matter.
func priceRows(b booking.Breakdown, currency string) []pages.PriceRow {
	rows := make([]pages.PriceRow, 0, len(b.Lines)+2)
	for _, l := range b.Lines {
		rows = append(rows, pages.PriceRow{Label: l.Label, Amount: money.Format(l.Amount, currency)})
	}
	if b.MinimumApplied {
		rows = append(rows, pages.PriceRow{Label: "Billed as the minimum rental"})
	}
	if b.Quantity > 1 {
		rows = append(rows, pages.PriceRow{Label: fmt.Sprintf("× %d", b.Quantity)})
	}
	return rows
}

func totalRows(t store.Totals, st store.Settings, currency string) []pages.PriceRow {
	rows := []pages.PriceRow{{Label: "Subtotal", Amount: money.Format(t.Subtotal, currency)}}
	if t.Tax != 0 {
		label := "Tax"
		if st.TaxMode == "inclusive" {
			label = "Tax included"
		}
		rows = append(rows, pages.PriceRow{Label: label, Amount: money.Format(t.Tax, currency)})
	}
	return append(rows, pages.PriceRow{Label: "Total", Amount: money.Format(t.Total, currency)})
}

// bookingFailed answers what the engine refused. Field errors go back to the
// form (422, input kept); a conflict is the 409 page naming what could not be
// had (staff also see what holds it); a rule is a 422 with its message.
func (s *Server) bookingFailed(c echo.Context, err error, back string, rerender func(components.Errors, string) error) error {
	var fe booking.FieldErrors
	var ce *booking.ConflictError
	var re *booking.RuleError
	switch {
	case errors.As(err, &fe) && rerender != nil:
		return rerender(components.Errors(fe), "")
	case errors.As(err, &fe):
		return echo.NewHTTPError(http.StatusUnprocessableEntity, fe.Error())
	case errors.As(err, &ce):
		v := pages.ConflictView{Page: s.page(c, "No longer available"), Message: ce.Message(), Back: back}
		if u := currentUser(c); u != nil && u.IsStaff() {
			v.Detail = ce.Detail
		}
		return s.render(c, http.StatusConflict, pages.ConflictPage(v))
	case errors.As(err, &re) && rerender != nil:
		return rerender(nil, re.Msg)
	case errors.As(err, &re):
		return echo.NewHTTPError(http.StatusUnprocessableEntity, re.Msg)
	case errors.Is(err, store.ErrConflict):
		v := pages.ConflictView{Page: s.page(c, "No longer available"), Back: back,
			Message: "Someone else booked this at the same moment. Please choose again."}
		return s.render(c, http.StatusConflict, pages.ConflictPage(v))
	}
	return err
}

// actor is the current user and request, for the audit log.
func actor(c echo.Context) booking.Actor {
	a := booking.Actor{RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}
	if u := currentUser(c); u != nil {
		a.UserID = u.ID
	}
	return a
}
