package web

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// StaffScan checks out one scanned tag in place (htmx): the answer is a line
// for the scan log and, when the unit went out, the booking's lines and state
// swapped out of band; a refused scan says why in plain words (422). Without
// htmx it answers like the check-out form.
func (s *Server) StaffScan(c echo.Context) error {
	if !isHTMX(c) {
		return s.StaffCheckout(c)
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	tag := strings.TrimSpace(field(c, "tag"))
	if long := tooLong(c, nil); long.Any() {
		return s.render(c, http.StatusUnprocessableEntity, pages.ScanResult(pages.StaffBookingView{}, "The scanned tag: "+long["tag"], false))
	}
	err = s.Booking.CheckOut(c.Request().Context(), id, tag, actor(c))
	if errors.Is(err, store.ErrNotFound) {
		return err
	}
	if msg, refused := scanRefusal(tag, err); refused {
		return s.render(c, http.StatusUnprocessableEntity, pages.ScanResult(pages.StaffBookingView{}, msg, false))
	} else if err != nil {
		return err
	}
	v, err := s.staffBookingView(c, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, pages.ScanResult(v, tag+" is out.", true))
}

// scanRefusal words what the engine refused for the scan log; refused is
// false for errors that are not the scan's fault (they become error pages).
func scanRefusal(tag string, err error) (msg string, refused bool) {
	var fe booking.FieldErrors
	var ce *booking.ConflictError
	var re *booking.RuleError
	switch {
	case err == nil:
		return "", false
	case errors.As(err, &fe):
		if m, ok := fe["tag"]; ok {
			return m, true
		}
		keys := make([]string, 0, len(fe))
		for k := range fe {
			keys = append(keys, fe[k])
		}
		sort.Strings(keys)
		return strings.Join(keys, " "), true
	case errors.As(err, &ce):
		if strings.HasPrefix(ce.Detail, "cannot go out") {
			return fmt.Sprintf("%s %s.", tag, ce.Detail), true // "… cannot go out early: …"
		}
		if ce.Detail != "" {
			return fmt.Sprintf("%s cannot go out: %s.", tag, ce.Detail), true
		}
		return ce.Message(), true
	case errors.As(err, &re):
		return re.Msg, true
	}
	return "", false
}
