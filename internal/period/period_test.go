package period

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the machine's zoneinfo
)

// mustLoad loads an IANA zone or stops the test.
func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

// utc parses an RFC 3339 instant for expectations.
func utc(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v.UTC()
}

func TestParseLocal(t *testing.T) {
	tests := []struct {
		zone, in, want string
	}{
		{"Europe/Berlin", "2026-03-07T15:00", "2026-03-07T14:00:00Z"},
		{"Europe/Berlin", "2026-03-07T15:00:30", "2026-03-07T14:00:30Z"},
		{"Europe/Berlin", "2026-03-07T15:00:30.250", "2026-03-07T14:00:30.25Z"},
		{"Europe/Berlin", "2026-03-07T15:00:00", "2026-03-07T14:00:00Z"},
		{"Europe/Berlin", "2026-03-07 15:00", "2026-03-07T14:00:00Z"},
		{"Europe/Berlin", " 2026-03-07 15:00:00 ", "2026-03-07T14:00:00Z"},
		{"Europe/Berlin", "2026-03-07", "2026-03-06T23:00:00Z"},
		{"Europe/Berlin", "2026-07-07T15:00", "2026-07-07T13:00:00Z"},
		{"UTC", "2026-03-07T15:00", "2026-03-07T15:00:00Z"},
		{"America/Los_Angeles", "2026-03-07T15:00", "2026-03-07T23:00:00Z"},
		{"Pacific/Auckland", "2026-03-07T15:00", "2026-03-07T02:00:00Z"},
		{"Asia/Kolkata", "2026-03-07T15:00", "2026-03-07T09:30:00Z"},

		// Spring forward, Berlin 29 Mar 2026 02:00 -> 03:00: either side of
		// the gap (inside it, see TestParseLocalSkipped).
		{"Europe/Berlin", "2026-03-29T01:59", "2026-03-29T00:59:00Z"},
		{"Europe/Berlin", "2026-03-29T03:00", "2026-03-29T01:00:00Z"},
		// Fall back, Berlin 25 Oct 2026 03:00 -> 02:00: 02:30 happens twice;
		// the first (CEST, +02:00) is taken.
		{"Europe/Berlin", "2026-10-25T02:30", "2026-10-25T00:30:00Z"},
		{"Europe/Berlin", "2026-10-25T03:00", "2026-10-25T02:00:00Z"},
		// Los Angeles: 8 Mar 2026 02:00 -> 03:00, 1 Nov 2026 02:00 -> 01:00.
		{"America/Los_Angeles", "2026-11-01T01:30", "2026-11-01T08:30:00Z"},
		// A plain date whose midnight is skipped (Sao Paulo, 4 Nov 2018).
		{"America/Sao_Paulo", "2018-11-04", "2018-11-04T03:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.zone+"/"+tt.in, func(t *testing.T) {
			got, err := ParseLocal(tt.in, mustLoad(t, tt.zone))
			if err != nil {
				t.Fatal(err)
			}
			if want := utc(t, tt.want); !got.Equal(want) || got.Location() != time.UTC {
				t.Errorf("ParseLocal = %v; want %v in UTC", got, want)
			}
		})
	}
}

