package web

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/demo"
)

// Outcome classes of the authorization matrix.
const (
	allow  = "allow"  // the handler ran: 2xx, a redirect that is not to the login page, or 422
	login  = "login"  // sent to the login page
	deny   = "deny"   // 403
	hidden = "hidden" // 404: not yours, so it does not exist for you
	bad    = "bad"    // 400: refused before any work (a bad webhook signature, a junk parameter)
	unauth = "unauth" // 401: a machine route asking for credentials (no login page to go to)
)

// who holds one expected outcome per actor of the matrix.
type who struct{ anon, a, b, staff, admin string }

// anyone: public routes.
var anyone = who{allow, allow, allow, allow, allow}

// loggedIn: routes of a logged-in user, for their own things.
var loggedIn = who{login, allow, allow, allow, allow}

// onlyA: customer A's own booking; everyone else is told it does not exist.
var onlyA = who{login, allow, hidden, hidden, hidden}

// staffOnly and adminOnly: shop routes.
var (
	staffOnly = who{login, deny, deny, allow, allow}
	adminOnly = who{login, deny, deny, deny, allow}
)

// authzRow is one request of the authorization matrix (W8). Every route of the
// route table needs at least one row: TestAuthzMatrixCoversEveryRoute fails
// otherwise, so a new route cannot ship without deciding who may call it.
// Routes on objects someone owns get one row per owner-sensitive case, e.g. a
// booking of customer A, which customer B must see as 404 (hidden).
type authzRow struct {
	method, route string // as in the route table, e.g. "/admin/users/:id/role"
	// path is the URL requested; {name} is replaced by a value of the fixture
	// world (authzWorld.vars). Empty means route.
	path string
	form url.Values
	want who
}

