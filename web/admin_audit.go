package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/period"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

const auditPerPage = 50

// shopZone is the zone the admin pages show times in, the first location's
// (the shop's home), and the shop's currency.
func (s *Server) shopZone(ctx context.Context) (*time.Location, string, error) {
	st, err := s.Store.GetSettings(ctx)
	if err != nil {
		return nil, "", err
	}
	locs, err := s.Store.ListLocations(ctx)
	if err != nil {
		return nil, "", err
	}
	if len(locs) == 0 {
		return time.UTC, st.Currency, nil
	}
	return period.Zone(locs[0].TimeZone), st.Currency, nil
}

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
	zone, currency, err := s.shopZone(ctx)
	if err != nil {
		return err
	}
	v.Zone = zone.String()
	ids := map[string][]string{}
	entries := make([]auditEntry, len(rows))
	for i, r := range rows {
		entries[i] = decodeAudit(r)
		ids[r.EntityType] = append(ids[r.EntityType], r.EntityID)
		auditRefs(entries[i], ids)
		if r.ActorID != nil {
			ids["user"] = append(ids["user"], strconv.FormatInt(*r.ActorID, 10))
		}
	}
	labels, err := s.Store.AuditLabels(ctx, ids)
	if err != nil {
		return err
	}
	for _, r := range entries {
		v.Rows = append(v.Rows, auditRow(r, labels, zone, currency))
	}
	return s.render(c, http.StatusOK, pages.AdminAuditPage(v))
}
