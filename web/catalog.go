package web

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/internal/store"
	"github.com/rentdesk/rentdesk/templates/pages"
)

const publicPerPage = 24

// Home shows the landing page: where and when first, then categories and
// featured items.
func (s *Server) Home(c echo.Context) error {
	ctx := c.Request().Context()
	cats, err := s.Store.ListPublicCategories(ctx)
	if err != nil {
		return err
	}
	featured, err := s.Store.ListPublicItems(ctx, store.PublicFilter{FeaturedOnly: true, Limit: 8})
	if err != nil {
		return err
	}
	st, err := s.Store.GetSettings(ctx)
	if err != nil {
		return err
	}
	offers, err := s.catalogOffers(c, featured, st)
	if err != nil {
		return err
	}
	offers.Next = "/catalog" // choosing dates on the home page leads on to what is free
	p := s.page(c, "")
	p.Description = "Rent cameras, tools, bikes and event gear: see real availability and book online."
	return s.render(c, http.StatusOK, pages.HomePage(pages.HomeView{Page: p, Categories: cats, Featured: itemCards(featured), Currency: st.Currency, Offers: offers}))
}

// CatalogList shows every public item, or the results of a search.
func (s *Server) CatalogList(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	if utf8.RuneCountInString(q) > 100 {
		return echo.NewHTTPError(http.StatusBadRequest, "The search is too long.")
	}
	if err := checkSearch(q); err != nil {
		return err
	}
	title, desc := "Catalog", "Everything you can rent: cameras, lenses, bikes, tools and event gear."
	if q != "" {
		title, desc = "Search: "+q, "Rental items matching "+q+"."
	}
	return s.renderCatalog(c, title, desc, q, store.PublicFilter{Query: q}, "")
}

// CatalogCategory shows the public items of one category.
func (s *Server) CatalogCategory(c echo.Context) error {
	cat, err := s.Store.GetCategoryBySlug(c.Request().Context(), c.Param("slug"))
	if err != nil {
		return err
	}
	return s.renderCatalog(c, cat.Name, "Rent "+cat.Name+": see prices and book online.", "", store.PublicFilter{CategoryID: cat.ID}, cat.Slug)
}

func (s *Server) renderCatalog(c echo.Context, title, desc, q string, f store.PublicFilter, current string) error {
	ctx := c.Request().Context()
	var err error
	if f.After, err = store.DecodeCursor(c.QueryParam("after")); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "The page link is not valid.")
	}
	f.Limit = publicPerPage + 1
	items, err := s.Store.ListPublicItems(ctx, f)
	if err != nil {
		return err
	}
	cats, err := s.Store.ListPublicCategories(ctx)
	if err != nil {
		return err
	}
	st, err := s.Store.GetSettings(ctx)
	if err != nil {
		return err
	}
	p := s.page(c, title)
	p.Description = desc
	v := pages.CatalogView{Page: p, Heading: title, Query: q, Categories: cats, Current: current, Currency: st.Currency}
	if len(items) > publicPerPage {
		items = items[:publicPerPage]
		qs := c.QueryParams()
		qs.Set("after", items[len(items)-1].CursorOf().Encode())
		v.NextHref = c.Request().URL.Path + "?" + qs.Encode()
	}
	v.Items = itemCards(items)
	if v.Offers, err = s.catalogOffers(c, items, st); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, pages.CatalogPage(v))
}

func itemIDs(items []store.ItemListRow) []int64 {
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	return ids
}
