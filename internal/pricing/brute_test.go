package pricing

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/period"
)

// bruteZones are zones for the exhaustive comparison: DST north and south,
// a 30-minute DST shift, none at all.
var bruteZones = []string{"Europe/Berlin", "America/Los_Angeles", "Pacific/Auckland", "Australia/Lord_Howe", "UTC"}

// bruteForce prices in by trying every count of months, weeks and days (and
// hours for the rest), laid out from the start like cheapest does. It is
// slow and obviously right, which is what the program is checked against.
func bruteForce(in Input) int64 {
	r, loc, start, end := in.Rates, in.Location, in.Period.Start, in.Period.End
	if minEnd := minimumEnd(start, in.Minimum, loc); minEnd.After(end) {
		end = minEnd
	}
	s := start.In(loc)
	sDate := time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, time.UTC)
	days := int(end.Sub(start)/(23*time.Hour)) + 2 // more than enough day boundaries
	at := func(k int) time.Time {
		if k == 0 {
			return start
		}
		return period.AddDays(start, k, loc)
	}
	best := int64(-1)
	for m := 0; m == 0 || r.Month > 0; m++ {
		mEnd := period.AddMonths(start, m, loc).In(loc)
		jm := int(time.Date(mEnd.Year(), mEnd.Month(), mEnd.Day(), 0, 0, 0, 0, time.UTC).Sub(sDate) / (24 * time.Hour))
		for w := 0; w == 0 || (r.Week > 0 && 7*(w-1) <= days); w++ {
			for d := 0; d == 0 || (r.Day > 0 && d <= days+1); d++ {
				cover := at(jm + 7*w + d)
				cost := int64(m)*r.Month + int64(w)*r.Week + int64(d)*r.Day
				if cover.Before(end) {
					if r.Hour == 0 {
						continue
					}
					cost += int64((end.Sub(cover)+time.Hour-1)/time.Hour) * r.Hour
				}
				if best < 0 || cost < best {
					best = cost
				}
			}
		}
		if !at(jm).Before(end) {
			break
		}
	}
	return best
}

// checkAgainstBruteForce prices in and compares with bruteForce, plus the
// invariants every quote must keep.
func checkAgainstBruteForce(t *testing.T, in Input) {
	t.Helper()
	q, err := Price(in)
	if in.Rates == (Rates{}) {
		if !errors.Is(err, ErrNoRates) {
			t.Fatalf("no rates: err = %v", err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Price(%+v): %v", in, err)
	}
	if want := bruteForce(in); q.PerItem != want {
		t.Fatalf("Price(%+v %s) = %d %+v; brute force finds %d", in.Rates, in.Period, q.PerItem, q.Lines, want)
	}
	var sum int64
	for _, l := range q.Lines {
		if l.Units < 1 || l.Amount != int64(l.Units)*l.UnitPrice || l.Label != label(l.Units, l.Tier) {
			t.Fatalf("bad line %+v", l)
		}
		sum += l.Amount
	}
	if sum != q.PerItem || q.CoveredUntil.Before(in.Period.End) || q.Covered != q.CoveredUntil.Sub(in.Period.Start) {
		t.Fatalf("inconsistent quote %+v for %s", q, in.Period)
	}
}

// bruteInput builds an Input from small numbers: rates in cents, a start
// minute within 2026–2027 and a length of up to 75 days.
func bruteInput(t testing.TB, locs []*time.Location, hour, day, week, month uint16, startMin, lenMin uint32, zi uint8) Input {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	start := base.Add(time.Duration(startMin%(2*365*24*60)) * time.Minute)
	length := time.Duration(1+lenMin%(75*24*60)) * time.Minute
	return Input{
		Rates:    Rates{Hour: int64(hour), Day: int64(day), Week: int64(week), Month: int64(month)},
		Period:   period.Period{Start: start, End: start.Add(length)},
		Location: locs[int(zi)%len(locs)],
		Quantity: 1,
	}
}

func loadAll(t testing.TB, names []string) []*time.Location {
	locs := make([]*time.Location, len(names))
	for i, n := range names {
		locs[i] = mustLoad(t, n)
	}
	return locs
}

// TestPriceMatchesBruteForce compares the program with exhaustive search on
// a fixed pseudo-random sample, including DST weekends and month ends.
func TestPriceMatchesBruteForce(t *testing.T) {
	locs := loadAll(t, bruteZones)
	rng := rand.New(rand.NewPCG(1, 2))
	n := 400
	if testing.Short() {
		n = 50
	}
	rate := func(max int) uint16 {
		if rng.IntN(4) == 0 {
			return 0 // tier not offered
		}
		return uint16(1 + rng.IntN(max))
	}
	for range n {
		in := bruteInput(t, locs, rate(800), rate(5000), rate(25000), rate(60000),
			rng.Uint32(), uint32(rng.IntN(75*24*60)), uint8(rng.IntN(len(locs))))
		if rng.IntN(5) == 0 {
			in.Minimum = time.Duration(rng.IntN(72)) * time.Hour
		}
		checkAgainstBruteForce(t, in)
	}
}

// FuzzPrice compares Price with exhaustive search for fuzzed rates and
// periods, and checks that it never panics.
func FuzzPrice(f *testing.F) {
	f.Add(uint16(500), uint16(2000), uint16(10000), uint16(30000), uint32(123_000), uint32(8*24*60), uint8(0))
	f.Add(uint16(150), uint16(2000), uint16(0), uint16(0), uint32(124_000), uint32(20*60), uint8(1))
	f.Add(uint16(0), uint16(1000), uint16(5000), uint16(30000), uint32(129_600), uint32(30*24*60), uint8(2))
	f.Add(uint16(500), uint16(0), uint16(0), uint16(0), uint32(0), uint32(1), uint8(4))
	f.Add(uint16(0), uint16(0), uint16(0), uint16(0), uint32(0), uint32(60), uint8(4))
	locs := loadAll(f, bruteZones)
	f.Fuzz(func(t *testing.T, hour, day, week, month uint16, startMin, lenMin uint32, zi uint8) {
		checkAgainstBruteForce(t, bruteInput(t, locs, hour, day, week, month, startMin, lenMin, zi))
	})
}
