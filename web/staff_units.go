package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/booking"
	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// maxUnitsAtOnce bounds "add several units" so a typo cannot make a million.
const maxUnitsAtOnce = 500

// unitTags works out the asset tags the add-units form asks for: one tag, or
// a series (prefix, first number, count, digits).
func unitTags(f pages.UnitsForm, errs components.Errors) []string {
	if f.Mode == "one" {
		if msg := catalog.CheckAssetTag(f.AssetTag); msg != "" {
			errs["asset_tag"] = msg
			return nil
		}
		return []string{f.AssetTag}
	}
	first, err1 := strconv.Atoi(f.First)
	count, err2 := strconv.Atoi(f.Count)
	width, err3 := strconv.Atoi(f.Width)
	switch {
	case err1 != nil || first < 0 || first > 1_000_000:
		errs["first"] = "Enter a whole number from 0."
	case err2 != nil || count < 1 || count > maxUnitsAtOnce:
		errs["count"] = fmt.Sprintf("Enter how many, from 1 to %d.", maxUnitsAtOnce)
	case err3 != nil || width < 1 || width > 8:
		errs["width"] = "Enter 1 to 8 digits."
	case catalog.CheckAssetTag(f.Prefix+"0") != "":
		errs["prefix"] = "Use letters, digits and punctuation without spaces."
	default:
		return catalog.SeriesTags(f.Prefix, first, count, width)
	}
	return nil
}

// StaffUnitsCreate adds one unit or a numbered series to a serialized item.
func (s *Server) StaffUnitsCreate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f := pages.UnitsForm{Mode: c.FormValue("mode"), AssetTag: field(c, "asset_tag"), Serial: field(c, "serial_number"),
		Prefix: field(c, "prefix"), First: field(c, "first"), Count: field(c, "count"), Width: field(c, "width"), LocationID: field(c, "location_id")}
	if err := oneOf(f.Mode, "one", "series"); err != nil {
		return err
	}
	_, locs, err := s.locationOptions(c.Request().Context())
	if err != nil {
		return err
	}
	errs := components.Errors{}
	loc, ok := optionalID(f.LocationID, hasLocation(locs))
	if !ok || loc == nil {
		errs["location_id"] = "Choose a location."
	}
	if msg := catalog.CheckUnitText(f.Serial, ""); msg != "" {
		errs["serial_number"] = msg
	}
	tags := unitTags(f, errs)
	tooLong(c, errs)
	if len(errs) == 0 {
		if errs, err = s.addUnits(c, id, *loc, tags, f); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return s.renderItemShow(c, http.StatusUnprocessableEntity, id, func(v *pages.StaffItemView) { v.UnitForm, v.Errors = f, errs })
	}
	s.flash(c, "success", fmt.Sprintf("%d unit(s) added: %s", len(tags), summarizeTags(tags)))
	return redirect(c, "/staff/items/"+idOf(id))
}

// addUnits creates the units with their audit row; taken tags come back as
// a field message naming them.
func (s *Server) addUnits(c echo.Context, itemID, locationID int64, tags []string, f pages.UnitsForm) (components.Errors, error) {
	ctx := c.Request().Context()
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		it, err := tx.GetItemForUpdate(ctx, itemID)
		if err != nil {
			return err
		}
		if it.Tracking != catalog.Serialized {
			return echo.NewHTTPError(http.StatusConflict, "This item is counted in bulk; set its stock instead.")
		}
		if taken, err := tx.TakenAssetTags(ctx, tags); err != nil {
			return err
		} else if len(taken) > 0 {
			return &formErrors{components.Errors{tagField(f): "Already in use: " + strings.Join(taken, ", ") + "."}}
		}
		if _, err := tx.CreateUnits(ctx, itemID, locationID, tags, f.Serial); err != nil {
			return err
		}
		return audit(ctx, c, tx, "unit.create", "item", idOf(itemID), nil, map[string]any{"asset_tags": tags, "location_id": locationID})
	})
	var fe *formErrors
	switch {
	case errors.As(err, &fe):
		return fe.errs, nil
	case errors.Is(err, store.ErrConflict):
		return components.Errors{tagField(f): "One of these asset tags was just taken; try again."}, nil
	}
	return nil, err
}

func tagField(f pages.UnitsForm) string {
	if f.Mode == "one" {
		return "asset_tag"
	}
	return "prefix"
}

func summarizeTags(tags []string) string {
	if len(tags) <= 3 {
		return strings.Join(tags, ", ")
	}
	return tags[0] + " … " + tags[len(tags)-1]
}

// StaffUnitEdit shows the form of one unit.
func (s *Server) StaffUnitEdit(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	u, err := s.Store.GetUnit(ctx, id)
	if err != nil {
		return err
	}
	f := pages.UnitForm{Serial: u.SerialNumber, LocationID: idOf(u.LocationID), Status: u.Status, Notes: u.ConditionNotes}
	return s.renderUnitForm(c, http.StatusOK, u, f, nil)
}

func (s *Server) renderUnitForm(c echo.Context, status int, u catalog.Unit, f pages.UnitForm, errs components.Errors) error {
	ctx := c.Request().Context()
	locs, _, err := s.locationOptions(ctx)
	if err != nil {
		return err
	}
	it, err := s.Store.GetItem(ctx, u.ItemID)
	if err != nil {
		return err
	}
	v := pages.UnitFormView{Page: s.page(c, "Unit "+u.AssetTag), Unit: u, ItemName: it.Name, Form: f, Locations: locs, Errors: errs}
	return s.render(c, status, pages.UnitFormPage(v))
}

