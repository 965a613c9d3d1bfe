package web

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/metrics"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/pages"
)

const alertHistoryRows = 20

// firingAlerts names the alerts firing now for the admin banner. A failed
// lookup shows no banner rather than failing the page.
func (s *Server) firingAlerts(c echo.Context) []string {
	firing, err := s.Store.ListFiringAlerts(c.Request().Context())
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(firing))
	for _, a := range firing {
		r, _ := metrics.RuleByKey(a.Rule)
		out = append(out, r.Label+": "+r.Format(a.Value)+" (threshold "+r.Format(a.Threshold)+")")
	}
	return out
}

// alertsPanel is the history and the thresholds form (with typed values
// and errors when re-shown after a bad submission).
func (s *Server) alertsPanel(c echo.Context, typed map[string]pages.AlertRuleRow) (pages.AlertsPanel, error) {
	ctx := c.Request().Context()
	v := pages.AlertsPanel{}
	v.CSRF, _ = c.Get(ctxCSRF).(string)
	history, err := s.Store.ListAlerts(ctx, alertHistoryRows)
	if err != nil {
		return v, err
	}
	for _, a := range history {
		r, _ := metrics.RuleByKey(a.Rule)
		row := pages.AlertRow{Rule: r.Label, Value: r.Format(a.Value), Threshold: r.Format(a.Threshold),
			Started: utc(a.StartedAt), Firing: a.EndedAt == nil}
		if a.EndedAt != nil {
			row.Ended = utc(*a.EndedAt)
		}
		v.History = append(v.History, row)
	}
	rules, err := s.Store.ListAlertRules(ctx)
	if err != nil {
		return v, err
	}
	saved := map[string]store.AlertRule{}
	for _, r := range rules {
		saved[r.Key] = r
	}
	for _, info := range metrics.Rules {
		if row, ok := typed[info.Key]; ok {
			v.Rules = append(v.Rules, row)
			continue
		}
		r := saved[info.Key]
		v.Rules = append(v.Rules, pages.AlertRuleRow{Key: info.Key, Label: info.Label, Unit: info.Unit,
			Threshold: strconv.FormatFloat(r.Threshold, 'f', -1, 64), Enabled: r.Enabled})
	}
	return v, nil
}

// AdminAlertRulesUpdate saves the alert thresholds, all or none; a bad
// number re-shows the dashboard with the message beside the field (422).
func (s *Server) AdminAlertRulesUpdate(c echo.Context) error {
	rows, changes, ok := parseAlertRules(c)
	if !ok {
		return s.renderMetrics(c, http.StatusUnprocessableEntity, rows)
	}
	ctx := c.Request().Context()
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		before, err := tx.ListAlertRules(ctx)
		if err != nil {
			return err
		}
		for _, r := range changes {
			if err := tx.UpdateAlertRule(ctx, r.Key, r.Threshold, r.Enabled, s.Now()); err != nil {
				return err
			}
		}
		return audit(ctx, c, tx, "alert_rules.update", "alert_rules", "all", before, changes)
	})
	if err != nil {
		return err
	}
	s.flash(c, "success", "Alert thresholds saved.")
	return redirect(c, "/admin/metrics#alerts")
}

// parseAlertRules reads one threshold and switch per known rule.
func parseAlertRules(c echo.Context) (map[string]pages.AlertRuleRow, []store.AlertRule, bool) {
	rows := map[string]pages.AlertRuleRow{}
	var changes []store.AlertRule
	ok, long := true, tooLong(c, nil)
	for _, info := range metrics.Rules {
		raw := strings.TrimSpace(c.FormValue("threshold_" + info.Key))
		row := pages.AlertRuleRow{Key: info.Key, Label: info.Label, Unit: info.Unit, Threshold: raw,
			Enabled: c.FormValue("enabled_"+info.Key) != ""}
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) || v > 1e9 {
			row.Error = "Enter a number from 0 upwards."
			ok = false
		}
		if msg := long["threshold_"+info.Key]; msg != "" {
			row.Error, ok = msg, false
		}
		rows[info.Key] = row
		changes = append(changes, store.AlertRule{Key: info.Key, Threshold: v, Enabled: row.Enabled})
	}
	return rows, changes, ok
}
