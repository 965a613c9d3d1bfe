package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Booking statuses. A booking starts as a hold (it expires) or confirmed, goes
// out when picked up, returned when everything is back, then closed; or it is
// cancelled or expires.
const (
	BookingCart      = "cart"
	BookingHold      = "hold"
	BookingConfirmed = "confirmed"
	BookingOut       = "out"
	BookingReturned  = "returned"
	BookingClosed    = "closed"
	BookingCancelled = "cancelled"
	BookingExpired   = "expired"
)

// Booking is a customer's reservation at one location, with its lines.
type Booking struct {
	ID            int64  `db:"id"`
	Number        string `db:"number"`
	CustomerID    int64  `db:"customer_id"`
	CustomerName  string `db:"customer_name"`
	CustomerEmail string `db:"customer_email"`
	CustomerPhone string `db:"customer_phone"`
	LocationID    int64  `db:"location_id"`
	LocationName  string `db:"location_name"`
	// LocationAddress is read by GetBooking and LockBooking only (for the
	// emails of a booking confirmed in a transaction, see Mail); other reads
	// leave it empty.
	LocationAddress string     `db:"location_address"`
	TimeZone        string     `db:"time_zone"`
	Status          string     `db:"status"`
	ExpiresAt       *time.Time `db:"expires_at"`
	Currency        string     `db:"currency"`
	Subtotal        int64      `db:"subtotal"`
	Tax             int64      `db:"tax"`
	Total           int64      `db:"total"`
	Deposit         int64      `db:"deposit"`
	Paid            int64      `db:"paid"`
	ConfirmedAt     *time.Time `db:"confirmed_at"`
	CancelledAt     *time.Time `db:"cancelled_at"`
	CreatedAt       time.Time  `db:"created_at"`
	UpdatedAt       time.Time  `db:"updated_at"`
	// FreeCancellationHours are the shop's free-cancellation hours when the
	// booking was made (nil: made before they were kept).
	FreeCancellationHours *int64 `db:"free_cancellation_hours"`
	Lines                 []BookingLine
}

// Line finds a line of the booking by id.
func (b Booking) Line(id int64) (BookingLine, bool) {
	for _, l := range b.Lines {
		if l.ID == id {
			return l, true
		}
	}
	return BookingLine{}, false
}

// BookingLine is one item, a quantity and a half-open period [StartsAt, EndsAt).
type BookingLine struct {
	ID             int64           `db:"id"`
	BookingID      int64           `db:"booking_id"`
	ItemID         int64           `db:"item_id"`
	ItemName       string          `db:"item_name"`
	Tracking       string          `db:"tracking"`
	Quantity       int             `db:"quantity"`
	StartsAt       time.Time       `db:"starts_at"`
	EndsAt         time.Time       `db:"ends_at"`
	PickedUpAt     *time.Time      `db:"picked_up_at"`
	ReturnedAt     *time.Time      `db:"returned_at"`
	UnitPrice      int64           `db:"unit_price"`
	LineTotal      int64           `db:"line_total"`
	PriceBreakdown json.RawMessage `db:"price_breakdown"`
	Units          []LineUnit
}

// LineUnit is a unit a line holds, and whether it went out and came back.
type LineUnit struct {
	AllocationID int64      `db:"allocation_id"`
	LineID       int64      `db:"booking_line_id"`
	UnitID       int64      `db:"unit_id"`
	AssetTag     string     `db:"asset_tag"`
	PickedUpAt   *time.Time `db:"picked_up_at"`
	ReturnedAt   *time.Time `db:"returned_at"`
}

// NewBooking is what CreateBooking needs.
type NewBooking struct {
	CustomerID     int64
	LocationID     int64
	Status         string
	ExpiresAt      *time.Time
	Currency       string
	IdempotencyKey string // "" = none
	CreatedBy      int64  // 0 = the customer themself
	Now            time.Time
	// Totals are the priced totals, known before the lines are written
	// (zero: set later with SetBookingTotals).
	Totals Totals
}

