package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// BookingMail is a booking as its emails tell it: the customer, the location
// (with its address and zone), the totals and each line with its item's name.
type BookingMail struct {
	ID              int64  `db:"id"`
	Number          string `db:"number"`
	Status          string `db:"status"`
	CustomerID      int64  `db:"customer_id"`
	CustomerName    string `db:"customer_name"`
	CustomerEmail   string `db:"customer_email"`
	LocationName    string `db:"location_name"`
	LocationAddress string `db:"location_address"`
	TimeZone        string `db:"time_zone"`
	Currency        string `db:"currency"`
	Subtotal        int64  `db:"subtotal"`
	Tax             int64  `db:"tax"`
	Total           int64  `db:"total"`
	Deposit         int64  `db:"deposit"`
	Paid            int64  `db:"paid"`
	Lines           []BookingMailLine
}

// BookingMailLine is one line of a BookingMail.
type BookingMailLine struct {
	BookingID  int64      `db:"booking_id"`
	ItemName   string     `db:"item_name"`
	Quantity   int        `db:"quantity"`
	StartsAt   time.Time  `db:"starts_at"`
	EndsAt     time.Time  `db:"ends_at"`
	LineTotal  int64      `db:"line_total"`
	PickedUpAt *time.Time `db:"picked_up_at"`
	ReturnedAt *time.Time `db:"returned_at"`
}

// bookingMailRow is one line joined with its booking: the query returns one
// row per line, so a page of bookings costs one round trip.
type bookingMailRow struct {
	BookingMail
	LineID int64 `db:"line_id"`
	BookingMailLine
}

const bookingMailSelect = `
SELECT b.id, b.number, b.status, b.customer_id, cu.name AS customer_name, cu.email AS customer_email,
       lo.name AS location_name, lo.address AS location_address, lo.time_zone, b.currency,
       b.subtotal, b.tax, b.total, b.deposit, b.paid,
       l.id AS line_id, l.booking_id, i.name AS item_name, l.quantity, l.starts_at, l.ends_at, l.line_total,
       l.picked_up_at, l.returned_at
FROM bookings b
JOIN users cu ON cu.id = b.customer_id
JOIN locations lo ON lo.id = b.location_id
JOIN booking_lines l ON l.booking_id = b.id
JOIN items i ON i.id = l.item_id`

// Mail is b as its emails tell it: what ListBookingMail reads of it, for a
// booking read with GetBooking or LockBooking (which read its location's
// address) in the transaction that writes its emails, so they need no read
// of their own.
// Like ListBookingMail, a booking without lines has no mail: ok is false.
func (b Booking) Mail() (m BookingMail, ok bool) {
	if len(b.Lines) == 0 {
		return BookingMail{}, false
	}
	m = BookingMail{ID: b.ID, Number: b.Number, Status: b.Status, CustomerID: b.CustomerID,
		CustomerName: b.CustomerName, CustomerEmail: b.CustomerEmail, LocationName: b.LocationName,
		LocationAddress: b.LocationAddress, TimeZone: b.TimeZone, Currency: b.Currency,
		Subtotal: b.Subtotal, Tax: b.Tax, Total: b.Total, Deposit: b.Deposit, Paid: b.Paid,
		Lines: make([]BookingMailLine, len(b.Lines))}
	for i, l := range b.Lines {
		m.Lines[i] = BookingMailLine{BookingID: b.ID, ItemName: l.ItemName, Quantity: l.Quantity,
			StartsAt: l.StartsAt, EndsAt: l.EndsAt, LineTotal: l.LineTotal,
			PickedUpAt: l.PickedUpAt, ReturnedAt: l.ReturnedAt}
	}
	return m, true
}

// listBookingMailSQL runs prepared (a booking's confirmation reads it in the
// booking's transaction); the ids are read through a subquery so that its
// plan does not depend on how many there are (see availabilityOfSQL).
const listBookingMailSQL = bookingMailSelect + `
WHERE b.id = ANY((SELECT $1::bigint[])::bigint[])
ORDER BY b.id, l.id`

// ListBookingMail loads bookings for their emails, lines included, in one
// query. Unknown ids are left out.
func (s *Store) ListBookingMail(ctx context.Context, ids []int64) ([]BookingMail, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return s.bookingMail(ctx, s.prepared(), "by id", listBookingMailSQL, int64Array(ids))
}

