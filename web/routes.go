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

	// Booking, public: choose where and when, see availability, fill the cart
	// (kept in the session, so it survives signing up or logging in).
	app.GET("/book", s.BookShow)
	app.POST("/book/dates", s.BookDates)
	app.GET("/book/items/:id", s.BookItemCalendar)
	app.GET("/cart", s.CartShow)
	app.POST("/cart/items", s.CartAdd)
	app.POST("/cart/items/:id", s.CartUpdate)
	app.GET("/checkout", s.CheckoutShow)

	// Any logged-in user: their own account.
	account := app.Group("/account", s.requireLogin)
	account.GET("", s.AccountShow)
	account.POST("/profile", s.AccountUpdateProfile)
	account.POST("/password", s.AccountChangePassword)

	// Any logged-in user: checkout and their own bookings (another customer's
	// booking id is a 404).
	app.POST("/checkout", s.CheckoutSubmit, s.requireLogin)
	mine := app.Group("/bookings", s.requireLogin)
	mine.GET("", s.BookingsList)
	mine.GET("/:id", s.BookingShow)
	mine.POST("/:id/cancel", s.BookingCancel)
	mine.POST("/:id/lines/:line/extend", s.BookingExtend)

	// Staff (and admins): bookings at the desk, maintenance, availability.
	staff := app.Group("/staff", s.requireRole("staff"))
	staff.GET("/bookings/new", s.StaffBookingNew)
	staff.POST("/bookings", s.StaffBookingCreate)
	staff.GET("/bookings/:id", s.StaffBookingShow)
	staff.POST("/bookings/:id/checkout", s.StaffCheckout)
	staff.POST("/bookings/:id/checkin", s.StaffCheckin)
	staff.POST("/bookings/:id/lines/:line/unit", s.StaffChangeUnit)
	staff.POST("/bookings/:id/confirm", s.StaffConfirm)
	staff.POST("/bookings/:id/cancel", s.StaffCancel)
	staff.GET("/maintenance/new", s.MaintenanceNew)
	staff.POST("/maintenance", s.MaintenanceCreate)
	staff.GET("/availability/why", s.AvailabilityWhy)

	// Admins only.
	admin := app.Group("/admin", s.requireRole("admin"))
	admin.GET("/users", s.AdminUsersList)
	admin.GET("/users/new", s.AdminUserNew)
	admin.POST("/users", s.AdminUserCreate)
	admin.POST("/users/:id/role", s.AdminUserSetRole)
	admin.POST("/users/:id/disabled", s.AdminUserSetDisabled)
	admin.GET("/audit", s.AdminAuditList)
}