const bookingColumns = `b.id, b.number, b.customer_id, cu.name AS customer_name, cu.email AS customer_email,
       cu.phone AS customer_phone, b.location_id, lo.name AS location_name, lo.time_zone, b.status, b.expires_at, b.currency,
       b.subtotal, b.tax, b.total, b.deposit, b.paid, b.confirmed_at, b.cancelled_at, b.created_at, b.updated_at,
       b.free_cancellation_hours`

// bookingNames are bookingColumns' names, for hand scans (rowscan.go).
var bookingNames = []string{"id", "number", "customer_id", "customer_name", "customer_email",
	"customer_phone", "location_id", "location_name", "time_zone", "status", "expires_at", "currency",
	"subtotal", "tax", "total", "deposit", "paid", "confirmed_at", "cancelled_at", "created_at", "updated_at",
	"free_cancellation_hours"}

const bookingFrom = ` FROM bookings b JOIN users cu ON cu.id = b.customer_id JOIN locations lo ON lo.id = b.location_id`

const createBookingSQL = `
INSERT INTO bookings (customer_id, location_id, status, expires_at, currency, idempotency_key, created_by,
                      confirmed_at, created_at, updated_at, subtotal, tax, total, deposit, free_cancellation_hours)
VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), NULLIF($7, 0),
        CASE WHEN $3 = 'confirmed' THEN $8::timestamptz END, $8, $8, $9, $10, $11, $12,
        (SELECT free_cancellation_hours FROM shop_settings LIMIT 1))
RETURNING id`

// CreateBooking inserts a booking without lines. A reused idempotency key is
// ErrConflict (constraint bookings_idempotency_key_key).
func (s *Store) CreateBooking(ctx context.Context, nb NewBooking) (int64, error) {
	var id int64
	err := s.prepared().GetContext(ctx, &id, createBookingSQL, nb.CustomerID, nb.LocationID, nb.Status, nb.ExpiresAt,
		nb.Currency, nb.IdempotencyKey, nb.CreatedBy, nb.Now, nb.Totals.Subtotal, nb.Totals.Tax, nb.Totals.Total, nb.Totals.Deposit)
	if err != nil {
		return 0, fmt.Errorf("store: create booking: %w", classify(err))
	}
	return id, nil
}

// createBookingWithLineSQL is createBookingSQL and insertLineSQL in one
// statement: the booking, then its first line. The line's trigger copies the
// booking's status and location from the row the statement inserted (a
// volatile trigger function reads with a command id past the booking's
// insert, as the separate statements did).
const createBookingWithLineSQL = `
WITH b AS (` + createBookingSQL + `
)
INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at, unit_price, line_total, price_breakdown)
SELECT b.id, $13::bigint, $14::integer, $15::timestamptz, $16::timestamptz, $17::bigint, $18::bigint, $19::jsonb FROM b
RETURNING booking_id, id`

// CreateBookingWithLine is CreateBooking followed by InsertLine of its first
// line (nl.BookingID is ignored) in one round trip; it returns the booking's
// id and the line's. Errors are CreateBooking's and InsertLine's.
func (s *Store) CreateBookingWithLine(ctx context.Context, nb NewBooking, nl NewLine) (bookingID, lineID int64, err error) {
	row := struct {
		BookingID int64 `db:"booking_id"`
		ID        int64 `db:"id"`
	}{}
	err = s.prepared().GetContext(ctx, &row, createBookingWithLineSQL, nb.CustomerID, nb.LocationID, nb.Status, nb.ExpiresAt,
		nb.Currency, nb.IdempotencyKey, nb.CreatedBy, nb.Now, nb.Totals.Subtotal, nb.Totals.Tax, nb.Totals.Total, nb.Totals.Deposit,
		nl.ItemID, nl.Quantity, nl.StartsAt, nl.EndsAt, nl.UnitPrice, nl.LineTotal, nl.breakdownText())
	if err != nil {
		return 0, 0, fmt.Errorf("store: create booking with its line: %w", classify(err))
	}
	return row.BookingID, row.ID, nil
}