// A time the clocks skip is not moved behind the user's back: ParseLocal
// says where the clocks jumped. Date, which computed times use, moves it
// forward by the gap.
func TestParseLocalSkipped(t *testing.T) {
	tests := []struct {
		zone, in, moved, from, to string
	}{
		// Spring forward, Berlin 29 Mar 2026 02:00 -> 03:00: 02:30 does not
		// exist; Date moves it forward by the gap to 03:30 CEST.
		{"Europe/Berlin", "2026-03-29T02:30", "2026-03-29T01:30:00Z", "02:00", "03:00"},
		{"Europe/Berlin", "2026-03-29T02:00", "2026-03-29T01:00:00Z", "02:00", "03:00"},
		// Los Angeles: 8 Mar 2026 02:00 -> 03:00.
		{"America/Los_Angeles", "2026-03-08T02:30", "2026-03-08T10:30:00Z", "02:00", "03:00"},
		// Lord Howe shifts by 30 minutes: 4 Oct 2026 02:00 -> 02:30.
		{"Australia/Lord_Howe", "2026-10-04T02:15", "2026-10-03T15:45:00Z", "02:00", "02:30"},
		// Samoa skipped 30 Dec 2011 entirely; Date moves it a whole day.
		{"Pacific/Apia", "2011-12-30T12:00", "2011-12-30T22:00:00Z", "Fri 30 Dec 00:00", "Sat 31 Dec 00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.zone+"/"+tt.in, func(t *testing.T) {
			loc := mustLoad(t, tt.zone)
			_, err := ParseLocal(tt.in, loc)
			var se *SkippedError
			if !errors.As(err, &se) || !errors.Is(err, ErrSkipped) {
				t.Fatalf("ParseLocal(%q) err = %v; want a SkippedError", tt.in, err)
			}
			if se.From != tt.from || se.To != tt.to || !strings.Contains(se.Message(), "from "+tt.from+" to "+tt.to) {
				t.Errorf("jump %q to %q (%s); want %q to %q", se.From, se.To, se.Message(), tt.from, tt.to)
			}
			w := se.Wall
			if got := Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), 0, 0, loc); !got.Equal(utc(t, tt.moved)) {
				t.Errorf("Date = %v; want %s", got, tt.moved)
			}
		})
	}
}

func TestParseLocalErrors(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	for _, in := range []string{"", "  "} {
		if _, err := ParseLocal(in, berlin); !errors.Is(err, ErrMissing) {
			t.Errorf("ParseLocal(%q) err = %v; want ErrMissing", in, err)
		}
	}
	for _, in := range []string{"tomorrow", "2026-02-30", "2026-13-01", "2026-03-07T25:00",
		"2026-03-07T15:60", "07/03/2026", "2026-03-07T15:00Z", "2026-03-07T15:00+01:00",
		"2026-3-7", "26-03-07", "2026-03-07T", "2026-03-07T15:00:00:00", "2026-03-07T23:59:60"} {
		if _, err := ParseLocal(in, berlin); !errors.Is(err, ErrNotDate) {
			t.Errorf("ParseLocal(%q) err = %v; want ErrNotDate", in, err)
		}
	}
	if _, err := ParseLocal("2026-03-07", nil); !errors.Is(err, ErrNoLocation) {
		t.Errorf("nil location: err = %v", err)
	}
}

func TestParse(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	p, err := Parse("2026-03-07T15:00", "2026-03-09T10:00", berlin)
	if err != nil {
		t.Fatal(err)
	}
	want := Period{Start: utc(t, "2026-03-07T14:00:00Z"), End: utc(t, "2026-03-09T09:00:00Z")}
	if p != want {
		t.Errorf("Parse = %v; want %v", p, want)
	}

	// A plain end date is the start of that day: 7 to 9 March is two days.
	p, err = Parse("2026-03-07", "2026-03-09", berlin)
	if err != nil || p.Duration() != 48*time.Hour {
		t.Errorf("dates: %v, %v; want 48h", p, err)
	}

	tests := []struct {
		start, end string
		want       FieldErrors
	}{
		{"", "", FieldErrors{FieldStart: msgStartMissing, FieldEnd: msgEndMissing}},
		{"", "2026-03-09T10:00", FieldErrors{FieldStart: msgStartMissing}},
		{"2026-03-07T15:00", " ", FieldErrors{FieldEnd: msgEndMissing}},
		{"soon", "later", FieldErrors{FieldStart: msgNotDate, FieldEnd: msgNotDate}},
		{"2026-03-07T15:00", "2026-02-30T10:00", FieldErrors{FieldEnd: msgNotDate}},
		{"2026-03-07T15:00", "2026-03-07T15:00", FieldErrors{FieldEnd: msgEndNotAfter}},
		{"2026-03-09T10:00", "2026-03-07T15:00", FieldErrors{FieldEnd: msgEndNotAfter}},
		// 02:30 is skipped that night: said, not read as 03:30 (which made
		// this period empty).
		{"2026-03-29T02:30", "2026-03-29T03:30", FieldErrors{FieldStart: "there is no 02:30 on Sun 29 Mar 2026 here: the clocks go forward from 02:00 to 03:00 that night. Choose another time"}},
	}
	for _, tt := range tests {
		_, err := Parse(tt.start, tt.end, berlin)
		var fe FieldErrors
		if !errors.As(err, &fe) {
			t.Errorf("Parse(%q, %q) err = %v; want FieldErrors", tt.start, tt.end, err)
			continue
		}
		if len(fe) != len(tt.want) {
			t.Errorf("Parse(%q, %q) = %v; want %v", tt.start, tt.end, fe, tt.want)
		}
		for k, v := range tt.want {
			if fe[k] != v {
				t.Errorf("Parse(%q, %q)[%s] = %q; want %q", tt.start, tt.end, k, fe[k], v)
			}
		}
	}
	if _, err := Parse("2026-03-07", "2026-03-08", nil); !errors.Is(err, ErrNoLocation) {
		t.Errorf("nil location: err = %v", err)
	}
}

