package settings

import "testing"

func TestRateParsingAndFormatting(t *testing.T) {
	cases := []struct {
		in   string
		bp   int
		ok   bool
		back string
	}{
		{"19", 1900, true, "19"}, {"8.25", 825, true, "8.25"}, {"7,5", 750, true, "7.5"}, {"0", 0, true, "0"},
		{"100", 10000, true, "100"}, {"19 %", 1900, true, "19"}, {"0.01", 1, true, "0.01"},
		{"", 0, false, ""}, {"100.01", 0, false, ""}, {"-1", 0, false, ""}, {"1.234", 0, false, ""},
		{"1e2", 0, false, ""}, {".5", 0, false, ""}, {"１９", 0, false, ""},
	}
	for _, tc := range cases {
		errs := map[string]string{}
		bp := rate(errs, "r", tc.in)
		if ok := len(errs) == 0; ok != tc.ok || bp != tc.bp {
			t.Errorf("rate(%q) = %d ok=%v, want %d ok=%v", tc.in, bp, ok, tc.bp, tc.ok)
		}
		if tc.ok && FormatRate(bp) != tc.back {
			t.Errorf("FormatRate(%d) = %q, want %q", bp, FormatRate(bp), tc.back)
		}
	}
}
