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
		InstrumentRequests(s.Metrics, s.Logger),
		s.recoverPanics,
		// The upload forms take their own, larger limit for staff, once the
		// user is known (uploadBody).
		middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: s.Config.BodyLimit, Skipper: isUploadRoute}),
		s.requestTimeout,
		// Level 1 (BestSpeed): the levels above it clear large match
		// tables for every response; on a catalog page (13.5 KB of HTML)
		// level 5 took about twice the time for 8% fewer bytes (2.3 KB
		// against 2.5 KB). Answers under 1 KB are not worth a gzip header.
		gzipPages(),
	)

	// Probes and assets: no session, no CSRF, no database beyond the ping.
	// HEAD too: monitors and caches probe with it.
	e.GET("/healthz", s.Healthz)
	e.HEAD("/healthz", s.Healthz)
	e.GET("/readyz", s.Readyz)
	e.HEAD("/readyz", s.Readyz)
	// Prometheus scrapes, with the bearer token of RENTDESK_METRICS_TOKEN.
	e.GET("/metrics", s.MetricsScrape)
	assets := echo.WrapHandler(s.Assets.Handler())
	e.GET("/static/*", assets)
	e.HEAD("/static/*", assets)

	// Item photos: outside the session, so a browser revalidating a cached
	// photo costs no session read; PhotoServe loads the session itself for
	// the photos only staff may see.
	e.GET("/photos/:id", s.PhotoServe, refuseUnstorablePath)
	e.GET("/photos/:id/thumb", s.PhotoServe, refuseUnstorablePath)

	// Machine-to-machine callbacks (verified by signature, not by session) go here,
	// outside the CSRF group.
	// Stripe: payment events, verified by the Stripe-Signature header.
	e.POST("/webhooks/stripe", s.StripeWebhook)

	// Everything a browser uses: sessions, the current user and CSRF checks.
	app := e.Group("", s.loadSession, s.loadUser, s.uploadBody(), s.checkCSRF, refuseUnstorableText)

	// Public: anyone, logged in or not.
	app.GET("/", s.Home)
	app.GET("/catalog", s.CatalogList)
	app.GET("/catalog/:slug", s.CatalogCategory)
	app.GET("/items/:slug", s.CatalogItem)
	app.GET("/items/:slug/price", s.CatalogItemPrice)
	app.GET("/login", s.LoginForm)
	app.POST("/login", s.Login)
	app.GET("/signup", s.SignupForm)
	app.POST("/signup", s.Signup)
	app.POST("/logout", s.Logout)
	app.GET("/password/forgot", s.ForgotPasswordForm)
	app.POST("/password/forgot", s.ForgotPassword)
	app.GET("/password/reset", s.ResetPasswordForm)
	app.POST("/password/reset", s.ResetPassword)
	// The link confirming a new email may be opened in any browser: its
	// token is what proves the mailbox.
	app.GET("/account/email", s.EmailChangeForm)
	app.POST("/account/email", s.EmailChangeConfirm)

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
	account.POST("/mail", s.AccountUpdateMailPreferences)

	// Staff and admins: the inventory.
	staff := app.Group("/staff", s.requireRole("staff"))
	staff.GET("/items", s.StaffItemsList)
	staff.GET("/items/new", s.StaffItemNew)
	staff.POST("/items", s.StaffItemCreate)
	staff.GET("/items/:id", s.StaffItemShow)
	staff.GET("/items/:id/edit", s.StaffItemEdit)
	staff.POST("/items/:id", s.StaffItemUpdate)
	staff.POST("/items/:id/archive", s.StaffItemArchive)
	staff.POST("/items/:id/photos", s.StaffPhotoUpload)
	staff.POST("/photos/:id/move", s.StaffPhotoMove)
	staff.POST("/photos/:id/delete", s.StaffPhotoDelete)
	staff.POST("/items/:id/units", s.StaffUnitsCreate)
	staff.GET("/units/:id/edit", s.StaffUnitEdit)
	staff.POST("/units/:id", s.StaffUnitUpdate)
	staff.POST("/items/:id/stock", s.StaffStockUpdate)
	staff.GET("/export/items.csv", s.StaffExportItems)
	staff.GET("/export/units.csv", s.StaffExportUnits)
	staff.GET("/import", s.StaffImportForm)
	staff.POST("/import", s.StaffImportUpload)
	staff.GET("/import/:id", s.StaffImportReport)
	staff.POST("/import/:id/apply", s.StaffImportApply)

	// Any logged-in user: checkout and their own bookings (another customer's
	// booking id is a 404).
	app.POST("/checkout", s.CheckoutSubmit, s.requireLogin)
	mine := app.Group("/bookings", s.requireLogin)
	mine.GET("", s.BookingsList)
	mine.GET("/:id", s.BookingShow)
	mine.POST("/:id/cancel", s.BookingCancel)
	mine.POST("/:id/lines/:line/extend", s.BookingExtend)
	// Online payment of the customer's own holds: Stripe Checkout and back.
	mine.POST("/:id/pay", s.BookingPay)
	mine.GET("/:id/payment/success", s.PaymentSuccess)
	mine.GET("/:id/payment/status", s.PaymentStatus)
	mine.GET("/:id/payment/cancel", s.PaymentCancel)
	// A customer's own invoices and credit notes (anyone else's is a 404).
	invoices := app.Group("/invoices", s.requireLogin)
	invoices.GET("/:id", s.InvoiceShow)
	invoices.GET("/:id/pdf", s.InvoicePDF)
	// The customer's booking as a calendar file (pickup and return).
	mine.GET("/:id/calendar.ics", s.BookingCalendar)

	// Staff and admins: the desk board, bookings at the desk, maintenance,
	// availability.
	app.GET("/desk", s.DeskShow, s.requireRole("staff"))
	staff.GET("/bookings", s.StaffBookingsList)
	staff.GET("/bookings/new", s.StaffBookingNew)
	staff.POST("/bookings", s.StaffBookingCreate)
	staff.GET("/bookings/:id", s.StaffBookingShow)
	staff.POST("/bookings/:id/checkout", s.StaffCheckout)
	staff.POST("/bookings/:id/checkin", s.StaffCheckin)
	staff.POST("/bookings/:id/lines/:line/unit", s.StaffChangeUnit)
	staff.POST("/bookings/:id/lines/:line/pickup", s.StaffLinePickup)
	staff.POST("/bookings/:id/lines/:line/return", s.StaffLineReturn)
	staff.POST("/bookings/:id/confirm", s.StaffConfirm)
	staff.POST("/bookings/:id/cancel", s.StaffCancel)
	// Money at the desk: payments, the security deposit, refunds.
	staff.POST("/bookings/:id/payments", s.StaffPaymentRecord)
	staff.POST("/bookings/:id/deposit", s.StaffDepositTake)
	staff.POST("/bookings/:id/deposit/return", s.StaffDepositReturn)
	staff.POST("/bookings/:id/refunds", s.StaffRefund)
	staff.POST("/bookings/:id/refunds/:entry/send", s.StaffRefundSend)
	staff.GET("/maintenance/new", s.MaintenanceNew)
	staff.POST("/maintenance", s.MaintenanceCreate)
	// A block refused for a booking: swap that booking to a free unit first.
	staff.POST("/maintenance/swap", s.MaintenanceSwap)
	staff.GET("/availability/why", s.AvailabilityWhy)
	// Staff and admins: every invoice and credit note, and the accountant's export.
	staff.GET("/invoices", s.StaffInvoicesList)
	staff.GET("/invoices/:id", s.StaffInvoiceShow)
	staff.GET("/invoices/:id/pdf", s.StaffInvoicePDF)
	staff.GET("/export/invoices.csv", s.StaffExportInvoices)

	// Staff and admins: the desk finished — scan in place, hand-over sheets,
	// check-in with condition from the board, fees and deposits at return.
	staff.POST("/bookings/:id/scan", s.StaffScan)
	staff.GET("/bookings/:id/handover", s.StaffHandoverShow)
	staff.POST("/bookings/:id/handover", s.StaffHandover)
	staff.GET("/bookings/:id/handovers/:hid", s.StaffHandoverSheet)
	staff.GET("/returns", s.StaffReturnsFind)
	staff.GET("/bookings/:id/return", s.StaffReturnShow)
	staff.POST("/bookings/:id/return", s.StaffReturn)
	staff.POST("/bookings/:id/close", s.StaffBookingClose)
	// A late fee charged at a return, waived afterwards; photos taken at returns.
	staff.POST("/bookings/:id/returns/:ret/waive", s.StaffReturnWaive)
	staff.GET("/return-photos/:id", s.StaffReturnPhoto)
	staff.GET("/return-photos/:id/thumb", s.StaffReturnPhoto)
	staff.POST("/items/:id/late-fee", s.StaffItemLateFee)
	staff.GET("/calendar", s.StaffCalendar)
	staff.GET("/customers", s.StaffCustomerSearch)
	staff.GET("/items/search", s.StaffItemSearch)
	staff.POST("/bookings/:id/lines/:line/period", s.StaffLinePeriod)
	staff.POST("/maintenance/:id/end", s.StaffMaintenanceEnd)

	// Admins (by session) or tools (by the metrics bearer token): monitoring as JSON.
	mon := app.Group("/monitoring", s.requireAdminOrToken)
	mon.GET("/health", s.MonitoringHealth)
	mon.GET("/metrics", s.MonitoringMetrics)
	mon.GET("/alerts", s.MonitoringAlerts)
	mon.GET("/system", s.MonitoringSystem)

	// Admins only.
	admin := app.Group("/admin", s.requireRole("admin"))
	admin.GET("/categories", s.AdminCategoriesList)
	admin.POST("/categories", s.AdminCategoryCreate)
	admin.GET("/categories/:id/edit", s.AdminCategoryEdit)
	admin.POST("/categories/:id", s.AdminCategoryUpdate)
	admin.POST("/categories/:id/move", s.AdminCategoryMove)
	admin.GET("/locations", s.AdminLocationsList)
	admin.GET("/locations/new", s.AdminLocationNew)
	admin.POST("/locations", s.AdminLocationCreate)
	admin.GET("/locations/:id/edit", s.AdminLocationEdit)
	admin.POST("/locations/:id", s.AdminLocationUpdate)
	admin.GET("/users", s.AdminUsersList)
	admin.GET("/users/new", s.AdminUserNew)
	admin.POST("/users", s.AdminUserCreate)
	admin.GET("/users/:id", s.AdminUserShow)
	admin.POST("/users/:id/role", s.AdminUserSetRole)
	admin.POST("/users/:id/disabled", s.AdminUserSetDisabled)
	admin.GET("/audit", s.AdminAuditList)
	admin.GET("/mail", s.AdminMailList)
	admin.POST("/mail/jobs/:id/retry", s.AdminJobRetry)
	admin.POST("/mail/jobs/:id/discard", s.AdminJobDiscard)
	admin.POST("/mail/emails/:id/send", s.AdminEmailSend)
	// Shop settings: payment mode, tax rates, invoice series and legal details.
	admin.GET("/settings", s.AdminSettingsShow)
	admin.POST("/settings", s.AdminSettingsUpdate)

	// Admins only: the metrics dashboard and the fragments its panels refresh with.
	admin.GET("/metrics", s.AdminMetrics)
	admin.GET("/metrics/system", s.AdminMetricsSystem)
	admin.GET("/metrics/business", s.AdminMetricsBusiness)
	admin.POST("/metrics/alerts", s.AdminAlertRulesUpdate)
	admin.GET("/metrics/export/bookings.csv", s.AdminExportBookings)
	admin.GET("/metrics/export/utilization.csv", s.AdminExportUtilization)
	admin.GET("/metrics/export/payments.csv", s.AdminExportPayments)
}
