package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
)

var weekdayHours = catalog.OpeningHours{
	1: {{Open: "09:00", Close: "18:00"}}, 2: {{Open: "09:00", Close: "18:00"}}, 3: {{Open: "09:00", Close: "18:00"}},
	4: {{Open: "09:00", Close: "18:00"}}, 5: {{Open: "09:00", Close: "19:00"}}, 6: {{Open: "10:00", Close: "14:00"}},
}

var demoLocations = []catalog.Location{
	{Name: "Berlin Kreuzberg", Slug: "berlin", Address: "Oranienstraße 1, 10999 Berlin", TimeZone: "Europe/Berlin",
		OpeningHours: weekdayHours, ClosedDates: catalog.DateList{"2026-12-25", "2026-12-26", "2027-01-01"}},
	{Name: "San Francisco Mission", Slug: "san-francisco", Address: "500 Valencia St, San Francisco, CA 94110",
		TimeZone: "America/Los_Angeles", OpeningHours: weekdayHours, ClosedDates: catalog.DateList{"2026-11-26", "2026-12-25"}},
}

var demoCategories = [][2]string{
	{"Cameras & lenses", "cameras"}, {"Bikes", "bikes"}, {"Tools", "tools"}, {"Event gear", "event-gear"},
}

// demoItem is an item with where its stock lives: a tag prefix and how many
// units per location (serialized) or a quantity per location (bulk).
type demoItem struct {
	category, name, slug, description string
	tracking                          string
	hour, day, week                   int64 // minor units; 0 = tier not offered
	deposit, value                    int64
	featured                          bool
	tagPrefix                         string
	perLocation                       int
}

var demoItems = []demoItem{
	{"cameras", "Canon EOS R6", "canon-eos-r6", "Full-frame mirrorless body, 20 MP, two batteries and a 128 GB card.", catalog.Serialized, 0, 4500, 22000, 50000, 180000, true, "R6-", 2},
	{"cameras", "Sony A7 IV", "sony-a7-iv", "33 MP full-frame hybrid camera for photo and 4K video.", catalog.Serialized, 0, 5000, 24000, 50000, 220000, true, "A7-", 2},
	{"cameras", "Canon RF 24-70mm f/2.8", "canon-rf-24-70", "The standard zoom for events and portraits.", catalog.Serialized, 0, 3000, 14000, 30000, 200000, false, "RF2470-", 2},
	{"cameras", "Sigma 85mm f/1.4 Art", "sigma-85-art", "Portrait prime with creamy bokeh (Sony E mount).", catalog.Serialized, 0, 2200, 10000, 20000, 110000, false, "S85-", 1},
	{"bikes", "City e-bike", "city-e-bike", "Comfortable e-bike with 80 km range, lock and helmet included.", catalog.Serialized, 800, 3500, 15000, 20000, 250000, true, "EB-", 3},
	{"bikes", "Cargo bike", "cargo-bike", "Two-wheel cargo bike, carries 80 kg or two children.", catalog.Serialized, 1000, 4500, 19000, 30000, 400000, false, "CB-", 2},
	{"bikes", "Road bike", "road-bike", "Carbon road bike, sizes M and L.", catalog.Serialized, 0, 3000, 12000, 20000, 180000, false, "RB-", 2},
	{"tools", "Bosch hammer drill", "bosch-hammer-drill", "SDS-plus hammer drill with a set of bits.", catalog.Serialized, 500, 1800, 6000, 5000, 30000, true, "HD-", 3},
	{"tools", "Tile cutter", "tile-cutter", "Manual tile cutter up to 60 cm.", catalog.Serialized, 0, 1500, 5000, 5000, 20000, false, "TC-", 1},
	{"tools", "Ladder 3 m", "ladder-3m", "Aluminium step ladder.", catalog.Bulk, 0, 800, 3000, 0, 15000, false, "", 6},
	{"event-gear", "PA speaker set", "pa-speaker-set", "Two 12\" active speakers, stands and a small mixer.", catalog.Serialized, 0, 6000, 25000, 30000, 150000, true, "PA-", 2},
	{"event-gear", "Folding chair", "folding-chair", "White folding chair, sold in any number.", catalog.Bulk, 0, 150, 500, 0, 2500, false, "", 120},
	{"event-gear", "Party tent 3x6 m", "party-tent", "Pop-up tent with side walls.", catalog.Serialized, 0, 9000, 30000, 30000, 80000, false, "TENT-", 1},
}

