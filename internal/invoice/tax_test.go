package invoice

import (
	"math"
	"slices"
	"testing"
)

// Tax inside a gross amount, rounded half away from zero to a minor unit.
func TestInclusiveTaxRounding(t *testing.T) {
	for _, tc := range []struct {
		gross int64
		rate  int
		want  int64
	}{
		{11900, 1900, 1900}, // exact
		{100, 1900, 16},     // 15.97
		{1, 1900, 0},        // 0.16
		{3, 1900, 0},        // 0.479
		{4, 1900, 1},        // 0.639
		{1250, 700, 82},     // 81.78
		{107, 700, 7},       // exact
		{214, 700, 14},      // exact
		{1605, 700, 105},    // 105.0
		{53, 700, 3},        // 3.467
		{2150, 750, 150},    // exactly 150
		{1075, 750, 75},     // exactly 75
		{43, 750, 3},        // 3.0
		{2013, 825, 153},    // 153.4
		{10825, 825, 825},   // exact
		{-1250, 700, -82},   // credits round the same way, mirrored
		{-4, 1900, -1},      //
		{5, 10000, 3},       // 2.5 rounds half up
		{-5, 10000, -3},     // and half away from zero below zero
		{0, 1900, 0},        //
		{999, 0, 0},         //
		{math.MaxInt64, 1900, 1472639232775132272}, // no overflow: big integers
	} {
		if got := InclusiveTax(tc.gross, tc.rate); got != tc.want {
			t.Errorf("InclusiveTax(%d, %d) = %d, want %d", tc.gross, tc.rate, got, tc.want)
		}
	}
}

// Shares add up to the amount exactly and never exceed their weight.
func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		amount  int64
		weights []int64
		want    []int64
	}{
		{1000, []int64{11994, 1250}, []int64{906, 94}},
		{100, []int64{1, 1, 1}, []int64{34, 33, 33}},
		{2, []int64{1, 1, 1}, []int64{1, 1, 0}},
		{1, []int64{500, 500}, []int64{1, 0}},
		{13244, []int64{11994, 1250}, []int64{11994, 1250}},
		{7, []int64{0, 10}, []int64{0, 7}},
		{10, []int64{3, 3, 4}, []int64{3, 3, 4}},
		{5, []int64{0, 0}, []int64{0, 0}},
		{999_999_999_999, []int64{333_333_333_333, 666_666_666_666}, []int64{333_333_333_333, 666_666_666_666}},
	} {
		if got := Split(tc.amount, tc.weights); !slices.Equal(got, tc.want) {
			t.Errorf("Split(%d, %v) = %v, want %v", tc.amount, tc.weights, got, tc.want)
		}
	}
}

func TestFormatRate(t *testing.T) {
	for bp, want := range map[int]string{1900: "19%", 750: "7.5%", 825: "8.25%", 0: "0%", 10000: "100%", 5: "0.05%"} {
		if got := FormatRate(bp); got != want {
			t.Errorf("FormatRate(%d) = %q, want %q", bp, got, want)
		}
	}
}
