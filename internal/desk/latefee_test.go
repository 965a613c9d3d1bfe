package desk

import (
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/money"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	z, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func TestComputeLateFee(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, berlin) }
	// 2026-12-05 is a Saturday; the shop is closed on Sundays and on 2026-12-08.
	sundaysAndHoliday := func(day time.Time) bool {
		return day.Weekday() == time.Sunday || day.Format("2006-01-02") == "2026-12-08"
	}
	hourly := LateFeeRule{Per: PerHour, Amount: 500, GraceMinutes: 15, Cap: 3000}
	daily := LateFeeRule{Per: PerDay, Amount: 2500, GraceMinutes: 60}
	due := at(2026, 12, 5, 17, 0)
	for _, tc := range []struct {
		name     string
		rule     LateFeeRule
		due, ret time.Time
		closed   func(time.Time) bool
		qty      int
		units    int
		total    int64
		capped   bool
		grace    bool
	}{
		{name: "early return", rule: hourly, due: due, ret: due.Add(-time.Hour)},
		{name: "on the minute", rule: hourly, due: due, ret: due},
		{name: "within grace", rule: hourly, due: due, ret: due.Add(15 * time.Minute), grace: true},
		{name: "just past grace counts from due", rule: hourly, due: due, ret: due.Add(16 * time.Minute), units: 1, total: 500},
		{name: "started hours", rule: hourly, due: due, ret: due.Add(2*time.Hour + time.Minute), units: 3, total: 1500},
		{name: "exact hours", rule: hourly, due: due, ret: due.Add(2 * time.Hour), units: 2, total: 1000},
		{name: "hourly cap", rule: hourly, due: due, ret: due.Add(9 * time.Hour), units: 9, total: 3000, capped: true},
		{name: "cap per piece", rule: hourly, due: due, ret: due.Add(9 * time.Hour), qty: 3, units: 9, total: 9000, capped: true},
		{name: "pieces multiply", rule: hourly, due: due, ret: due.Add(time.Hour), qty: 4, units: 1, total: 2000},
		{name: "one started day", rule: daily, due: due, ret: due.Add(2 * time.Hour), units: 1, total: 2500},
		{name: "day grace", rule: daily, due: due, ret: due.Add(time.Hour), grace: true},
		{name: "two days", rule: daily, due: due, ret: due.Add(25 * time.Hour), units: 2, total: 5000},
		{name: "no cap on days", rule: daily, due: due, ret: due.Add(24 * 10 * time.Hour), units: 10, total: 25000},
		{name: "no rule", rule: LateFeeRule{Per: PerNone}, due: due, ret: due.Add(48 * time.Hour)},
		// Clocks go back on 2026-10-25 in Berlin: that local day has 25 hours.
		{name: "DST night, day rule: one local day", rule: daily, due: at(2026, 10, 24, 12, 0), ret: at(2026, 10, 25, 12, 0), units: 1, total: 2500},
		{name: "DST night, hour rule: 25 elapsed hours", rule: LateFeeRule{Per: PerHour, Amount: 100}, due: at(2026, 10, 24, 12, 0), ret: at(2026, 10, 25, 12, 0), units: 25, total: 2500},
		// Clocks go forward on 2026-03-29: 23 hours make the local day.
		{name: "spring DST, day rule", rule: daily, due: at(2026, 3, 28, 12, 0), ret: at(2026, 3, 29, 12, 0), units: 1, total: 2500},
		{name: "spring DST, hour rule", rule: LateFeeRule{Per: PerHour, Amount: 100}, due: at(2026, 3, 28, 12, 0), ret: at(2026, 3, 29, 12, 0), units: 23, total: 2300},
		// Due Saturday 17:00, back Monday 10:00: Sunday (closed) is not charged.
		{name: "closed Sunday, day rule", rule: daily, due: due, ret: at(2026, 12, 7, 10, 0), closed: sundaysAndHoliday, units: 1, total: 2500},
		{name: "closed Sunday, hour rule", rule: LateFeeRule{Per: PerHour, Amount: 100}, due: due, ret: at(2026, 12, 7, 10, 0), closed: sundaysAndHoliday, units: 17, total: 1700},
		{name: "closed Sunday and holiday", rule: daily, due: due, ret: at(2026, 12, 9, 18, 0), closed: sundaysAndHoliday, units: 3, total: 7500},
		{name: "back on the closed day", rule: LateFeeRule{Per: PerHour, Amount: 100}, due: due, ret: at(2026, 12, 6, 11, 0), closed: sundaysAndHoliday, units: 7, total: 700},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := ComputeLateFee(tc.rule, LateReturn{Due: tc.due, Returned: tc.ret, Zone: berlin, Closed: tc.closed, Quantity: tc.qty})
			if f.Units != tc.units || f.Total != tc.total || f.Capped != tc.capped || f.WithinGrace != tc.grace {
				t.Errorf("got units %d total %d capped %v grace %v, want %d %d %v %v (late %s)",
					f.Units, f.Total, f.Capped, f.WithinGrace, tc.units, tc.total, tc.capped, tc.grace, f.Late)
			}
			if len(f.Breakdown("EUR")) == 0 {
				t.Error("no breakdown")
			}
		})
	}
}