func TestFieldErrorsError(t *testing.T) {
	fe := FieldErrors{FieldStart: "a", FieldEnd: "b"}
	if got := fe.Error(); got != "end: b; start: a" {
		t.Errorf("Error() = %q", got)
	}
}

// TestProcessZoneIgnored runs the same parse and format under different
// process zones (B13): the location's zone alone decides.
func TestProcessZoneIgnored(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	saved := time.Local
	t.Cleanup(func() { time.Local = saved })
	var first Period
	for i, zone := range []string{"UTC", "Pacific/Auckland", "America/Los_Angeles"} {
		time.Local = mustLoad(t, zone)
		p, err := Parse("2026-03-27T10:00", "2026-03-30T10:00", berlin)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = p
		}
		if p != first || p.Duration() != 71*time.Hour {
			t.Errorf("TZ=%s: %v (%v); want %v", zone, p, p.Duration(), first)
		}
		if got := FormatDisplay(p.Start, berlin); got != "Fri 27 Mar 2026, 10:00" {
			t.Errorf("TZ=%s: display %q", zone, got)
		}
	}
}

func TestNew(t *testing.T) {
	a := time.Date(2026, 3, 7, 15, 0, 0, 0, mustLoad(t, "Europe/Berlin"))
	p, err := New(a, a.Add(time.Hour))
	if err != nil || p.Start.Location() != time.UTC || !p.Start.Equal(a) {
		t.Errorf("New = %v, %v", p, err)
	}
	for _, end := range []time.Time{a, a.Add(-time.Minute)} {
		var fe FieldErrors
		if _, err := New(a, end); !errors.As(err, &fe) || fe[FieldEnd] == "" {
			t.Errorf("New(a, %v) err = %v; want end field error", end, err)
		}
	}
}

func TestOverlapsContains(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	mon, tue, wed, thu, fri := day(2), day(3), day(4), day(5), day(6)
	p := func(a, b time.Time) Period { return Period{Start: a, End: b} }
	tests := []struct {
		a, b Period
		want bool
	}{
		{p(mon, wed), p(wed, fri), false}, // B3: touching is not overlapping
		{p(wed, fri), p(mon, wed), false},
		{p(mon, wed), p(tue, thu), true},
		{p(tue, thu), p(mon, wed), true},
		{p(mon, fri), p(tue, wed), true}, // containment
		{p(mon, tue), p(thu, fri), false},
		{p(mon, wed), p(mon, wed), true},
		{p(tue, tue), p(mon, fri), false}, // empty overlaps nothing
		{p(wed, mon), p(mon, fri), false}, // reversed is empty
	}
	for _, tt := range tests {
		if got := tt.a.Overlaps(tt.b); got != tt.want {
			t.Errorf("%v.Overlaps(%v) = %v; want %v", tt.a, tt.b, got, tt.want)
		}
	}
	q := p(mon, wed)
	for at, want := range map[time.Time]bool{mon: true, tue: true, wed.Add(-time.Nanosecond): true, wed: false, mon.Add(-time.Nanosecond): false} {
		if got := q.Contains(at); got != want {
			t.Errorf("Contains(%v) = %v; want %v", at, got, want)
		}
	}
	if q.Duration() != 48*time.Hour || q.IsEmpty() || !(Period{}).IsEmpty() {
		t.Error("Duration/IsEmpty")
	}
}