// authzMatrix is THE table: later features add their routes here.
var authzMatrix = []authzRow{
	// Public.
	{method: "GET", route: "/", want: anyone},
	{method: "GET", route: "/login", want: anyone},
	{method: "POST", route: "/login", form: url.Values{"email": {"nobody@example.com"}, "password": {"wrong password"}}, want: anyone},
	{method: "GET", route: "/signup", want: anyone},
	{method: "POST", route: "/signup", form: url.Values{"name": {""}}, want: anyone},
	{method: "POST", route: "/logout", want: anyone},
	{method: "GET", route: "/password/forgot", want: anyone},
	{method: "POST", route: "/password/forgot", form: url.Values{"email": {"nobody@example.com"}}, want: anyone},
	// A reset link that does not exist is gone for everyone.
	{method: "GET", route: "/password/reset", path: "/password/reset?token=bogus", want: who{hidden, hidden, hidden, hidden, hidden}},
	{method: "POST", route: "/password/reset", form: url.Values{"token": {"bogus"}, "new_password": {"correct horse battery"}}, want: who{hidden, hidden, hidden, hidden, hidden}},
	{method: "GET", route: "/account/email", path: "/account/email?token=bogus", want: who{hidden, hidden, hidden, hidden, hidden}},
	{method: "POST", route: "/account/email", form: url.Values{"token": {"bogus"}}, want: who{hidden, hidden, hidden, hidden, hidden}},
	{method: "GET", route: "/healthz", want: anyone},
	{method: "HEAD", route: "/healthz", want: anyone},
	{method: "GET", route: "/readyz", want: anyone},
	{method: "HEAD", route: "/readyz", want: anyone},
	{method: "GET", route: "/static/*", path: "/static/{css}", want: anyone},
	{method: "HEAD", route: "/static/*", path: "/static/{css}", want: anyone},
	// Prometheus scrapes with a bearer token, never a session; without a
	// configured token (as here) the route does not exist for anyone.
	{method: "GET", route: "/metrics", want: who{hidden, hidden, hidden, hidden, hidden}},
	// Monitoring JSON: admins by session, tools by token (metrics_test.go); nobody else.
	{method: "GET", route: "/monitoring/health", want: who{unauth, deny, deny, deny, allow}},
	{method: "GET", route: "/monitoring/metrics", path: "/monitoring/metrics?period=7d", want: who{unauth, deny, deny, deny, allow}},
	{method: "GET", route: "/monitoring/alerts", want: who{unauth, deny, deny, deny, allow}},
	{method: "GET", route: "/monitoring/system", want: who{unauth, deny, deny, deny, allow}},

	// Any logged-in user: their own account.
	{method: "GET", route: "/account", want: loggedIn},
	{method: "POST", route: "/account/profile", form: url.Values{"name": {"Same Name"}, "email": {"{email}"}}, want: loggedIn},
	{method: "POST", route: "/account/password", form: url.Values{"current_password": {"wrong"}, "new_password": {"x"}}, want: loggedIn},
	{method: "POST", route: "/account/mail", form: url.Values{"reminders": {"1"}}, want: loggedIn},

	// Public catalog (archived and offline items are 404 for everyone but staff pages).
	{method: "GET", route: "/catalog", want: anyone},
	{method: "GET", route: "/catalog/:slug", path: "/catalog/{category}", want: anyone},
	{method: "GET", route: "/items/:slug", path: "/items/{itemSlug}", want: anyone},
	{method: "GET", route: "/items/:slug/price", path: "/items/{itemSlug}/price?start=2030-01-07&end=2030-01-14&location={location}", want: anyone},
	{method: "GET", route: "/photos/:id", path: "/photos/{photo}", want: anyone},
	{method: "GET", route: "/photos/:id/thumb", path: "/photos/{photo}/thumb", want: anyone},

	// Staff and admins: inventory.
	{method: "GET", route: "/staff/items", want: staffOnly},
	{method: "GET", route: "/staff/items/new", want: staffOnly},
	{method: "POST", route: "/staff/items", form: url.Values{"name": {""}}, want: staffOnly},
	{method: "GET", route: "/staff/items/:id", path: "/staff/items/{item}", want: staffOnly},
	{method: "GET", route: "/staff/items/:id/edit", path: "/staff/items/{item}/edit", want: staffOnly},
	{method: "POST", route: "/staff/items/:id", path: "/staff/items/{item}", form: url.Values{"name": {""}}, want: staffOnly},
	{method: "POST", route: "/staff/items/:id/archive", path: "/staff/items/{archiveItem}/archive", want: staffOnly},
	{method: "POST", route: "/staff/items/:id/photos", path: "/staff/items/{item}/photos", want: staffOnly},
	{method: "POST", route: "/staff/photos/:id/move", path: "/staff/photos/{photo}/move", form: url.Values{"dir": {"up"}}, want: staffOnly},
	// Staff delete the photo first, so it no longer exists for the admin.
	{method: "POST", route: "/staff/photos/:id/delete", path: "/staff/photos/{sparePhoto}/delete", want: who{login, deny, deny, allow, hidden}},
	{method: "POST", route: "/staff/items/:id/units", path: "/staff/items/{item}/units", form: url.Values{"mode": {"one"}, "asset_tag": {""}}, want: staffOnly},
	{method: "GET", route: "/staff/units/:id/edit", path: "/staff/units/{unit}/edit", want: staffOnly},
	{method: "POST", route: "/staff/units/:id", path: "/staff/units/{unit}", form: url.Values{"status": {"bogus"}}, want: staffOnly},
	{method: "POST", route: "/staff/items/:id/stock", path: "/staff/items/{bulkItem}/stock", want: staffOnly},
	{method: "GET", route: "/staff/export/items.csv", want: staffOnly},
	{method: "GET", route: "/staff/export/units.csv", want: staffOnly},
	{method: "GET", route: "/staff/import", want: staffOnly},
	{method: "POST", route: "/staff/import", form: url.Values{"kind": {"items"}}, want: staffOnly},
	{method: "GET", route: "/staff/import/:id", path: "/staff/import/{import}", want: staffOnly},
	{method: "POST", route: "/staff/import/:id/apply", path: "/staff/import/{import}/apply", want: staffOnly},

	// Booking, public: dates, availability, cart, checkout review.
	{method: "GET", route: "/book", want: anyone},
	{method: "POST", route: "/book/dates", form: url.Values{"location": {"{bookLoc}"}, "start": {"{start}"}, "end": {"{end}"}}, want: anyone},
	{method: "GET", route: "/book/items/:id", path: "/book/items/{bookItem}", want: anyone},
	{method: "GET", route: "/cart", want: anyone},
	{method: "POST", route: "/cart/items", form: url.Values{"item_id": {"{bookItem}"}, "quantity": {"1"}}, want: anyone},
	{method: "POST", route: "/cart/items/:id", path: "/cart/items/{bookItem}", form: url.Values{"quantity": {"0"}}, want: anyone},
	{method: "GET", route: "/checkout", want: anyone},

	// Bookings of a logged-in customer: B, staff and admins get 404 on A's.
	{method: "POST", route: "/checkout", form: url.Values{"token": {"w8"}}, want: loggedIn},
	{method: "GET", route: "/bookings", want: loggedIn},
	{method: "GET", route: "/bookings/:id", path: "/bookings/{bookingA}", want: onlyA},
	{method: "GET", route: "/bookings/:id/calendar.ics", path: "/bookings/{bookingA}/calendar.ics", want: onlyA},
	{method: "POST", route: "/bookings/:id/cancel", path: "/bookings/{bookingA2}/cancel", want: onlyA},
	// Online payment of A's booking.
	{method: "POST", route: "/bookings/:id/pay", path: "/bookings/{bookingA}/pay", want: onlyA},
	{method: "GET", route: "/bookings/:id/payment/success", path: "/bookings/{bookingA}/payment/success", want: onlyA},
	{method: "GET", route: "/bookings/:id/payment/status", path: "/bookings/{bookingA}/payment/status", want: onlyA},
	{method: "GET", route: "/bookings/:id/payment/cancel", path: "/bookings/{bookingA}/payment/cancel", want: onlyA},
	// The Stripe webhook: a signature, not a session; unsigned is refused for all.
	{method: "POST", route: "/webhooks/stripe", want: who{bad, bad, bad, bad, bad}},
	{method: "POST", route: "/bookings/:id/lines/:line/extend", path: "/bookings/{bookingA}/lines/{lineA}/extend", form: url.Values{"end": {"junk"}}, want: onlyA},
	{method: "POST", route: "/bookings/:id/lines/:line/extend", path: "/bookings/{bookingA}/lines/{lineA2}/extend", form: url.Values{"end": {"junk"}}, want: who{login, hidden, hidden, hidden, hidden}},

	// Invoices of a logged-in customer: B, staff and admins get 404 on A's
	// (staff read them under /staff/invoices).
	{method: "GET", route: "/invoices/:id", path: "/invoices/{invoiceA}", want: onlyA},
	{method: "GET", route: "/invoices/:id/pdf", path: "/invoices/{invoiceA}/pdf", want: onlyA},

	// Staff: bookings at the desk, maintenance, availability.
	{method: "GET", route: "/desk", want: staffOnly},
	{method: "GET", route: "/desk", path: "/desk?location={bookLoc}&q={email}", want: staffOnly},
	{method: "GET", route: "/staff/bookings", want: staffOnly},
	{method: "GET", route: "/staff/bookings", path: "/staff/bookings?status=confirmed&before={bookingA2}", want: staffOnly},
	{method: "GET", route: "/staff/bookings/new", want: staffOnly},
	{method: "POST", route: "/staff/bookings", form: url.Values{"email": {""}}, want: staffOnly},
	{method: "GET", route: "/staff/bookings/:id", path: "/staff/bookings/{bookingA}", want: staffOnly},
	{method: "POST", route: "/staff/bookings/:id/checkout", path: "/staff/bookings/{bookingA}/checkout", form: url.Values{"tag": {""}}, want: staffOnly},
	{method: "POST", route: "/staff/bookings/:id/checkin", path: "/staff/bookings/{bookingA}/checkin", form: url.Values{"tag": {""}}, want: staffOnly},
	{method: "POST", route: "/staff/bookings/:id/lines/:line/unit", path: "/staff/bookings/{bookingA}/lines/{lineA}/unit", form: url.Values{"tag": {""}}, want: staffOnly},
	{method: "POST", route: "/staff/bookings/:id/lines/:line/pickup", path: "/staff/bookings/{bookingA}/lines/{lineA}/pickup", want: staffOnly},
	{method: "POST", route: "/staff/bookings/:id/lines/:line/return", path: "/staff/bookings/{bookingA}/lines/{lineA}/return", want: staffOnly},
	{method: "POST", route: "/staff/bookings/:id/confirm", path: "/staff/bookings/{bookingA}/confirm", want: staffOnly},
	{method: "POST", route: "/staff/bookings/:id/cancel", path: "/staff/bookings/{bookingA2}/cancel", want: staffOnly},
	{method: "POST", route: "/staff/bookings/:id/payments", path: "/staff/bookings/{bookingA}/payments", form: withOnce("pay_", url.Values{"pay_amount": {"junk"}}), want: staffOnly},
	{method: "POST", route: "/staff/bookings/:id/deposit", path: "/staff/bookings/{bookingA}/deposit", form: withOnce("dep_", url.Values{"dep_amount": {"junk"}}), want: staffOnly},
	{method: "POST", route: "/staff/bookings/:id/deposit/return", path: "/staff/bookings/{bookingA}/deposit/return", form: withOnce("ret_", url.Values{"ret_amount": {"junk"}}), want: staffOnly},
	{method: "POST", route: "/staff/bookings/:id/refunds", path: "/staff/bookings/{bookingA}/refunds", form: withOnce("ref_", url.Values{"ref_amount": {"junk"}}), want: staffOnly},
	{method: "POST", route: "/staff/bookings/:id/refunds/:entry/send", path: "/staff/bookings/{bookingA}/refunds/999999/send", want: who{login, deny, deny, hidden, hidden}},
	{method: "GET", route: "/staff/maintenance/new", want: staffOnly},
	{method: "POST", route: "/staff/maintenance", form: url.Values{"tag": {""}}, want: staffOnly},
	{method: "POST", route: "/staff/maintenance/swap", form: url.Values{"tag": {""}}, want: staffOnly},
	// A swap to a unit that does not exist is refused on the form (409 with
	// the refusal shown again); nothing moves, so the admin's row runs alike.
	{method: "POST", route: "/staff/maintenance/swap", form: url.Values{"tag": {"W8-1"}, "booking": {"{bookingA}"}, "line": {"{lineA}"},
		"to": {"NOPE"}, "start": {"{start}"}, "end": {"{end}"}, "reason": {"w8"}}, want: staffOnly},
	// Staff: the desk finished.
	{method: "POST", route: "/staff/bookings/:id/scan", path: "/staff/bookings/{bookingA}/scan", form: url.Values{"tag": {""}}, want: staffOnly},
	{method: "GET", route: "/staff/bookings/:id/handover", path: "/staff/bookings/{bookingA}/handover", want: staffOnly},
	{method: "POST", route: "/staff/bookings/:id/handover", path: "/staff/bookings/{bookingA}/handover", want: staffOnly},
	{method: "GET", route: "/staff/bookings/:id/handovers/:hid", path: "/staff/bookings/{bookingA}/handovers/{handoverA}", want: staffOnly},
	{method: "GET", route: "/staff/returns", path: "/staff/returns?tag=W8-1", want: staffOnly},
	{method: "GET", route: "/staff/bookings/:id/return", path: "/staff/bookings/{bookingA}/return", want: staffOnly},
	{method: "POST", route: "/staff/bookings/:id/return", path: "/staff/bookings/{bookingA}/return", form: url.Values{"item": {"W8-1"}}, want: staffOnly},
	{method: "POST", route: "/staff/bookings/:id/close", path: "/staff/bookings/{bookingA}/close", want: staffOnly},
	// Waiving a charged late fee afterwards (no reason: refused, nothing changes).
	{method: "POST", route: "/staff/bookings/:id/returns/:ret/waive", path: "/staff/bookings/{bookingA}/returns/{returnA}/waive", form: url.Values{"waive_reason": {""}}, want: staffOnly},
	// A return of another booking is not found.
	{method: "POST", route: "/staff/bookings/:id/returns/:ret/waive", path: "/staff/bookings/{bookingA2}/returns/{returnA}/waive", form: url.Values{"waive_reason": {"W8"}}, want: who{login, deny, deny, hidden, hidden}},
	// Photos taken at returns: staff only, whatever id a customer guesses.
	{method: "GET", route: "/staff/return-photos/:id", path: "/staff/return-photos/{returnPhoto}", want: staffOnly},
	{method: "GET", route: "/staff/return-photos/:id/thumb", path: "/staff/return-photos/{returnPhoto}/thumb", want: staffOnly},
	{method: "POST", route: "/staff/items/:id/late-fee", path: "/staff/items/{item}/late-fee", form: url.Values{"late_fee_per": {"bogus"}}, want: staffOnly},
	{method: "GET", route: "/staff/calendar", path: "/staff/calendar?location={bookLoc}&item={bookItem}", want: staffOnly},
	{method: "GET", route: "/staff/customers", path: "/staff/customers?customer_q=exam", want: staffOnly},
	{method: "GET", route: "/staff/items/search", path: "/staff/items/search?slot=_2&item_q_2=a", want: staffOnly},
	{method: "POST", route: "/staff/bookings/:id/lines/:line/period", path: "/staff/bookings/{bookingA}/lines/{lineA}/period", form: url.Values{"end": {"junk"}}, want: staffOnly},
	// A line of another booking is not found.
	{method: "POST", route: "/staff/bookings/:id/lines/:line/period", path: "/staff/bookings/{bookingA}/lines/{lineA2}/period", form: url.Values{"end": {"junk"}}, want: who{login, deny, deny, hidden, hidden}},
	// Staff end the block first, so it is over (not found) for the admin.
	{method: "POST", route: "/staff/maintenance/:id/end", path: "/staff/maintenance/{block}/end", want: who{login, deny, deny, allow, hidden}},
	// A hand-over of one booking is not found under another.
	{method: "GET", route: "/staff/bookings/:id/handovers/:hid", path: "/staff/bookings/{bookingA2}/handovers/{handoverA}", want: who{login, deny, deny, hidden, hidden}},
	{method: "GET", route: "/staff/availability/why", path: "/staff/availability/why?item={bookItem}&location={bookLoc}&start={start}&end={end}", want: staffOnly},
	{method: "GET", route: "/staff/invoices", want: staffOnly},
	{method: "GET", route: "/staff/invoices", path: "/staff/invoices?from=junk", want: staffOnly},
	{method: "GET", route: "/staff/invoices/:id", path: "/staff/invoices/{invoiceA}", want: staffOnly},
	{method: "GET", route: "/staff/invoices/:id/pdf", path: "/staff/invoices/{invoiceA}/pdf", want: staffOnly},
	{method: "GET", route: "/staff/export/invoices.csv", path: "/staff/export/invoices.csv?from=2020-01-01", want: staffOnly},

	// Admins only.
	{method: "GET", route: "/admin/categories", want: adminOnly},
	{method: "POST", route: "/admin/categories", form: url.Values{"name": {""}}, want: adminOnly},
	{method: "GET", route: "/admin/categories/:id/edit", path: "/admin/categories/{categoryID}/edit", want: adminOnly},
	{method: "POST", route: "/admin/categories/:id", path: "/admin/categories/{categoryID}", form: url.Values{"name": {""}}, want: adminOnly},
	{method: "POST", route: "/admin/categories/:id/move", path: "/admin/categories/{categoryID}/move", form: url.Values{"dir": {"down"}}, want: adminOnly},
	{method: "GET", route: "/admin/locations", want: adminOnly},
	{method: "GET", route: "/admin/locations/new", want: adminOnly},
	{method: "POST", route: "/admin/locations", form: url.Values{"name": {""}}, want: adminOnly},
	{method: "GET", route: "/admin/locations/:id/edit", path: "/admin/locations/{location}/edit", want: adminOnly},
	{method: "POST", route: "/admin/locations/:id", path: "/admin/locations/{location}", form: url.Values{"name": {""}}, want: adminOnly},
	{method: "GET", route: "/admin/users", want: adminOnly},
	{method: "GET", route: "/admin/users/new", want: adminOnly},
	{method: "POST", route: "/admin/users", form: url.Values{"name": {"New Staff"}, "email": {"new.staff@example.com"}, "role": {"staff"}, "password": {"correct horse battery"}}, want: adminOnly},
	{method: "GET", route: "/admin/users/:id", path: "/admin/users/{target}", want: adminOnly},
	{method: "POST", route: "/admin/users/:id/role", path: "/admin/users/{target}/role", form: url.Values{"role": {"customer"}}, want: adminOnly},
	{method: "POST", route: "/admin/users/:id/disabled", path: "/admin/users/{target}/disabled", form: url.Values{"disabled": {"0"}}, want: adminOnly},
	{method: "GET", route: "/admin/audit", want: adminOnly},
	{method: "GET", route: "/admin/mail", want: adminOnly},
	{method: "POST", route: "/admin/mail/jobs/:id/retry", path: "/admin/mail/jobs/{job}/retry", want: adminOnly},
	{method: "POST", route: "/admin/mail/jobs/:id/discard", path: "/admin/mail/jobs/{job}/discard", want: adminOnly},
	{method: "POST", route: "/admin/mail/emails/:id/send", path: "/admin/mail/emails/{emailID}/send", want: adminOnly},
	// Shop settings (a junk form: 422 for the admin, nothing saved).
	{method: "GET", route: "/admin/settings", want: adminOnly},
	{method: "POST", route: "/admin/settings", form: url.Values{"shop_name": {""}}, want: adminOnly},
	{method: "GET", route: "/admin/metrics", want: adminOnly},
	{method: "GET", route: "/admin/metrics", path: "/admin/metrics?period=7d&location={location}", want: adminOnly},
	{method: "GET", route: "/admin/metrics/system", want: adminOnly},
	{method: "GET", route: "/admin/metrics/business", path: "/admin/metrics/business?period=90d", want: adminOnly},
	{method: "POST", route: "/admin/metrics/alerts", form: url.Values{"threshold_dead_jobs": {"junk"}}, want: adminOnly},
	{method: "GET", route: "/admin/metrics/export/bookings.csv", path: "/admin/metrics/export/bookings.csv?period=365d", want: adminOnly},
	{method: "GET", route: "/admin/metrics/export/utilization.csv", path: "/admin/metrics/export/utilization.csv?location={location}", want: adminOnly},
	{method: "GET", route: "/admin/metrics/export/payments.csv", path: "/admin/metrics/export/payments.csv?location={location}", want: adminOnly},
}

