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
		s.logRequests,
		s.recoverPanics,
		middleware.BodyLimit(s.Config.BodyLimit),
		s.requestTimeout,
		s.securityHeaders,
		middleware.GzipWithConfig(middleware.GzipConfig{Level: 5, MinLength: 1024}),
	)

	// Probes and assets: no session, no CSRF, no database beyond the ping.
	e.GET("/healthz", s.Healthz)
	e.GET("/readyz", s.Readyz)
	e.GET("/static/*", echo.WrapHandler(s.Assets.Handler()))

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
	app.GET("/password/forgot", s.ForgotPasswordForm)
	app.POST("/password/forgot", s.ForgotPassword)
	app.GET("/password/reset", s.ResetPasswordForm)
	app.POST("/password/reset", s.ResetPassword)

	// Any logged-in user: their own account.
	account := app.Group("/account", s.requireLogin)
	account.GET("", s.AccountShow)
	account.POST("/profile", s.AccountUpdateProfile)
	account.POST("/password", s.AccountChangePassword)
	account.POST("/mail", s.AccountUpdateMailPreferences)

	// Admins only.
	admin := app.Group("/admin", s.requireRole("admin"))
	admin.GET("/users", s.AdminUsersList)
	admin.GET("/users/new", s.AdminUserNew)
	admin.POST("/users", s.AdminUserCreate)
	admin.POST("/users/:id/role", s.AdminUserSetRole)
	admin.POST("/users/:id/disabled", s.AdminUserSetDisabled)
	admin.GET("/audit", s.AdminAuditList)
	admin.GET("/mail", s.AdminMailList)
	admin.POST("/mail/jobs/:id/retry", s.AdminJobRetry)
	admin.POST("/mail/jobs/:id/discard", s.AdminJobDiscard)
	admin.POST("/mail/emails/:id/send", s.AdminEmailSend)
}
