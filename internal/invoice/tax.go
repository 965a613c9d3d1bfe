package invoice

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/rentdesk/rentdesk/internal/store"
)

// RateTotal is the tax summary of one rate: what an invoice shows under
// "tax per rate" and what an accountant books.
type RateTotal struct {
	RateBP          int
	Net, Tax, Total int64
}

// TaxByRate sums lines per tax rate, highest rate first.
func TaxByRate(lines []store.InvoiceLine) []RateTotal {
	by := map[int]*RateTotal{}
	var rates []int
	for _, l := range lines {
		r, ok := by[l.TaxRateBP]
		if !ok {
			r = &RateTotal{RateBP: l.TaxRateBP}
			by[l.TaxRateBP] = r
			rates = append(rates, l.TaxRateBP)
		}
		r.Net, r.Tax, r.Total = r.Net+l.Net, r.Tax+l.Tax, r.Total+l.Total
	}
	sort.Sort(sort.Reverse(sort.IntSlice(rates)))
	out := make([]RateTotal, len(rates))
	for i, rate := range rates {
		out[i] = *by[rate]
	}
	return out
}

// FormatRate writes a rate in basis points as a percentage: "19%", "7.5%".
func FormatRate(bp int) string {
	switch {
	case bp%100 == 0:
		return fmt.Sprintf("%d%%", bp/100)
	case bp%10 == 0:
		return fmt.Sprintf("%d.%d%%", bp/100, bp%100/10)
	default:
		return fmt.Sprintf("%d.%02d%%", bp/100, bp%100)
	}
}

// InclusiveTax is the tax contained in a gross amount at rate (basis
// points), rounded half away from zero to a whole minor unit:
// gross × rate / (10000 + rate). Big integers keep any int64 exact.
func InclusiveTax(gross int64, rate int) int64 {
	return divHalfAway(new(big.Int).Mul(big.NewInt(gross), big.NewInt(int64(rate))), int64(10_000+rate))
}

func divHalfAway(num *big.Int, den int64) int64 {
	d := big.NewInt(den)
	neg := num.Sign() < 0
	q, r := new(big.Int).QuoRem(new(big.Int).Abs(num), d, new(big.Int))
	if new(big.Int).Mul(r, big.NewInt(2)).Cmp(d) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return q.Int64()
}

// Split shares amount over weights in proportion to them, in whole minor
// units that add up to amount exactly (largest remainder; ties go to the
// earlier weight). No share exceeds its weight when amount ≤ the sum of the
// weights. Weights must not be negative.
func Split(amount int64, weights []int64) []int64 {
	out := make([]int64, len(weights))
	var total int64
	for _, w := range weights {
		total += w
	}
	if total <= 0 || len(weights) == 0 {
		return out
	}
	type rem struct {
		i int
		r *big.Int
	}
	rems := make([]rem, len(weights))
	var given int64
	for i, w := range weights {
		q, r := new(big.Int).QuoRem(new(big.Int).Mul(big.NewInt(amount), big.NewInt(w)), big.NewInt(total), new(big.Int))
		out[i] = q.Int64()
		given += out[i]
		rems[i] = rem{i, r}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r.Cmp(rems[b].r) > 0 })
	for k := 0; given < amount; k++ {
		out[rems[k%len(rems)].i]++
		given++
	}
	return out
}

// creditLines builds the lines of a credit note of amount against an open
// invoice. Crediting everything of an invoice nothing was credited from yet
// mirrors its lines; otherwise each rate gets one line with its share of
// amount (in proportion to what is left at that rate) and the tax inside
// that share. When a rate is credited in full, its tax is exactly what is
// left of its tax, so a series of partial credits ends at zero to the cent.
func creditLines(open openDoc, amount int64, reason string) []store.InvoiceLine {
	if len(open.credits) == 0 && amount == open.Total {
		out := make([]store.InvoiceLine, len(open.Lines))
		for i, l := range open.Lines {
			out[i] = store.InvoiceLine{Description: l.Description, Quantity: l.Quantity, UnitPrice: -l.UnitPrice,
				TaxRateBP: l.TaxRateBP, Net: -l.Net, Tax: -l.Tax, Total: -l.Total}
		}
		return out
	}
	left := TaxByRate(open.Lines)
	for _, c := range open.credits {
		for _, r := range TaxByRate(c.Lines) {
			for i := range left {
				if left[i].RateBP == r.RateBP {
					left[i].Tax += r.Tax // credits are negative
					left[i].Total += r.Total
				}
			}
		}
	}
	weights := make([]int64, len(left))
	for i, r := range left {
		weights[i] = max(r.Total, 0)
	}
	shares := Split(amount, weights)
	label := "Credit"
	if reason != "" {
		label += ": " + reason
	}
	var out []store.InvoiceLine
	for i, r := range left {
		if shares[i] == 0 {
			continue
		}
		tax := InclusiveTax(shares[i], r.RateBP)
		if shares[i] == r.Total || tax > r.Tax {
			tax = r.Tax
		}
		desc := label
		if len(left) > 1 {
			desc += " (" + FormatRate(r.RateBP) + ")"
		}
		unit := shares[i] // prices are stated gross…
		if open.TaxMode == "exclusive" {
			unit -= tax // …or net
		}
		out = append(out, store.InvoiceLine{Description: desc, Quantity: 1, UnitPrice: -unit,
			TaxRateBP: r.RateBP, Net: -(shares[i] - tax), Tax: -tax, Total: -shares[i]})
	}
	return out
}