// IdempotencyConstraint names the unique rule a double-submitted form hits.
const IdempotencyConstraint = "bookings_idempotency_key_key"

const bookingByKeySQL = `SELECT id, customer_id FROM bookings WHERE idempotency_key = $1`

// BookingByIdempotencyKey finds the booking a form token already made.
func (s *Store) BookingByIdempotencyKey(ctx context.Context, key string) (id, customerID int64, err error) {
	row := struct {
		ID         int64 `db:"id"`
		CustomerID int64 `db:"customer_id"`
	}{}
	if err := s.prepared().GetContext(ctx, &row, bookingByKeySQL, key); err != nil {
		return 0, 0, fmt.Errorf("store: booking by key: %w", classify(err))
	}
	return row.ID, row.CustomerID, nil
}

const getBookingSQL = `SELECT ` + bookingColumns + bookingFrom + ` WHERE b.id = $1`

// getBookingWholeSQL is a booking with its lines and their units in one
// statement: one row per unit of a line (one for a line without units, one
// for a booking without lines), lines by id and units by asset tag, as
// getBooking's three statements order them. The location's address, last,
// is what the booking's emails need beyond it (Booking.Mail).
const getBookingWholeSQL = `SELECT ` + bookingColumns + `,
       l.id AS line_id, l.item_id, i.name AS item_name, i.tracking, l.quantity, l.starts_at, l.ends_at,
       l.picked_up_at, l.returned_at, l.unit_price, l.line_total, l.price_breakdown,
       a.id AS allocation_id, a.unit_id, u.asset_tag, a.picked_up_at AS unit_picked_up_at,
       a.returned_at AS unit_returned_at, lo.address AS location_address` + bookingFrom + `
LEFT JOIN (booking_lines l JOIN items i ON i.id = l.item_id) ON l.booking_id = b.id
LEFT JOIN (unit_allocations a JOIN units u ON u.id = a.unit_id) ON a.booking_line_id = l.id AND a.active
WHERE b.id = $1
ORDER BY l.id, u.asset_tag`

// bookingWholeNames are getBookingWholeSQL's columns, for its hand scan.
var bookingWholeNames = append(slices.Clip(customerBookingNames), "allocation_id", "unit_id", "asset_tag",
	"unit_picked_up_at", "unit_returned_at", "location_address")

// scanBookingWhole reads the rows of getBookingWholeSQL: the booking from
// its first row, a line from the first row of each, a unit from each row
// that has one.
func scanBookingWhole(rows *sql.Rows, out *[]Booking) error {
	lineCols := len(customerBookingNames) - len(bookingNames) - 1
	unitCols := len(bookingWholeNames) - len(customerBookingNames) - 1
	return newRowScan(bookingWholeNames...).each(rows, func(r *rowScan) {
		id := r.int64()
		first := false
		if n := len(*out); n == 0 || (*out)[n-1].ID != id {
			*out = append(*out, readBooking(r, id))
			first = true
		} else {
			r.skip(len(bookingNames) - 1)
		}
		b := &(*out)[len(*out)-1]
		readLineUnit(r, b, lineCols, unitCols)
		if first {
			b.LocationAddress = r.string()
		} else {
			r.skip(1)
		}
	})
}

