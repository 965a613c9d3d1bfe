package period

import (
	"errors"
	"testing"
	"time"
)

// fuzzZones are the zones FuzzParse picks from: ordinary ones, half-hour and
// 45-minute offsets, a 30-minute DST shift, a skipped day, midnight DST.
var fuzzZones = []string{"UTC", "Europe/Berlin", "America/Los_Angeles", "Pacific/Auckland",
	"Australia/Lord_Howe", "Pacific/Apia", "America/Sao_Paulo", "Asia/Kathmandu", "America/St_Johns"}

// FuzzParse checks that Parse never panics, reports problems only as
// FieldErrors on known fields, returns End > Start in UTC on success, and
// that a parsed period written back as input values parses to the same
// instants.
func FuzzParse(f *testing.F) {
	f.Add("2026-03-07T15:00", "2026-03-09T10:00", uint8(1))
	f.Add("2026-03-29T02:30", "2026-03-29T04:00", uint8(1))
	f.Add("2026-10-25T02:30", "2026-10-25T02:45", uint8(1))
	f.Add("2026-03-07", "2026-03-08", uint8(2))
	f.Add("2011-12-30", "2011-12-31T00:30:15.5", uint8(5))
	f.Add("2026-03-07 15:00:00", "", uint8(0))
	f.Add("junk", "2026-02-30", uint8(3))
	locs := make([]*time.Location, len(fuzzZones))
	for i, z := range fuzzZones {
		locs[i] = mustLoad(f, z)
	}
	f.Fuzz(func(t *testing.T, start, end string, zi uint8) {
		loc := locs[int(zi)%len(locs)]
		p, err := Parse(start, end, loc)
		if err != nil {
			var fe FieldErrors
			if !errors.As(err, &fe) || len(fe) == 0 {
				t.Fatalf("Parse(%q, %q) err = %v; want FieldErrors", start, end, err)
			}
			for k, v := range fe {
				if (k != FieldStart && k != FieldEnd) || v == "" {
					t.Fatalf("unexpected field error %q: %q", k, v)
				}
			}
			return
		}
		if !p.End.After(p.Start) || p.Start.Location() != time.UTC || p.End.Location() != time.UTC {
			t.Fatalf("Parse(%q, %q) = %v", start, end, p)
		}
		s, e := FormatLocal(p.Start, loc), FormatLocal(p.End, loc)
		q, err := Parse(s, e, loc)
		if err != nil || q != p {
			t.Fatalf("Parse(%q, %q) = %v; reformatted %q, %q reparsed to %v, %v", start, end, p, s, e, q, err)
		}
	})
}

// FuzzDate drives Date with calendar fields directly, which reaches far more
// wall-clock readings than text mutation does: the result must never be
// earlier than the wall clock allows (it shows the same reading, or a later
// one inside a gap), the two resolution methods must agree, and the input
// value written for it must parse back to it.
func FuzzDate(f *testing.F) {
	f.Add(uint16(2026), uint8(3), uint8(29), uint8(2), uint8(30), uint8(1))
	f.Add(uint16(2026), uint8(10), uint8(25), uint8(2), uint8(30), uint8(1))
	f.Add(uint16(2011), uint8(12), uint8(30), uint8(12), uint8(0), uint8(5))
	f.Add(uint16(9912), uint8(12), uint8(31), uint8(12), uint8(0), uint8(3))
	locs := make([]*time.Location, len(fuzzZones))
	for i, z := range fuzzZones {
		locs[i] = mustLoad(f, z)
	}
	f.Fuzz(func(t *testing.T, year uint16, month, day, hour, minute, zi uint8) {
		loc := locs[int(zi)%len(locs)]
		y, m, d := int(year)%10000, time.Month(month%12+1), int(day)%31+1
		h, mi := int(hour)%24, int(minute)%60
		got := Date(y, m, d, h, mi, 0, 0, loc)
		wall := time.Date(y, m, d, h, mi, 0, 0, time.UTC) // normalised reading
		shown := got.In(loc)
		shownWall := time.Date(shown.Year(), shown.Month(), shown.Day(), shown.Hour(), shown.Minute(), 0, 0, time.UTC)
		if shownWall.Before(wall) {
			t.Fatalf("Date(%v) in %s = %v, shows an earlier reading", wall, loc, got)
		}
		if shownWall.After(wall) {
			// Only a gap may move the reading, and then not beyond a day.
			if shownWall.Sub(wall) > 24*time.Hour {
				t.Fatalf("Date(%v) in %s = %v, moved too far", wall, loc, got)
			}
		}
		if alt := byNeighbourOffsets(wall, loc); !alt.Equal(got) {
			t.Fatalf("Date(%v) in %s: walk %v, neighbour offsets %v", wall, loc, got, alt)
		}
		back, err := ParseLocal(FormatLocal(got, loc), loc)
		if err != nil || !back.Equal(got) {
			t.Fatalf("Date(%v) in %s = %v; reparsed %v, %v", wall, loc, got, back, err)
		}
	})
}
