package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/money"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// StaffItemShow shows an item with its photos and its units or stock.
func (s *Server) StaffItemShow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.renderItemShow(c, http.StatusOK, id, nil)
}

// renderItemShow renders the item page; adjust lets a failed form on it
// (photo, units, stock) put back its input and messages.
func (s *Server) renderItemShow(c echo.Context, status int, id int64, adjust func(*pages.StaffItemView)) error {
	v, err := s.staffItemView(c, id)
	if err != nil {
		return err
	}
	if err := s.loadInventory(c.Request().Context(), &v); err != nil {
		return err
	}
	if adjust != nil {
		adjust(&v)
	}
	return s.render(c, status, pages.StaffItemPage(v))
}

// staffItemView starts the item page's view: the item, its currency and category.
func (s *Server) staffItemView(c echo.Context, id int64) (pages.StaffItemView, error) {
	ctx := c.Request().Context()
	it, err := s.Store.GetItem(ctx, id)
	if err != nil {
		return pages.StaffItemView{}, err
	}
	cur, err := s.currency(ctx)
	if err != nil {
		return pages.StaffItemView{}, err
	}
	v := pages.StaffItemView{Page: s.page(c, it.Name), Item: it, Currency: cur, Errors: components.Errors{},
		StockInput: map[int64]string{}}
	if it.CategoryID != nil {
		cat, err := s.Store.GetCategory(ctx, *it.CategoryID)
		if err != nil {
			return pages.StaffItemView{}, err
		}
		v.CategoryName = cat.Name
	}
	return v, nil
}

// loadInventory adds the photos, the locations, and the units or the bulk
// stock, with the add-units form's defaults.
func (s *Server) loadInventory(ctx context.Context, v *pages.StaffItemView) error {
	photos, err := s.Store.ListPhotos(ctx, v.Item.ID)
	if err != nil {
		return err
	}
	v.Photos = photoViews(photos)
	if v.Locations, _, err = s.locationOptions(ctx); err != nil {
		return err
	}
	if v.Item.Tracking == catalog.Serialized {
		units, err := s.Store.ListUnits(ctx, v.Item.ID)
		if err != nil {
			return err
		}
		v.Units = unitLines(units)
	} else {
		stock, err := s.Store.ListBulkStock(ctx, v.Item.ID)
		if err != nil {
			return err
		}
		v.Stock = stockLines(stock)
	}
	rule, err := s.Store.GetLateFeeRule(ctx, v.Item.ID)
	if err != nil {
		return err
	}
	v.LateFee = pages.LateFeeForm{Per: rule.Per, Amount: money.FormatPlain(rule.Amount, v.Currency),
		Grace: strconv.Itoa(rule.GraceMinutes), Cap: money.FormatPlain(rule.Cap, v.Currency)}
	v.UnitForm = pages.UnitsForm{First: "1", Count: "1", Width: "3"}
	if len(v.Locations) > 0 {
		v.UnitForm.LocationID = v.Locations[0].Value
	}
	return nil
}