// readLineUnit reads getBookingWholeSQL's line and unit columns of a row
// into b.
func readLineUnit(r *rowScan, b *Booking, lineCols, unitCols int) {
	lineID := r.optInt64()
	if lineID == nil {
		r.skip(lineCols + unitCols)
		return
	}
	if n := len(b.Lines); n == 0 || b.Lines[n-1].ID != *lineID {
		b.Lines = append(b.Lines, readLine(r, *lineID, b.ID))
	} else {
		r.skip(lineCols)
	}
	l := &b.Lines[len(b.Lines)-1]
	allocationID := r.optInt64()
	if allocationID == nil {
		r.skip(unitCols - 1)
		return
	}
	l.Units = append(l.Units, LineUnit{AllocationID: *allocationID, LineID: l.ID, UnitID: r.int64(),
		AssetTag: r.string(), PickedUpAt: r.optTime(), ReturnedAt: r.optTime()})
}

// GetBooking loads a booking with its lines and their units, in one
// statement (LockBooking takes the lock first, then reads it so).
func (s *Store) GetBooking(ctx context.Context, id int64) (Booking, error) {
	var bs []Booking
	err := s.prepared().Query(ctx, getBookingWholeSQL, []any{id},
		func(rows *sql.Rows) error { return scanBookingWhole(rows, &bs) })
	if err == nil && len(bs) == 0 {
		err = sql.ErrNoRows
	}
	if err != nil {
		return Booking{}, fmt.Errorf("store: get booking %d: %w", id, classify(err))
	}
	return bs[0], nil
}

// lockBookingSQL takes the booking's row lock and reads nothing else: a
// statement that waited for the lock reads the rows it joins as they were
// when it began, not as the transaction it waited for left them.
const lockBookingSQL = `SELECT id FROM bookings WHERE id = $1 FOR UPDATE`

// LockBooking loads a booking and locks its row until the transaction ends,
// so two changes to one booking (cancel and extend, say) run one after another.
// It reads the booking (with its lines, their units and the location's
// address) in a statement after the one that waited for the lock, so it sees
// whatever the change it waited for committed.
func (s *Store) LockBooking(ctx context.Context, id int64) (Booking, error) {
	var locked int64
	if err := s.prepared().GetContext(ctx, &locked, lockBookingSQL, id); err != nil {
		return Booking{}, fmt.Errorf("store: lock booking %d: %w", id, classify(err))
	}
	return s.GetBooking(ctx, id)
}

// listCustomerBookingsSQL is a customer's page of bookings with their
// lines, one row per line (one with no line for a booking without), in one
// statement: the page, then each booking's lines through the (booking_id,
// id) index. It is prepared (a customer's every page view runs it), so it
// has no optional part: the first page reads before the largest id, which
// every booking precedes, and the (customer_id, id) index answers it in any
// plan. The page size is written into the text ({limit}, see
// customerBookingsText).
const listCustomerBookingsSQL = `
SELECT p.id, p.number, p.customer_id, p.customer_name, p.customer_email, p.customer_phone, p.location_id,
       p.location_name, p.time_zone, p.status, p.expires_at, p.currency, p.subtotal, p.tax, p.total, p.deposit,
       p.paid, p.confirmed_at, p.cancelled_at, p.created_at, p.updated_at, p.free_cancellation_hours,
       l.id AS line_id, l.item_id, i.name AS item_name, i.tracking, l.quantity, l.starts_at, l.ends_at,
       l.picked_up_at, l.returned_at, l.unit_price, l.line_total, l.price_breakdown
FROM (SELECT ` + bookingColumns + bookingFrom + `
      WHERE b.customer_id = $1 AND b.id < $2
      ORDER BY b.id DESC
      LIMIT {limit}) p
LEFT JOIN (booking_lines l JOIN items i ON i.id = l.item_id) ON l.booking_id = p.id
ORDER BY p.id DESC, l.id`

// customerBookingsText is listCustomerBookingsSQL with its page size written in.
func customerBookingsText(limit int) string {
	return strings.ReplaceAll(listCustomerBookingsSQL, "{limit}", limitText(limit))
}

