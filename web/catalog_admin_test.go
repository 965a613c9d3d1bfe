package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rentdesk/rentdesk/internal/period"
)

func TestAdminCategories(t *testing.T) {
	app := newTestApp(t)
	fx := app.seedCatalog()
	c := app.roleClient("admin")
	c.get("/admin/categories").expectStatus(t, http.StatusOK)
	c.post("/admin/categories", url.Values{"name": {"Bikes & e-bikes"}}).expectStatus(t, http.StatusSeeOther)
	bikes, err := app.st.GetCategoryBySlug(context.Background(), "bikes-e-bikes")
	if err != nil {
		t.Fatal(err)
	}
	c.post("/admin/categories/"+idOf(bikes.ID)+"/move", url.Values{"dir": {"up"}}).expectStatus(t, http.StatusSeeOther)
	list := c.get("/admin/categories").expectStatus(t, http.StatusOK)
	if first, _ := list.Doc.Find(`[data-testid="categories-table"] tbody tr`).First().Attr("data-testid"); first != "category-bikes-e-bikes" {
		t.Fatalf("first row %q", first)
	}
	for name, form := range map[string]url.Values{
		"name": {"name": {""}},
		"slug": {"name": {"Cams"}, "slug": {"cameras"}},
	} {
		res := c.post("/admin/categories", form).expectStatus(t, http.StatusUnprocessableEntity)
		if res.fieldError(name) == "" || res.inputValue("name") != form.Get("name") {
			t.Fatalf("%s: no message or input lost", name)
		}
	}
	c.get("/admin/categories/"+idOf(fx.cameras.ID)+"/edit").expectStatus(t, http.StatusOK)
	c.post("/admin/categories/"+idOf(fx.cameras.ID), url.Values{"name": {"Cameras"}, "slug": {"cams"}}).expectStatus(t, http.StatusSeeOther)
	res := c.post("/admin/categories/"+idOf(fx.cameras.ID), url.Values{"name": {"Cameras"}, "slug": {"bikes-e-bikes"}}).expectStatus(t, http.StatusUnprocessableEntity)
	if res.fieldError("slug") == "" {
		t.Fatal("duplicate slug on edit")
	}
	c.post("/admin/categories/"+idOf(fx.cameras.ID)+"/move", url.Values{"dir": {"left"}}).expectStatus(t, http.StatusBadRequest)
	c.post("/admin/categories/424242/move", url.Values{"dir": {"up"}}).expectStatus(t, http.StatusNotFound)
}

