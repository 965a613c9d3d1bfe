package web

import (
	"errors"
	"net/http"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/components"
	"github.com/rentdesk/rentdesk/templates/pages"
)

// AdminCategoriesList lists categories in menu order with a form for a new one.
func (s *Server) AdminCategoriesList(c echo.Context) error {
	return s.renderCategories(c, http.StatusOK, pages.CategoryForm{}, nil)
}

func (s *Server) renderCategories(c echo.Context, status int, f pages.CategoryForm, errs components.Errors) error {
	cs, err := s.Store.ListCategories(c.Request().Context())
	if err != nil {
		return err
	}
	v := pages.AdminCategoriesView{Page: s.page(c, "Categories"), Categories: cs, Form: f, Errors: errs}
	return s.render(c, status, pages.AdminCategoriesPage(v))
}

// checkCategory validates a category form; an empty slug is made from the name.
func checkCategory(f *pages.CategoryForm) components.Errors {
	errs := components.Errors{}
	switch n := utf8.RuneCountInString(f.Name); {
	case n == 0:
		errs["name"] = "Enter the category's name."
	case n > 80:
		errs["name"] = "Use at most 80 characters."
	}
	if f.Slug == "" {
		f.Slug = catalog.Slugify(f.Name)
	}
	if msg := catalog.CheckSlug(f.Slug); msg != "" && errs["name"] == "" {
		errs["slug"] = msg
	}
	return errs
}

// AdminCategoryCreate adds a category at the end of the menu.
func (s *Server) AdminCategoryCreate(c echo.Context) error {
	ctx := c.Request().Context()
	f := pages.CategoryForm{Name: field(c, "name"), Slug: field(c, "slug")}
	errs := tooLong(c, checkCategory(&f))
	if len(errs) == 0 {
		err := s.Store.WithTx(ctx, func(tx *store.Store) error {
			cat, err := tx.CreateCategory(ctx, f.Name, f.Slug)
			if err != nil {
				return err
			}
			return audit(ctx, c, tx, "category.create", "category", idOf(cat.ID), nil, cat)
		})
		if errors.Is(err, store.ErrConflict) {
			errs["slug"] = "Another category has this slug."
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return s.renderCategories(c, http.StatusUnprocessableEntity, f, errs)
	}
	s.flash(c, "success", "Category "+f.Name+" added.")
	return redirect(c, "/admin/categories")
}

// AdminCategoryEdit shows the rename form of a category.
func (s *Server) AdminCategoryEdit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	cat, err := s.Store.GetCategory(c.Request().Context(), id)
	if err != nil {
		return err
	}
	v := pages.CategoryEditView{Page: s.page(c, "Edit "+cat.Name), ID: id, Form: pages.CategoryForm{Name: cat.Name, Slug: cat.Slug}}
	return s.render(c, http.StatusOK, pages.CategoryEditPage(v))
}

// AdminCategoryUpdate renames a category.
func (s *Server) AdminCategoryUpdate(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f := pages.CategoryForm{Name: field(c, "name"), Slug: field(c, "slug")}
	errs := tooLong(c, checkCategory(&f))
	if len(errs) == 0 {
		err = s.Store.WithTx(ctx, func(tx *store.Store) error {
			before, err := tx.GetCategory(ctx, id)
			if err != nil {
				return err
			}
			after, err := tx.UpdateCategory(ctx, id, f.Name, f.Slug)
			if err != nil {
				return err
			}
			return audit(ctx, c, tx, "category.update", "category", idOf(id), before, after)
		})
		if errors.Is(err, store.ErrConflict) {
			errs["slug"] = "Another category has this slug."
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		v := pages.CategoryEditView{Page: s.page(c, "Edit category"), ID: id, Form: f, Errors: errs}
		return s.render(c, http.StatusUnprocessableEntity, pages.CategoryEditPage(v))
	}
	s.flash(c, "success", "Category saved.")
	return redirect(c, "/admin/categories")
}

// AdminCategoryMove moves a category up or down the menu.
func (s *Server) AdminCategoryMove(c echo.Context) error {
	ctx := c.Request().Context()
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	dir, step, err := moveStep(c)
	if err != nil {
		return err
	}
	err = s.Store.WithTx(ctx, func(tx *store.Store) error {
		if err := tx.MoveCategory(ctx, id, step); err != nil {
			return err
		}
		return audit(ctx, c, tx, "category.move", "category", idOf(id), nil, map[string]string{"dir": dir})
	})
	if err != nil {
		return err
	}
	return redirect(c, "/admin/categories")
}