// authzWorld is the data the matrix runs against: one account per actor, and
// the objects the rows name. Later features create their objects here (for
// example a booking of customer A as {bookingA}).
type authzWorld struct {
	emails [5]string // per actor; anonymous has none
	vars   map[string]string
}

const authzPassword = "correct horse battery"

// actorClients gives each actor of the world one client of app, logged in
// (when the actor has an account) and holding its session's CSRF token on
// its first use, the same client on every later one.
func (w *authzWorld) actorClients(app *testApp) func(actor int) *testClient {
	clients := map[int]*testClient{}
	return func(actor int) *testClient {
		if c := clients[actor]; c != nil {
			return c
		}
		c := app.client()
		if w.emails[actor] != "" {
			c.login(w.emails[actor], authzPassword)
		}
		c.get("/")
		clients[actor] = c
		return c
	}
}

func newAuthzWorld(t testing.TB, app *testApp) *authzWorld {
	t.Helper()
	w := &authzWorld{emails: [5]string{"", "a@example.com", "b@example.com", "staff@example.com", "admin@example.com"}, vars: map[string]string{}}
	for i, role := range []string{"", "customer", "customer", "staff", "admin"} {
		if role != "" {
			app.createUser(role, w.emails[i], authzPassword)
		}
	}
	target := app.createUser("customer", "target@example.com", authzPassword)
	w.vars["{target}"] = itoa(target.ID)
	w.vars["{css}"] = strings.TrimPrefix(app.srv.Assets.Path("css/app.css"), "/static/")
	addCatalogWorld(t, app, w)
	// Mail counts as configured (a sender that drops everything) but no
	// worker runs, so emails get jobs the admin mail routes can act on.
	app.srv.Jobs = testJobs(t, app.st, nopSender{}, app.srv.Config.BaseURL)
	emailID, err := app.srv.Jobs.EnqueueWelcome(t.Context(), app.st, target)
	if err != nil {
		t.Fatal(err)
	}
	email, err := app.st.GetEmail(t.Context(), emailID)
	if err != nil || email.JobID == nil {
		t.Fatalf("welcome email %d: %+v %v", emailID, email, err)
	}
	w.vars["{emailID}"], w.vars["{job}"] = itoa(emailID), itoa(*email.JobID)
	bookingWorld(t, app, w)
	return w
}