func TestDurationAcrossDST(t *testing.T) {
	tests := []struct {
		zone, start, end string
		want             time.Duration
	}{
		{"Europe/Berlin", "2026-03-27T10:00", "2026-03-30T10:00", 71 * time.Hour},
		{"Europe/Berlin", "2026-10-23T10:00", "2026-10-26T10:00", 73 * time.Hour},
		{"America/Los_Angeles", "2026-03-06T10:00", "2026-03-09T10:00", 71 * time.Hour},
		{"America/Los_Angeles", "2026-10-30T10:00", "2026-11-02T10:00", 73 * time.Hour},
	}
	for _, tt := range tests {
		p, err := Parse(tt.start, tt.end, mustLoad(t, tt.zone))
		if err != nil || p.Duration() != tt.want {
			t.Errorf("%s %s: %v, %v; want %v", tt.zone, tt.start, p.Duration(), err, tt.want)
		}
	}
}

func TestCheckNotPast(t *testing.T) {
	now := utc(t, "2026-03-07T14:04:30Z")
	tests := []struct {
		start string
		ok    bool
	}{
		{"2026-03-07T14:05:00Z", true},
		{"2026-03-07T14:04:00Z", true}, // the current minute, as a form default shows it
		{"2026-03-07T14:03:59Z", false},
		{"2025-03-07T14:04:00Z", false},
	}
	for _, tt := range tests {
		p := Period{Start: utc(t, tt.start), End: utc(t, "2026-04-01T00:00:00Z")}
		err := p.CheckNotPast(now)
		var fe FieldErrors
		if tt.ok != (err == nil) || (err != nil && (!errors.As(err, &fe) || fe[FieldStart] != msgStartInPast)) {
			t.Errorf("CheckNotPast(%s) = %v", tt.start, err)
		}
	}
}

func TestFormat(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	at := utc(t, "2026-03-07T14:00:00Z")
	if got := FormatLocal(at, berlin); got != "2026-03-07T15:00" {
		t.Errorf("FormatLocal = %q", got)
	}
	if got := FormatLocal(at.Add(30*time.Second+250*time.Millisecond), berlin); got != "2026-03-07T15:00:30.25" {
		t.Errorf("FormatLocal with seconds = %q", got)
	}
	// A time the app made (a unit free from its return at 15:00:30.25) goes
	// into forms and links as FormatLocal writes it, and reads back the same.
	if back, err := ParseLocal(FormatLocal(at.Add(30*time.Second+250*time.Millisecond), berlin), berlin); err != nil ||
		!back.Equal(at.Add(30*time.Second+250*time.Millisecond)) {
		t.Errorf("FormatLocal with seconds read back as %v, %v", back, err)
	}
	if got := FormatDate(utc(t, "2026-03-07T23:30:00Z"), berlin); got != "2026-03-08" {
		t.Errorf("FormatDate = %q (the local date, not the UTC one)", got)
	}
	if got := FormatDisplay(at, berlin); got != "Sat 7 Mar 2026, 15:00" {
		t.Errorf("FormatDisplay = %q", got)
	}
	if got := FormatDisplay(at, mustLoad(t, "America/Los_Angeles")); got != "Sat 7 Mar 2026, 06:00" {
		t.Errorf("FormatDisplay LA = %q", got)
	}
	same := Period{Start: at, End: at.Add(3 * time.Hour)}
	if got := FormatRange(same, berlin); got != "Sat 7 Mar 2026, 15:00 – 18:00" {
		t.Errorf("FormatRange same day = %q", got)
	}
	span := Period{Start: at, End: utc(t, "2026-03-09T09:00:00Z")}
	if got := FormatRange(span, berlin); got != "Sat 7 Mar 2026, 15:00 – Mon 9 Mar 2026, 10:00" {
		t.Errorf("FormatRange = %q", got)
	}
	if got := span.String(); got != "[2026-03-07T14:00:00Z, 2026-03-09T09:00:00Z)" {
		t.Errorf("String = %q", got)
	}
}

