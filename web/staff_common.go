package web

import (
	"context"
	"strconv"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/templates/components"
)

// currency is the shop currency every amount is typed and shown in.
func (s *Server) currency(ctx context.Context) (string, error) {
	st, err := s.Store.GetSettings(ctx)
	if err != nil {
		return "", err
	}
	return st.Currency, nil
}

// categoryOptions lists categories for a select, with "none" first.
func (s *Server) categoryOptions(ctx context.Context, none string) ([]components.Option, []catalog.Category, error) {
	cs, err := s.Store.ListCategories(ctx)
	if err != nil {
		return nil, nil, err
	}
	opts := []components.Option{{Value: "", Label: none}}
	for _, c := range cs {
		opts = append(opts, components.Option{Value: strconv.FormatInt(c.ID, 10), Label: c.Name})
	}
	return opts, cs, nil
}

// locationOptions lists locations for a select.
func (s *Server) locationOptions(ctx context.Context) ([]components.Option, []catalog.Location, error) {
	ls, err := s.Store.ListLocations(ctx)
	if err != nil {
		return nil, nil, err
	}
	opts := make([]components.Option, 0, len(ls))
	for _, l := range ls {
		opts = append(opts, components.Option{Value: strconv.FormatInt(l.ID, 10), Label: l.Name + " (" + l.TimeZone + ")"})
	}
	return opts, ls, nil
}

// idOf formats an id for audit rows and URLs.
func idOf(id int64) string { return strconv.FormatInt(id, 10) }

// optionalID reads a select's id value: "" is none, anything not a known id
// is reported by ok=false.
func optionalID(v string, known func(int64) bool) (*int64, bool) {
	if v == "" {
		return nil, true
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || !known(id) {
		return nil, false
	}
	return &id, true
}

// hasCategory reports whether id names one of cs.
func hasCategory(cs []catalog.Category) func(int64) bool {
	return func(id int64) bool {
		for _, c := range cs {
			if c.ID == id {
				return true
			}
		}
		return false
	}
}

// hasLocation reports whether id names one of ls.
func hasLocation(ls []catalog.Location) func(int64) bool {
	return func(id int64) bool {
		for _, l := range ls {
			if l.ID == id {
				return true
			}
		}
		return false
	}
}

// unitAudit is what the audit log keeps of a unit.
func unitAudit(u catalog.Unit) map[string]any {
	return map[string]any{"asset_tag": u.AssetTag, "item_id": u.ItemID, "location_id": u.LocationID,
		"serial_number": u.SerialNumber, "status": u.Status, "condition_notes": u.ConditionNotes}
}
