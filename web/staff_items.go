package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

const itemsPerPage = 50

// StaffItemsList lists items with search, filters, an allowed sort and
// keyset pagination.
func (s *Server) StaffItemsList(c echo.Context) error {
	ctx := c.Request().Context()
	f, err := itemFilterOf(c)
	if err != nil {
		return err
	}
	rows, err := s.Store.ListItems(ctx, f)
	if err != nil {
		return err
	}
	cats, _, err := s.categoryOptions(ctx, "Any category")
	if err != nil {
		return err
	}
	cur, err := s.currency(ctx)
	if err != nil {
		return err
	}
	v := pages.StaffItemsView{Page: s.page(c, "Inventory"), Query: f.Query, Category: c.QueryParam("category"),
		Tracking: f.Tracking, Archived: f.Archived, Sort: f.Sort, Categories: cats, Currency: cur}
	if len(rows) > itemsPerPage {
		rows = rows[:itemsPerPage]
		q := c.QueryParams()
		q.Set("after", rows[len(rows)-1].CursorOf().Encode())
		v.NextHref = "/staff/items?" + q.Encode()
	}
	v.Items = itemCards(rows)
	return s.render(c, http.StatusOK, pages.StaffItemsPage(v))
}

// itemFilterOf reads the list's filters; junk in any of them or in the
// cursor is a 400, never a query.
func itemFilterOf(c echo.Context) (store.ItemFilter, error) {
	f := store.ItemFilter{Query: strings.TrimSpace(c.QueryParam("q")), Tracking: c.QueryParam("tracking"),
		Archived: c.QueryParam("archived"), Sort: c.QueryParam("sort"), Limit: itemsPerPage + 1}
	if err := oneOf(f.Tracking, "", catalog.Serialized, catalog.Bulk); err != nil {
		return f, err
	}
	if err := oneOf(f.Archived, "", "active", "archived", "all"); err != nil {
		return f, err
	}
	if err := oneOf(f.Sort, append([]string{""}, store.ItemSortNames...)...); err != nil {
		return f, err
	}
	var err error
	if f.CategoryID, err = queryInt64(c, "category"); err != nil {
		return f, err
	}
	if f.After, err = store.DecodeCursor(c.QueryParam("after")); err != nil || f.After.CheckSort(f.Sort) != nil {
		return f, echo.NewHTTPError(http.StatusBadRequest, "The page link is not valid.")
	}
	return f, checkSearch(f.Query)
}

// StaffItemNew shows the form for a new item.
func (s *Server) StaffItemNew(c echo.Context) error {
	form := catalog.ItemForm{Tracking: catalog.Serialized, TaxCategory: "standard", MinDuration: "60", OnlineBookable: true}
	return s.renderItemForm(c, http.StatusOK, 0, form, "", nil, false)
}

// renderItemForm shows the new/edit item form with its menus filled.
func (s *Server) renderItemForm(c echo.Context, status int, id int64, form catalog.ItemForm, categoryID string, errs components.Errors, trackingLocked bool) error {
	ctx := c.Request().Context()
	cats, _, err := s.categoryOptions(ctx, "No category")
	if err != nil {
		return err
	}
	cur, err := s.currency(ctx)
	if err != nil {
		return err
	}
	title := "New item"
	if id != 0 {
		title = "Edit " + form.Name
	}
	v := pages.ItemFormView{Page: s.page(c, title), ItemID: id, Form: form, CategoryID: categoryID,
		Categories: cats, Errors: errs, Currency: cur, TrackingLocked: trackingLocked}
	return s.render(c, status, pages.ItemFormPage(v))
}

// itemFormOf reads the item form from the request.
func itemFormOf(c echo.Context) catalog.ItemForm {
	return catalog.ItemForm{Name: field(c, "name"), Slug: field(c, "slug"), Description: strings.TrimSpace(c.FormValue("description")),
		Tracking: field(c, "tracking"), TaxCategory: field(c, "tax_category"), RateHour: field(c, "rate_hour"),
		RateDay: field(c, "rate_day"), RateWeek: field(c, "rate_week"), RateMonth: field(c, "rate_month"),
		Deposit: field(c, "deposit"), ReplacementValue: field(c, "replacement_value"), MinDuration: field(c, "min_duration"),
		BufferBefore: field(c, "buffer_before"), BufferAfter: field(c, "buffer_after"),
		OnlineBookable: c.FormValue("online_bookable") == "1", Featured: c.FormValue("featured") == "1"}
}

// parseItemForm validates the form and resolves the category.
func (s *Server) parseItemForm(c echo.Context, form catalog.ItemForm) (catalog.Item, components.Errors, error) {
	f, err := s.itemFormFacts(c.Request().Context())
	if err != nil {
		return catalog.Item{}, nil, err
	}
	it, errs := parseItemFormWith(c, form, f)
	return it, errs, nil
}