// customerBookingNames are listCustomerBookingsSQL's columns, for its hand scan.
var customerBookingNames = append(slices.Clip(bookingNames), "line_id", "item_id", "item_name", "tracking", "quantity",
	"starts_at", "ends_at", "picked_up_at", "returned_at", "unit_price", "line_total", "price_breakdown")

// scanCustomerBookings reads rows of listCustomerBookingsSQL by hand: a
// booking from its first row, a line from each row that has one.
func scanCustomerBookings(rows *sql.Rows, out *[]Booking) error {
	return newRowScan(customerBookingNames...).each(rows, func(r *rowScan) {
		id := r.int64()
		if n := len(*out); n == 0 || (*out)[n-1].ID != id {
			*out = append(*out, readBooking(r, id))
		} else {
			r.skip(len(bookingNames) - 1)
		}
		lineID := r.optInt64()
		if lineID == nil {
			r.skip(len(customerBookingNames) - len(bookingNames) - 1)
			return
		}
		b := &(*out)[len(*out)-1]
		b.Lines = append(b.Lines, readLine(r, *lineID, id))
	})
}

// readBooking reads bookingNames after the id.
func readBooking(r *rowScan, id int64) Booking {
	return Booking{
		ID: id, Number: r.string(), CustomerID: r.int64(), CustomerName: r.string(), CustomerEmail: r.string(),
		CustomerPhone: r.string(), LocationID: r.int64(), LocationName: r.string(), TimeZone: r.string(),
		Status: r.string(), ExpiresAt: r.optTime(), Currency: r.string(),
		Subtotal: r.int64(), Tax: r.int64(), Total: r.int64(), Deposit: r.int64(), Paid: r.int64(),
		ConfirmedAt: r.optTime(), CancelledAt: r.optTime(), CreatedAt: r.time(), UpdatedAt: r.time(),
		FreeCancellationHours: r.optInt64(),
	}
}

// readLine reads customerBookingNames' line columns after the line's id.
func readLine(r *rowScan, id, bookingID int64) BookingLine {
	return BookingLine{
		ID: id, BookingID: bookingID, ItemID: r.int64(), ItemName: r.string(), Tracking: r.string(),
		Quantity: r.int(), StartsAt: r.time(), EndsAt: r.time(), PickedUpAt: r.optTime(), ReturnedAt: r.optTime(),
		UnitPrice: r.int64(), LineTotal: r.int64(), PriceBreakdown: r.json(),
	}
}

// ListCustomerBookings pages through one customer's bookings, newest first
// (BeforeID is the keyset cursor), with their lines, in one query.
func (s *Store) ListCustomerBookings(ctx context.Context, customerID, beforeID int64, limit int) ([]Booking, error) {
	if limit <= 0 {
		limit = 50
	}
	if beforeID == 0 {
		beforeID = math.MaxInt64
	}
	var bs []Booking
	if err := s.prepared().Query(ctx, customerBookingsText(limit), []any{customerID, beforeID},
		func(rows *sql.Rows) error { return scanCustomerBookings(rows, &bs) }); err != nil {
		return nil, fmt.Errorf("store: list bookings of %d: %w", customerID, classify(err))
	}
	return bs, nil
}

const setBookingStatusSQL = `
UPDATE bookings SET status = $2, updated_at = $3,
       expires_at = CASE WHEN $2 = 'hold' THEN expires_at END,
       confirmed_at = CASE WHEN $2 = 'confirmed' THEN coalesce(confirmed_at, $3) ELSE confirmed_at END,
       cancelled_at = CASE WHEN $2 = 'cancelled' THEN $3 ELSE cancelled_at END
WHERE id = $1`

// SetBookingStatus moves a booking to a status; the caller has checked that the
// move is allowed and writes the audit row in the same transaction.
func (s *Store) SetBookingStatus(ctx context.Context, id int64, status string, now time.Time) error {
	if _, err := s.prepared().ExecContext(ctx, setBookingStatusSQL, id, status, now); err != nil {
		return fmt.Errorf("store: set booking %d status: %w", id, classify(err))
	}
	return nil
}

