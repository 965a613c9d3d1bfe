package bench

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Desk scans: a customer books a unit from the next hour for a day, staff
// check it out through the desk's scan route (as the scanner's htmx form
// posts it) and check it back in, which frees the unit for the next round.
// One request of the scenario is that whole flow.
type scanRun struct {
	db        *sql.DB
	fx        fixture
	customers []*client
	staff     []*client
	mu        sync.Mutex
	seq       int
}

func newScanRun(db *sql.DB, fx fixture, customers, staff []*client) *scanRun {
	return &scanRun{db: db, fx: fx, customers: customers, staff: staff}
}

// book books one unit of the next item for [next hour, +1 day) and returns
// the booking's number and the unit's tag; ok is false when the item had
// no unit free (the data set's own bookings hold many now).
func (s *scanRun) book(w int) (int64, string, bool, error) {
	s.mu.Lock()
	s.seq++
	it := s.fx.holdItems[(s.seq*31)%len(s.fx.holdItems)]
	s.mu.Unlock()
	c := s.customers[w]
	from := time.Now().Add(time.Hour).Truncate(time.Hour)
	if err := c.chooseDates(s.fx.loc, from, from.Add(24*time.Hour), s.fx.zone); err != nil {
		return 0, "", false, err
	}
	st, body, err := c.do("POST", "/cart/items", url.Values{"item_id": {fmt.Sprint(it.id)}, "quantity": {"1"}})
	if err != nil {
		return 0, "", false, err
	}
	if st >= 500 {
		return 0, "", false, fmt.Errorf("add to cart: status %d: %.200s", st, body)
	}
	if st != http.StatusSeeOther {
		return 0, "", false, nil
	}
	_, page, err := c.do("GET", "/checkout", nil)
	if err != nil {
		return 0, "", false, err
	}
	m := tokenRE.FindStringSubmatch(page)
	if m == nil {
		return 0, "", false, fmt.Errorf("no checkout token: %.300s", page)
	}
	st, body, err = c.do("POST", "/checkout", url.Values{"token": {m[1]}})
	if err != nil {
		return 0, "", false, err
	}
	if st != http.StatusSeeOther {
		c.do("POST", fmt.Sprintf("/cart/items/%d", it.id), url.Values{"quantity": {"0"}})
		if st >= 500 {
			return 0, "", false, fmt.Errorf("checkout: status %d: %.200s", st, body)
		}
		return 0, "", false, nil
	}
	mm := bookingPathRE.FindStringSubmatch(c.location)
	if mm == nil {
		return 0, "", false, fmt.Errorf("checkout went to %q, not a booking", c.location)
	}
	var id int64
	fmt.Sscan(mm[1], &id)
	var tag string
	err = s.db.QueryRow(`
SELECT u.asset_tag FROM booking_lines l
JOIN unit_allocations a ON a.booking_line_id = l.id AND a.active
JOIN units u ON u.id = a.unit_id
WHERE l.booking_id = $1 LIMIT 1`, id).Scan(&tag)
	if err != nil {
		return 0, "", false, fmt.Errorf("bench: unit of booking %d: %w", id, err)
	}
	return id, tag, true, nil
}

var bookingPathRE = regexp.MustCompile(`/bookings/(\d+)`)

// step is one booking, scan out and scan in.
func (s *scanRun) step(w, _ int) (string, error) {
	id, tag, ok, err := s.book(w)
	if err != nil || !ok {
		return "no unit free to book", err
	}
	t := scanTarget{booking: id, tag: tag}
	c := s.staff[w]
	path := fmt.Sprintf("/staff/bookings/%d", t.booking)
	st, body, err := c.doWith("POST", path+"/scan", url.Values{"tag": {t.tag}}, http.Header{"Hx-Request": {"true"}})
	if err != nil {
		return "", err
	}
	if st == http.StatusUnprocessableEntity && strings.Contains(body, `data-testid="scan-refused"`) {
		// The booking starts within the hour, so this is an early
		// hand-over, and the desk rightly refuses it while the unit is
		// still out on an earlier booking or promised to one before ours:
		// the data set's own bookings keep many units busy. A refusal with
		// its message is the right answer, not a failed request.
		return "hand-over refused: unit still busy before the booking starts", nil
	}
	if st != http.StatusOK {
		return "", fmt.Errorf("scan out %s: status %d: %.300s", t.tag, st, body)
	}
	st, body, err = c.do("POST", path+"/checkin", url.Values{"tag": {t.tag}})
	if err != nil {
		return "", err
	}
	if st != http.StatusSeeOther {
		return "", fmt.Errorf("check in %s: status %d: %.300s", t.tag, st, body)
	}
	return "", nil
}

type scanTarget struct {
	booking int64
	tag     string
}