// itemFormFacts is what checking an item form reads from the database: the
// currency its amounts are in and the categories it may name.
type itemFormFacts struct {
	currency   string
	categories []catalog.Category
}

func (s *Server) itemFormFacts(ctx context.Context) (itemFormFacts, error) {
	cur, err := s.currency(ctx)
	if err != nil {
		return itemFormFacts{}, err
	}
	_, cats, err := s.categoryOptions(ctx, "")
	return itemFormFacts{currency: cur, categories: cats}, err
}

// parseItemFormWith checks an item form against facts read beforehand, so
// it can run inside a transaction without asking the pool for a second
// connection.
func parseItemFormWith(c echo.Context, form catalog.ItemForm, f itemFormFacts) (catalog.Item, components.Errors) {
	it, errs := form.Parse(f.currency)
	cats := f.categories
	var ok bool
	if it.CategoryID, ok = optionalID(c.FormValue("category_id"), hasCategory(cats)); !ok {
		errs["category_id"] = "Choose a category from the list."
	}
	return it, tooLong(c, errs)
}

// StaffItemCreate creates an item and opens its page (photos, units next).
func (s *Server) StaffItemCreate(c echo.Context) error {
	ctx := c.Request().Context()
	form := itemFormOf(c)
	it, errs, err := s.parseItemForm(c, form)
	if err != nil {
		return err
	}
	form.Slug = it.Slug
	if len(errs) == 0 {
		err = s.Store.WithTx(ctx, func(tx *store.Store) error {
			if it, err = tx.CreateItem(ctx, it); err != nil {
				return err
			}
			return audit(ctx, c, tx, "item.create", "item", idOf(it.ID), nil, it)
		})
		if errors.Is(err, store.ErrConflict) {
			errs["slug"] = "Another item has this slug; choose another."
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return s.renderItemForm(c, http.StatusUnprocessableEntity, 0, form, c.FormValue("category_id"), errs, false)
	}
	s.flash(c, "success", "Item created. Add photos and units below.")
	return redirect(c, "/staff/items/"+idOf(it.ID))
}

// StaffItemEdit shows the edit form of an item.
func (s *Server) StaffItemEdit(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	it, err := s.Store.GetItem(ctx, id)
	if err != nil {
		return err
	}
	cur, err := s.currency(ctx)
	if err != nil {
		return err
	}
	cat := ""
	if it.CategoryID != nil {
		cat = idOf(*it.CategoryID)
	}
	return s.renderItemForm(c, http.StatusOK, id, catalog.FormOf(it, cur), cat, nil, true)
}

// StaffItemUpdate saves the edit form; the tracking mode stays as it was.
func (s *Server) StaffItemUpdate(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	form := itemFormOf(c)
	// Read before the row lock: inside the transaction every query goes
	// through tx, so one request holds one connection, not two.
	facts, err := s.itemFormFacts(ctx)
	if err != nil {
		return err
	}
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		before, err := tx.GetItemForUpdate(ctx, id)
		if err != nil {
			return err
		}
		form.Tracking = before.Tracking
		it, errs := parseItemFormWith(c, form, facts)
		if len(errs) == 0 {
			it.ID = id
			if it, err = tx.UpdateItem(ctx, it); errors.Is(err, store.ErrConflict) {
				errs["slug"] = "Another item has this slug; choose another."
			} else if err != nil {
				return err
			} else if err := s.recheckBuffers(ctx, tx, before, it, errs); err != nil {
				return err
			}
		}
		if len(errs) > 0 {
			return &formErrors{errs}
		}
		return audit(ctx, c, tx, "item.update", "item", idOf(id), before, it)
	})
	var fe *formErrors
	if errors.As(err, &fe) {
		return s.renderItemForm(c, http.StatusUnprocessableEntity, id, form, c.FormValue("category_id"), fe.errs, true)
	}
	if err != nil {
		return err
	}
	s.flash(c, "success", "Item saved.")
	return redirect(c, "/staff/items/"+idOf(id))
}

// formErrors rolls a transaction back when validation inside it fails,
// carrying the messages out to the form.
type formErrors struct{ errs components.Errors }

func (e *formErrors) Error() string { return "form has errors" }

// StaffItemArchive archives an item (hidden from customers) or restores it.
func (s *Server) StaffItemArchive(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	archived := c.FormValue("archived") == "1"
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		before, err := tx.GetItemForUpdate(ctx, id)
		if err != nil {
			return err
		}
		after, err := tx.SetItemArchived(ctx, id, archived, s.Now())
		if err != nil {
			return err
		}
		return audit(ctx, c, tx, map[bool]string{true: "item.archive", false: "item.restore"}[archived], "item", idOf(id), before, after)
	})
	if err != nil {
		return err
	}
	s.flash(c, "success", map[bool]string{true: "Item archived; customers no longer see it.", false: "Item restored."}[archived])
	return redirect(c, "/staff/items/"+idOf(id))
}
