package web

import (
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routes is the one route table, grouped by who may call each route.
func (s *Server) routes() {
	e := s.echo
	e.Pre(middleware.RemoveTrailingSlash())
	e.Use(
		middleware.RequestID(),
		// First, so every answer carries them: even a 413 from BodyLimit.
		s.securityHeaders,
		s.logRequests,
		s.recoverPanics,
		middleware.BodyLimit(s.Config.BodyLimit),
		s.requestTimeout,
		middleware.GzipWithConfig(middleware.GzipConfig{Level: 5, MinLength: 1024}),
	)

	// Probes and assets: no session, no CSRF, no database beyond the ping.
	// HEAD too: monitors and caches probe with it.
	e.GET("/healthz", s.Healthz)
	e.HEAD("/healthz", s.Healthz)
	e.GET("/readyz", s.Readyz)
	e.HEAD("/readyz", s.Readyz)
	assets := echo.WrapHandler(s.Assets.Handler())
	e.GET("/static/*", assets)
	e.HEAD("/static/*", assets)

	// Machine-to-machine callbacks (verified by signature, not by session) go here,
	// outside the CSRF group.

	// Everything a browser uses: sessions, the current user and CSRF checks.
	app := e.Group("", s.loadSession, s.loadUser, s.checkCSRF)

	// Public: anyone, logged in or not.
	app.GET("/", s.Home)
	app.GET("/login", s.LoginForm)
	app.POST("/login", s.Login)
	app.GET("/signup", s.SignupForm)
	app.POST("/signup", s.Signup)
	app.POST("/logout", s.Logout)

	// Any logged-in user: their own account.
	account := app.Group("/account", s.requireLogin)
	account.GET("", s.AccountShow)
	account.POST("/profile", s.AccountUpdateProfile)
	account.POST("/password", s.AccountChangePassword)

	// Admins only.
	admin := app.Group("/admin", s.requireRole("admin"))
	admin.GET("/users", s.AdminUsersList)
	admin.GET("/users/new", s.AdminUserNew)
	admin.POST("/users", s.AdminUserCreate)
	admin.POST("/users/:id/role", s.AdminUserSetRole)
	admin.POST("/users/:id/disabled", s.AdminUserSetDisabled)
	admin.GET("/audit", s.AdminAuditList)
}
