package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/rentdesk/rentdesk/templates/pages"
)

// Home shows the landing page (the customer home once logged in).
func (s *Server) Home(c echo.Context) error {
	p := s.page(c, "")
	p.Description = "Rent cameras, tools, bikes and event gear: see real availability and book online."
	return s.render(c, http.StatusOK, pages.HomePage(pages.HomeView{Page: p}))
}