// listDueBookingMailSQL finds bookings a reminder or an overdue notice may be
// owed for: confirmed ones starting before $2 (pickup), and confirmed or out
// ones with a line still to come back by $2 (return, or overdue when its end
// has passed). The horizon keeps the scan to the next day or two.
const listDueBookingMailSQL = bookingMailSelect + `
WHERE b.id IN (
    SELECT bl.booking_id FROM booking_lines bl JOIN bookings bb ON bb.id = bl.booking_id
    WHERE (bb.status = 'confirmed' AND bl.starts_at >= $1 AND bl.starts_at < $2)
       OR (bb.status IN ('confirmed', 'out') AND bl.returned_at IS NULL AND bl.ends_at < $2))
ORDER BY b.id, l.id`

// ListDueBookingMail loads, for the reminder and overdue scans, the bookings
// picked up in [now, horizon) or with a line due back before horizon that is
// not back yet (overdue ones included).
func (s *Store) ListDueBookingMail(ctx context.Context, now, horizon time.Time) ([]BookingMail, error) {
	return s.bookingMail(ctx, s.q, "due", listDueBookingMailSQL, now, horizon)
}

func (s *Store) bookingMail(ctx context.Context, q queryer, what, query string, args ...any) ([]BookingMail, error) {
	var rows []bookingMailRow
	if err := q.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("store: booking mail %s: %w", what, classify(err))
	}
	var out []BookingMail
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].ID != r.BookingMail.ID {
			b := r.BookingMail
			b.Lines = nil
			out = append(out, b)
		}
		last := &out[len(out)-1]
		last.Lines = append(last.Lines, r.BookingMailLine)
	}
	return out, nil
}

const existingDedupeKeysSQL = `SELECT dedupe_key FROM emails WHERE dedupe_key = ANY($1::text[])`

// ExistingDedupeKeys returns which of keys already name an email, so a scan
// can skip events it mailed before without rendering them again.
func (s *Store) ExistingDedupeKeys(ctx context.Context, keys []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(keys) == 0 {
		return out, nil
	}
	var found []string
	if err := s.q.SelectContext(ctx, &found, existingDedupeKeysSQL, pq.StringArray(keys)); err != nil {
		return nil, fmt.Errorf("store: existing dedupe keys: %w", classify(err))
	}
	for _, k := range found {
		out[k] = true
	}
	return out, nil
}

const createBookingMailSnapshotSQL = `
INSERT INTO booking_mail_snapshots (booking_id, booking) VALUES ($1, $2) RETURNING id`

// CreateBookingMailSnapshot keeps b as its confirmation emails will tell it,
// in the confirming transaction, and returns the snapshot's id for the job
// that writes those emails after the commit.
func (s *Store) CreateBookingMailSnapshot(ctx context.Context, b BookingMail) (int64, error) {
	doc, err := json.Marshal(b)
	if err != nil {
		return 0, fmt.Errorf("store: booking mail snapshot of booking %d: %w", b.ID, err)
	}
	var id int64
	if err := s.prepared().GetContext(ctx, &id, createBookingMailSnapshotSQL, b.ID, doc); err != nil {
		return 0, fmt.Errorf("store: create booking mail snapshot of booking %d: %w", b.ID, classify(err))
	}
	return id, nil
}

// takeBookingMailSnapshotSQL also reads what the booking has paid by now: an
// online payment is recorded in the confirming transaction just after the
// snapshot is taken, and the emails must not ask for it again at pickup.
const takeBookingMailSnapshotSQL = `
DELETE FROM booking_mail_snapshots s WHERE s.id = $1
RETURNING s.booking, (SELECT b.paid FROM bookings b WHERE b.id = s.booking_id) AS paid`

// TakeBookingMailSnapshot reads and deletes a snapshot in one statement:
// called in the transaction that writes its emails, the snapshot is gone
// exactly when they are written. Its Paid is the booking's as it is now.
// ErrNotFound: already taken.
func (s *Store) TakeBookingMailSnapshot(ctx context.Context, id int64) (BookingMail, error) {
	var row struct {
		Doc  []byte        `db:"booking"`
		Paid sql.NullInt64 `db:"paid"`
	}
	err := s.prepared().GetContext(ctx, &row, takeBookingMailSnapshotSQL, id)
	doc := row.Doc
	if errors.Is(err, sql.ErrNoRows) {
		return BookingMail{}, fmt.Errorf("store: booking mail snapshot %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return BookingMail{}, fmt.Errorf("store: take booking mail snapshot %d: %w", id, classify(err))
	}
	var b BookingMail
	if err := json.Unmarshal(doc, &b); err != nil {
		return BookingMail{}, fmt.Errorf("store: booking mail snapshot %d: %w", id, err)
	}
	if row.Paid.Valid {
		b.Paid = row.Paid.Int64
	}
	return b, nil
}
