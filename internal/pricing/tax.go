package pricing

import (
	"fmt"
	"math/bits"
)

// applyTax fills Net, Tax and Total from Subtotal. Tax is computed once on
// the whole subtotal (not per line, which would let rounding errors add
// up), rounded half up to a whole minor unit:
//   - exclusive: Tax = round(Subtotal × rate / 10000), Total = Subtotal + Tax;
//   - inclusive: the subtotal is gross, Tax = round(Subtotal × rate /
//     (10000 + rate)), Net = Subtotal − Tax, Total = Subtotal.
func applyTax(q *Quote) error {
	q.Net, q.Tax, q.Total = q.Subtotal, 0, q.Subtotal
	if q.TaxRate == 0 {
		return nil
	}
	switch q.TaxMode {
	case TaxExclusive:
		tax, ok := mulDivHalfUp(q.Subtotal, q.TaxRate, 10_000)
		if !ok || tax > infinite-q.Subtotal {
			return fmt.Errorf("%w: tax on %d", ErrOverflow, q.Subtotal)
		}
		q.Tax, q.Total = tax, q.Subtotal+tax
	case TaxInclusive:
		tax, ok := mulDivHalfUp(q.Subtotal, q.TaxRate, 10_000+q.TaxRate)
		if !ok {
			return fmt.Errorf("%w: tax on %d", ErrOverflow, q.Subtotal)
		}
		q.Tax, q.Net = tax, q.Subtotal-tax
	}
	return nil
}

// mulDivHalfUp returns x × num / den rounded half up, for non-negative
// operands, using 128-bit intermediates so large subtotals cannot overflow
// the multiplication. Adding ⌊den/2⌋ before dividing rounds an exact half up
// (den even) and cannot misround when den is odd, since then no quotient
// ends in exactly one half.
func mulDivHalfUp(x, num, den int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(x), uint64(num))
	lo, carry := bits.Add64(lo, uint64(den/2), 0)
	hi += carry
	if hi >= uint64(den) {
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, uint64(den))
	if q > infinite {
		return 0, false
	}
	return int64(q), true
}