// addCatalogWorld loads the demo shop and names the catalog objects the rows use.
func addCatalogWorld(t testing.TB, app *testApp, w *authzWorld) {
	t.Helper()
	ctx := t.Context()
	if _, err := demo.Load(ctx, app.st, testHasher); err != nil {
		t.Fatal(err)
	}
	id := func(n int64) string { return itoa(n) }
	item, err := app.st.GetPublicItem(ctx, "canon-eos-r6")
	if err != nil {
		t.Fatal(err)
	}
	archive, err := app.st.GetPublicItem(ctx, "tile-cutter")
	if err != nil {
		t.Fatal(err)
	}
	bulk, err := app.st.GetPublicItem(ctx, "folding-chair")
	if err != nil {
		t.Fatal(err)
	}
	units, err := app.st.ListUnits(ctx, item.ID)
	if err != nil || len(units) == 0 {
		t.Fatalf("units: %v", err)
	}
	cat, err := app.st.GetCategoryBySlug(ctx, "cameras")
	if err != nil {
		t.Fatal(err)
	}
	locs, err := app.st.ListLocations(ctx)
	if err != nil || len(locs) == 0 {
		t.Fatalf("locations: %v", err)
	}
	photo := catalog.Photo{ContentType: "image/png", Data: []byte("\x89PNG fixture"), Thumbnail: []byte("\xff\xd8 fixture")}
	p1, err := app.st.AddPhoto(ctx, item.ID, photo)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := app.st.AddPhoto(ctx, item.ID, photo)
	if err != nil {
		t.Fatal(err)
	}
	im, err := app.st.CreateImport(ctx, catalog.ImportItems, "items.csv", []byte("junk"), []catalog.Problem{{Row: 1, Column: "slug", Message: "fixture"}}, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"{item}": id(item.ID), "{itemSlug}": item.Slug, "{archiveItem}": id(archive.ID), "{bulkItem}": id(bulk.ID),
		"{unit}": id(units[0].ID), "{category}": cat.Slug, "{categoryID}": id(cat.ID), "{location}": id(locs[0].ID),
		"{photo}": id(p1.ID), "{sparePhoto}": id(p2.ID), "{import}": id(im.ID),
	} {
		w.vars[k] = v
	}
}