// The breakdown names every step of the computation.
func TestLateFeeBreakdown(t *testing.T) {
	due := time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC)
	f := ComputeLateFee(LateFeeRule{Per: PerHour, Amount: 500, Cap: 1200}, LateReturn{Due: due, Returned: due.Add(150 * time.Minute)})
	got := f.Breakdown("EUR")
	want := []string{"Late by 2 h 30 min.", "3 hours × €5.00 = €15.00", "Capped at €12.00."}
	if len(got) != len(want) {
		t.Fatalf("breakdown %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %q, want %q", i, got[i], want[i])
		}
	}
}

func TestFormatLate(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second:              "less than a minute",
		25 * time.Minute:              "25 min",
		3*time.Hour + 10*time.Minute:  "3 h 10 min",
		2 * time.Hour:                 "2 h",
		24 * time.Hour:                "1 day",
		52*time.Hour + 5*time.Minute:  "2 days 4 h",
		72 * time.Hour:                "3 days",
		24*time.Hour + 30*time.Minute: "1 day",
	} {
		if got := FormatLate(d); got != want {
			t.Errorf("FormatLate(%s) = %q, want %q", d, got, want)
		}
	}
}

// A fee past money.MaxEntry (the most one ledger charge takes) is capped
// there, and a product past int64 saturates instead of wrapping: a rule at
// the limit, two hours late, made a charge the ledger refused at the return.
func TestLateFeeAtMostMaxEntry(t *testing.T) {
	due := time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		rule LateFeeRule
		late time.Duration
		qty  int
	}{
		{"the limit, two hours late", LateFeeRule{Per: PerHour, Amount: money.MaxEntry}, 2 * time.Hour, 1},
		{"the limit, three years late, 1000 pieces", LateFeeRule{Per: PerHour, Amount: money.MaxEntry}, 3 * 365 * 24 * time.Hour, 1000},
		{"a cap at the limit, 1000 pieces", LateFeeRule{Per: PerDay, Amount: money.MaxEntry, Cap: money.MaxEntry}, 48 * time.Hour, 1000},
	} {
		f := ComputeLateFee(tc.rule, LateReturn{Due: due, Returned: due.Add(tc.late), Quantity: tc.qty})
		if f.Total != money.MaxEntry || !f.Capped || f.Uncapped < money.MaxEntry {
			t.Errorf("%s: total %d capped %v uncapped %d, want %d capped", tc.name, f.Total, f.Capped, f.Uncapped, int64(money.MaxEntry))
		}
	}
	if f := ComputeLateFee(LateFeeRule{Per: PerHour, Amount: 500}, LateReturn{Due: due, Returned: due.Add(2 * time.Hour)}); f.Total != 1000 || f.Capped {
		t.Errorf("an ordinary fee: %+v", f)
	}
}
