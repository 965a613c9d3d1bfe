// Package layout holds the page frame every screen renders inside, and the
// request-wide values (user, CSRF token, flash messages) it needs.
package layout

// Page carries what every screen needs besides its own view model.
type Page struct {
	Title       string
	Description string
	ShopName    string
	// ShopAddress and ShopHours are the footer's: the shop's first location.
	ShopAddress, ShopHours string
	User                   *User // nil when nobody is logged in
	CSRFToken              string
	Flashes                []Flash
	// Asset maps a static file name to its content-hashed URL.
	Asset func(name string) string
	// Path is the request path, to mark the current navigation entry.
	Path      string
	RequestID string
	// Fragment renders only the main content, for htmx requests.
	Fragment bool
	// CartCount is how many things are in the visitor's cart (the sum of
	// the quantities), shown in the header on every page.
	CartCount int
	// Alerts are the monitoring alerts firing now, shown to admins on every page.
	Alerts []string
}

// User is the logged-in account as the layout shows it.
type User struct {
	ID    int64
	Name  string
	Email string
	Role  string
}

// IsStaff reports whether the user works at the shop (staff or admin).
func (u *User) IsStaff() bool { return u != nil && (u.Role == "staff" || u.Role == "admin") }

// IsAdmin reports whether the user is an admin.
func (u *User) IsAdmin() bool { return u != nil && u.Role == "admin" }

// Flash is a one-time message shown at the top of the next page.
type Flash struct {
	Kind    string // success, error, info
	Message string
}

// NavLink is one entry of the navigation.
type NavLink struct {
	Href, Label string
}

// Nav lists the navigation for the user's role. The lists are shared by
// every page (made once, not per page): read them, never change them.
func (p Page) Nav() []NavLink {
	switch {
	case p.User == nil:
		return navVisitor
	case p.User.IsAdmin():
		return navAdmin
	case p.User.IsStaff():
		return navStaff
	}
	return navCustomer
}

var (
	navVisitor  = []NavLink{{"/catalog", "Catalog"}}
	navCustomer = []NavLink{{"/catalog", "Catalog"}, {"/bookings", "My bookings"}}
	navStaff    = []NavLink{{"/catalog", "Catalog"}, {"/desk", "Desk"}, {"/staff/bookings", "Bookings"}, {"/staff/items", "Inventory"},
		{"/staff/invoices", "Invoices"}}
	navAdmin = append(navStaff[:len(navStaff):len(navStaff)], NavLink{"/admin/categories", "Categories"}, NavLink{"/admin/locations", "Locations"},
		NavLink{"/admin/users", "Users"}, NavLink{"/admin/mail", "Mail"}, NavLink{"/admin/audit", "Audit log"},
		NavLink{"/admin/settings", "Settings"}, NavLink{"/admin/metrics", "Metrics"})
)

// Current reports whether href is the section of the current page.
func (p Page) Current(href string) bool {
	return p.Path == href || (len(p.Path) > len(href) && p.Path[:len(href)] == href && p.Path[len(href)] == '/')
}

// AssetURL returns the hashed URL of a static file, or a plain path before
// assets are wired (as in isolated component tests).
func (p Page) AssetURL(name string) string {
	if p.Asset == nil {
		return "/static/" + name
	}
	return p.Asset(name)
}

// FullTitle is the document title: the page title and the shop name.
func (p Page) FullTitle() string {
	shop := p.ShopName
	if shop == "" {
		shop = "Rentdesk"
	}
	if p.Title == "" {
		return shop
	}
	return p.Title + " · " + shop
}
