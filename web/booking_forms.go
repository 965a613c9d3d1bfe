package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// localLayout is the value of a datetime-local input.
const localLayout = "2006-01-02T15:04"

// parseLocal reads a datetime-local value as wall-clock time in loc. A plain
// date means midnight. Field errors are keyed by name.
func parseLocal(errs components.Errors, name, value string, loc *time.Location) time.Time {
	value = strings.TrimSpace(value)
	if value == "" {
		errs[name] = "Choose a date and time."
		return time.Time{}
	}
	for _, layout := range []string{localLayout, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, value, loc); err == nil {
			return t.UTC()
		}
	}
	errs[name] = "Enter a date and time like 2026-03-07 15:00."
	return time.Time{}
}

// parsePeriodForm reads start and end fields in loc and checks the period
// with the engine's rules, before any SQL.
func parsePeriodForm(start, end string, loc *time.Location, now time.Time) (time.Time, time.Time, components.Errors) {
	errs := components.Errors{}
	s := parseLocal(errs, "start", start, loc)
	e := parseLocal(errs, "end", end, loc)
	if errs.Any() {
		return s, e, errs
	}
	for k, v := range booking.CheckPeriod(s, e, now) {
		errs[k] = v
	}
	return s, e, errs
}

// formatLocal writes t as a datetime-local value in loc.
func formatLocal(t time.Time, loc *time.Location) string { return t.In(loc).Format(localLayout) }

// displayRange shows a period for people, in the location's zone.
func displayRange(start, end time.Time, loc *time.Location) string {
	const day, clock = "Mon 2 Jan 2006", "15:04"
	s, e := start.In(loc), end.In(loc)
	if s.Format(day) == e.Format(day) {
		return s.Format(day+", "+clock) + " – " + e.Format(clock)
	}
	return s.Format(day+", "+clock) + " – " + e.Format(day+", "+clock)
}

// zoneOf loads a location's zone; a zone name the server does not know is UTC
// (the catalog validates zones when locations are saved).
func zoneOf(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.UTC
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

func priceRows(lines []booking.PriceLine, currency string) []pages.PriceRow {
	rows := make([]pages.PriceRow, len(lines))
	for i, l := range lines {
		rows[i] = pages.PriceRow{Label: l.Label, Amount: money.Format(l.Amount, currency)}
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