func TestAddDaysMonths(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	fri := utc(t, "2026-03-27T09:00:00Z") // Fri 10:00 CET
	if got := AddDays(fri, 3, berlin); FormatLocal(got, berlin) != "2026-03-30T10:00" || got.Sub(fri) != 71*time.Hour {
		t.Errorf("AddDays across spring DST = %v", got)
	}
	if got := AddDays(fri, -1, berlin); FormatLocal(got, berlin) != "2026-03-26T10:00" {
		t.Errorf("AddDays(-1) = %v", got)
	}
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-01-31T10:00", 1, "2026-02-28T10:00"},
		{"2028-01-31T10:00", 1, "2028-02-29T10:00"},
		{"2026-01-31T10:00", 2, "2026-03-31T10:00"},
		{"2026-03-31T10:00", -1, "2026-02-28T10:00"},
		{"2026-01-15T10:00", -13, "2024-12-15T10:00"},
		{"2026-11-30T10:00", 3, "2027-02-28T10:00"},
		{"2026-03-15T10:00", 12, "2027-03-15T10:00"},
	}
	for _, tt := range tests {
		from, err := ParseLocal(tt.from, berlin)
		if err != nil {
			t.Fatal(err)
		}
		if got := FormatLocal(AddMonths(from, tt.n, berlin), berlin); got != tt.want {
			t.Errorf("AddMonths(%s, %d) = %s; want %s", tt.from, tt.n, got, tt.want)
		}
	}
	if DaysIn(2026, time.February) != 28 || DaysIn(2000, time.February) != 29 || DaysIn(1900, time.February) != 28 {
		t.Error("DaysIn")
	}
}

// TestDateMatchesEveryInstant checks Date against instants in zones with
// unusual rules: every 15 minutes for four hours around each transition from
// 1970 to 2040, and every 31 hours in between. Date(wall clock of u) must show
// the same wall clock, never be later than u, and equal u unless that wall
// clock occurs twice (then it is the earlier instant). Both resolution
// methods must agree.
func TestDateMatchesEveryInstant(t *testing.T) {
	zones := []string{"Europe/Berlin", "America/Los_Angeles", "Pacific/Auckland", "Australia/Lord_Howe",
		"Pacific/Apia", "America/Sao_Paulo", "Asia/Kathmandu", "America/St_Johns", "Europe/Dublin",
		"Africa/Casablanca", "Antarctica/Troll", "UTC"}
	from, until := utc(t, "1970-01-01T00:00:00Z"), utc(t, "2040-01-01T00:00:00Z")
	for _, zone := range zones {
		loc := mustLoad(t, zone)
		check := func(u time.Time) {
			w := u.In(loc)
			got := Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
			if got.In(loc).Format(time.DateTime) != w.Format(time.DateTime) || got.After(u) {
				t.Fatalf("%s: Date(%s) = %v; from %v", zone, w.Format(time.DateTime), got, u)
			}
			if alt := byNeighbourOffsets(time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC), loc); !alt.Equal(got) {
				t.Fatalf("%s: %s: segment walk gives %v, neighbour offsets %v", zone, w.Format(time.DateTime), got, alt)
			}
			if !got.Equal(u) {
				// Only an overlap may map two instants to one wall clock.
				_, o1 := got.In(loc).Zone()
				_, o2 := u.In(loc).Zone()
				if o1 <= o2 {
					t.Fatalf("%s: Date(%s) = %v, want %v", zone, w.Format(time.DateTime), got, u)
				}
			}
		}
		for u := from; u.Before(until); u = u.Add(31 * time.Hour) {
			check(u)
		}
		// The last days of leap years far beyond the zone's table, where
		// ZoneBounds' bounds come from the zone's rule.
		for _, y := range []int{2040, 2400, 9912, 9996} {
			for u := utc(t, fmt.Sprintf("%d-12-30T00:00:00Z", y)); u.Before(utc(t, fmt.Sprintf("%d-01-02T00:00:00Z", y+1))); u = u.Add(30 * time.Minute) {
				check(u)
			}
		}
		transitions := 0
		for u := from.In(loc); u.Before(until); transitions++ {
			_, end := u.ZoneBounds()
			if end.IsZero() {
				break
			}
			for k := -8; k <= 8; k++ {
				check(end.Add(time.Duration(k) * 15 * time.Minute))
			}
			u = end
		}
		if zone != "UTC" && transitions == 0 {
			t.Errorf("%s: no transitions walked", zone)
		}
	}
}
