package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// HandoverLine is one line as it was handed over.
type HandoverLine struct {
	Item     string    `json:"item"`
	Quantity int       `json:"quantity"`
	Tags     []string  `json:"tags,omitempty"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
}

// Handover is a hand-over at the desk: who gave what, when.
type Handover struct {
	ID        int64           `db:"id"`
	BookingID int64           `db:"booking_id"`
	HandedBy  string          `db:"handed_by"`
	HandedAt  time.Time       `db:"handed_at"`
	RawLines  json.RawMessage `db:"lines"`
	Deposit   int64           `db:"deposit"`
	Currency  string          `db:"currency"`
	Lines     []HandoverLine
}

// NewHandover is what CreateHandover needs.
type NewHandover struct {
	BookingID, HandedBy int64
	HandedAt            time.Time
	Lines               []HandoverLine
	Deposit             int64
	Currency            string
}

const createHandoverSQL = `
INSERT INTO handovers (booking_id, handed_by, handed_at, lines, deposit, currency)
VALUES ($1, NULLIF($2, 0), $3, $4, $5, $6)
RETURNING id`

// CreateHandover records a hand-over.
func (s *Store) CreateHandover(ctx context.Context, h NewHandover) (int64, error) {
	lines, err := json.Marshal(h.Lines)
	if err != nil {
		return 0, fmt.Errorf("store: handover lines: %w", err)
	}
	var id int64
	if err := s.q.GetContext(ctx, &id, createHandoverSQL, h.BookingID, h.HandedBy, h.HandedAt, string(lines), h.Deposit, h.Currency); err != nil {
		return 0, fmt.Errorf("store: create handover: %w", classify(err))
	}
	return id, nil
}

const handoverSelect = `
SELECT h.id, h.booking_id, coalesce(u.name, '') AS handed_by, h.handed_at, h.lines, h.deposit, h.currency
FROM handovers h LEFT JOIN users u ON u.id = h.handed_by`

// GetHandover loads a hand-over of a booking; one of another booking is
// ErrNotFound.
func (s *Store) GetHandover(ctx context.Context, bookingID, id int64) (Handover, error) {
	var h Handover
	if err := s.q.GetContext(ctx, &h, handoverSelect+` WHERE h.id = $1 AND h.booking_id = $2`, id, bookingID); err != nil {
		return h, fmt.Errorf("store: get handover %d: %w", id, classify(err))
	}
	if err := json.Unmarshal(h.RawLines, &h.Lines); err != nil {
		return h, fmt.Errorf("store: handover %d lines: %w", id, err)
	}
	return h, nil
}

// ListHandovers lists a booking's hand-overs, oldest first.
func (s *Store) ListHandovers(ctx context.Context, bookingID int64) ([]Handover, error) {
	var hs []Handover
	if err := s.q.SelectContext(ctx, &hs, handoverSelect+` WHERE h.booking_id = $1 ORDER BY h.id`, bookingID); err != nil {
		return nil, fmt.Errorf("store: list handovers %d: %w", bookingID, classify(err))
	}
	for i := range hs {
		if err := json.Unmarshal(hs[i].RawLines, &hs[i].Lines); err != nil {
			return nil, fmt.Errorf("store: handover %d lines: %w", hs[i].ID, err)
		}
	}
	return hs, nil
}