func opt(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

// loadCatalog creates the demo shop's locations, categories, items, units
// and stock unless they exist (matched by slug and asset tag).
func loadCatalog(ctx context.Context, st *store.Store) error {
	settings, err := st.GetSettings(ctx)
	if err != nil {
		return err
	}
	// A shop still called by the product's name has not been named yet.
	unnamed := settings.ShopName == "Rentdesk" || settings.ShopName == ""
	if settings.Currency != "EUR" || settings.LegalName == "" || unnamed {
		settings.Currency = "EUR"
		// Legal details for the demo invoices; an admin's own are kept.
		if settings.LegalName == "" {
			settings.LegalName, settings.LegalAddress = "Spree Rentals GmbH", "Torstraße 1\n10119 Berlin"
			settings.VATID, settings.TimeZone = "DE123456789", "Europe/Berlin"
		}
		// The demo shop has a name of its own, so pages and emails show the
		// shop's name rather than the product's (a name an admin chose stays).
		if unnamed {
			settings.ShopName = "Spree Rentals"
		}
		if err := st.UpdateSettings(ctx, settings); err != nil {
			return err
		}
	}
	var locs []catalog.Location
	for _, l := range demoLocations {
		got, err := st.GetLocationBySlug(ctx, l.Slug)
		if errors.Is(err, store.ErrNotFound) {
			got, err = st.CreateLocation(ctx, l)
		}
		if err != nil {
			return fmt.Errorf("demo: location %s: %w", l.Slug, err)
		}
		locs = append(locs, got)
	}
	cats := map[string]int64{}
	for _, c := range demoCategories {
		got, err := st.GetCategoryBySlug(ctx, c[1])
		if errors.Is(err, store.ErrNotFound) {
			got, err = st.CreateCategory(ctx, c[0], c[1])
		}
		if err != nil {
			return fmt.Errorf("demo: category %s: %w", c[1], err)
		}
		cats[c[1]] = got.ID
	}
	for _, d := range demoItems {
		if err := loadItem(ctx, st, d, cats[d.category], locs); err != nil {
			return err
		}
	}
	return nil
}

func loadItem(ctx context.Context, st *store.Store, d demoItem, categoryID int64, locs []catalog.Location) error {
	if _, err := st.GetPublicItem(ctx, d.slug); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return st.WithTx(ctx, func(tx *store.Store) error {
		it, err := tx.CreateItem(ctx, catalog.Item{CategoryID: &categoryID, Name: d.name, Slug: d.slug, Description: d.description,
			Tracking: d.tracking, RateHour: opt(d.hour), RateDay: opt(d.day), RateWeek: opt(d.week), MinDurationMinutes: 60,
			Deposit: d.deposit, ReplacementValue: d.value, BufferAfterMinutes: 30, TaxCategory: "standard", OnlineBookable: true, Featured: d.featured})
		if errors.Is(err, store.ErrConflict) {
			return nil // exists, but archived or offline: leave it as the shop left it
		}
		if err != nil {
			return fmt.Errorf("demo: item %s: %w", d.slug, err)
		}
		if d.tracking == catalog.Bulk {
			qty := map[int64]int{}
			for _, l := range locs {
				qty[l.ID] = d.perLocation
			}
			return tx.SetBulkStock(ctx, it.ID, qty)
		}
		for i, l := range locs {
			tags := catalog.SeriesTags(d.tagPrefix, i*100+1, d.perLocation, 3)
			if _, err := tx.CreateUnits(ctx, it.ID, l.ID, tags, ""); err != nil {
				return fmt.Errorf("demo: units of %s: %w", d.slug, err)
			}
		}
		return nil
	})
}