var actorNames = [5]string{"anonymous", "customer A", "customer B", "staff", "admin"}

func (w who) at(i int) string { return [5]string{w.anon, w.a, w.b, w.staff, w.admin}[i] }

// fill replaces the world's placeholders; {email} is the actor's own email.
func (w *authzWorld) fill(s string, actor int) string {
	pairs := []string{"{email}", w.emails[actor]}
	for k, v := range w.vars {
		pairs = append(pairs, k, v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// request sends one matrix row as one actor, from a fresh browser.
func (w *authzWorld) request(t *testing.T, app *testApp, row authzRow, actor int) *testResponse {
	t.Helper()
	c := app.client()
	if w.emails[actor] != "" {
		c.login(w.emails[actor], authzPassword)
	}
	path := row.path
	if path == "" {
		path = row.route
	}
	path = w.fill(path, actor)
	switch row.method {
	case http.MethodGet:
		return c.get(path)
	case http.MethodHead:
		req, err := http.NewRequest(http.MethodHead, app.ts.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		return c.do(req)
	}
	form := url.Values{}
	for k, vs := range row.form {
		for _, v := range vs {
			form.Add(k, w.fill(v, actor))
		}
	}
	return c.post(path, form)
}

// outcome classifies a response.
func outcome(res *testResponse) string {
	switch s := res.StatusCode; {
	case s == http.StatusSeeOther || s == http.StatusFound:
		if strings.HasPrefix(res.location(), "/login") {
			return login
		}
		return allow
	case s == http.StatusForbidden:
		return deny
	case s == http.StatusNotFound:
		return hidden
	case s == http.StatusBadRequest:
		return bad
	case s == http.StatusUnauthorized:
		return unauth
	case s < 300, s == http.StatusUnprocessableEntity, s == http.StatusConflict:
		return allow // the handler ran (409: it refused on the object's state, not on who asked)
	case s == http.StatusGone:
		return hidden
	}
	return fmt.Sprintf("status %d", res.StatusCode)
}

// W8: every route × {anonymous, customer A, customer B, staff, admin}.
func TestAuthzMatrix(t *testing.T) {
	app := newTestApp(t)
	w := newAuthzWorld(t, app)
	for _, row := range authzMatrix {
		for actor := range actorNames {
			t.Run(row.method+" "+row.route+" as "+actorNames[actor], func(t *testing.T) {
				res := w.request(t, app, row, actor)
				if got, want := outcome(res), row.want.at(actor); got != want {
					t.Errorf("%s %s as %s: %s (status %d, location %q), want %s",
						row.method, row.route, actorNames[actor], got, res.StatusCode, res.location(), want)
				}
			})
		}
	}
}

// W8: the matrix names every route, and no admin route is open to staff.
func TestAuthzMatrixCoversEveryRoute(t *testing.T) {
	app := newTestApp(t)
	covered := map[string]bool{}
	for _, row := range authzMatrix {
		covered[row.method+" "+row.route] = true
		if strings.HasPrefix(row.route, "/admin") && row.want != adminOnly {
			t.Errorf("%s %s: admin routes must be adminOnly (staff denied), got %+v", row.method, row.route, row.want)
		}
	}
	var missing []string
	for _, r := range appRoutes(app.srv) {
		if !covered[r.Method+" "+r.Path] {
			missing = append(missing, r.Method+" "+r.Path)
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("route %s has no row in authzMatrix", m)
	}
}
