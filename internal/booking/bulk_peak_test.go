package booking

import (
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/migrations"
)

// bulk_peak runs in PL/pgSQL (migration 00105) so that its plan is kept for
// the session; it must answer as its SQL definition of migration 00060 does
// (created here again, from that migration's text, as a temporary function)
// for every window, instant and excluded line: confirmed, returned, held and
// expired lines, an open check-out past its end, one picked up before its
// start, a line at another location, turnaround buffers.
func TestBulkPeakAgreesWithItsSQLDefinition(t *testing.T) {
	w := newWorld(t)
	chairs := w.bulkItem("Chairs", 8)
	w.exec(`UPDATE items SET buffer_before_minutes = 60, buffer_after_minutes = 90 WHERE id = $1`, chairs)
	c := w.customer()
	w.mustBook(c, chairs, 3, day(1, 10), day(3, 10))
	w.mustBook(c, chairs, 2, day(2, 12), day(2, 18))
	out := w.mustBook(c, chairs, 1, day(0, 9), day(1, 9))
	back := w.mustBook(c, chairs, 2, day(3, 9), day(5, 9))
	held := w.mustBook(c, chairs, 1, day(4, 9), day(6, 9))
	expired := w.mustBook(c, chairs, 2, day(5, 9), day(7, 9))
	// An open check-out past its end, a returned line, a live and an
	// expired hold.
	w.exec(`UPDATE booking_lines SET picked_up_at = $2 WHERE booking_id = $1`, out, day(0, 8))
	w.exec(`UPDATE bookings SET status = 'out' WHERE id = $1`, out)
	w.exec(`UPDATE booking_lines SET picked_up_at = $2, returned_at = $3 WHERE booking_id = $1`, back, day(3, 9), day(4, 15))
	w.exec(`UPDATE bookings SET status = 'returned' WHERE id = $1`, back)
	w.exec(`UPDATE bookings SET status = 'hold', expires_at = $2 WHERE id = $1`, held, day(2, 0))
	w.exec(`UPDATE bookings SET status = 'hold', expires_at = $2 WHERE id = $1`, expired, day(-1, 0))
	line := w.id(`SELECT id FROM booking_lines WHERE booking_id = $1`, held)
	// A line at another location, which never counts here, and a check-out
	// handed out the evening before its start.
	away := w.mustBook(c, chairs, 1, day(2, 9), day(4, 9))
	w.exec(`UPDATE bookings SET location_id = $2 WHERE id = $1`, away, w.location("Away", w.zone))
	early := w.mustBook(c, chairs, 1, day(6, 9), day(7, 9))
	w.exec(`UPDATE booking_lines SET picked_up_at = $2 WHERE booking_id = $1`, early, day(5, 20))
	w.exec(`UPDATE bookings SET status = 'out' WHERE id = $1`, early)

	src, err := fs.ReadFile(migrations.FS, "00060_bounded_history.sql")
	if err != nil {
		t.Fatal(err)
	}
	up, _, _ := strings.Cut(string(src), "-- +goose Down")
	i := strings.Index(up, "CREATE OR REPLACE FUNCTION bulk_peak(")
	j := strings.Index(up[i:], "$$;")
	if i < 0 || j < 0 {
		t.Fatal("bulk_peak's SQL definition not found in migration 00060")
	}
	def := strings.Replace(up[i:i+j+3], "FUNCTION bulk_peak(", "FUNCTION pg_temp.bulk_peak_sql(", 1)
	conn, err := w.st.DB().Conn(w.ctx) // temporary functions live in one session
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(w.ctx, def); err != nil {
		t.Fatal(err)
	}

	seen := map[int]bool{}
	n := 0
	for _, now := range []time.Time{day(-2, 0), day(1, 12), day(2, 6), day(6, 0)} {
		for _, exclude := range []int64{0, line} {
			for d := -1; d <= 8; d++ {
				for _, span := range [][2]time.Time{{day(d, 9), day(d+1, 9)}, {day(d, 20), day(d+2, 6)}, {day(d, 11), day(d, 12)}} {
					var got, want int
					err := conn.QueryRowContext(w.ctx, `SELECT bulk_peak($1, $2, tstzrange($3, $4), $5, $6),
       pg_temp.bulk_peak_sql($1, $2, tstzrange($3, $4), $5, $6)`, chairs, w.loc, span[0], span[1], now, exclude).Scan(&got, &want)
					if err != nil {
						t.Fatal(err)
					}
					if got != want {
						t.Errorf("now %s, exclude %d, [%s, %s): bulk_peak %d, its SQL definition %d", now.Format(time.RFC3339), exclude,
							span[0].Format(time.RFC3339), span[1].Format(time.RFC3339), got, want)
					}
					seen[want] = true
					n++
				}
			}
		}
	}
	if len(seen) < 4 {
		t.Errorf("the windows should meet several different peaks, saw %v in %d windows", seen, n)
	}
}
