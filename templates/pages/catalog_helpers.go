package pages

import (
	"fmt"
	"strconv"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/money"
)

// RateLine is one rate tier as the pages show it.
type RateLine struct {
	Per, Amount string
}

// Rates lists the tiers an item offers, formatted in currency.
func Rates(it catalog.Item, currency string) []RateLine {
	var out []RateLine
	for _, r := range []struct {
		per string
		v   *int64
	}{{"hour", it.RateHour}, {"day", it.RateDay}, {"week", it.RateWeek}, {"month", it.RateMonth}} {
		if r.v != nil {
			out = append(out, RateLine{Per: r.per, Amount: money.Format(*r.v, currency)})
		}
	}
	return out
}

// FromPrice is the "from €12.00 / day" teaser of a catalog card: the day
// rate when there is one, else the smallest tier. Only the rate shown is
// formatted (a catalog page has a card per item).
func FromPrice(it catalog.Item, currency string) string {
	for _, r := range [...]struct {
		per string
		v   *int64
	}{{"day", it.RateDay}, {"hour", it.RateHour}, {"week", it.RateWeek}, {"month", it.RateMonth}} {
		if r.v != nil {
			var buf [64]byte // every card has one: one allocation, the string
			b := append(money.AppendFormat(buf[:0], *r.v, currency), " / "...)
			return string(append(b, r.per...))
		}
	}
	return ""
}

// Money formats an amount in currency.
func Money(amount int64, currency string) string { return money.Format(amount, currency) }

// Minutes writes a duration given in minutes for people: "90 min", "2 h", "1 day".
func Minutes(m int) string {
	switch {
	case m == 0:
		return "none"
	case m%1440 == 0:
		if m == 1440 {
			return "1 day"
		}
		return strconv.Itoa(m/1440) + " days"
	case m%60 == 0:
		return strconv.Itoa(m/60) + " h"
	}
	return strconv.Itoa(m) + " min"
}

// PhotoURL is the URL of a photo, or of its thumbnail.
func PhotoURL(id int64, thumb bool) string {
	if thumb {
		return fmt.Sprintf("/photos/%d/thumb", id)
	}
	return fmt.Sprintf("/photos/%d", id)
}

// excerpt shortens a description for a card.
func excerpt(s string, n int) string {
	if len(s) <= n { // no more runes than bytes
		return s
	}
	runes := 0
	for i := range s {
		if runes == n {
			return s[:i] + "…"
		}
		runes++
	}
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