// StaffUnitUpdate moves a unit, changes its status (maintenance, retired)
// or notes. The change goes through the store's unit lock, where booking
// rules refuse taking away a booked unit: the form then says which booking.
func (s *Server) StaffUnitUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	before, err := s.Store.GetUnit(c.Request().Context(), id)
	if err != nil {
		return err
	}
	f := pages.UnitForm{Serial: field(c, "serial_number"), LocationID: field(c, "location_id"), Status: field(c, "status"), Notes: strings.TrimSpace(c.FormValue("condition_notes"))}
	loc, errs, err := s.checkUnitForm(c, f)
	if err != nil {
		return err
	}
	after := before
	if len(errs) == 0 {
		after.LocationID, after.SerialNumber, after.Status, after.ConditionNotes = loc, f.Serial, f.Status, f.Notes
		if after, errs, err = s.saveUnit(c, before, after); err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return s.renderUnitForm(c, http.StatusUnprocessableEntity, before, f, errs)
	}
	s.flash(c, "success", "Unit "+after.AssetTag+" saved.")
	return redirect(c, "/staff/items/"+idOf(after.ItemID))
}

// checkUnitForm validates the unit form and returns the chosen location.
func (s *Server) checkUnitForm(c echo.Context, f pages.UnitForm) (int64, components.Errors, error) {
	_, locs, err := s.locationOptions(c.Request().Context())
	if err != nil {
		return 0, nil, err
	}
	errs := components.Errors{}
	loc, ok := optionalID(f.LocationID, hasLocation(locs))
	if !ok || loc == nil {
		errs["location_id"] = "Choose a location."
		loc = new(int64)
	}
	if !slices.Contains(catalog.UnitStatuses, f.Status) {
		errs["status"] = "Choose available, maintenance or retired."
	}
	if msg := catalog.CheckUnitText(f.Serial, f.Notes); msg != "" {
		errs["serial_number"] = msg
	}
	return *loc, tooLong(c, errs), nil
}

// saveUnit writes the unit with its audit row. A unit a booking holds
// cannot be retired, put in maintenance or moved: that refusal comes back
// as a message beside the field that asked for it.
func (s *Server) saveUnit(c echo.Context, before, after catalog.Unit) (catalog.Unit, components.Errors, error) {
	ctx := c.Request().Context()
	saved := after
	err := s.Store.WithTx(ctx, func(tx *store.Store) error {
		var err error
		if saved, err = tx.UpdateUnit(ctx, after); err != nil {
			return err
		}
		if before.Status != "available" && saved.Status == "available" {
			// Back in service: an open-ended maintenance block ends now.
			if err := tx.EndOpenMaintenance(ctx, before.ID, s.Now()); err != nil {
				return err
			}
		}
		return audit(ctx, c, tx, "unit.update", "unit", idOf(before.ID), unitAudit(before), unitAudit(saved))
	})
	var held *store.UnitHeldError
	if errors.As(err, &held) {
		name := "status"
		if after.Status == before.Status {
			name = "location_id" // only the move was refused
		}
		return after, components.Errors{name: fmt.Sprintf("Booking %s holds unit %s, now or later: it cannot be retired, "+
			"put in maintenance or moved to another location until that booking no longer needs it.", held.BookingNumber, held.AssetTag)}, nil
	}
	return saved, nil, err
}

// StaffStockUpdate sets a bulk item's quantity at each location, through the
// booking engine: a location cannot keep fewer than its bookings need.
func (s *Server) StaffStockUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	_, locs, err := s.locationOptions(c.Request().Context())
	if err != nil {
		return err
	}
	qty, input, errs := parseStock(c, locs)
	if len(errs) == 0 {
		if errs, err = s.saveStock(c, id, qty); err != nil {
			return err
		}
		if errs == nil {
			s.flash(c, "success", "Stock saved.")
			return redirect(c, "/staff/items/"+idOf(id))
		}
	}
	return s.renderItemShow(c, http.StatusUnprocessableEntity, id, func(v *pages.StaffItemView) { v.StockInput, v.Errors = input, errs })
}

// parseStock reads the quantity of each location (field qty_<id>), with
// the input as typed to put back on a failed form.
func parseStock(c echo.Context, locs []catalog.Location) (map[int64]int, map[int64]string, components.Errors) {
	qty, input, errs := map[int64]int{}, map[int64]string{}, components.Errors{}
	for _, l := range locs {
		raw := field(c, "qty_"+idOf(l.ID))
		input[l.ID] = raw
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > 1_000_000 {
			errs["qty_"+idOf(l.ID)] = "Enter a whole number from 0."
		}
		qty[l.ID] = n
	}
	return qty, input, tooLong(c, errs)
}

// saveStock sets the stock; a refusal because a location would be left
// short of its bookings comes back as (non-nil) messages beside the
// quantities.
func (s *Server) saveStock(c echo.Context, id int64, qty map[int64]int) (components.Errors, error) {
	err := s.Booking.SetBulkStock(c.Request().Context(), id, qty, actor(c))
	var short *booking.CapacityError
	var rule *booking.RuleError
	switch {
	case errors.As(err, &short):
		errs := components.Errors{}
		for _, r := range short.Short {
			errs["qty_"+idOf(r.LocationID)] = short.LocationMessage(r)
		}
		return errs, nil
	case errors.As(err, &rule):
		return nil, echo.NewHTTPError(http.StatusConflict, rule.Msg)
	}
	return nil, err
}
