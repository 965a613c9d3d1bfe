package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/catalog"
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
	ctx := c.Request().Context()
	it, err := s.Store.GetItem(ctx, id)
	if err != nil {
		return err
	}
	cur, err := s.currency(ctx)
	if err != nil {
		return err
	}
	v := pages.StaffItemView{Page: s.page(c, it.Name), Item: it, Currency: cur, Errors: components.Errors{},
		StockInput: map[int64]string{}}
	if it.CategoryID != nil {
		cat, err := s.Store.GetCategory(ctx, *it.CategoryID)
		if err != nil {
			return err
		}
		v.CategoryName = cat.Name
	}
	if v.Photos, err = s.Store.ListPhotos(ctx, id); err != nil {
		return err
	}
	if v.Locations, _, err = s.locationOptions(ctx); err != nil {
		return err
	}
	if it.Tracking == catalog.Serialized {
		if v.Units, err = s.Store.ListUnits(ctx, id); err != nil {
			return err
		}
	} else if v.Stock, err = s.Store.ListBulkStock(ctx, id); err != nil {
		return err
	}
	v.UnitForm = pages.UnitsForm{First: "1", Count: "1", Width: "3"}
	if len(v.Locations) > 0 {
		v.UnitForm.LocationID = v.Locations[0].Value
	}
	if adjust != nil {
		adjust(&v)
	}
	return s.render(c, status, pages.StaffItemPage(v))
}
