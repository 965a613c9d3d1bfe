package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/internal/store"
)

// AdminExportBookings streams the bookings made in the dashboard's period
// and location as CSV.
func (s *Server) AdminExportBookings(c echo.Context) error {
	f, err := s.metricsFilterOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	now := s.Now()
	from := localMidnight(now, f.zone).AddDate(0, 0, 1-f.days)
	w := startCSV(c, "bookings-"+f.view.Period+".csv", []string{"number", "status", "channel", "location", "customer", "email",
		"created_at", "confirmed_at", "cancelled_at", "lines", "total", "currency"})
	return writeCSVPages(w,
		func(after int64) ([]store.BookingExport, error) {
			return s.Store.ExportBookings(ctx, from, now, f.locationID, after, exportPage)
		},
		func(b store.BookingExport) int64 { return b.ID },
		func(b store.BookingExport) []string {
			return []string{b.Number, b.Status, b.Channel, csvText(b.Location), csvText(b.Customer), csvText(b.Email),
				csvTime(&b.CreatedAt), csvTime(b.ConfirmedAt), csvTime(b.CancelledAt), strconv.Itoa(b.Lines),
				money.FormatPlain(b.Total, b.Currency), b.Currency}
		})
}

// AdminExportPayments streams the payments and refunds recorded in the
// dashboard's period and location as CSV (refunds negative, every status,
// so a pending refund is visible; revenue counts the done ones).
func (s *Server) AdminExportPayments(c echo.Context) error {
	f, err := s.metricsFilterOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	now := s.Now()
	from := localMidnight(now, f.zone).AddDate(0, 0, 1-f.days)
	w := startCSV(c, "payments-"+f.view.Period+".csv", []string{"at", "booking", "location", "customer", "kind", "method",
		"status", "amount", "currency", "reference", "recorded_by"})
	return writeCSVPages(w,
		func(after int64) ([]store.PaymentExport, error) {
			return s.Store.ExportPayments(ctx, from, now, f.locationID, after, exportPage)
		},
		func(p store.PaymentExport) int64 { return p.ID },
		func(p store.PaymentExport) []string {
			return []string{csvTime(&p.At), p.Booking, csvText(p.Location), csvText(p.Customer), p.Kind, p.Method,
				p.Status, money.FormatPlain(p.Amount, p.Currency), p.Currency, csvText(p.Reference), csvText(p.RecordedBy)}
		})
}

// AdminExportUtilization writes the daily utilization rollup of the period
// and location as CSV, one row per day, location and item.
func (s *Server) AdminExportUtilization(c echo.Context) error {
	f, err := s.metricsFilterOf(c)
	if err != nil {
		return err
	}
	today := localMidnight(s.Now(), f.zone)
	rows, err := s.Store.ListUtilizationRows(c.Request().Context(), dateOf(today.AddDate(0, 0, 1-f.days)), dateOf(today).AddDate(0, 0, 1), f.locationID)
	if err != nil {
		return err
	}
	w := startCSV(c, "utilization-"+f.view.Period+".csv", []string{"day", "location", "item", "unit_hours_available", "unit_hours_out", "utilization"})
	for _, r := range rows {
		u := ""
		if r.HoursAvailable > 0 {
			u = fmt.Sprintf("%.4f", r.HoursOut/r.HoursAvailable)
		}
		_ = w.Write([]string{r.Day.Format(time.DateOnly), csvText(r.Location), csvText(r.Item),
			fmt.Sprintf("%.2f", r.HoursAvailable), fmt.Sprintf("%.2f", r.HoursOut), u})
	}
	w.Flush()
	return w.Error()
}

// csvText keeps a spreadsheet from reading text typed by people (names,
// emails) as a formula.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func csvTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
