// Package catalog holds the shop's stock as the business sees it: items (the
// models customers book), their serialized units or bulk stock, categories and
// locations, and the rules for each (slugs, tracking modes, rates, opening
// hours, time zones, photos, CSV import). It imports neither web nor store.
package catalog

import (
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/rentdesk/rentdesk/internal/period"
)

// Tracking modes of an item.
const (
	// Serialized items have units, each with its own asset tag.
	Serialized = "serialized"
	// Bulk items have only a quantity per location.
	Bulk = "bulk"
)

// Unit statuses.
const (
	UnitAvailable   = "available"
	UnitMaintenance = "maintenance"
	UnitRetired     = "retired"
)

// UnitStatuses lists the statuses in the order menus show them.
var UnitStatuses = []string{UnitAvailable, UnitMaintenance, UnitRetired}

// TaxCategories lists the tax categories an item can have.
var TaxCategories = []string{"standard", "reduced", "zero"}

// Item is a model the shop rents out, such as "Canon R6 body".
type Item struct {
	ID                  int64      `db:"id" json:"id"`
	CategoryID          *int64     `db:"category_id" json:"category_id"`
	Name                string     `db:"name" json:"name"`
	Slug                string     `db:"slug" json:"slug"`
	Description         string     `db:"description" json:"description"`
	Tracking            string     `db:"tracking" json:"tracking"`
	RateHour            *int64     `db:"rate_hour" json:"rate_hour"`
	RateDay             *int64     `db:"rate_day" json:"rate_day"`
	RateWeek            *int64     `db:"rate_week" json:"rate_week"`
	RateMonth           *int64     `db:"rate_month" json:"rate_month"`
	MinDurationMinutes  int        `db:"min_duration_minutes" json:"min_duration_minutes"`
	Deposit             int64      `db:"deposit" json:"deposit"`
	ReplacementValue    int64      `db:"replacement_value" json:"replacement_value"`
	BufferBeforeMinutes int        `db:"buffer_before_minutes" json:"buffer_before_minutes"`
	BufferAfterMinutes  int        `db:"buffer_after_minutes" json:"buffer_after_minutes"`
	TaxCategory         string     `db:"tax_category" json:"tax_category"`
	OnlineBookable      bool       `db:"online_bookable" json:"online_bookable"`
	Featured            bool       `db:"featured" json:"featured"`
	ArchivedAt          *time.Time `db:"archived_at" json:"archived_at"`
	CreatedAt           time.Time  `db:"created_at" json:"-"`
	UpdatedAt           time.Time  `db:"updated_at" json:"-"`
}

// Archived reports whether staff have taken the item out of the catalog.
func (i Item) Archived() bool { return i.ArchivedAt != nil }

// Public reports whether customers may see and book the item.
func (i Item) Public() bool { return i.ArchivedAt == nil && i.OnlineBookable }

// Category groups items in the catalog; Position orders the menu.
type Category struct {
	ID       int64  `db:"id" json:"id"`
	Name     string `db:"name" json:"name"`
	Slug     string `db:"slug" json:"slug"`
	Position int    `db:"position" json:"position"`
	// ItemCount is filled by list queries: items visible in the list's context.
	ItemCount int `db:"item_count" json:"-"`
}

// Location is a shop branch with its own time zone and opening hours.
type Location struct {
	ID           int64        `db:"id" json:"id"`
	Name         string       `db:"name" json:"name"`
	Slug         string       `db:"slug" json:"slug"`
	Address      string       `db:"address" json:"address"`
	TimeZone     string       `db:"time_zone" json:"time_zone"`
	OpeningHours OpeningHours `db:"opening_hours" json:"opening_hours"`
	ClosedDates  DateList     `db:"closed_dates" json:"closed_dates"`
}

// Zone loads the location's time zone; every day calculation for the
// location happens in it.
func (l Location) Zone() (*time.Location, error) { return period.LoadZone(l.TimeZone) }

// Unit is one physical, serialized piece of an item, found by its asset tag.
type Unit struct {
	ID             int64     `db:"id" json:"id"`
	ItemID         int64     `db:"item_id" json:"item_id"`
	LocationID     int64     `db:"location_id" json:"location_id"`
	AssetTag       string    `db:"asset_tag" json:"asset_tag"`
	SerialNumber   string    `db:"serial_number" json:"serial_number"`
	Status         string    `db:"status" json:"status"`
	ConditionNotes string    `db:"condition_notes" json:"condition_notes"`
	CreatedAt      time.Time `db:"created_at" json:"-"`
	UpdatedAt      time.Time `db:"updated_at" json:"-"`
}

// Slugify turns a name into a URL slug: lower-case ASCII letters and digits
// separated by single hyphens ("Canon EOS R6 – body" → "canon-eos-r6-body").
// Accents are dropped rather than transliterated, which is enough for slugs.
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case r >= 'A' && r <= 'Z':
			b.WriteRune(unicode.ToLower(r))
			dash = false
		case unicode.Is(unicode.Mn, r): // combining accent left by NFKD
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
		if b.Len() >= 80 {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}

// CheckSlug explains what is wrong with a slug, or returns "".
func CheckSlug(s string) string {
	return checkSlug(s)
}

// CheckLocationSlug is CheckSlug for a location, whose slug also needs a
// letter: pages choose a location by its number, so a slug of digits
// alone ("0", "2") reads as one and no shop means it.
func CheckLocationSlug(s string) string {
	if msg := checkSlug(s); msg != "" {
		return msg
	}
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 'a' && r <= 'z' }) {
		return "Use at least one letter, like berlin-mitte."
	}
	return ""
}

func checkSlug(s string) string {
	if s == "" {
		return "Enter a slug (letters, digits and hyphens)."
	}
	if len(s) > 80 {
		return "Use at most 80 characters."
	}
	if Slugify(s) != s {
		return "Use lower-case letters, digits and single hyphens only, like canon-r6-body."
	}
	return ""
}