func locationForm(kv ...string) url.Values {
	f := url.Values{"name": {"Munich"}, "time_zone": {"Europe/Berlin"}, "hours_1": {"09:00-18:00"}, "hours_6": {"10:00-14:00"}, "closed_dates": {"2026-12-25"}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

func TestAdminLocations(t *testing.T) {
	app := newTestApp(t)
	fx := app.seedCatalog()
	c := app.roleClient("admin")
	c.get("/admin/locations/new").expectStatus(t, http.StatusOK)
	c.post("/admin/locations", locationForm()).expectStatus(t, http.StatusSeeOther)
	l, err := app.st.GetLocationBySlug(context.Background(), "munich")
	if err != nil || l.OpeningHours.FormatDay(6) != "10:00-14:00" || len(l.ClosedDates) != 1 {
		t.Fatalf("created: %+v %v", l, err)
	}
	list := c.get("/admin/locations").expectStatus(t, http.StatusOK)
	if list.Doc.Find(`[data-testid="location-munich"]`).Length() != 1 {
		t.Fatal("not listed")
	}
	edit := c.get("/admin/locations/"+idOf(fx.sf.ID)+"/edit").expectStatus(t, http.StatusOK)
	if v, _ := edit.Doc.Find(`select[name="time_zone"] option[selected]`).Attr("value"); v != "America/Los_Angeles" {
		t.Fatalf("zone select shows %q", v)
	}
	cases := map[string]url.Values{
		"name":         locationForm("name", ""),
		"slug":         locationForm("slug", "berlin"),
		"time_zone":    locationForm("time_zone", "Mars/Olympus_Mons"),
		"hours_1":      locationForm("hours_1", "18:00-09:00"),
		"hours_6":      locationForm("hours_6", "ten to two"),
		"closed_dates": locationForm("closed_dates", "25.12.2026"),
	}
	for field, form := range cases {
		t.Run(field, func(t *testing.T) {
			res := c.post("/admin/locations", form).expectStatus(t, http.StatusUnprocessableEntity)
			if res.fieldError(field) == "" {
				t.Fatalf("no message for %s", field)
			}
			if res.inputValue("name") != form.Get("name") || (strings.HasPrefix(field, "hours") && res.inputValue(field) != form.Get(field)) {
				t.Fatal("input not kept")
			}
		})
	}
	c.post("/admin/locations/"+idOf(fx.sf.ID), locationForm("name", "SF", "slug", "sf", "time_zone", "America/Los_Angeles")).expectStatus(t, http.StatusSeeOther)
	if l, _ := app.st.GetLocation(context.Background(), fx.sf.ID); l.Name != "SF" {
		t.Fatal("not updated")
	}
}

// Changing a location's time zone while bookings there are still to come
// is asked about first, beside the field: how many bookings, and how their
// local times shift. The form keeps what was typed and still edits the same
// location; saved again with the box ticked for that zone, it changes. With
// no coming bookings it changes at once.
func TestLocationZoneChangeAsksWhileBookingsAreComing(t *testing.T) {
	s := newShop(t, "Europe/Berlin")
	tent := s.item("Tent", 2)
	_, u := s.customer("hiker@example.test")
	start := s.instant(2, 10)
	s.deskBook(u.ID, tent, start, s.instant(3, 10))
	admin := s.adminClient()
	path := "/admin/locations/" + itoa(s.loc)
	form := locationForm("name", "Main store", "slug", "main", "time_zone", "America/New_York")

	// A refused edit stays an edit: corrected and sent again, it must not
	// make a second location.
	bad := admin.post(path, locationForm("name", "Main store", "slug", "main", "hours_1", "18:00-09:00")).expectStatus(t, http.StatusUnprocessableEntity)
	if action, _ := bad.Doc.Find(`[data-testid="location-form"]`).Attr("action"); action != path || bad.text("h1") != "Edit Main store" {
		t.Errorf("a refused edit comes back as %q posting to %q, want the edit of %q", bad.text("h1"), action, path)
	}

	res := admin.post(path, form).expectStatus(t, http.StatusUnprocessableEntity)
	msg := res.fieldError("time_zone")
	shift := start.In(s.zone).Format("Mon 2 Jan 15:04") + " in Europe/Berlin shows as " +
		start.In(period.Zone("America/New_York")).Format("Mon 2 Jan 15:04") + " in America/New_York"
	if !strings.Contains(msg, "1 booking here is still to come") || !strings.Contains(msg, shift) {
		t.Errorf("message beside the zone %q, want the count and %q", msg, shift)
	}
	if action, _ := res.Doc.Find(`[data-testid="location-form"]`).Attr("action"); action != path {
		t.Errorf("the refused form posts to %q, want the location's own %q", action, path)
	}
	if v, _ := res.Doc.Find(`select[name="time_zone"] option[selected]`).Attr("value"); v != "America/New_York" || res.inputValue("hours_6") != "10:00-14:00" {
		t.Errorf("the form did not keep what was typed (zone %q)", v)
	}
	if v, _ := res.Doc.Find(`[data-testid="confirm-zone"] input[name="confirm_zone"]`).Attr("value"); v != "America/New_York" {
		t.Fatalf("confirm box value %q", v)
	}
	zone := func() string {
		var z string
		if err := s.st.DB().QueryRow(`SELECT time_zone FROM locations WHERE id = $1`, s.loc).Scan(&z); err != nil {
			t.Fatal(err)
		}
		return z
	}
	if z := zone(); z != "Europe/Berlin" {
		t.Fatalf("zone changed to %s before it was confirmed", z)
	}
	// A box ticked for another zone asks again.
	form.Set("confirm_zone", "America/Chicago")
	admin.post(path, form).expectStatus(t, http.StatusUnprocessableEntity)
	// A booking made while the admin read the question is asked about
	// again: the box was ticked for one booking, two now move.
	form.Set("confirm_zone", "America/New_York")
	form.Set("confirm_count", res.inputValue("confirm_count")) // sent with the box, as the page has it
	s.deskBook(u.ID, tent, s.instant(2, 12), s.instant(3, 12))
	again := admin.post(path, form).expectStatus(t, http.StatusUnprocessableEntity)
	if msg := again.fieldError("time_zone"); !strings.Contains(msg, "Bookings were made since you were asked. 2 bookings here are still to come") {
		t.Errorf("a booking made since asking, beside the zone: %q", msg)
	}
	if z := zone(); z != "Europe/Berlin" {
		t.Fatalf("zone changed to %s on a confirmation given for fewer bookings", z)
	}
	form.Set("confirm_count", again.inputValue("confirm_count"))
	admin.post(path, form).expectStatus(t, http.StatusSeeOther)
	if z := zone(); z != "America/New_York" {
		t.Fatalf("zone %s after confirming", z)
	}

	// Once the bookings are over, the zone changes without asking.
	s.setClock(s.instant(4, 10))
	admin.post(path, locationForm("name", "Main store", "slug", "main", "time_zone", "Europe/Berlin")).expectStatus(t, http.StatusSeeOther)
}
