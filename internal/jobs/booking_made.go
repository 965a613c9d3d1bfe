package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/rentdesk/rentdesk/internal/mail"
	"github.com/rentdesk/rentdesk/internal/store"
)

// BookingMadeArgs is the job that writes the confirmation emails of a
// booking (made confirmed by a checkout paid at pickup or a walk-in, or a
// hold confirmed by its payment or at the desk). The confirming transaction
// inserts it with a snapshot of the booking as it stood there (SnapshotID,
// in booking_mail_snapshots): the emails tell the booking as of its
// confirmation, whatever happened to it before the worker rendered them. The
// job carries ids only: the queue indexes every key and value of a job's
// arguments, in each version of its row. Booking is the snapshot carried in
// the job itself, as jobs queued before the snapshot table were. Its kind
// keeps the name it had when it served only the bookings made confirmed, so
// jobs already queued still find their worker.
type BookingMadeArgs struct {
	BookingID  int64         `json:"booking_id"`
	Online     bool          `json:"online"`
	SnapshotID int64         `json:"snapshot_id,omitempty"`
	Booking    *mail.Booking `json:"booking,omitempty"`
}

// Kind names the job in the queue.
func (BookingMadeArgs) Kind() string { return "booking_made_mail" }

// InsertOpts puts the job on the mail queue.
func (BookingMadeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMail}
}

type bookingMadeWorker struct {
	river.WorkerDefaults[BookingMadeArgs]
	j *Jobs
}

// Work renders and queues the emails. The snapshot is taken (deleted) in the
// transaction that writes them, so it is gone exactly when they are written:
// a second run (a retry after a crash) finds none and writes nothing again,
// and the emails' dedupe keys name the booking besides.
func (w *bookingMadeWorker) Work(ctx context.Context, job *river.Job[BookingMadeArgs]) error {
	if b := job.Args.Booking; b != nil {
		_, err := w.j.EnqueueBookingConfirmed(ctx, w.j.st, *b, job.Args.Online)
		return err
	}
	// The shop's name the emails are signed with is read before the
	// transaction (from the process cache while it holds it), not by a
	// statement inside it.
	shop, err := w.j.st.GetSettings(ctx)
	if err != nil {
		return err
	}
	return w.j.st.WithTx(ctx, func(tx *store.Store) error {
		tx.UseSettings(shop)
		sb, err := tx.TakeBookingMailSnapshot(ctx, job.Args.SnapshotID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = w.j.EnqueueBookingConfirmed(ctx, tx, MailBooking(sb), job.Args.Online)
		return err
	})
}

// BookingConfirmed queues the confirmation of a booking confirmed in tx
// (and the staff notice of an online booking): one job row, committed or
// rolled back with the confirmation, from which a worker renders and queues
// the emails after the commit (while the booking's units and the invoice
// counter are no longer locked). The emails tell b as the engine read it in
// tx (Booking.Mail: what ListBookingMail would read there, without a
// statement of its own), kept as a snapshot row beside the job. The staff notices go to the team of the moment
// they are written; the emails' dedupe keys keep them to one per booking
// and person, however often the booking is confirmed.
func (m BookingMail) BookingConfirmed(ctx context.Context, tx *store.Store, b store.Booking, online bool) error {
	sb, ok := b.Mail()
	if !ok {
		return nil
	}
	snap, err := tx.CreateBookingMailSnapshot(ctx, sb)
	if err != nil {
		return err
	}
	args := BookingMadeArgs{BookingID: b.ID, Online: online, SnapshotID: snap}
	if _, err := m.j.client.InsertTx(ctx, tx.Tx(), args, nil); err != nil {
		return fmt.Errorf("jobs: insert confirmation job of booking %d: %w", b.ID, store.Unavailable(err))
	}
	return nil
}
