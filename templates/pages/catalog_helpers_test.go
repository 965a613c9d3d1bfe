package pages

import (
	"testing"

	"github.com/rentdesk/rentdesk/internal/catalog"
)

// FromPrice formats only the rate it shows; it must show what the full list
// of rates would have given: the day rate, else the first tier there is.
func TestFromPriceIsFirstOfRates(t *testing.T) {
	v := func(n int64) *int64 { return &n }
	for mask := 0; mask < 16; mask++ {
		var it catalog.Item
		if mask&1 != 0 {
			it.RateHour = v(150)
		}
		if mask&2 != 0 {
			it.RateDay = v(1200)
		}
		if mask&4 != 0 {
			it.RateWeek = v(5000)
		}
		if mask&8 != 0 {
			it.RateMonth = v(15000)
		}
		want := ""
		rs := Rates(it, "EUR")
		for _, r := range rs {
			if r.Per == "day" {
				want = r.Amount + " / day"
			}
		}
		if want == "" && len(rs) > 0 {
			want = rs[0].Amount + " / " + rs[0].Per
		}
		if got := FromPrice(it, "EUR"); got != want {
			t.Errorf("rates %04b: FromPrice %q, want %q", mask, got, want)
		}
	}
}

func TestExcerptCutsRunes(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "abc…"},
		{"äöü", 3, "äöü"},   // 6 bytes, 3 runes
		{"äöüß", 3, "äöü…"}, // cut at a rune, never inside one
		{"a€b€c", 4, "a€b€…"},
	} {
		if got := excerpt(c.s, c.n); got != c.want {
			t.Errorf("excerpt(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
}
