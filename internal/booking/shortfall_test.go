package booking

import (
	"errors"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/store"
)

// The bulk-shortfall check (wider buffers or a lower stock) locks the stock
// rows first and computes after, in a statement of its own: a booking that
// commits while the check waits for the lock is counted. Computed inside the
// locking statement, the peak would come from the snapshot taken before the
// wait and miss it, and the change would overbook.
func TestBulkShortfallCountsBookingCommittedDuringLockWait(t *testing.T) {
	w := newWorld(t)
	tents := w.bulkItem("Tent", 2)
	c := w.customer()
	w.mustBook(c, tents, 1, day(1, 0), day(2, 0)) // X
	w.mustBook(c, tents, 1, day(2, 2), day(3, 0)) // Y, two hours after X ends

	// A booking in flight, as the engine writes one: it holds the stock row
	// and has written a line beside X (peak 2 of 2: allowed).
	txA, err := w.st.DB().BeginTx(w.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer txA.Rollback()
	var bid int64
	if _, err := txA.ExecContext(w.ctx, `SELECT 1 FROM bulk_stock WHERE item_id = $1 FOR UPDATE`, tents); err != nil {
		t.Fatal(err)
	}
	if err := txA.QueryRowContext(w.ctx, `INSERT INTO bookings (customer_id, location_id, status, currency)
		VALUES ($1, $2, 'confirmed', 'EUR') RETURNING id`, c, w.loc).Scan(&bid); err != nil {
		t.Fatal(err)
	}
	if _, err := txA.ExecContext(w.ctx, `INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at)
		VALUES ($1, $2, 1, $3, $4)`, bid, tents, day(1, 0), day(2, 0)); err != nil {
		t.Fatal(err)
	}

	// Meanwhile staff widen the buffer after each rental to three hours: X
	// and A then reach into Y, a peak of 3 with A, of 2 without.
	errRollback := errors.New("rolled back on purpose")
	found := make(chan []store.StockShortfall, 1)
	go func() {
		err := w.st.WithTx(w.ctx, func(tx *store.Store) error {
			if _, err := tx.Tx().ExecContext(w.ctx, `UPDATE items SET buffer_after_minutes = 180 WHERE id = $1`, tents); err != nil {
				return err
			}
			short, err := tx.BulkShortfalls(w.ctx, []int64{tents}, w.clock.Now())
			if err != nil {
				return err
			}
			found <- short
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Errorf("shortfall check: %v", err)
			close(found)
		}
	}()
	// The check waits for A's lock (seen by PostgreSQL, not guessed by a
	// clock); then A commits.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if w.id(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the shortfall check never waited for the stock row")
		}
	}
	if err := txA.Commit(); err != nil {
		t.Fatal(err)
	}
	select {
	case short := <-found:
		if len(short) != 1 || short[0].Peak != 3 || short[0].Quantity != 2 {
			t.Fatalf("shortfalls %+v, want the tent at a peak of 3 of 2 (the booking committed during the wait counted)", short)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the shortfall check did not finish after the lock was released")
	}
}
