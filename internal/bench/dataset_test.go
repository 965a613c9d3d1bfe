package bench

import (
	"context"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/testenv"
)

// The generator makes the same shop every time (fixed seed, no randomness
// but hashes of row numbers), and a shop the schema accepts: no unit is
// promised twice, every line's booking is at its item's location.
func TestGenerateIsDeterministic(t *testing.T) {
	tiny := Size{Name: "tiny", Locations: 3, Categories: 4, Items: 40, Units: 80, Lines: 800, Customers: 50, AuditRows: 100}
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	var sums []string
	for range 2 {
		st, _ := testenv.Store(t)
		db := st.DB()
		if err := Generate(context.Background(), db, tiny, now, "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA"); err != nil {
			t.Fatal(err)
		}
		var sum string
		err := db.QueryRow(`
SELECT md5(string_agg(concat_ws(',', l.id, l.booking_id, l.item_id, l.quantity, l.starts_at, l.ends_at, l.picked_up_at, l.returned_at, b.status, b.customer_id), ';' ORDER BY l.id))
FROM booking_lines l JOIN bookings b ON b.id = l.booking_id`).Scan(&sum)
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, sum)
		var lines, wrongPlace int
		err = db.QueryRow(`
SELECT count(*), count(*) FILTER (WHERE u.location_id IS NOT NULL AND u.location_id <> b.location_id)
FROM booking_lines l JOIN bookings b ON b.id = l.booking_id
LEFT JOIN unit_allocations a ON a.booking_line_id = l.id LEFT JOIN units u ON u.id = a.unit_id`).Scan(&lines, &wrongPlace)
		if err != nil {
			t.Fatal(err)
		}
		if lines != tiny.Lines || wrongPlace != 0 {
			t.Fatalf("%d lines (want %d), %d on a unit of another location", lines, tiny.Lines, wrongPlace)
		}
	}
	if sums[0] != sums[1] {
		t.Fatalf("two runs made different shops: %s and %s", sums[0], sums[1])
	}
}
