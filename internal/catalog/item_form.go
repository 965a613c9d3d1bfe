package catalog

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rentdesk/rentdesk/internal/money"
)

// ItemForm is an item as typed into the staff form or a CSV row: every value
// still text, so a form with mistakes can be shown again exactly as typed.
// The keys of the Errors that Parse returns are the form field names, which
// are also the CSV column names.
type ItemForm struct {
	Name, Slug, Description, Tracking, TaxCategory string
	RateHour, RateDay, RateWeek, RateMonth         string
	Deposit, ReplacementValue                      string
	MinDuration, BufferBefore, BufferAfter         string // minutes
	OnlineBookable, Featured                       bool
}

// Limits on item text and durations.
const (
	MaxNameLen        = 120
	MaxDescriptionLen = 5000
	maxMinutes        = 366 * 24 * 60
)

// Parse checks the form and returns the item it describes (without ID and
// category, which the caller resolves) and a message per bad field. An empty
// slug is made from the name. Amounts are read in the shop currency.
func (f ItemForm) Parse(currency string) (Item, map[string]string) {
	errs := map[string]string{}
	it := Item{Name: f.Name, Description: f.Description, Tracking: f.Tracking, TaxCategory: f.TaxCategory,
		OnlineBookable: f.OnlineBookable, Featured: f.Featured}
	switch n := utf8.RuneCountInString(f.Name); {
	case strings.TrimSpace(f.Name) == "":
		errs["name"] = "Enter the item's name."
	case n > MaxNameLen:
		errs["name"] = fmt.Sprintf("Use at most %d characters.", MaxNameLen)
	case strings.ContainsFunc(f.Name, unicode.IsControl):
		errs["name"] = "Remove line breaks and control characters."
	}
	it.Slug = f.Slug
	if it.Slug == "" {
		it.Slug = Slugify(f.Name)
	}
	if msg := CheckSlug(it.Slug); msg != "" && errs["name"] == "" {
		errs["slug"] = msg
	}
	if utf8.RuneCountInString(f.Description) > MaxDescriptionLen {
		errs["description"] = fmt.Sprintf("Use at most %d characters.", MaxDescriptionLen)
	}
	if it.Tracking != Serialized && it.Tracking != Bulk {
		errs["tracking"] = "Choose serialized (units with asset tags) or bulk (a quantity)."
	}
	if it.TaxCategory == "" {
		it.TaxCategory = "standard"
	}
	if !slices.Contains(TaxCategories, it.TaxCategory) {
		errs["tax_category"] = "Choose one of: " + strings.Join(TaxCategories, ", ") + "."
	}
	it.RateHour = optionalAmount(errs, "rate_hour", f.RateHour, currency)
	it.RateDay = optionalAmount(errs, "rate_day", f.RateDay, currency)
	it.RateWeek = optionalAmount(errs, "rate_week", f.RateWeek, currency)
	it.RateMonth = optionalAmount(errs, "rate_month", f.RateMonth, currency)
	if it.RateHour == nil && it.RateDay == nil && it.RateWeek == nil && errs["rate_hour"]+errs["rate_day"]+errs["rate_week"] == "" {
		errs["rate_day"] = "Give at least an hourly, daily or weekly rate."
	}
	it.Deposit = requiredAmount(errs, "deposit", f.Deposit, currency)
	it.ReplacementValue = requiredAmount(errs, "replacement_value", f.ReplacementValue, currency)
	it.MinDurationMinutes = minutes(errs, "min_duration", f.MinDuration, 60)
	it.BufferBeforeMinutes = minutes(errs, "buffer_before", f.BufferBefore, 0)
	it.BufferAfterMinutes = minutes(errs, "buffer_after", f.BufferAfter, 0)
	return it, errs
}

// FormOf fills the form from a stored item, for editing.
func FormOf(it Item, currency string) ItemForm {
	amt := func(p *int64) string {
		if p == nil {
			return ""
		}
		return money.FormatPlain(*p, currency)
	}
	return ItemForm{Name: it.Name, Slug: it.Slug, Description: it.Description, Tracking: it.Tracking,
		TaxCategory: it.TaxCategory, RateHour: amt(it.RateHour), RateDay: amt(it.RateDay),
		RateWeek: amt(it.RateWeek), RateMonth: amt(it.RateMonth),
		Deposit: money.FormatPlain(it.Deposit, currency), ReplacementValue: money.FormatPlain(it.ReplacementValue, currency),
		MinDuration: strconv.Itoa(it.MinDurationMinutes), BufferBefore: strconv.Itoa(it.BufferBeforeMinutes),
		BufferAfter: strconv.Itoa(it.BufferAfterMinutes), OnlineBookable: it.OnlineBookable, Featured: it.Featured}
}

// optionalAmount reads a rate that may be left empty (the tier is not offered).
func optionalAmount(errs map[string]string, key, s, currency string) *int64 {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	v, err := money.Parse(s, currency)
	if err != nil {
		errs[key] = Sentence(err.Error())
		return nil
	}
	checkEntry(errs, key, v, currency)
	return &v
}

// requiredAmount reads an amount where empty means zero.
func requiredAmount(errs map[string]string, key, s, currency string) int64 {
	v, err := money.Parse(s, currency)
	if errors.Is(err, money.ErrEmpty) {
		return 0
	}
	if err != nil {
		errs[key] = Sentence(err.Error())
	}
	checkEntry(errs, key, v, currency)
	return v
}

// checkEntry refuses an amount above money.MaxEntry: a rate or deposit
// that large cannot be priced (the price multiplies it) nor taken at the
// desk (the ledger refuses it), so it is a slip, refused beside its field.
func checkEntry(errs map[string]string, key string, v int64, currency string) {
	if v > money.MaxEntry && errs[key] == "" {
		errs[key] = "Enter at most " + money.Format(money.MaxEntry, currency) + "."
	}
}

// minutes reads a whole number of minutes; empty means def.
func minutes(errs map[string]string, key, s string, def int) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > maxMinutes {
		errs[key] = fmt.Sprintf("Enter whole minutes between 0 and %d.", maxMinutes)
		return def
	}
	return n
}

// Sentence capitalises a message and ends it with a full stop: errors of
// the parsers read as lowercase fragments, forms show them as sentences.
func Sentence(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