// Totals are a booking's money, in minor units of its currency.
type Totals struct {
	Subtotal, Tax, Total, Deposit int64
}

const setBookingTotalsSQL = `
UPDATE bookings SET subtotal = $2, tax = $3, total = $4, deposit = $5, updated_at = $6 WHERE id = $1`

// SetBookingTotals stores the priced totals of a booking.
func (s *Store) SetBookingTotals(ctx context.Context, id int64, t Totals, now time.Time) error {
	if _, err := s.prepared().ExecContext(ctx, setBookingTotalsSQL, id, t.Subtotal, t.Tax, t.Total, t.Deposit, now); err != nil {
		return fmt.Errorf("store: set booking %d totals: %w", id, classify(err))
	}
	return nil
}

// NewLine is what InsertLine needs.
type NewLine struct {
	BookingID      int64
	ItemID         int64
	Quantity       int
	StartsAt       time.Time
	EndsAt         time.Time
	UnitPrice      int64
	LineTotal      int64
	PriceBreakdown json.RawMessage
}

// breakdownText is the line's price breakdown as stored: an empty object
// when it has none.
func (nl NewLine) breakdownText() string {
	if len(nl.PriceBreakdown) == 0 {
		return "{}"
	}
	return string(nl.PriceBreakdown)
}

const insertLineSQL = `
INSERT INTO booking_lines (booking_id, item_id, quantity, starts_at, ends_at, unit_price, line_total, price_breakdown)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
RETURNING id`

// InsertLine adds a line to a booking. It does not allocate stock: the
// booking engine does that through AllocateUnits or the bulk capacity check.
func (s *Store) InsertLine(ctx context.Context, nl NewLine) (int64, error) {
	var id int64
	err := s.prepared().GetContext(ctx, &id, insertLineSQL, nl.BookingID, nl.ItemID, nl.Quantity, nl.StartsAt, nl.EndsAt,
		nl.UnitPrice, nl.LineTotal, nl.breakdownText())
	if err != nil {
		return 0, fmt.Errorf("store: insert booking line: %w", classify(err))
	}
	return id, nil
}

const updateLinePeriodSQL = `
UPDATE booking_lines SET starts_at = $2, ends_at = $3, unit_price = $4, line_total = $5, price_breakdown = $6
WHERE id = $1`

// UpdateLinePeriod stores a line's new period and price (after the engine has
// moved its allocations).
func (s *Store) UpdateLinePeriod(ctx context.Context, lineID int64, start, end time.Time, unitPrice, lineTotal int64, breakdown json.RawMessage) error {
	if len(breakdown) == 0 {
		breakdown = json.RawMessage("{}")
	}
	if _, err := s.q.ExecContext(ctx, updateLinePeriodSQL, lineID, start, end, unitPrice, lineTotal, string(breakdown)); err != nil {
		return fmt.Errorf("store: update line %d period: %w", lineID, classify(err))
	}
	return nil
}

const setLinePickupSQL = `
UPDATE booking_lines l SET
  picked_up_at = CASE WHEN l.picked_up_at IS NULL AND $2 THEN $3::timestamptz ELSE l.picked_up_at END,
  returned_at  = CASE WHEN l.returned_at IS NULL AND $4 THEN $3::timestamptz ELSE l.returned_at END
WHERE l.id = $1`

// MarkLine records that a whole line went out (pickedUp) or came back
// (returned) at now; an earlier mark is kept.
func (s *Store) MarkLine(ctx context.Context, lineID int64, pickedUp, returned bool, now time.Time) error {
	if _, err := s.prepared().ExecContext(ctx, setLinePickupSQL, lineID, pickedUp, now, returned); err != nil {
		return fmt.Errorf("store: mark line %d: %w", lineID, classify(err))
	}
	return nil
}
