package store_test

import (
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// LockBooking that waited for another change of the booking reads the
// booking as that change committed it: its lines and their units too, not
// only the booking's row (a statement that waits for a row lock re-reads
// the locked row, but the rows it joins stay as they were when it began).
func TestLockBookingSeesTheChangeItWaitedFor(t *testing.T) {
	s, _ := seedWholeBookings(t)
	st, ctx := s.st, s.ctx
	db := st.DB()
	var id, lineID int64
	if err := db.QueryRowContext(ctx, `
SELECT l.booking_id, l.id FROM booking_lines l
JOIN unit_allocations a ON a.booking_line_id = l.id AND a.active
WHERE l.picked_up_at IS NULL AND a.picked_up_at IS NULL ORDER BY l.id LIMIT 1`).Scan(&id, &lineID); err != nil {
		t.Fatalf("a line with a unit still to go out: %v", err)
	}
	at := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	locked, release, firstDone := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		firstDone <- st.WithTx(ctx, func(tx *store.Store) error {
			if _, err := tx.LockBooking(ctx, id); err != nil {
				return err
			}
			if _, err := tx.Tx().ExecContext(ctx, `UPDATE booking_lines SET picked_up_at = $2 WHERE id = $1`, lineID, at); err != nil {
				return err
			}
			if _, err := tx.Tx().ExecContext(ctx, `UPDATE unit_allocations SET picked_up_at = $2 WHERE booking_line_id = $1 AND active`, lineID, at); err != nil {
				return err
			}
			close(locked)
			select {
			case <-release:
			case <-time.After(30 * time.Second):
			}
			return nil
		})
	}()
	select {
	case <-locked:
	case err := <-firstDone:
		t.Fatalf("first change: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the first change did not take the lock")
	}
	type read struct {
		b   store.Booking
		err error
	}
	second := make(chan read, 1)
	go func() {
		var r read
		r.err = st.WithTx(ctx, func(tx *store.Store) error {
			var err error
			r.b, err = tx.LockBooking(ctx, id)
			return err
		})
		second <- r
	}()
	// The second waits on the booking's row lock before the first commits.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var waiting int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the second LockBooking never waited for the first")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	if err := <-firstDone; err != nil {
		t.Fatalf("first change: %v", err)
	}
	var r read
	select {
	case r = <-second:
	case <-time.After(30 * time.Second):
		t.Fatal("the second LockBooking did not finish")
	}
	if r.err != nil {
		t.Fatalf("second LockBooking: %v", r.err)
	}
	for _, l := range r.b.Lines {
		if l.ID != lineID {
			continue
		}
		if l.PickedUpAt == nil || !l.PickedUpAt.Equal(at) {
			t.Errorf("line %d read as picked up at %v, want %v (as the change it waited for left it)", l.ID, l.PickedUpAt, at)
		}
		for _, u := range l.Units {
			if u.PickedUpAt == nil || !u.PickedUpAt.Equal(at) {
				t.Errorf("unit %s read as picked up at %v, want %v", u.AssetTag, u.PickedUpAt, at)
			}
		}
		return
	}
	t.Fatalf("booking %d read without its line %d", id, lineID)
}
