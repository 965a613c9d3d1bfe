package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

const auditPerPage = 50

// AdminAuditList shows the audit log, newest first, filtered by what changed
// and the action, with keyset pagination.
func (s *Server) AdminAuditList(c echo.Context) error {
	ctx := c.Request().Context()
	types, err := s.Store.ListAuditEntityTypes(ctx)
	if err != nil {
		return err
	}
	entity := c.QueryParam("entity")
	if entity != "" && !slices.Contains(types, entity) {
		return echo.NewHTTPError(http.StatusBadRequest, "A filter value is not valid.")
	}
	before, err := queryInt64(c, "before")
	if err != nil {
		return err
	}
	action := strings.TrimSpace(c.QueryParam("action"))
	rows, err := s.Store.ListAudit(ctx, store.AuditFilter{EntityType: entity, Action: action, BeforeID: before, Limit: auditPerPage + 1})
	if err != nil {
		return err
	}
	v := pages.AdminAuditView{Page: s.page(c, "Audit log"), EntityType: entity, Action: action,
		EntityTypes: []components.Option{{Value: "", Label: "Everything"}}}
	for _, t := range types {
		v.EntityTypes = append(v.EntityTypes, components.Option{Value: t, Label: t})
	}
	if len(rows) > auditPerPage {
		rows = rows[:auditPerPage]
		v.NextHref = "/admin/audit?" + url.Values{"entity": {entity}, "action": {action}, "before": {strconv.FormatInt(rows[len(rows)-1].ID, 10)}}.Encode()
	}
	for _, r := range rows {
		actor := "system"
		if r.ActorEmail != nil {
			actor = *r.ActorEmail
		}
		v.Rows = append(v.Rows, pages.AuditRow{ID: r.ID, At: r.At.UTC().Format("2006-01-02 15:04:05"), Actor: actor, Action: r.Action,
			Entity: r.EntityType + " " + r.EntityID, Before: string(r.Before), After: string(r.After), RequestID: r.RequestID})
	}
	return s.render(c, http.StatusOK, pages.AdminAuditPage(v))
}
