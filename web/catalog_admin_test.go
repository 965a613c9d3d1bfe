package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
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
